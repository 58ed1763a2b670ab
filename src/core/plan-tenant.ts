// The non-chart objects of one tenant instance, as plain data: namespace, quota, limit range,
// network policies and the scrape monitor, and the tenant's adapted chart objects. Both
// front-ends emit exactly these.
import type { LimitRange, Namespace, ResourceQuota } from 'kubernetes-types/core/v1';
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1';
import { ChannelCharts } from './channels';
import { chartTraffic, TrafficTarget } from './chart-traffic';
import { SaaSplaneError, throwIfProblems } from './errors';
import { ChartRenderer, HelmFailure, LoadedChart, renderAll, RenderedObject, RenderRequest } from './helm';
import type { KubeObject } from './kube';
import { MetricsKind, PodSecurityLevel, TenantState } from './model';
import { LABEL_STATE, LABEL_TENANT, podLabels, PROVIDER_BINDING_NAME, tenantLabels } from './names';
import { containerDefaults, kubeVersion, ResolvedTenant } from './offering';
import { GROUP_WAVES, ObjectGroup } from './plan';
import { planFitProblems } from './plan-fit';
import { adaptChartObjects, TenantPlacement } from './post-render';
import { quotaHard } from './quota';
import { applyTransform, ObjectTransform } from './transform';

/** Pod Security Admission version enforced with the level: `latest`, the cluster's own version of the policy (it tightens as Kubernetes does). */
export const POD_SECURITY_VERSION = 'latest';

type Named<T> = T & KubeObject;

/** All non-chart objects of a tenant, by purpose. */
export interface TenantObjectPlan {
  readonly namespace: Named<Namespace>;
  /** ResourceQuota, LimitRange and NetworkPolicies. */
  readonly guardrails: KubeObject[];
  /** ServiceMonitor or PodMonitor, when the offering declares metrics. */
  readonly monitoring: KubeObject[];
}

/**
 * Plans the non-chart objects of a tenant. The ingress controller and Prometheus are let in only
 * to the pods and ports `chartObjects` route them to; without the chart's objects, not at all.
 */
export function planTenantObjects(tenant: ResolvedTenant, chartObjects: readonly KubeObject[] = []): TenantObjectPlan {
  return {
    namespace: planNamespace(tenant),
    guardrails: [planResourceQuota(tenant), planLimitRange(tenant), ...planNetworkPolicies(tenant, chartObjects)],
    monitoring: planMonitor(tenant),
  };
}

function labelsOf(tenant: ResolvedTenant): Record<string, string> {
  return tenantLabels(tenant.offering.name, tenant.name, tenant.planName);
}

function meta(tenant: ResolvedTenant, name: string) {
  return { name, namespace: tenant.namespace, labels: labelsOf(tenant) };
}

function planNamespace(tenant: ResolvedTenant): Named<Namespace> {
  const level = tenant.offering.podSecurity ?? PodSecurityLevel.RESTRICTED;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: tenant.namespace,
      labels: {
        ...labelsOf(tenant),
        ...(tenant.state === TenantState.ACTIVE ? {} : { [LABEL_STATE]: tenant.state }),
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
        'pod-security.kubernetes.io/audit': level,
        'pod-security.kubernetes.io/warn': level,
      },
    },
  };
}

function planResourceQuota(tenant: ResolvedTenant): Named<ResourceQuota> {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta(tenant, 'tenant-quota'), spec: { hard: quotaHard(tenant) } };
}

function planLimitRange(tenant: ResolvedTenant): Named<LimitRange> {
  const d = containerDefaults(tenant.offering);
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta(tenant, 'tenant-defaults'),
    spec: {
      limits: [{
        type: 'Container',
        defaultRequest: { 'cpu': d.cpuRequest, 'memory': d.memoryRequest, 'ephemeral-storage': d.ephemeralStorageRequest },
        default: { 'cpu': d.cpuLimit, 'memory': d.memoryLimit, 'ephemeral-storage': d.ephemeralStorageLimit },
      }],
    },
  };
}

function policy(tenant: ResolvedTenant, name: string, spec: NetworkPolicy['spec']): Named<NetworkPolicy> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(tenant, name), spec };
}

function namespacePeer(labels: Record<string, string>, pods?: Record<string, string>): NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: labels }, ...(pods ? { podSelector: { matchLabels: pods } } : {}) };
}

