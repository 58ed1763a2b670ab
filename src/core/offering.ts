// Validation of an offering and of its tenants, and the resolved form the planners consume.
import * as net from 'net';
import { ChannelCharts, channelProblems, pinnedChannel, releaseLabels, tenantChannelProblems, TenantRelease, tenantRelease } from './channels';
import { throwIfProblems } from './errors';
import { lifecycleProblems } from './lifecycle';
import {
  ContainerDefaults, DEFAULT_KUBE_VERSION, DependencySpec, MetricsKind, OfferingSpec, PlanSpec, PodSecurityLevel, QuotaSpec, TenantSpec, TenantState,
} from './model';
import {
  dnsLabelProblem, extraMetadataProblems, isDnsName, isLabelValue, labelMapProblems, MAX_OFFERING_NAME_LENGTH, MAX_RELEASE_NAME_LENGTH,
  maxTenantNameLength,
  RESERVED_TENANT_NAMES, RESERVED_TENANT_SUFFIX, tenantNamespace,
} from './names';
import { parseQuantity, quantityProblem } from './quantity';
import { schemaProblems } from './schema';
import { disallowedParameterPaths, isPlainObject, jsonCopy, leafPaths, mergeValues, splitPath, Values, valuesShapeProblems } from './values';

/** Container defaults after applying defaults. */
export type ResolvedContainerDefaults = Required<ContainerDefaults>;

/** LimitRange defaults when the offering sets none. */
export const DEFAULT_CONTAINER_DEFAULTS: ResolvedContainerDefaults = {
  cpuRequest: '100m', memoryRequest: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi', ephemeralStorageRequest: '100Mi', ephemeralStorageLimit: '1Gi',
};

/** Ephemeral storage of a plan that sets none. */
export const DEFAULT_EPHEMERAL_STORAGE = '10Gi';

/**
 * Validates an offering spec; throws one error listing every problem.
 * `now` is the clock the license expiry is checked against.
 */
