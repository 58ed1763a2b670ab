// The non-chart objects of one tenant instance, as plain data: namespace, quota, limit range,
// network policies and the scrape monitor, and the tenant's adapted chart objects. Both
// front-ends emit exactly these.
import type { LimitRange, Namespace, ResourceQuota } from 'kubernetes-types/core/v1';
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1';
import { throwIfProblems } from './errors';
import type { ChartRenderer, LoadedChart } from './helm';
import type { KubeObject } from './kube';
import { MetricsKind, PodSecurityLevel } from './model';
import { LABEL_TENANT, podLabels, tenantLabels } from './names';
import { containerDefaults, kubeVersion, ResolvedTenant } from './offering';
import { adaptChartObjects, TenantPlacement } from './post-render';

/** Pod Security Admission version pinned with the level, so upgrades of the cluster do not silently tighten or loosen it. */
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

/** Plans the non-chart objects of a tenant. */
export function planTenantObjects(tenant: ResolvedTenant): TenantObjectPlan {
  return {
    namespace: planNamespace(tenant),
    guardrails: [planResourceQuota(tenant), planLimitRange(tenant), ...planNetworkPolicies(tenant)],
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
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
        'pod-security.kubernetes.io/audit': level,
        'pod-security.kubernetes.io/warn': level,
      },
    },
  };
}

function planResourceQuota(tenant: ResolvedTenant): Named<ResourceQuota> {
  const q = tenant.plan.quota;
  const hard: Record<string, string> = {
    'requests.cpu': q.cpu,
    'limits.cpu': q.cpuLimit ?? q.cpu,
    'requests.memory': q.memory,
    'limits.memory': q.memoryLimit ?? q.memory,
    'requests.storage': q.storage ?? '0',
    'persistentvolumeclaims': String(q.persistentVolumeClaims ?? 10),
    'pods': String(q.pods ?? 20),
    'services': String(q.services ?? 10),
    'configmaps': String(q.configMaps ?? 50),
    'secrets': String(q.secrets ?? 50),
    'services.nodeports': tenant.offering.allowNodePorts ? String(q.services ?? 10) : '0',
    'services.loadbalancers': tenant.offering.allowLoadBalancers ? String(q.services ?? 10) : '0',
  };
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta(tenant, 'tenant-quota'), spec: { hard } };
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
        defaultRequest: { cpu: d.cpuRequest, memory: d.memoryRequest },
        default: { cpu: d.cpuLimit, memory: d.memoryLimit },
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

/** Default deny both ways, then only what the tenant needs. */
function planNetworkPolicies(tenant: ResolvedTenant): Array<Named<NetworkPolicy>> {
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
    policy(tenant, 'allow-ingress-controller', {
      podSelector: all,
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespacePeer(network.ingressControllerNamespace ?? { 'kubernetes.io/metadata.name': 'ingress-nginx' })] }],
    }),
  ];
  const metrics = tenant.offering.metrics;
  if (metrics) {
    const monitoring = tenant.offering.monitoring ?? {};
    const prometheusNamespace = monitoring.prometheusNamespace ?? 'monitoring';
    policies.push(policy(tenant, 'allow-prometheus-scrape', {
      podSelector: all,
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespacePeer(monitoring.prometheusNamespaceSelector ?? { 'kubernetes.io/metadata.name': prometheusNamespace })] }],
    }));
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
  };
}

/**
 * The tenant's chart objects: rendered by `renderer` and adapted to the tenant (namespace, labels,
 * placement). Throws one error listing every guard the rendering breaks (cluster-scoped objects,
 * host paths, node ports, foreign storage classes).
 */
export function renderTenantChart(tenant: ResolvedTenant, chart: LoadedChart, renderer: ChartRenderer): KubeObject[] {
  const rendered = renderer.render({
    chart, releaseName: tenant.releaseName, namespace: tenant.namespace, values: tenant.values, kubeVersion: kubeVersion(tenant.offering),
  });
  const adapted = adaptChartObjects(rendered, tenantPlacement(tenant));
  throwIfProblems(`tenant "${tenant.name}" of offering "${tenant.offering.name}" cannot use the chart`, adapted.problems);
  return adapted.objects;
}