/** Ingress from `peer` to the target's pods, on its ports only. */
function allowFrom(peer: NetworkPolicyPeer, target: TrafficTarget): NetworkPolicy['spec'] {
  return {
    podSelector: { matchLabels: target.podSelector },
    policyTypes: ['Ingress'],
    ingress: [{ from: [peer], ports: target.ports.map((p) => ({ protocol: p.protocol, port: p.port })) }],
  };
}

/** Default deny both ways, then only what the tenant needs. */
function planNetworkPolicies(tenant: ResolvedTenant, chartObjects: readonly KubeObject[]): Array<Named<NetworkPolicy>> {
  const network = tenant.offering.network ?? {};
  const all = {};
  const dnsPorts: NetworkPolicyPort[] = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
  const policies = [
    policy(tenant, 'default-deny', { podSelector: all, policyTypes: ['Ingress', 'Egress'] }),
    policy(tenant, 'allow-same-namespace', {
      podSelector: all,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: all }] }],
      egress: [{ to: [{ podSelector: all }] }],
    }),
    policy(tenant, 'allow-dns', {
      podSelector: all,
      policyTypes: ['Egress'],
      egress: [{
        to: [namespacePeer(network.dnsNamespace ?? { 'kubernetes.io/metadata.name': 'kube-system' }, network.dnsPods ?? { 'k8s-app': 'kube-dns' })],
        ports: dnsPorts,
      }],
    }),
  ];
  const traffic = chartTraffic(chartObjects, tenant.offering.metrics, tenant.releaseName);
  const controller = namespacePeer(network.ingressControllerNamespace ?? { 'kubernetes.io/metadata.name': 'ingress-nginx' });
  for (const target of traffic.ingress) {
    policies.push(policy(tenant, `allow-ingress-controller-${target.name}`, allowFrom(controller, target)));
  }
  if (traffic.scrape.length > 0) {
    const monitoring = tenant.offering.monitoring ?? {};
    const prometheus = namespacePeer(monitoring.prometheusNamespaceSelector ?? { 'kubernetes.io/metadata.name': monitoring.prometheusNamespace ?? 'monitoring' });
    for (const target of traffic.scrape) {
      policies.push(policy(tenant, `allow-prometheus-scrape-${target.name}`, allowFrom(prometheus, target)));
    }
  }
  for (const dep of tenant.dependencies) {
    const to: NetworkPolicyPeer[] = dep.cidr !== undefined
      ? [{ ipBlock: { cidr: dep.cidr, ...(dep.except?.length ? { except: dep.except } : {}) } }]
      : [namespacePeer({ 'kubernetes.io/metadata.name': dep.namespace! }, dep.podSelector)];
    const rule: NetworkPolicyEgressRule = { to };
    if (dep.ports?.length) {
      rule.ports = dep.ports.map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
    }
    policies.push(policy(tenant, `allow-egress-${dep.name}`, { podSelector: all, policyTypes: ['Egress'], egress: [rule] }));
  }
  return policies;
}

/** The ServiceMonitor/PodMonitor of the tenant; its target labels carry offering, tenant and plan. */
function planMonitor(tenant: ResolvedTenant): KubeObject[] {
  const metrics = tenant.offering.metrics;
  if (!metrics) {
    return [];
  }
  const selector = { matchLabels: metrics.selector ?? { 'app.kubernetes.io/instance': tenant.releaseName } };
  const endpoint = {
    port: metrics.port,
    path: metrics.path ?? '/metrics',
    interval: metrics.interval ?? '30s',
    relabelings: [
      { action: 'replace', targetLabel: 'saasplane_offering', replacement: tenant.offering.name },
      { action: 'replace', targetLabel: 'saasplane_tenant', replacement: tenant.name },
      { action: 'replace', targetLabel: 'saasplane_plan', replacement: tenant.planName },
    ],
  };
  const common = { selector, namespaceSelector: { matchNames: [tenant.namespace] } };
  if ((metrics.kind ?? MetricsKind.SERVICE_MONITOR) === MetricsKind.POD_MONITOR) {
    return [{ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: meta(tenant, 'app'), spec: { ...common, podMetricsEndpoints: [endpoint] } }];
  }
  return [{ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta(tenant, 'app'), spec: { ...common, endpoints: [endpoint] } }];
}

