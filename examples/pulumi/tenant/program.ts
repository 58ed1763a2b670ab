// One tenant's stack, as a function: the Pulumi project (index.ts) runs it for its stack, and the
// fleet (../fleet.ts) runs it for every tenant through the Automation API. Every resource goes
// through one explicit Kubernetes provider built from the kubeconfig (a secret), so none lands on
// Pulumi's default provider, whose identity changes with the plugin version and the ambient kubeconfig.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ConsumerAccess, FleetTenant, ObjectTransform, TenantInstance } from '../../../src/pulumi';
import { shop } from '../../offering';

/** Creates the tenant's instance and its consumer identity on the cluster of `kubeconfig`. */
export function tenantStack(tenant: FleetTenant, kubeconfig: pulumi.Input<string>, transform?: ObjectTransform) {
  const cluster = new k8s.Provider('cluster', { kubeconfig });
  const instance = new TenantInstance(tenant.name, { offering: shop, plan: tenant.plan, parameters: tenant.parameters, transform },
    { providers: { kubernetes: cluster } });
  const users = new ConsumerAccess(`${tenant.name}-users`, { tenant: instance });
  return {
    namespace: instance.namespace,
    releaseName: instance.releaseName,
    plan: instance.plan,
    consumerServiceAccount: users.serviceAccountName,
  };
}
