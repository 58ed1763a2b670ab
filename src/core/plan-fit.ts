// Does a plan hold the chart it offers? Adds up what the rendered workloads request and limit
// (replicas, a rolling update's surge pod, LimitRange defaults for containers that set nothing)
// and what they claim, and compares it with the plan's quota, as the quota admission would.
import type { Container, PodSpec } from 'kubernetes-types/core/v1';
import type { KubeObject } from './kube';
import { TenantState } from './model';
import { containerDefaults, ResolvedTenant } from './offering';
import { ANNOTATION_CLAIM_OF } from './plan-claims';
import { parseQuantity } from './quantity';
import { COUNTED_KINDS, quotaHard } from './quota';

export type Resource = 'cpu' | 'memory' | 'ephemeral-storage';
const RESOURCES: readonly Resource[] = ['cpu', 'memory', 'ephemeral-storage'];

/** One workload's share of the quota. */
interface Usage {
  readonly what: string;
  readonly pods: number;
  readonly surge: number;
  /** Per pod, by quota key (requests.cpu, limits.memory, ...). */
  readonly perPod: Record<string, number>;
  /** Claims, total over the replicas. */
  readonly storage: number;
  readonly claims: number;
}

/** What a namespace's quota admission counts against: the quota's `hard` and the LimitRange's container defaults. */
export interface QuotaLimits {
  /** Named in the problems: `plan "small"`, or `the ResourceQuota "shop-acme/tenant-quota"`. */
  readonly holder: string;
  readonly hard: Readonly<Record<string, string | undefined>>;
  readonly defaultRequest: Readonly<Partial<Record<Resource, string>>>;
  readonly defaultLimit: Readonly<Partial<Record<Resource, string>>>;
}

/**
 * Problems when the tenant's rendered objects do not fit its plan's quota, each naming the
 * quota key, what the chart needs (per workload) and what the plan allows.
 */
export function planFitProblems(tenant: ResolvedTenant, objects: readonly KubeObject[]): string[] {
  const d = containerDefaults(tenant.offering);
  return quotaFitProblems({
    holder: `plan "${tenant.planName}"`,
    // the plan must hold the chart as it runs: judged on the active quota, also while suspended
    hard: quotaHard({ ...tenant, state: TenantState.ACTIVE }),
    defaultRequest: { 'cpu': d.cpuRequest, 'memory': d.memoryRequest, 'ephemeral-storage': d.ephemeralStorageRequest },
    defaultLimit: { 'cpu': d.cpuLimit, 'memory': d.memoryLimit, 'ephemeral-storage': d.ephemeralStorageLimit },
  }, objects);
}

/** Problems when `objects`, all in one namespace, do not fit its quota; keys the quota does not set are unlimited. */
export function quotaFitProblems(limits: QuotaLimits, objects: readonly KubeObject[]): string[] {
  return quotaOverruns(limits, objects).map((o) => o.message);
}