/**
 * Chart objects that would collide when applied: the same kind and name twice in the chart, or
 * the name of one of saasplane's own objects in the namespace (a chart's `default-deny` or
 * `tenant-quota` would silently replace the guardrail).
 */
function shadowingProblems(tenant: ResolvedTenant, chartObjects: readonly KubeObject[]): string[] {
  const planned = planTenantObjects(tenant, chartObjects);
  const ours = new Set([...planned.guardrails, ...planned.monitoring].map((o) => `${o.kind}/${o.metadata.name}`));
  ours.add(`RoleBinding/${PROVIDER_BINDING_NAME}`);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const object of chartObjects) {
    const key = `${object.kind}/${object.metadata.name}`;
    // every provider identity's binding is `saasplane-provider[.<namespace>.<serviceAccount>]`
    const providerBinding = object.kind === 'RoleBinding' && String(object.metadata.name).startsWith(`${PROVIDER_BINDING_NAME}.`);
    if (ours.has(key) || providerBinding) {
      problems.push(`the chart renders ${object.kind} "${object.metadata.name}", the name of one of saasplane's own objects in the tenant namespace: applied, it would replace it; rename it in the chart`);
    } else if (seen.has(key)) {
      problems.push(`the chart renders ${object.kind} "${object.metadata.name}" twice: applied, one would replace the other; give each object its own name`);
    }
    seen.add(key);
  }
  return problems;
}

/** How the tenant's chart objects are placed and guarded. */
export function tenantPlacement(tenant: ResolvedTenant): TenantPlacement {
  const plan = tenant.plan;
  const nodeSelector = { ...plan.nodeSelector, ...(plan.dedicatedNodes ? { [LABEL_TENANT]: tenant.namespace } : {}) };
  const tolerations = [
    ...(plan.tolerations ?? []),
    ...(plan.dedicatedNodes ? [{ key: LABEL_TENANT, operator: 'Equal', value: tenant.namespace, effect: 'NoSchedule' }] : []),
  ];
  return {
    namespace: tenant.namespace,
    labels: labelsOf(tenant),
    podLabels: podLabels(tenant.offering.name, tenant.name),
    nodeSelector,
    tolerations,
    storageClasses: tenant.offering.storageClasses ?? [],
    allowNodePorts: tenant.offering.allowNodePorts ?? false,
    allowLoadBalancers: tenant.offering.allowLoadBalancers ?? false,
    alwaysPullImages: tenant.offering.alwaysPullImages ?? true,
    ingressDomains: tenant.offering.ingressDomains ?? [],
    ingressAnnotations: tenant.offering.ingressAnnotations ?? [],
    ingressClassName: tenant.offering.ingressClassName,
    priorityClassNames: tenant.offering.priorityClassNames ?? [],
  };
}

/** The request that renders `tenant`'s chart. */
export function tenantRenderRequest(tenant: ResolvedTenant, chart: LoadedChart): RenderRequest {
  return { chart, releaseName: tenant.releaseName, namespace: tenant.namespace, values: tenant.values, kubeVersion: kubeVersion(tenant.offering) };
}

/** What rendering one tenant's chart gave: its adapted chart objects, or the error that names the tenant. */
export type TenantChartOutcome = { readonly objects: KubeObject[] } | { readonly error: SaaSplaneError };

/**
 * Renders every tenant's chart as one batch of `renderer` (one process and every core with the
 * batch renderer), then adapts each to its tenant (namespace, labels, placement). A tenant's
 * outcome is its objects, or one error listing every guard its rendering breaks (cluster-scoped
 * objects, host paths, node ports, foreign storage classes, policies or bindings that widen
 * isolation, Ingress hosts outside the offering's domains or routes outside the chart) and every
 * quota its workloads do not fit in, or the chart's refusal of its values. Problems no tenant's
 * values could cause (helm missing, a broken chart) are thrown.
 */