export function validateOffering(spec: OfferingSpec, now: Date = new Date()): void {
  const problems: string[] = [];
  const push = (p: string | undefined) => p && problems.push(p);
  push(dnsLabelProblem('offering name', spec.name, MAX_OFFERING_NAME_LENGTH));
  if (typeof spec.name === 'string' && spec.name.includes('-')) {
    // `<offering>-<tenant>` must name one namespace only: with offering `shop-eu`, offering `shop`
    // and tenant `eu-acme` would share `shop-eu-acme` (and take it first)
    problems.push(`offering name ${JSON.stringify(spec.name)} contains '-': offering names are letters and digits only, so that a namespace `
      + `"<offering>-<tenant>" belongs to exactly one offering; write it like "${spec.name.replace(/-/g, '')}"`);
  }
  if (!spec.chart) {
    problems.push('no chart: set `chart` to ChartSource.fromDirectory(...), fromArchive(...), fromRepository(...) or fromOci(...)');
  }
  problems.push(...channelProblems(spec));
  problems.push(...labelMapProblems('monitoring.dashboardLabels', spec.monitoring?.dashboardLabels));
  const planNames = Object.keys(spec.plans ?? {});
  if (planNames.length === 0) {
    problems.push('no plans: declare at least one plan in `plans`, e.g. { small: { quota: { cpu: "2", memory: "4Gi" } } }');
  }
  const defaults = { ...DEFAULT_CONTAINER_DEFAULTS, ...spec.containerDefaults };
  for (const [field, value] of Object.entries(defaults)) {
    push(quantityProblem(`containerDefaults.${field}`, value));
  }
  for (const [request, limit] of [['cpuRequest', 'cpuLimit'], ['memoryRequest', 'memoryLimit'], ['ephemeralStorageRequest', 'ephemeralStorageLimit']] as const) {
    if ((parseQuantity(defaults[request]) ?? 0) > (parseQuantity(defaults[limit]) ?? Infinity)) {
      problems.push(`containerDefaults.${request} "${defaults[request]}" exceeds containerDefaults.${limit} "${defaults[limit]}": a default request must not exceed the default limit`);
    }
  }
  for (const name of planNames) {
    problems.push(...planProblems(name, spec.plans[name], defaults));
  }
  problems.push(...extraMetadataProblems('offering', spec.labels, spec.annotations));
  if (spec.podSecurity !== undefined && !Object.values(PodSecurityLevel).includes(spec.podSecurity)) {
    problems.push(`podSecurity ${JSON.stringify(spec.podSecurity)} is not a Pod Security level: use ${Object.values(PodSecurityLevel).map((l) => `"${l}"`).join(', ')}`);
  }
  for (const path of spec.consumerParameters ?? []) {
    if (typeof path !== 'string' || splitPath(path).some((s) => s.length === 0)) {
      problems.push(`consumer parameter ${JSON.stringify(path)} is not a dotted value path: write it like "replicaCount" or "ingress.host"`);
    }
  }
  if (spec.values !== undefined && !isPlainObject(spec.values)) {
    problems.push('values must be an object of Helm values');
  } else if (spec.values !== undefined) {
    problems.push(...valuesShapeProblems(spec.values, 'values'));
  }
  problems.push(...sharedObjectProblems(spec.sharedObjects));
  problems.push(...dependencyProblems('network.dependencies', spec.network?.dependencies));
  for (const selector of ['ingressControllerNamespace', 'dnsNamespace', 'dnsPods'] as const) {
    problems.push(...labelMapProblems(`network.${selector}`, spec.network?.[selector]));
  }
  problems.push(...labelMapProblems('metrics.selector', spec.metrics?.selector));
  problems.push(...labelMapProblems('monitoring.prometheusNamespaceSelector', spec.monitoring?.prometheusNamespaceSelector));
  problems.push(...labelMapProblems('monitoring.ruleLabels', spec.monitoring?.ruleLabels));
  for (const storageClass of spec.storageClasses ?? []) {
    push(dnsLabelProblem('storage class', storageClass, 253));
  }
  for (const domain of spec.ingressDomains ?? []) {
    if (!isDnsName(domain)) {
      problems.push(`ingressDomains entry ${JSON.stringify(domain)} is not a DNS name: write it like "shop.example.com" (lowercase, no wildcard, no trailing dot)`);
    }
  }
  if (spec.metrics) {
    if (spec.metrics.kind !== undefined && !Object.values(MetricsKind).includes(spec.metrics.kind)) {
      problems.push(`metrics.kind ${JSON.stringify(spec.metrics.kind)} is unknown: use MetricsKind.SERVICE_MONITOR or MetricsKind.POD_MONITOR`);
    }
    if (!spec.metrics.port) {
      problems.push('metrics.port is empty: name the Service port (ServiceMonitor) or container port (PodMonitor) serving metrics');
    }
    // the Prometheus Operator CRD's Duration pattern: units in order, each at most once
    if (spec.metrics.interval !== undefined && !/^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/.test(String(spec.metrics.interval))
      || spec.metrics.interval === '') {
      problems.push(`metrics.interval ${JSON.stringify(spec.metrics.interval)} is not a Prometheus duration: write it like "30s" or "1m30s"`);
    }
  }
  if (spec.monitoring?.prometheusNamespace !== undefined) {
    push(dnsLabelProblem('monitoring.prometheusNamespace', spec.monitoring.prometheusNamespace, 63));
  }
  // chargeback totals an offering in one currency, and a tenant changing plans keeps its currency
  const currencies = [...new Set(Object.entries(spec.plans ?? {}).filter(([, p]) => p?.price).map(([n, p]) => `${p.price!.currency} (plan "${n}")`))];
  if (new Set(currencies.map((c) => c.slice(0, c.indexOf(' ')))).size > 1) {
    problems.push(`plans are priced in several currencies: ${currencies.join(', ')}; price every plan of an offering in one currency`);
  }
  if (spec.maxTenants !== undefined && (!Number.isInteger(spec.maxTenants) || spec.maxTenants < 0)) {
    problems.push(`maxTenants ${JSON.stringify(spec.maxTenants)} must be a whole number of tenants, 0 or more`);
  }
  if (spec.expires !== undefined) {
    // ISO 8601 only: Date.parse guesses at other forms ("Feb 29 2027") and rolls missing days over
    const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(String(spec.expires));
    const expiry = iso ? Date.parse(spec.expires) : NaN;
    const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(spec.expires));
    // Date.parse rolls 2027-02-29 over into March: the calendar day must exist as written
    const realDay = !day || new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))).toISOString().startsWith(day[0]);
    if (!realDay) {
      problems.push(`expires ${JSON.stringify(spec.expires)} is not a day of the calendar: write an existing date, e.g. "${day![1]}-${day![2]}-01"`);
    } else if (Number.isNaN(expiry)) {
      problems.push(`expires ${JSON.stringify(spec.expires)} is not a date: write it as ISO 8601, e.g. "2027-12-31"`);
    } else if (expiry <= now.getTime()) {
      problems.push(`the offering's license expired on ${spec.expires}: renew it and set a later \`expires\` date`);
    }
  }
  throwIfProblems(`offering "${spec.name}" is invalid`, problems);
}

