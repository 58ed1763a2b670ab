// Guards and adaptations applied to every object a tenant's chart renders: forced into the
// tenant namespace, labelled, placed on the plan's nodes, and refused when it would reach
// outside the tenant (cluster-scoped objects, host paths, node ports, foreign storage classes).
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1';
import type { RenderedObject } from './helm';
import { CLUSTER_SCOPED_KINDS, KubeObject } from './kube';
import { isDnsName, isInDomain, labelMapProblems } from './names';
import { jsonCopy } from './values';

/** Where and how a tenant's chart objects are adapted. */
export interface TenantPlacement {
  readonly namespace: string;
  /** Labels for every object. */
  readonly labels: Record<string, string>;
  /** Labels for pod templates (and volume claim templates). */
  readonly podLabels: Record<string, string>;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: Toleration[];
  /** Allowed StorageClasses; the first is set on claims that name none. Empty: any. */
  readonly storageClasses: readonly string[];
  readonly allowNodePorts: boolean;
  readonly allowLoadBalancers: boolean;
  /** Set `imagePullPolicy: Always` on every container. */
  readonly alwaysPullImages: boolean;
  /** Domains Ingress hosts must be in. Empty: no Ingress host allowed. */
  readonly ingressDomains: readonly string[];
  /** Ingress controller annotations Ingress objects may set. */
  readonly ingressAnnotations: readonly string[];
  /** The IngressClass Ingress objects must use; undefined: any. */
  readonly ingressClassName?: string;
  /** PriorityClasses pods may use. */
  readonly priorityClassNames: readonly string[];
}

/** The adapted objects, or the problems that forbid them. */
export interface AdaptResult {
  readonly objects: KubeObject[];
  readonly problems: string[];
}

/** Adapts rendered chart objects to one tenant; never modifies its input. */
export function adaptChartObjects(rendered: readonly RenderedObject[], placement: TenantPlacement): AdaptResult {
  const problems: string[] = [];
  const objects: KubeObject[] = [];
  for (const { object: original, template } of rendered) {
    const where = `${original.kind} "${original.metadata?.name}"${template ? ` (from ${template})` : ''}`;
    if (CLUSTER_SCOPED_KINDS.has(original.kind)) {
      problems.push(`the chart renders the cluster-scoped ${where}: a tenant's chart may only hold namespaced objects; `
        + 'declare it once on the offering with `sharedObjects` (CRDs, cluster roles) and remove it from the tenant\'s chart');
      continue;
    }
    // helm prints what the templates wrote: an unquoted `{{ .Release.Name }}` of "9" is the number 9,
    // which the API server refuses as a label; say so here rather than at apply time
    const labelProblems = chartLabelProblems(original, where);
    if (labelProblems.length > 0) {
      problems.push(...labelProblems);
      continue;
    }
    const object = jsonCopy(original);
    object.metadata = {
      ...object.metadata,
      namespace: placement.namespace,
      labels: { ...object.metadata.labels, ...placement.labels },
    };
    problems.push(...serviceProblems(object, where, placement), ...networkPolicyProblems(object, where), ...disruptionBudgetProblems(object, where),
      ...bindingProblems(object, where, placement.namespace), ...ingressProblems(object, where, placement));
    const claims = claimsOf(object);
    for (const podSpec of podSpecsOf(object, placement.podLabels)) {
      problems.push(...hostPathProblems(podSpec, where), ...schedulingProblems(podSpec, where, placement));
      placePod(podSpec, placement);
      // generic ephemeral volumes are claims too, provisioned by the storage class they name
      for (const volume of podSpec.volumes ?? []) {
        const claimTemplate = volume.ephemeral?.volumeClaimTemplate as Claim | undefined;
        if (claimTemplate) {
          claimTemplate.spec ??= {};
          claims.push(claimTemplate);
        }
      }
    }
    for (const claim of claims) {
      const claimSpec = (claim.spec ?? {}) as { volumeName?: string; selector?: unknown; dataSourceRef?: { namespace?: string } };
      if (claimSpec.volumeName || claimSpec.selector || claimSpec.dataSourceRef?.namespace) {
        problems.push(`${where} picks a PersistentVolume (${claimSpec.volumeName ? `volumeName "${claimSpec.volumeName}"` : claimSpec.selector ? 'a volume selector' : 'a data source in another namespace'}): `
          + 'it could bind another tenant\'s volume; let the storage class provision it');
      }
      const claimMeta = (claim.metadata ?? {}) as { labels?: Record<string, string> };
      claim.metadata = { ...claimMeta, labels: { ...claimMeta.labels, ...placement.podLabels } };
      problems.push(...storageClassProblems(claim, where, placement.storageClasses));
    }
    objects.push(object);
  }
  return { objects, problems };
}

