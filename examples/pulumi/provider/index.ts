// The provider's stack: the offering-level objects (admission guard of the tenant namespaces,
// consumption recording rules) and the provider identity. `pulumi up` here once per cluster;
// tenants live in their own stacks (../tenant). In your project import from 'saasplane/pulumi'.
import { ProviderAccess, SaaSOffering } from '../../../src/pulumi';
import { shop } from '../../offering';

const offering = new SaaSOffering('shop', shop);
const provider = new ProviderAccess('provider', { offering });

export const offeringName = offering.offeringName;
export const providerServiceAccount = provider.serviceAccount;
