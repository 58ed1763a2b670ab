// Which pods and ports of a tenant's chart outside traffic may reach: the ingress controller only
// what the tenant's Ingress objects route to, Prometheus only the metrics endpoint. Derived from
// the rendered objects, so that the NetworkPolicies open exactly those paths and nothing else.
import type { KubeObject } from './kube';
import { MetricsKind, MetricsSpec } from './model';

/** Pods (by labels) and ports one NetworkPolicy opens to a peer. */
export interface TrafficTarget {
  /** Name the policy is derived from (the Service, or "metrics" for a PodMonitor). */
  readonly name: string;
  /** Labels of the pods reached (the Service's selector, or the metrics selector). */
  readonly podSelector: Record<string, string>;
  /** Container ports reached, by number or name. */
  readonly ports: Array<{ port: number | string; protocol: string }>;
}

/** The targets of the ingress controller and of Prometheus, and what could not be resolved. */
export interface ChartTraffic {
  /** What the ingress controller reaches: the Services the chart's Ingress objects route to. */
  readonly ingress: TrafficTarget[];
  /** What Prometheus reaches: the metrics endpoint. */
  readonly scrape: TrafficTarget[];
  /** Routes to Services the chart does not render, to undeclared ports, or to Services without a selector. */
  readonly problems: string[];
}

interface ServicePort { name?: string; port: number; targetPort?: number | string; protocol?: string }
interface ServiceSpec { selector?: Record<string, string>; ports?: ServicePort[] }
interface Backend { service?: { name?: string; port?: { name?: string; number?: number } } }
interface IngressSpec { defaultBackend?: Backend; rules?: Array<{ http?: { paths?: Array<{ backend?: Backend }> } }> }

/** The backends of every Ingress of the chart, and the metrics endpoint, as pods and ports. */
export function chartTraffic(objects: readonly KubeObject[], metrics: MetricsSpec | undefined, releaseName: string): ChartTraffic {
  const services = new Map(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, o]));
  const problems: string[] = [];
  const ingress = new Map<string, TrafficTarget>();
  for (const object of objects.filter((o) => o.kind === 'Ingress')) {
    const spec = (object.spec ?? {}) as IngressSpec;
    const backends = [spec.defaultBackend, ...(spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend))];
    for (const backend of backends) {
      if (!backend) continue;
      const where = `Ingress "${object.metadata.name}"`;
      const serviceName = backend.service?.name;
      const service = serviceName === undefined ? undefined : services.get(serviceName);
      if (!service) {
        problems.push(`${where} routes to ${serviceName === undefined ? 'a resource backend' : `Service "${serviceName}"`}, which the chart does not render: `
          + 'the tenant\'s network policies open the ingress controller only to Services of its own chart');
        continue;
      }
      const servicePort = findPort(service, backend.service?.port?.name, backend.service?.port?.number);
      const selector = (service.spec as ServiceSpec | undefined)?.selector;
      if (!servicePort || !selector || Object.keys(selector).length === 0) {
        problems.push(`${where} routes to ${!servicePort ? `a port of Service "${serviceName}" it does not declare` : `Service "${serviceName}", which has no pod selector`}: `
          + 'route to a declared port of a Service that selects the chart\'s pods');
        continue;
      }
      addTarget(ingress, serviceName!, selector, servicePort);
    }
  }
  return { ingress: sorted(ingress), scrape: metrics ? scrapeTargets(objects, metrics, releaseName) : [], problems };
}

function scrapeTargets(objects: readonly KubeObject[], metrics: MetricsSpec, releaseName: string): TrafficTarget[] {
  const selector = metrics.selector ?? { 'app.kubernetes.io/instance': releaseName };
  if ((metrics.kind ?? MetricsKind.SERVICE_MONITOR) === MetricsKind.POD_MONITOR) {
    // only when the chart has pods the monitor selects
    const pods = objects.some((o) => matches(podTemplateLabels(o), selector));
    return pods ? [{ name: 'metrics', podSelector: selector, ports: [{ port: metrics.port, protocol: 'TCP' }] }] : [];
  }
  const targets = new Map<string, TrafficTarget>();
  for (const service of objects.filter((o) => o.kind === 'Service' && matches(o.metadata.labels, selector))) {
    const port = findPort(service, metrics.port, undefined);
    const podSelector = (service.spec as ServiceSpec | undefined)?.selector;
    if (port && podSelector && Object.keys(podSelector).length > 0) {
      addTarget(targets, service.metadata.name, podSelector, port);
    }
  }
  return sorted(targets);
}

function findPort(service: KubeObject, name: string | undefined, number: number | undefined): ServicePort | undefined {
  const ports = (service.spec as ServiceSpec | undefined)?.ports ?? [];
  return ports.find((p) => (name !== undefined ? p.name === name : p.port === number));
}

function addTarget(targets: Map<string, TrafficTarget>, name: string, podSelector: Record<string, string>, port: ServicePort): void {
  const target = targets.get(name) ?? { name, podSelector, ports: [] };
  const entry = { port: port.targetPort ?? port.port, protocol: port.protocol ?? 'TCP' };
  if (!target.ports.some((p) => p.port === entry.port && p.protocol === entry.protocol)) {
    target.ports.push(entry);
  }
  targets.set(name, target);
}

function sorted(targets: Map<string, TrafficTarget>): TrafficTarget[] {
  return [...targets.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function podTemplateLabels(object: KubeObject): Record<string, string> | undefined {
  type Template = { metadata?: { labels?: Record<string, string> } };
  const spec = object.spec as { template?: Template; jobTemplate?: { spec?: { template?: Template } } } | undefined;
  if (object.kind === 'Pod') return object.metadata.labels;
  return (spec?.template ?? spec?.jobTemplate?.spec?.template)?.metadata?.labels;
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
