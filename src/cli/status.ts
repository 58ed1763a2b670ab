// `saasplane status`: one status per tenant a person can trust, read from the live cluster with
// whatever identity the kubeconfig holds (the provider's, or a tenant's own users'): plan, state,
// chart version, workloads ready/desired, quota used/hard, last change, and what is wrong.
import { Command, CommandError, defaultKubeconfig, dnsLabel, help, outputFormat, parseCommandArgs, tableLines, UsageError } from './command';
import { readObjectTree } from './diff';
import { KubeClient, responseMessage } from './kube-client';
import { findTenant, TenantMissingError, TenantUnreadableError } from './tenant-reader';
import { LABEL_CHANNEL, LABEL_OFFERING, LABEL_PLAN, LABEL_STATE, LABEL_TENANT, parseQuantity, tenantNamespace, TenantState } from '../core';

/** A workload's readiness. */
export interface WorkloadStatus {
  readonly kind: string;
  readonly name: string;
  readonly ready: number;
  readonly desired: number;
}

/** One quota resource: used and hard, as the API server counts them. */
export interface QuotaUse {
  readonly resource: string;
  readonly used: string;
  readonly hard: string;
}

export interface TenantStatus {
  readonly tenant: string;
  readonly namespace: string;
  readonly plan?: string;
  readonly state: string;
  /** The chart and version the workloads carry (`helm.sh/chart`), e.g. shop-0.1.0. */
  readonly chart?: string;
  /** The channel the tenant runs, for an offering with channels or a rollout. */
  readonly channel?: string;
  /** healthy, degraded (also a suspended or offboarded tenant whose pods still run), suspended, offboarded, or missing (in the GitOps output, not on the cluster). */
  readonly status: 'healthy' | 'degraded' | 'suspended' | 'offboarded' | 'missing';
  readonly workloads: readonly WorkloadStatus[];
  readonly quota: readonly QuotaUse[];
  /** The latest write to the tenant's namespace or workloads (managedFields), ISO time. */
  readonly lastChange?: string;
  /** What is wrong, one sentence each; empty when healthy. */
  readonly problems: readonly string[];
}

/** The quota resources shown in the table (all are in the JSON). */
const SHOWN_QUOTA = ['pods', 'requests.cpu', 'requests.memory', 'requests.storage'];

