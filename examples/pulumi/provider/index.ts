// The provider's stack: the offering-level objects (admission guard of the tenant namespaces,
// consumption recording rules) and the provider identity. `pulumi up` here once per cluster;
// tenants live in their own stacks (../tenant). In your project import from 'saasplane/pulumi'.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ProviderAccess, SaaSOffering } from '../../../src/pulumi';
import { shop } from '../../offering';

// one explicit provider for every resource, from the kubeconfig secret: none lands on Pulumi's default provider
const cluster = new k8s.Provider('cluster', { kubeconfig: new pulumi.Config().requireSecret('kubeconfig') });
const offering = new SaaSOffering('shop', shop, { providers: { kubernetes: cluster } });
const provider = new ProviderAccess('provider', { offering }, { providers: { kubernetes: cluster } });

export const offeringName = offering.offeringName;
export const providerServiceAccount = provider.serviceAccount;