/** Each quota key `objects` overrun, with its problem. */
export function quotaOverruns(limits: QuotaLimits, objects: readonly KubeObject[]): Array<{ key: string; message: string }> {
  const { hard, defaultRequest, defaultLimit } = limits;
  const usages = objects.flatMap((o) => usageOf(o, defaultRequest, defaultLimit));
  const problems: Array<{ key: string; message: string }> = [];
  const needs = (key: string, need: number, detail: string, fix: string) => {
    const allowed = parseQuantity(hard[key]) ?? Infinity;
    if (need > allowed + 1e-9) {
      problems.push({ key, message: `${limits.holder} cannot hold the chart: ${key} ${format(key, need)} needed (${detail}) but the quota allows ${hard[key]}; ${fix}` });
    }
  };
  const podsOf = (u: Usage) => u.pods + u.surge;
  const podCount = (u: Usage) => `${podsOf(u)} pod${podsOf(u) === 1 ? '' : 's'}${u.surge ? ` incl. ${u.surge} surge for rolling updates` : ''}`;
  for (const resource of RESOURCES) {
    for (const kind of ['requests', 'limits'] as const) {
      const key = `${kind}.${resource}`;
      const parts = usages.filter((u) => u.perPod[key] > 0);
      const total = parts.reduce((sum, u) => sum + podsOf(u) * u.perPod[key], 0);
      const detail = parts.map((u) => `${u.what}: ${podCount(u)} × ${format(key, u.perPod[key])}`).join(', ');
      needs(key, total, detail, `raise the plan's quota or lower the chart's replicas or ${kind} in the plan's values`);
    }
  }
  const pods = usages.filter((u) => podsOf(u) > 0);
  needs('pods', pods.reduce((sum, u) => sum + podsOf(u), 0), pods.map((u) => `${u.what}: ${podCount(u)}`).join(', '), 'raise quota.pods or lower the replicas');
  const claims = usages.filter((u) => u.claims > 0);
  needs('requests.storage', claims.reduce((sum, u) => sum + u.storage, 0), claims.map((u) => `${u.what}: ${format('storage', u.storage)}`).join(', '),
    'raise quota.storage or lower the claim sizes in the plan\'s values');
  needs('persistentvolumeclaims', claims.reduce((sum, u) => sum + u.claims, 0), claims.map((u) => `${u.what}: ${u.claims}`).join(', '), 'raise quota.persistentVolumeClaims');
  const count = (kind: string) => objects.filter((o) => o.kind === kind).length;
  needs('services', count('Service'), `${count('Service')} Services`, 'raise quota.services');
  // every namespace also holds the ConfigMap kube-root-ca.crt
  needs('configmaps', count('ConfigMap') + 1, `${count('ConfigMap')} ConfigMaps and kube-root-ca.crt`, 'raise quota.configMaps');
  needs('secrets', count('Secret'), `${count('Secret')} Secrets`, 'raise quota.secrets');
  needs('replicationcontrollers', count('ReplicationController'), `${count('ReplicationController')} ReplicationControllers`,
    'raise quota.replicationControllers, or better use a Deployment');
  for (const [kind, resource] of Object.entries(COUNTED_KINDS)) {
    // every namespace also holds the ServiceAccount "default"
    const extra = kind === 'ServiceAccount' ? 1 : 0;
    needs(`count/${resource}`, count(kind) + extra, `${count(kind)} ${kind}s${extra ? ' and the default ServiceAccount' : ''}`, 'raise quota.objectsPerKind');
  }
  // a Deployment keeps revisionHistoryLimit (default 10) old ReplicaSets, plus the current and the next one during a rollout
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const replicaSets = count('ReplicaSet') + deployments.reduce((sum, d) => sum + ((d.spec as { revisionHistoryLimit?: number })?.revisionHistoryLimit ?? 10) + 2, 0);
  needs('count/replicasets.apps', replicaSets, `${deployments.length} Deployments (their revision history plus 2 ReplicaSets during a rollout) and ${count('ReplicaSet')} ReplicaSets`,
    'raise quota.replicaSets or lower the Deployments\' revisionHistoryLimit');
  return problems;
}