/** Reads one tenant's status; throws CommandError when the tenant does not exist or cannot be read. */
export async function tenantStatus(client: KubeClient, offering: string, tenant: string): Promise<TenantStatus> {
  const found = await findTenant(client, offering, tenant);
  const { namespace, labels, read } = found;
  const quotaObject = found.quota;
  const base = `/api/v1/namespaces/${namespace}`;
  // the state label is on the namespace (a suspended tenant's users may read nothing at all)
  const state = labels[LABEL_STATE] ?? TenantState.ACTIVE;
  const [deployments, statefulSets, pods, claims, events] = await Promise.all([
    read('Deployments', `/apis/apps/v1/namespaces/${namespace}/deployments`),
    read('StatefulSets', `/apis/apps/v1/namespaces/${namespace}/statefulsets`),
    read('pods', `${base}/pods`),
    read('PersistentVolumeClaims', `${base}/persistentvolumeclaims`),
    read('events', `${base}/events`),
  ]);
  const workloads: WorkloadStatus[] = [
    ...(deployments.items ?? []).map((d: any) => ({ kind: 'Deployment', name: d.metadata.name, ready: d.status?.availableReplicas ?? 0, desired: d.spec?.replicas ?? 1 })),
    ...(statefulSets.items ?? []).map((s: any) => ({ kind: 'StatefulSet', name: s.metadata.name, ready: s.status?.readyReplicas ?? 0, desired: s.spec?.replicas ?? 1 })),
  ];
  const quota: QuotaUse[] = Object.entries(quotaObject?.status?.hard ?? quotaObject?.spec?.hard ?? {})
    .map(([resource, hard]) => ({ resource, hard: String(hard), used: String(quotaObject?.status?.used?.[resource] ?? '0') }))
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  const short = workloads.filter((w) => w.ready < w.desired);
  const problems = short.map((w) => `${w.kind} ${w.name}: ${w.ready}/${w.desired} ready`);
  // the latest warning of each object: why a claim is pending, why a controller could not create pods
  const warnings = new Map<string, string>();
  for (const e of (events.items ?? []).filter((x: any) => x.type === 'Warning').sort((a: any, b: any) => eventTime(a).localeCompare(eventTime(b)))) {
    warnings.set(`${e.involvedObject?.kind}/${e.involvedObject?.name}`, `${e.reason}: ${e.message}`);
  }
  // pending pods grouped by their reason: a Deployment's replicas usually share one
  const pending = new Map<string, string[]>();
  for (const pod of pods.items ?? []) {
    if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Pending') continue;
    const why = (pod.status?.conditions ?? []).find((c: any) => c.status === 'False' && c.message)?.message ?? 'not scheduled yet';
    pending.set(why, [...pending.get(why) ?? [], pod.metadata.name]);
  }
  for (const [why, names] of pending) {
    problems.push(`${names.length === 1 ? `pod ${names[0]} is` : `${names.length} pods (${names.join(', ')}) are`} Pending: ${why}`);
  }
  for (const claim of claims.items ?? []) {
    if (claim.status?.phase === 'Bound') continue;
    const why = warnings.get(`PersistentVolumeClaim/${claim.metadata.name}`);
    problems.push(`claim ${claim.metadata.name} is ${claim.status?.phase ?? 'not bound'}${why ? `: ${why}` : ''}`);
  }
  // pods the API server refused (quota, admission) exist only as a controller's FailedCreate event;
  // events outlive the problem by an hour, so they count only for a workload short of replicas now
  // (a StatefulSet's own events, a Deployment's through its ReplicaSets `<name>-<hash>`)
  const explains = (e: any) => short.some((w) => (w.kind === 'StatefulSet' ? e.involvedObject?.kind === 'StatefulSet' && e.involvedObject?.name === w.name
    : e.involvedObject?.kind === 'ReplicaSet' && new RegExp(`^${w.name.replace(/[.]/g, '\\.')}-[a-z0-9]+$`).test(e.involvedObject?.name ?? '')));
  for (const e of events.items ?? []) {
    const key = `${e.involvedObject?.kind}/${e.involvedObject?.name}`;
    if (e.reason === 'FailedCreate' && explains(e) && warnings.get(key)?.startsWith('FailedCreate: ')) {
      problems.push(`${e.involvedObject.kind} ${e.involvedObject.name}: ${warnings.get(key)}`);
      warnings.delete(key);
    }
  }
  // a suspended or offboarded tenant runs nothing: a pod that still runs is wrong (a bare pod, an operator's)
  const running = (pods.items ?? []).filter((p: any) => !p.metadata?.deletionTimestamp && ['Running', 'Pending'].includes(p.status?.phase));
  if (state !== TenantState.ACTIVE && running.length > 0) {
    problems.push(`${running.length} pods still run while the tenant is ${state}: ${running.map((p: any) => p.metadata.name).join(', ')}`);
  }
  // `resourcequotas: 1` is the tenant quota itself, full by design
  for (const q of quota.filter(({ resource }) => resource !== 'resourcequotas')) {
    const [used, hard] = [parseQuantity(q.used), parseQuantity(q.hard)];
    if (state === TenantState.ACTIVE && hard !== undefined && hard > 0 && used !== undefined && used >= hard) {
      problems.push(`quota ${q.resource} is at its limit (${q.used}/${q.hard})`);
    }
  }
  const workloadLabel = (key: string): string | undefined => [...deployments.items ?? [], ...statefulSets.items ?? []]
    .map((w: any) => w.metadata?.labels?.[key]).find((c) => typeof c === 'string');
  const chart = workloadLabel('helm.sh/chart');
  const channel = workloadLabel(LABEL_CHANNEL);
  const times = [found.namespaceObject, quotaObject, ...deployments.items ?? [], ...statefulSets.items ?? []]
    .flatMap((o: any) => (o?.metadata?.managedFields ?? []).map((f: any) => f.time as string | undefined))
    .filter((t): t is string => typeof t === 'string').sort();
  // workloads at zero are no problem when suspended (they want zero); pods still running are
  const quiet = state === TenantState.SUSPENDED || state === TenantState.OFFBOARDED;
  const status = problems.length > 0 ? 'degraded' : quiet ? state : 'healthy';
  return {
    tenant,
    namespace,
    plan: labels[LABEL_PLAN],
    state,
    ...(chart ? { chart } : {}),
    ...(channel ? { channel } : {}),
    status,
    workloads,
    quota,
    ...(times.length ? { lastChange: times[times.length - 1] } : {}),
    problems,
  };
}

function eventTime(event: any): string {
  return String(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp ?? '');
}

/** The table: one line per tenant, then each problem under its tenant. */
export function statusTable(statuses: readonly TenantStatus[]): string {
  const rows = statuses.map((s) => {
    const ready = s.workloads.reduce((n, w) => n + w.ready, 0);
    const desired = s.workloads.reduce((n, w) => n + w.desired, 0);
    const quota = SHOWN_QUOTA.map((r) => s.quota.find((q) => q.resource === r)).filter((q): q is QuotaUse => q !== undefined)
      .map((q) => `${q.resource.replace('requests.', '')} ${q.used}/${q.hard}`).join(', ');
    return [s.tenant, s.plan ?? '?', s.state, `${s.chart ?? '-'}${s.channel ? ` (${s.channel})` : ''}`, s.status.toUpperCase(), `${ready}/${desired}`, quota, s.lastChange ?? '-'];
  });
  const [header, ...rowLines] = tableLines(['TENANT', 'PLAN', 'STATE', 'CHART', 'STATUS', 'READY', 'QUOTA (used/hard)', 'LAST CHANGE'], rows);
  const lines = [header];
  statuses.forEach((s, i) => {
    lines.push(rowLines[i]);
    for (const p of s.problems) lines.push(`  ! ${p}`);
  });
  return `${lines.join('\n')}\n`;
}