/** Problems of the name and labels of a chart object and of its pod template, as the API server checks them. */
function chartLabelProblems(object: KubeObject, where: string): string[] {
  const template = (object.spec as { template?: { metadata?: { labels?: unknown } } } | undefined)?.template;
  const name = object.metadata?.name as unknown;
  const problems = [
    ...(typeof name === 'string' && name !== '' ? [] : [`its name ${JSON.stringify(name)} is not a string`]),
    ...labelMapProblems('labels', object.metadata?.labels),
    ...labelMapProblems('pod template labels', template?.metadata?.labels),
  ];
  return problems.map((p) => `${where}: ${p}; fix the chart's template (quote values with \`| quote\`) or the values it was given`);
}

/** Pod specs inside an object; labels its pod templates on the way. */
function podSpecsOf(object: KubeObject, podLabels: Record<string, string>): PodSpec[] {
  const templates: Array<{ metadata?: { labels?: Record<string, string> }; spec?: PodSpec }> = [];
  const spec = object.spec as Record<string, any> | undefined;
  switch (object.kind) {
    case 'Pod':
      object.metadata.labels = { ...object.metadata.labels, ...podLabels };
      return spec ? [spec as PodSpec] : [];
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': case 'ReplicationController':
      if (spec?.template) templates.push(spec.template);
      break;
    case 'CronJob':
      if (spec?.jobTemplate?.spec?.template) templates.push(spec.jobTemplate.spec.template);
      break;
    case 'PodTemplate':
      if (object.template) templates.push(object.template as any);
      break;
  }
  for (const template of templates) {
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...podLabels } };
  }
  return templates.flatMap((t) => (t.spec ? [t.spec] : []));
}

function placePod(podSpec: PodSpec, placement: TenantPlacement): void {
  if (placement.alwaysPullImages) {
    for (const container of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
      container.imagePullPolicy = 'Always';
    }
  }
  if (placement.nodeSelector && Object.keys(placement.nodeSelector).length > 0) {
    podSpec.nodeSelector = { ...podSpec.nodeSelector, ...placement.nodeSelector };
  }
  if (placement.tolerations && placement.tolerations.length > 0) {
    podSpec.tolerations = [...(podSpec.tolerations ?? []), ...placement.tolerations];
  }
}

/** What the tenant guard refuses at admission: pods pinned or tolerated off the plan's nodes, other schedulers, system priority. */
function schedulingProblems(podSpec: PodSpec, where: string, placement: TenantPlacement): string[] {
  const problems: string[] = [];
  const same = (a: Toleration, b: Toleration) => (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal')
    && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
  for (const t of podSpec.tolerations ?? []) {
    const kubernetesOwn = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].includes(t.key ?? '') && t.effect === 'NoExecute'
      && (t.tolerationSeconds ?? 301) <= 300;
    if (!kubernetesOwn && !(placement.tolerations ?? []).some((p) => same(p, t))) {
      problems.push(`${where} tolerates ${JSON.stringify(t)}: a tenant's pods may tolerate only their plan's taints; remove it from the chart or add it to the plan's tolerations`);
    }
  }
  if (podSpec.nodeName) {
    problems.push(`${where} pins its pods to node "${podSpec.nodeName}": remove nodeName, the plan's nodeSelector places them`);
  }
  if (podSpec.schedulerName && podSpec.schedulerName !== 'default-scheduler') {
    problems.push(`${where} uses the scheduler "${podSpec.schedulerName}": tenants use the default scheduler`);
  }
  if (podSpec.priorityClassName && !placement.priorityClassNames.includes(podSpec.priorityClassName)) {
    problems.push(`${where} uses the priority class "${podSpec.priorityClassName}": it could preempt other tenants' pods; remove it, or declare it in the offering's priorityClassNames`);
  }
  return problems;
}