function usageOf(object: KubeObject, defaultRequest: QuotaLimits['defaultRequest'], defaultLimit: QuotaLimits['defaultLimit']): Usage[] {
  const spec = (object.spec ?? {}) as Record<string, any>;
  const what = `${object.kind} "${object.metadata.name}"`;
  let pods = 0;
  let surge = 0;
  let podSpec: PodSpec | undefined;
  let claimTemplates: Array<{ spec?: { resources?: { requests?: Record<string, string> } } }> = [];
  switch (object.kind) {
    case 'Pod':
      pods = 1; podSpec = spec as PodSpec; break;
    case 'Deployment':
      pods = spec.replicas ?? 1; podSpec = spec.template?.spec; surge = deploymentSurge(spec, pods); break;
    case 'StatefulSet':
      pods = spec.replicas ?? 1; podSpec = spec.template?.spec; claimTemplates = spec.volumeClaimTemplates ?? []; break;
    case 'ReplicaSet': case 'ReplicationController':
      pods = spec.replicas ?? 1; podSpec = spec.template?.spec; break;
    case 'DaemonSet':
      // one pod per eligible node: at least one, more is up to the cluster
      pods = 1; podSpec = spec.template?.spec; break;
    case 'Job':
      pods = spec.parallelism ?? 1; podSpec = spec.template?.spec; break;
    case 'CronJob':
      pods = spec.jobTemplate?.spec?.parallelism ?? 1; podSpec = spec.jobTemplate?.spec?.template?.spec; break;
    case 'PersistentVolumeClaim':
      // a planned claim of a StatefulSet is counted through its template
      if (object.metadata.annotations?.[ANNOTATION_CLAIM_OF]) return [];
      return [{ what, pods: 0, surge: 0, perPod: {}, storage: parseQuantity(spec.resources?.requests?.storage) ?? 0, claims: 1 }];
    default:
      return [];
  }
  const perPod: Record<string, number> = {};
  for (const resource of RESOURCES) {
    const request = (c: Container) => effective(c, resource, 'requests', defaultRequest, defaultLimit);
    const limit = (c: Container) => effective(c, resource, 'limits', defaultRequest, defaultLimit);
    // as the quota counts a pod: its containers plus native sidecars (init containers with
    // restartPolicy Always, which keep running), or the peak of the init phase if higher
    const podTotal = (f: (c: Container) => number) => {
      let sidecars = 0;
      let initPeak = 0;
      for (const c of podSpec?.initContainers ?? []) {
        if (c.restartPolicy === 'Always') {
          sidecars += f(c);
          initPeak = Math.max(initPeak, sidecars);
        } else {
          initPeak = Math.max(initPeak, sidecars + f(c));
        }
      }
      return Math.max((podSpec?.containers ?? []).reduce((sum, c) => sum + f(c), 0) + sidecars, initPeak);
    };
    perPod[`requests.${resource}`] = podTotal(request);
    perPod[`limits.${resource}`] = podTotal(limit);
  }
  const claimSize = claimTemplates.reduce((sum, t) => sum + (parseQuantity(t.spec?.resources?.requests?.storage) ?? 0), 0);
  return [{ what, pods, surge, perPod, storage: claimSize * pods, claims: claimTemplates.length * pods }];
}

/** What the API server admits for one container: its own value, else the LimitRange default (a request defaults to the limit when only that is set). */
function effective(c: Container, resource: Resource, kind: 'requests' | 'limits', defaultRequest: QuotaLimits['defaultRequest'],
  defaultLimit: QuotaLimits['defaultLimit']): number {
  const own = c.resources?.[kind]?.[resource];
  if (own !== undefined) {
    return parseQuantity(own) ?? 0;
  }
  const limit = c.resources?.limits?.[resource];
  if (kind === 'requests' && limit !== undefined) {
    return parseQuantity(limit) ?? 0;
  }
  return parseQuantity(kind === 'requests' ? defaultRequest[resource] : defaultLimit[resource]) ?? 0;
}

/** Extra pods a RollingUpdate may start: maxSurge (default 25%, rounded up) of the replicas. */
function deploymentSurge(spec: Record<string, any>, replicas: number): number {
  if (spec.strategy?.type === 'Recreate') {
    return 0;
  }
  const maxSurge = spec.strategy?.rollingUpdate?.maxSurge ?? '25%';
  return typeof maxSurge === 'number' ? maxSurge : Math.ceil((replicas * Number(String(maxSurge).replace('%', ''))) / 100);
}

function format(key: string, value: number): string {
  if (key.endsWith('cpu')) {
    return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  }
  if (/memory|storage/.test(key)) {
    const gi = value / 2 ** 30;
    return gi >= 1 && Number.isInteger(Math.round(gi * 100) / 100) ? `${Math.round(gi * 100) / 100}Gi` : `${Math.round(value / 2 ** 20)}Mi`;
  }
  return String(value);
}
