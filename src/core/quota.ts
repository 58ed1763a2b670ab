// What a plan's ResourceQuota holds: compute, ephemeral storage, storage and object counts. The
// tenant plan emits it; the plan-fit check compares a chart's needs with it.
import { TenantState } from './model';
import { DEFAULT_EPHEMERAL_STORAGE, ResolvedTenant } from './offering';

/** Kinds whose number the quota caps with `objectsPerKind`, and their quota resource names. */
export const COUNTED_KINDS: Readonly<Record<string, string>> = {
  Deployment: 'deployments.apps',
  StatefulSet: 'statefulsets.apps',
  DaemonSet: 'daemonsets.apps',
  Job: 'jobs.batch',
  CronJob: 'cronjobs.batch',
  Ingress: 'ingresses.networking.k8s.io',
  ServiceAccount: 'serviceaccounts',
  PodDisruptionBudget: 'poddisruptionbudgets.policy',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers.autoscaling',
};

/** The ResourceQuota's `hard` of a plan: compute, ephemeral storage, storage and the object counts MTB lists. */
export function quotaHard(tenant: ResolvedTenant): Record<string, string> {
  const q = tenant.plan.quota;
  const ephemeral = q.ephemeralStorage ?? DEFAULT_EPHEMERAL_STORAGE;
  return {
    'requests.cpu': q.cpu,
    'limits.cpu': q.cpuLimit ?? q.cpu,
    'requests.memory': q.memory,
    'limits.memory': q.memoryLimit ?? q.memory,
    'requests.ephemeral-storage': ephemeral,
    'limits.ephemeral-storage': ephemeral,
    'requests.storage': q.storage ?? '0',
    'persistentvolumeclaims': String(q.persistentVolumeClaims ?? 10),
    // nothing runs in a suspended or offboarded tenant
    'pods': tenant.state === TenantState.ACTIVE ? String(q.pods ?? 20) : '0',
    'services': String(q.services ?? 10),
    'configmaps': String(q.configMaps ?? 50),
    'secrets': String(q.secrets ?? 50),
    'replicationcontrollers': String(q.replicationControllers ?? 0),
    'count/replicasets.apps': String(q.replicaSets ?? 100),
    ...Object.fromEntries(Object.values(COUNTED_KINDS).map((resource) => [`count/${resource}`, String(q.objectsPerKind ?? 50)])),
    // this quota is the namespace's only one: a second ResourceQuota could not loosen it, but counts are kept tight
    'resourcequotas': '1',
    'services.nodeports': tenant.offering.allowNodePorts ? String(q.services ?? 10) : '0',
    'services.loadbalancers': tenant.offering.allowLoadBalancers ? String(q.services ?? 10) : '0',
  };
}