function hostPathProblems(podSpec: PodSpec, where: string): string[] {
  return (podSpec.volumes ?? []).filter((v) => v.hostPath).map((v) =>
    `${where} mounts the hostPath volume "${v.name}": tenants may not use host paths; use an emptyDir or a PersistentVolumeClaim`);
}

type Claim = { metadata?: unknown; spec?: { storageClassName?: string } };

function claimsOf(object: KubeObject): Claim[] {
  if (object.kind === 'PersistentVolumeClaim') {
    object.spec ??= {};
    return [object as Claim];
  }
  if (object.kind === 'StatefulSet') {
    return ((object.spec as { volumeClaimTemplates?: Claim[] } | undefined)?.volumeClaimTemplates ?? []).map((c) => {
      c.spec ??= {};
      return c;
    });
  }
  return [];
}

function storageClassProblems(claim: Claim, where: string, allowed: readonly string[]): string[] {
  if (allowed.length === 0) {
    return [];
  }
  const spec = claim.spec!;
  if (spec.storageClassName === undefined || spec.storageClassName === null || spec.storageClassName === '') {
    spec.storageClassName = allowed[0];
    return [];
  }
  if (!allowed.includes(spec.storageClassName)) {
    return [`${where} claims storage class "${spec.storageClassName}": the offering allows ${allowed.map((c) => `"${c}"`).join(', ')}; set the chart's storage class value to one of them`];
  }
  return [];
}

function serviceProblems(object: KubeObject, where: string, placement: TenantPlacement): string[] {
  if (object.kind !== 'Service') {
    return [];
  }
  const spec = (object.spec ?? {}) as { type?: string; externalIPs?: string[] };
  const problems: string[] = [];
  if (spec.type === 'NodePort' && !placement.allowNodePorts) {
    problems.push(`${where} is of type NodePort: the offering does not allow node ports; use ClusterIP behind the ingress, or set allowNodePorts on the offering`);
  }
  if (spec.type === 'LoadBalancer' && !placement.allowLoadBalancers) {
    problems.push(`${where} is of type LoadBalancer: the offering does not allow load balancers; use ClusterIP behind the ingress, or set allowLoadBalancers on the offering`);
  }
  if (spec.type === 'ExternalName') {
    problems.push(`${where} is of type ExternalName: a tenant may not alias names outside its namespace; declare the target as a network dependency of the offering`);
  }
  if ((spec.externalIPs ?? []).length > 0) {
    problems.push(`${where} sets externalIPs ${JSON.stringify(spec.externalIPs)}: a tenant could intercept traffic to those addresses (CVE-2020-8554); remove them and route through the ingress`);
  }
  return problems;
}

interface PolicyRule { from?: unknown[]; to?: unknown[] }
interface PolicyPeer { podSelector?: unknown; namespaceSelector?: unknown; ipBlock?: unknown }

/**
 * NetworkPolicies add up: one in the chart can only open paths. Paths inside the namespace are
 * open already, so a chart's policy may name only peers of its own namespace (pod selectors).
 */
function networkPolicyProblems(object: KubeObject, where: string): string[] {
  if (object.kind !== 'NetworkPolicy') {
    return [];
  }
  const spec = (object.spec ?? {}) as { ingress?: PolicyRule[]; egress?: PolicyRule[] };
  const rules = [...(spec.ingress ?? []).map((r) => r.from), ...(spec.egress ?? []).map((r) => r.to)];
  const widens = rules.some((peers) => !peers || peers.length === 0
    || (peers as PolicyPeer[]).some((p) => p.namespaceSelector !== undefined || p.ipBlock !== undefined || p.podSelector === undefined));
  return widens
    ? [`${where} opens traffic to or from outside the tenant namespace (a rule without peers, a namespaceSelector or an ipBlock): policies add up, so this would widen the tenant's isolation; `
      + 'declare the path as a network dependency of the offering instead, or limit the rule to pod selectors']
    : [];
}

