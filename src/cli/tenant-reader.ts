// Reading one tenant instance from a live cluster with whatever identity the kubeconfig holds (the
// provider's, or the tenant's own users', who may not read their namespace object): the checks
// that it exists and is the tenant it is named after, and failures that say what to do.
import { CommandError } from './command';
import { KubeClient, KubeResponse, responseMessage } from './kube-client';
import { LABEL_OFFERING, LABEL_TENANT, tenantNamespace } from '../core';

/** The tenant is not on the cluster. */
export class TenantMissingError extends CommandError {}

/** The credentials may not read the tenant: not theirs, or (to a provider, whose rights come with each tenant's output) not applied yet. */
export class TenantUnreadableError extends CommandError {}

/** A tenant found on the cluster: its namespace, its labels and its quota. */
export interface FoundTenant {
  readonly offering: string;
  readonly tenant: string;
  readonly namespace: string;
  /** The namespace's labels, or the tenant quota's for an identity that may not read namespaces. */
  readonly labels: Readonly<Record<string, string>>;
  /** The namespace object, when readable. */
  readonly namespaceObject?: any;
  /** The tenant quota object. */
  readonly quota?: any;
  /** GETs `path` (a collection of the namespace, say) and throws the failure for `what` (e.g. "pods"). */
  read(what: string, path: string): Promise<any>;
}

/** Finds tenant `tenant` of `offering`; throws TenantMissingError, or a CommandError for no access. */
export async function findTenant(client: KubeClient, offering: string, tenant: string): Promise<FoundTenant> {
  const namespace = tenantNamespace(offering, tenant);
  const read = async (what: string, path: string): Promise<any> => {
    const response = await client.get(path);
    if (response.status === 200) return response.body;
    throw readFailure(response, what, offering, tenant, namespace);
  };
  const missing = () => new TenantMissingError(`tenant "${tenant}" of offering "${offering}" does not exist on this cluster (no namespace ${namespace}, `
    + 'or no tenant quota in it): check the names, or apply the offering\'s output first');
  // the namespace first: RBAC refuses reading a namespace's objects where no binding exists yet,
  // so to the provider a tenant not applied would look like one it may not read
  const ns = await client.get(`/api/v1/namespaces/${namespace}`);
  if (ns.status === 404) throw missing();
  const nsLabels = ns.status === 200 ? ns.body.metadata?.labels ?? {} : undefined;
  if (nsLabels && (nsLabels[LABEL_OFFERING] !== offering || nsLabels[LABEL_TENANT] !== tenant)) {
    throw new CommandError(`namespace ${namespace} is not tenant "${tenant}" of offering "${offering}" (its labels say otherwise)`);
  }
  // a tenant's users may not read their namespace: saasplane's labels are on its quota too
  const quotas = await read('resource quotas', `/api/v1/namespaces/${namespace}/resourcequotas`);
  const quota = (quotas.items ?? []).find((q: any) => q.metadata?.name === 'tenant-quota');
  if (ns.status !== 200 && !quota) {
    throw missing();
  }
  const labels = (ns.status === 200 ? ns.body.metadata?.labels : quota?.metadata?.labels) ?? {};
  return { offering, tenant, namespace, labels, ...(ns.status === 200 ? { namespaceObject: ns.body } : {}), quota, read };
}

/** Why reading `what` of the tenant failed, with the fix. */
export function readFailure(response: KubeResponse, what: string, offering: string, tenant: string, namespace: string): CommandError {
  if (response.status === 403) {
    return new TenantUnreadableError(`no access to tenant "${tenant}" of offering "${offering}": these credentials may not read its ${what} in ${namespace} `
      + `(${responseMessage(response)}); use the provider's kubeconfig (saasplane kubeconfig --provider) or the tenant's own `
      + '(a suspended or offboarded tenant\'s own users have no rights left: ask the provider)');
  }
  if (response.status === 404) return new TenantMissingError(`tenant "${tenant}" of offering "${offering}" does not exist on this cluster (no namespace ${namespace})`);
  return new CommandError(`reading the ${what} of ${namespace}: ${responseMessage(response)}`);
}