function planProblems(name: string, plan: PlanSpec, defaults: ResolvedContainerDefaults): string[] {
  const problems: string[] = [];
  const push = (p: string | undefined) => p && problems.push(p);
  push(dnsLabelProblem('plan name', name, 63));
  const quota = plan?.quota;
  if (!quota) {
    return [...problems, `plan "${name}" has no quota: set quota: { cpu, memory }`];
  }
  problems.push(...quotaProblems(`plan "${name}"`, 'the plan\'s', quota, defaults));
  problems.push(...labelMapProblems(`plan "${name}" nodeSelector`, plan.nodeSelector));
  if (plan.price) {
    if (!/^[A-Z]{3}$/.test(String(plan.price.currency))) {
      problems.push(`plan "${name}" price.currency ${JSON.stringify(plan.price.currency)} is not an ISO 4217 code: write it like "USD" or "EUR"`);
    }
    for (const rate of ['monthly', 'perCpuCoreHour', 'perMemoryGiBHour', 'perStorageGiBMonth'] as const) {
      const value = plan.price[rate];
      if (value !== undefined && (typeof value !== 'number' || !(value >= 0))) {
        problems.push(`plan "${name}" price.${rate} ${JSON.stringify(value)} must be a number, 0 or more`);
      }
    }
  }
  for (const [i, t] of (plan.tolerations ?? []).entries()) {
    const where = `plan "${name}" tolerations[${i}]`;
    if (t.operator === 'Exists' && t.value) {
      problems.push(`${where} has operator Exists and value ${JSON.stringify(t.value)}: Exists takes no value; remove it or use operator Equal`);
    }
    if (t.value !== undefined && !isLabelValue(String(t.value))) {
      problems.push(`${where} value ${JSON.stringify(t.value)} is not a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
    if (t.operator !== undefined && !['Exists', 'Equal'].includes(t.operator)) {
      problems.push(`${where} operator ${JSON.stringify(t.operator)} is unknown: use "Equal" or "Exists"`);
    }
  }
  if (plan.values !== undefined && !isPlainObject(plan.values)) {
    problems.push(`plan "${name}" values must be an object of Helm values`);
  } else if (plan.values !== undefined) {
    problems.push(...valuesShapeProblems(plan.values, `plan "${name}" values`));
  }
  return problems;
}

/** Problems of a quota (a plan's, or a tenant's with its overrides), each naming `owner` and the field. */
function quotaProblems(owner: string, whose: string, quota: QuotaSpec, defaults: ResolvedContainerDefaults): string[] {
  const problems: string[] = [];
  const push = (p: string | undefined) => p && problems.push(p);
  const field = (f: string) => `${owner} quota.${f}`;
  push(quantityProblem(field('cpu'), quota.cpu));
  push(quantityProblem(field('memory'), quota.memory));
  if (quota.cpuLimit !== undefined) push(quantityProblem(field('cpuLimit'), quota.cpuLimit));
  if (quota.memoryLimit !== undefined) push(quantityProblem(field('memoryLimit'), quota.memoryLimit));
  if (quota.storage !== undefined) push(quantityProblem(field('storage'), quota.storage, true));
  if (quota.ephemeralStorage !== undefined) push(quantityProblem(field('ephemeralStorage'), quota.ephemeralStorage));
  for (const count of ['pods', 'services', 'persistentVolumeClaims', 'configMaps', 'secrets', 'replicaSets', 'replicationControllers', 'objectsPerKind'] as const) {
    const value = quota[count];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      problems.push(`${field(count)} ${JSON.stringify(value)} must be a whole number, 0 or more`);
    }
  }
  const cpu = parseQuantity(quota.cpu);
  const cpuLimit = parseQuantity(quota.cpuLimit ?? quota.cpu);
  const memory = parseQuantity(quota.memory);
  const memoryLimit = parseQuantity(quota.memoryLimit ?? quota.memory);
  if (cpu !== undefined && cpuLimit !== undefined && cpuLimit < cpu) {
    problems.push(`${field('cpuLimit')} "${quota.cpuLimit}" is below quota.cpu "${quota.cpu}": limits must be at least the requests`);
  }
  if (memory !== undefined && memoryLimit !== undefined && memoryLimit < memory) {
    problems.push(`${field('memoryLimit')} "${quota.memoryLimit}" is below quota.memory "${quota.memory}": limits must be at least the requests`);
  }
  if (cpuLimit !== undefined && (parseQuantity(defaults.cpuLimit) ?? 0) > cpuLimit) {
    problems.push(`${owner}: the default container CPU limit "${defaults.cpuLimit}" exceeds ${whose} CPU limit; lower containerDefaults.cpuLimit or raise the quota`);
  }
  if (memoryLimit !== undefined && (parseQuantity(defaults.memoryLimit) ?? 0) > memoryLimit) {
    problems.push(`${owner}: the default container memory limit "${defaults.memoryLimit}" exceeds ${whose} memory limit; lower containerDefaults.memoryLimit or raise the quota`);
  }
  const ephemeral = parseQuantity(quota.ephemeralStorage ?? DEFAULT_EPHEMERAL_STORAGE);
  if (ephemeral !== undefined && (parseQuantity(defaults.ephemeralStorageLimit) ?? 0) > ephemeral) {
    problems.push(`${owner}: the default container ephemeral-storage limit "${defaults.ephemeralStorageLimit}" exceeds ${whose} quota.ephemeralStorage "${quota.ephemeralStorage ?? DEFAULT_EPHEMERAL_STORAGE}"; lower containerDefaults.ephemeralStorageLimit or raise the quota`);
  }
  return problems;
}

/** Problems of `sharedObjects`: each a Kubernetes object of plain JSON data with a kind, an apiVersion and a valid name. */
function sharedObjectProblems(objects: unknown): string[] {
  if (objects === undefined) {
    return [];
  }
  if (!Array.isArray(objects)) {
    return ['sharedObjects must be a list of Kubernetes objects'];
  }
  const problems: string[] = [];
  for (const [i, object] of objects.entries()) {
    const where = `sharedObjects[${i}]`;
    const shape = valuesShapeProblems(object, where);
    if (shape.length > 0 || !isPlainObject(object)) {
      problems.push(...(shape.length ? shape : [`${where} is not an object: write { apiVersion, kind, metadata: { name } }`]));
      continue;
    }
    const { apiVersion, kind, metadata } = object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
    if (typeof apiVersion !== 'string' || !/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) {
      problems.push(`${where} apiVersion ${JSON.stringify(apiVersion)} is not an API version: write it like "v1" or "rbac.authorization.k8s.io/v1"`);
    }
    if (typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      problems.push(`${where} kind ${JSON.stringify(kind)} is not a Kubernetes kind: write it like "ClusterRole"`);
    }
    const { name, namespace, labels } = (isPlainObject(metadata) ? metadata : {}) as { name?: unknown; namespace?: unknown; labels?: unknown };
    if (!isDnsName(name) && !(RBAC_KINDS.includes(String(kind)) && isRbacName(name))) {
      problems.push(`${where} metadata.name ${JSON.stringify(name)} is not an object name: use lowercase letters, digits, '-' and '.', at most 253 characters`);
    }
    if (namespace !== undefined) {
      const p = dnsLabelProblem(`${where} metadata.namespace`, namespace, 63);
      if (p) problems.push(p);
    }
    problems.push(...labelMapProblems(`${where} metadata.labels`, labels));
  }
  return problems;
}

const RBAC_KINDS = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

/** RBAC names may hold ':' (e.g. "saasplane:shop:provider-tenant"), no '/' or '%'. */
function isRbacName(name: unknown): boolean {
  return typeof name === 'string' && name.length > 0 && name.length <= 253 && !/[/%]/.test(name) && name !== '.' && name !== '..';
}

/** A CIDR parsed by Node's own address parser (`net.isIP`), or undefined. */
function parseCidr(value: unknown): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  if (typeof value !== 'string') return undefined;
  const [address, prefixText, extra] = value.split('/');
  const version = net.isIP(address ?? '');
  if (extra !== undefined || version === 0 || !/^\d{1,3}$/.test(prefixText ?? '')) return undefined;
  const prefix = Number(prefixText);
  return prefix <= (version === 4 ? 32 : 128) ? { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } : undefined;
}

function isCidr(value: unknown): value is string {
  return parseCidr(value) !== undefined;
}

/** True when the network `inner` lies inside the network `outer`. */
function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (!a || !b || a.family !== b.family || a.prefix < b.prefix) return false;
  const list = new net.BlockList();
  list.addSubnet(b.address, b.prefix, b.family);
  return list.check(a.address, a.family);
}

/** Problems of a dependency list (names, exclusive targets, CIDRs, ports). */
export function dependencyProblems(field: string, dependencies: readonly DependencySpec[] | undefined): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const dep of dependencies ?? []) {
    const label = dnsLabelProblem(`${field} name`, dep.name, 40);
    if (label) problems.push(label);
    if (seen.has(dep.name)) problems.push(`${field}: dependency "${dep.name}" is declared twice; give each a unique name`);
    seen.add(dep.name);
    if ((dep.namespace === undefined) === (dep.cidr === undefined)) {
      problems.push(`${field} "${dep.name}" must set exactly one of namespace or cidr`);
    }
    if (dep.namespace !== undefined) {
      const p = dnsLabelProblem(`${field} "${dep.name}" namespace`, dep.namespace, 63);
      if (p) problems.push(p);
    }
    problems.push(...labelMapProblems(`${field} "${dep.name}" podSelector`, dep.podSelector));
    for (const cidr of [dep.cidr, ...(dep.except ?? [])].filter((c) => c !== undefined)) {
      if (!isCidr(cidr)) problems.push(`${field} "${dep.name}": ${JSON.stringify(cidr)} is not a CIDR: write it like "203.0.113.0/24" or "2001:db8::/32"`);
    }
    for (const except of dep.except ?? []) {
      if (isCidr(dep.cidr) && isCidr(except) && !cidrWithin(except, dep.cidr)) {
        problems.push(`${field} "${dep.name}": except ${JSON.stringify(except)} is not inside cidr ${JSON.stringify(dep.cidr)}: list only networks within it (the API server refuses others)`);
      }
    }
    for (const port of dep.ports ?? []) {
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
        problems.push(`${field} "${dep.name}": port ${JSON.stringify(port.port)} must be a whole number from 1 to 65535`);
      }
      if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
        problems.push(`${field} "${dep.name}": protocol ${JSON.stringify(port.protocol)} must be "TCP", "UDP" or "SCTP"`);
      }
    }
  }
  return problems;
}

/** A validated tenant with everything derived from its offering and plan. */
export interface ResolvedTenant {
  readonly offering: OfferingSpec;
  readonly name: string;
  readonly planName: string;
  /** The plan, with the tenant's quota overrides applied. */
  readonly plan: PlanSpec;
  readonly namespace: string;
  readonly releaseName: string;
  /** offering values < plan values < tenant parameters < provider values (what helm receives). */
  readonly values: Values;
  readonly dependencies: readonly DependencySpec[];
  /** Extra labels on every object of the tenant: the offering's, then the tenant's. */
  readonly labels: Readonly<Record<string, string>>;
  /** Extra annotations on every object of the tenant: the offering's, then the tenant's. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: TenantState;
  /** The channel it runs, and its rollout wave. */
  readonly release: TenantRelease;
  /** Set when offboarded. */
  readonly deleteAfter?: string;
}

/** What tenant validation needs beyond the specs. */
export interface TenantContext {
  /** The chart of each channel (for values.schema.json and the chart-version label); omit to skip the schema check. */
  readonly charts?: ChannelCharts;
  /** Resolve as if every rollout wave were promoted (an upgrade preview). */
  readonly promoteAll?: boolean;
  /** Names of tenants the offering already has (a Set keeps adding n tenants linear). */
  readonly existingTenants: ReadonlySet<string> | readonly string[];
}

/**
 * Validates a tenant against its (already validated) offering and resolves it; throws one
 * error listing every problem of the tenant. The chart is not rendered here.
 */
export function resolveTenant(offering: OfferingSpec, spec: TenantSpec, context: TenantContext): ResolvedTenant {
  const problems: string[] = [];
  const push = (p: string | undefined) => p && problems.push(p);
  const budget = maxTenantNameLength(offering.name);
  push(dnsLabelProblem('tenant name', spec.name, budget, ` (namespace "${tenantNamespace(offering.name, '<tenant>')}" must fit in 63 characters and the release name in ${MAX_RELEASE_NAME_LENGTH})`));
  if (RESERVED_TENANT_NAMES.includes(spec.name)) {
    problems.push(`tenant name "${spec.name}" is reserved (namespace "${tenantNamespace(offering.name, spec.name)}" holds the provider's identity): choose another name`);
  } else if (typeof spec.name === 'string' && spec.name.endsWith(RESERVED_TENANT_SUFFIX)) {
    problems.push(`tenant name "${spec.name}" ends with "${RESERVED_TENANT_SUFFIX}": its namespace "${tenantNamespace(offering.name, spec.name)}" would look like an offering's own namespace; choose a name that does not end with "${RESERVED_TENANT_SUFFIX}"`);
  }
  const existing = context.existingTenants;
  const existingCount = 'size' in existing ? existing.size : existing.length;
  if ('has' in existing ? existing.has(spec.name) : existing.includes(spec.name)) {
    problems.push(`tenant "${spec.name}" already exists in offering "${offering.name}": tenant names must be unique`);
  }
  if (offering.maxTenants !== undefined && existingCount >= offering.maxTenants) {
    problems.push(`the offering's license allows at most ${offering.maxTenants} tenants and ${existingCount} exist: raise maxTenants or remove a tenant`);
  }
  const plans = Object.keys(offering.plans);
  // own keys only: a plan named "constructor" or "toString" must not find Object.prototype's
  const plan = Object.prototype.hasOwnProperty.call(offering.plans, spec.plan) ? offering.plans[spec.plan] : undefined;
  if (!plan) {
    problems.push(`plan ${JSON.stringify(spec.plan)} does not exist: choose one of ${plans.map((p) => `"${p}"`).join(', ')}`);
  }
  const releaseName = spec.releaseName ?? spec.name;
  if (spec.releaseName !== undefined) {
    push(dnsLabelProblem('release name', spec.releaseName, MAX_RELEASE_NAME_LENGTH));
  }
  const parameters = spec.parameters ?? {};
  const shape = isPlainObject(parameters) ? valuesShapeProblems(parameters, 'parameters') : [];
  problems.push(...shape);
  if (!isPlainObject(parameters)) {
    problems.push('parameters must be an object of Helm values');
  } else if (shape.length === 0) {
    const allowed = offering.consumerParameters ?? [];
    const dotted = (path: string) => leafPaths(parameters).some((segments) => segments.join('.') === path && segments.some((s) => s.includes('.')));
    for (const path of disallowedParameterPaths(parameters, allowed)) {
      if (dotted(path) && allowed.some((a) => a === path || a.startsWith(`${path}.`) || path.startsWith(`${a}.`))) {
        // { "ingress.host": "x" } is one key to Helm, not the path ingress.host
        const nested = path.split('.').reduceRight((inner, segment) => `{ ${segment}: ${inner} }`, '...');
        problems.push(`parameter key ${JSON.stringify(path)} contains '.', which Helm reads as one key, not a path: write it nested, ${nested}`);
        continue;
      }
      problems.push(`parameter "${path}" is not one a tenant may set: allowed are ${allowed.length ? allowed.map((p) => `"${p}"`).join(', ') : 'none (the offering declares no consumerParameters)'}`);
    }
  }
  problems.push(...dependencyProblems('dependencies', spec.dependencies));
  const offeringDependencies = new Set((offering.network?.dependencies ?? []).map((d) => d.name));
  for (const dep of spec.dependencies ?? []) {
    if (offeringDependencies.has(dep.name)) {
      problems.push(`dependencies: dependency "${dep.name}" is already declared by the offering (both would be the NetworkPolicy of that name); give the tenant's another name`);
    }
  }
  const providerValues = spec.providerValues ?? {};
  const providerShape = isPlainObject(providerValues) ? valuesShapeProblems(providerValues, 'providerValues') : ['providerValues must be an object of Helm values'];
  problems.push(...providerShape);
  problems.push(...extraMetadataProblems(`tenant "${spec.name}"`, spec.labels, spec.annotations));
  problems.push(...lifecycleProblems(spec.state, spec.deleteAfter));
  // a pin may name a channel, or a chart version one channel holds
  const pin = pinnedChannel(offering, spec.channel, context.charts);
  problems.push(...tenantChannelProblems(offering, { channel: pin }, context.charts));
  const release = tenantRelease(offering, { ...spec, channel: pin }, context.promoteAll);
  const chart = context.charts?.[release.channel];
  const quota = plan && spec.quota !== undefined ? overriddenQuota(spec.name, plan, spec.quota, containerDefaults(offering), problems) : plan?.quota;
  const values = mergeValues(offering.values, plan?.values, isPlainObject(parameters) && shape.length === 0 ? parameters : {},
    providerShape.length === 0 ? providerValues : {});
  if (chart?.schema && plan) {
    // with several channels, say which version refuses the values
    const which = Object.keys(offering.channels ?? {}).length > 0 ? `chart "${chart.name}" ${chart.version} (channel "${release.channel}")` : `chart "${chart.name}"`;
    problems.push(...schemaProblems(chart.schema, mergeValues(chart.defaults, values), which));
  }
  throwIfProblems(`tenant "${spec.name}" of offering "${offering.name}" is invalid`, problems);
  return {
    offering,
    name: spec.name,
    planName: spec.plan,
    plan: { ...plan!, quota: quota! },
    namespace: tenantNamespace(offering.name, spec.name),
    releaseName,
    values,
    dependencies: jsonCopy([...(offering.network?.dependencies ?? []), ...(spec.dependencies ?? [])]),
    labels: jsonCopy({ ...offering.labels, ...spec.labels, ...releaseLabels(offering, release, chart) }),
    annotations: jsonCopy({ ...offering.annotations, ...spec.annotations }),
    state: spec.state ?? TenantState.ACTIVE,
    release,
    ...(spec.deleteAfter !== undefined ? { deleteAfter: spec.deleteAfter } : {}),
  };
}

/** The plan's quota with the tenant's overrides; their problems go to `problems`. */
function overriddenQuota(tenant: string, plan: PlanSpec, overrides: unknown, defaults: ResolvedContainerDefaults, problems: string[]): QuotaSpec {
  if (!isPlainObject(overrides)) {
    problems.push(`tenant "${tenant}" quota ${JSON.stringify(overrides)} must be an object of quota fields, e.g. { cpu: "4" }`);
    return plan.quota;
  }
  const known = new Set(['cpu', 'memory', 'cpuLimit', 'memoryLimit', 'storage', 'ephemeralStorage', 'pods', 'services', 'persistentVolumeClaims',
    'configMaps', 'secrets', 'replicaSets', 'replicationControllers', 'objectsPerKind']);
  for (const key of Object.keys(overrides).filter((k) => !known.has(k))) {
    problems.push(`tenant "${tenant}" quota.${key} is not a quota field: use one of ${[...known].join(', ')}`);
  }
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const quota = { ...plan.quota, ...given } as QuotaSpec;
  problems.push(...quotaProblems(`tenant "${tenant}"`, 'the tenant\'s', quota, defaults));
  return quota;
}

/**
 * A copy of a validated offering spec made of ordinary objects: user data may come with null
 * prototypes (`Object.create(null)`, some parsers), which the emitters cannot serialize. The
 * chart sources (`chart`, `channels`) are kept as they are.
 */
export function plainSpec<T extends { chart?: unknown; channels?: unknown }>(spec: T): T {
  const { chart, channels, ...data } = spec;
  return { ...jsonCopy(data), chart, ...(channels !== undefined ? { channels: { ...channels } } : {}) } as T;
}

/** The effective container defaults of an offering. */
export function containerDefaults(offering: OfferingSpec): ResolvedContainerDefaults {
  return { ...DEFAULT_CONTAINER_DEFAULTS, ...offering.containerDefaults };
}

/** The effective Kubernetes version of an offering. */
export function kubeVersion(offering: OfferingSpec): string {
  return offering.kubeVersion ?? DEFAULT_KUBE_VERSION;
}