/** RoleBindings of a chart may bind only the chart's Roles, and only to the namespace's ServiceAccounts. */
function bindingProblems(object: KubeObject, where: string, namespace: string): string[] {
  if (object.kind !== 'RoleBinding') {
    return [];
  }
  const problems: string[] = [];
  const roleRef = (object.roleRef ?? {}) as { kind?: string; name?: string };
  if (roleRef.kind !== 'Role') {
    problems.push(`${where} binds the ${roleRef.kind ?? 'unknown'} "${roleRef.name}": a tenant's chart may bind only Roles it renders itself; write a Role with the rules the application needs`);
  }
  for (const subject of (object.subjects ?? []) as Array<{ kind?: string; name?: string; namespace?: string }>) {
    if (subject.kind !== 'ServiceAccount' || (subject.namespace !== undefined && subject.namespace !== namespace)) {
      problems.push(`${where} grants to ${subject.kind ?? 'a subject'} "${subject.name}"${subject.namespace ? ` of namespace "${subject.namespace}"` : ''}: `
        + 'a tenant\'s chart may grant only to ServiceAccounts of the tenant namespace; use ConsumerAccess for people');
    }
  }
  return problems;
}

/** A budget that allows no eviction stalls every drain of the shared nodes. */
function disruptionBudgetProblems(object: KubeObject, where: string): string[] {
  if (object.kind !== 'PodDisruptionBudget') {
    return [];
  }
  const spec = (object.spec ?? {}) as { maxUnavailable?: number | string; minAvailable?: number | string };
  return ['0', '0%'].includes(String(spec.maxUnavailable)) || String(spec.minAvailable) === '100%'
    ? [`${where} allows no eviction (maxUnavailable 0 or minAvailable 100%): it would stall node drains for every tenant; allow at least one pod to be evicted`]
    : [];
}

interface IngressSpec { rules?: Array<{ host?: string }>; tls?: Array<{ hosts?: string[] }> }

/** Ingress hosts: every rule names a host, inside one of the offering's domains. */
function ingressProblems(object: KubeObject, where: string, placement: TenantPlacement): string[] {
  if (object.kind !== 'Ingress') {
    return [];
  }
  const domains = placement.ingressDomains;
  const spec = (object.spec ?? {}) as IngressSpec & { defaultBackend?: unknown; ingressClassName?: string };
  const problems: string[] = [];
  const allowed = placement.ingressAnnotations;
  for (const key of Object.keys(object.metadata.annotations ?? {}).filter((k) => k.split('/')[0].includes('ingress') && !allowed.includes(k))) {
    problems.push(`${where} sets the ingress controller annotation "${key}": it would configure the shared controller (aliases, auth URLs, mirrors, snippets); `
      + 'remove it, or declare it in the offering\'s ingressAnnotations');
  }
  if (placement.ingressClassName && spec.ingressClassName !== placement.ingressClassName) {
    problems.push(`${where} uses the IngressClass "${spec.ingressClassName ?? ''}": the offering allows only "${placement.ingressClassName}"`);
  }
  if (spec.defaultBackend !== undefined || (spec.rules ?? []).some((r) => !r.host)) {
    problems.push(`${where} routes requests for any host: it would take other tenants' traffic on its ingress class; give every rule a host and no defaultBackend`);
  }
  for (const host of ingressHosts(object)) {
    if (!isDnsName(host)) {
      problems.push(`${where} serves host "${host}": a tenant's Ingress host must be a plain lowercase DNS name (no wildcard), so that it serves only its own traffic`);
      continue;
    }
    if (!domains.some((d) => isInDomain(host, d))) {
      problems.push(domains.length === 0
        ? `${where} serves host "${host}", but the offering declares no ingressDomains: set ingressDomains on the offering (e.g. ["${host.split('.').slice(1).join('.') || host}"])`
        : `${where} serves host "${host}", outside the offering's domains ${domains.map((d) => `"${d}"`).join(', ')}: choose a host such as "<tenant>.${domains[0]}"`);
    }
  }
  return problems;
}

/** The host names a tenant's objects serve, sorted, without duplicates. */
export function tenantHosts(objects: readonly KubeObject[]): string[] {
  return [...new Set(objects.flatMap(ingressHosts))].sort();
}

/** The host names an Ingress serves (rules and TLS), without duplicates. */
export function ingressHosts(object: KubeObject): string[] {
  if (object.kind !== 'Ingress') {
    return [];
  }
  const spec = (object.spec ?? {}) as IngressSpec;
  const hosts = [...(spec.rules ?? []).map((r) => r.host), ...(spec.tls ?? []).flatMap((t) => t.hosts ?? [])];
  return [...new Set(hosts.filter((h): h is string => typeof h === 'string' && h.length > 0))];
}