export function renderTenantCharts(
  tenants: readonly ResolvedTenant[], charts: ChannelCharts, renderer: ChartRenderer, transform?: ObjectTransform,
): TenantChartOutcome[] {
  const chartOf = (tenant: ResolvedTenant) => {
    const chart = charts[tenant.release.channel];
    if (!chart) {
      throw new SaaSplaneError(`tenant "${tenant.name}" cannot be rendered`, [
        `no chart is loaded for its channel "${tenant.release.channel}" (loaded: ${Object.keys(charts).join(', ') || 'none'}): pass the charts of every channel (loadChannelCharts)`,
      ]);
    }
    return chart;
  };
  const rendered = renderAll(renderer, tenants.map((t) => tenantRenderRequest(t, chartOf(t))));
  return tenants.map((tenant, i) => {
    const outcome = rendered[i];
    const chart = chartOf(tenant);
    if ('error' in outcome) {
      const e = outcome.error;
      if (e instanceof SaaSplaneError && !(e instanceof HelmFailure)) {
        throw e; // helm missing, a broken chart: nothing the tenant's values could change
      }
      throwIfChartLevel(chart, e);
      return { error: refusal(tenant, chart, e) };
    }
    try {
      return { objects: adaptRendered(tenant, transform ? transformRendered(tenant, outcome.objects, transform) : outcome.objects) };
    } catch (e) {
      if (e instanceof SaaSplaneError) return { error: e };
      throw e;
    }
  });
}

/** The provider's transform of the chart's objects as rendered, before they are adapted and checked. */
function transformRendered(tenant: ResolvedTenant, rendered: RenderedObject[], transform: ObjectTransform): RenderedObject[] {
  const owner = { offering: tenant.offering.name, tenant: tenant.name };
  const entries = rendered.map(({ object }) => ({ object, group: ObjectGroup.APP, wave: GROUP_WAVES[ObjectGroup.APP], owner }));
  return applyTransform(entries, transform).map(({ object }, i) => ({ object, template: rendered[i].template }));
}

/** The tenant's chart objects (a batch of one), or its error thrown. */
export function renderTenantChart(tenant: ResolvedTenant, charts: ChannelCharts, renderer: ChartRenderer, transform?: ObjectTransform): KubeObject[] {
  const [outcome] = renderTenantCharts([tenant], charts, renderer, transform);
  if ('error' in outcome) {
    throw outcome.error;
  }
  return outcome.objects;
}

/** helm's refusals of the chart itself, whatever the values: subcharts missing from charts/. */
const CHART_LEVEL_FAILURES = /found in Chart\.yaml, but missing in charts\/ directory: .*/;

/** Throws, once for every tenant, when helm refused the chart itself rather than a tenant's values. */
function throwIfChartLevel(chart: LoadedChart, e: unknown): void {
  const found = e instanceof SaaSplaneError ? e.problems.map((p) => CHART_LEVEL_FAILURES.exec(p)?.[0]).find(Boolean) : undefined;
  if (found) {
    throw new SaaSplaneError('invalid chart', [
      `chart "${chart.name}" ${chart.version} (${chart.source.describe()}): ${found.replace(/ \(.*$/, '')}; run \`helm dependency build\` on it, or vendor its subcharts`,
    ]);
  }
}

/** The chart refused the tenant's values: say which values, from where, and what helm said. */
function refusal(tenant: ResolvedTenant, chart: LoadedChart, e: unknown): SaaSplaneError {
  const passed = JSON.stringify(tenant.values);
  const reason = e instanceof SaaSplaneError ? e.problems.join('; ') : String(e);
  return new SaaSplaneError(`tenant "${tenant.name}" of offering "${tenant.offering.name}" cannot be rendered`, [
    `chart "${chart.name}" ${chart.version} refused the values ${passed.length > 400 ? `${passed.slice(0, 400)}...` : passed} `
    + `(offering values < plan "${tenant.planName}" values < the tenant's parameters < provider values): ${reason}; change the parameters or the plan to values the chart accepts`,
  ]);
}

/** Adapts rendered objects to the tenant; throws one error listing every guard and quota they break. */
function adaptRendered(tenant: ResolvedTenant, rendered: RenderedObject[]): KubeObject[] {
  const adapted = adaptChartObjects(rendered, tenantPlacement(tenant));
  const problems = [...adapted.problems];
  // routes and quota fit are only meaningful on objects the guards accept
  if (problems.length === 0) {
    const traffic = chartTraffic(adapted.objects, tenant.offering.metrics, tenant.releaseName);
    problems.push(...traffic.problems, ...planFitProblems(tenant, adapted.objects), ...shadowingProblems(tenant, adapted.objects));
  }
  throwIfProblems(`tenant "${tenant.name}" of offering "${tenant.offering.name}" cannot use the chart`, problems);
  return adapted.objects;
}