const USAGE = `saasplane status --offering O [--tenant T]... [--outdir DIR] [--output table|json] [--kubeconfig F] [--context C]

One status per tenant from the live cluster: plan, state, chart version,
workloads ready/desired, quota used/hard, the last change, and what is wrong
(workloads not ready, pending pods and claims, a quota at its limit, pods the
API server refused). Read with the kubeconfig's identity: the provider's
(saasplane kubeconfig --provider) or a tenant's own users' (for that tenant).
Exit code 0 when every tenant is healthy (or suspended, offboarded), 1 when
one is degraded (or, with --outdir, missing on the cluster), 2 on an error.

  --offering O      the offering
  --tenant T        a tenant (repeatable); default: every tenant of the offering:
                    those of the GitOps output with --outdir (the provider may
                    not list namespaces), else the cluster's (an admin's right)
  --outdir DIR      the GitOps output folder whose tenants to read (with a
                    tenant missing on the cluster reported as not applied)
  --output FORMAT   table (default) or json
  --kubeconfig F    default: $KUBECONFIG, else ~/.kube/config
  --context NAME    a context of that kubeconfig`;

export const statusCommand: Command = {
  name: 'status',
  summary: 'the status of an offering\'s tenants on a live cluster: plan, state, chart, readiness, quota, what is wrong',
  usage: USAGE,
  failureExitCode: 2,
  async run(args, io) {
    const { values } = parseCommandArgs('status', args, {
      offering: { type: 'string' },
      tenant: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o' },
      outdir: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
    });
    if (values.help) return help(io, USAGE);
    if (!values.offering) throw new UsageError('--offering is required: name the offering, e.g. --offering shop');
    dnsLabel('--offering', values.offering);
    for (const t of values.tenant ?? []) dnsLabel('--tenant', t);
    const format = outputFormat(values.output, ['table', 'json']);
    const client = KubeClient.fromKubeconfig(values.kubeconfig ?? defaultKubeconfig(io.env), values.context);
    const tenants = values.tenant?.length ? values.tenant
      : values.outdir ? outputTenants(values.outdir, values.offering) : await clusterTenants(client, values.offering);
    const statuses: TenantStatus[] = [];
    for (const tenant of tenants) {
      try {
        statuses.push(await tenantStatus(client, values.offering, tenant));
      } catch (e) {
        // a tenant of the output that is not on the cluster is a finding, not an error; to the
        // provider, whose rights in a namespace come with the tenant's output, it is unreadable
        const unreadable = e instanceof TenantUnreadableError;
        if (!(e instanceof TenantMissingError || unreadable) || values.tenant?.length || !values.outdir) throw e;
        const namespace = tenantNamespace(values.offering, tenant);
        const why = unreadable ? `not readable with these credentials in ${namespace}: not applied yet, or not theirs` : `not on the cluster (no namespace ${namespace})`;
        statuses.push({ tenant, namespace, state: '-', status: 'missing', workloads: [], quota: [], problems: [`${why}: apply the output`] });
      }
    }
    io.stdout(format === 'json' ? `${JSON.stringify(statuses, null, 2)}\n` : statusTable(statuses));
    return statuses.some((s) => s.status === 'degraded' || s.status === 'missing') ? 1 : 0;
  },
};

/** Every tenant of the offering in a GitOps output folder, from its Namespace objects (whatever the layout). */
function outputTenants(outdir: string, offering: string): string[] {
  const tenants = readObjectTree(outdir, '--outdir')
    .filter(({ object }) => object.kind === 'Namespace' && object.metadata?.labels?.[LABEL_OFFERING] === offering)
    .map(({ object }) => object.metadata.labels[LABEL_TENANT]).filter((t: unknown): t is string => typeof t === 'string');
  // names from files (a pull request's) go into API paths: only tenant names
  for (const t of tenants) dnsLabel(`the tenant label of a Namespace in ${outdir}`, t);
  if (tenants.length === 0) throw new CommandError(`${outdir} holds no tenant of offering "${offering}": check the names, or synthesize the app first (cdk8s synth)`);
  return [...new Set(tenants)].sort();
}

/** Every tenant of the offering on the cluster, from its namespaces' labels. */
async function clusterTenants(client: KubeClient, offering: string): Promise<string[]> {
  const response = await client.get(`/api/v1/namespaces?labelSelector=${encodeURIComponent(`${LABEL_OFFERING}=${offering},${LABEL_TENANT}`)}`);
  if (response.status === 403) {
    throw new CommandError(`these credentials may not list namespaces, which finding every tenant of offering "${offering}" on the cluster needs: name the tenants with --tenant T, `
      + 'or take them from the GitOps output with --outdir DIR');
  }
  if (response.status !== 200) throw new CommandError(`listing the namespaces of offering "${offering}": ${responseMessage(response)}`);
  const names = (response.body.items ?? []).map((n: any) => n.metadata?.labels?.[LABEL_TENANT]).filter((t: unknown): t is string => typeof t === 'string').sort();
  if (names.length === 0) throw new CommandError(`offering "${offering}" has no tenant on this cluster: check the name, or apply its output first`);
  return names;
}
