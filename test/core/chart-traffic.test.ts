import { chartTraffic } from '../../src/core/chart-traffic';
import type { KubeObject } from '../../src/core/kube';
import { MetricsKind } from '../../src/core/model';

const INSTANCE = { 'app.kubernetes.io/instance': 'acme' };
const NOT_RENDERED = ": the tenant's network policies open the ingress controller only to Services of its own chart";
const DECLARED_PORT = ": route to a declared port of a Service that selects the chart's pods";

type Labels = Record<string, string>;

function service(name: string, selector: Labels | undefined, ports: unknown[], labels: Labels = INSTANCE): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { ...(selector ? { selector } : {}), ports } };
}

type Backend = { service?: { name: string; port: { name?: string; number?: number } }; resource?: unknown };

function ingress(name: string, backends: Backend[], defaultBackend?: Backend): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name },
    spec: {
      ...(defaultBackend ? { defaultBackend } : {}),
      rules: [{ host: 'acme.shop.example.com', http: { paths: backends.map((backend, i) => ({ path: `/${i}`, pathType: 'Prefix', backend })) } }],
    },
  };
}

const to = (name: string, port: string | number): Backend => ({ service: { name, port: typeof port === 'string' ? { name: port } : { number: port } } });

/** Services like the example chart's, and one without a target port. */
function services(): KubeObject[] {
  return [
    service('acme-web', { app: 'web' }, [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9113, targetPort: 9113 },
    ]),
    service('acme-db', { app: 'db' }, [{ name: 'postgres', port: 5432, targetPort: 'postgres' }]),
    service('acme-dns', { app: 'dns' }, [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }], {}),
  ];
}

describe('chartTraffic', () => {
  it('finds nothing in a chart without Ingress objects or metrics', () => {
    expect(chartTraffic(services(), undefined, 'acme')).toEqual({ ingress: [], scrape: [], problems: [] });
    expect(chartTraffic([], undefined, 'acme')).toEqual({ ingress: [], scrape: [], problems: [] });
  });

  describe('ingress routes', () => {
    it("resolves a port named by the backend to the Service port's target port", () => {
      expect(chartTraffic([...services(), ingress('web', [to('acme-web', 'http')])], undefined, 'acme').ingress).toEqual([
        { name: 'acme-web', podSelector: { app: 'web' }, ports: [{ port: 'http', protocol: 'TCP' }] },
      ]);
    });

    it("resolves a port numbered by the backend to the Service port's target port, or the port itself when it has none", () => {
      expect(chartTraffic([...services(), ingress('web', [to('acme-web', 9113), to('acme-dns', 53)])], undefined, 'acme').ingress).toEqual([
        { name: 'acme-dns', podSelector: { app: 'dns' }, ports: [{ port: 53, protocol: 'UDP' }] },
        { name: 'acme-web', podSelector: { app: 'web' }, ports: [{ port: 9113, protocol: 'TCP' }] },
      ]);
    });

    it('keeps the protocol of the Service port, TCP when it names none', () => {
      const { ingress: targets } = chartTraffic([...services(), ingress('dns', [to('acme-dns', 'dns'), to('acme-dns', 'dns-tcp')])], undefined, 'acme');
      expect(targets).toEqual([{ name: 'acme-dns', podSelector: { app: 'dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }]);
    });

    it('merges every route to one Service into one target, each port once, across Ingresses and default backends, sorted by Service', () => {
      const objects = [
        ...services(),
        ingress('web', [to('acme-web', 'http'), to('acme-web', 80), to('acme-db', 'postgres')], to('acme-web', 'metrics')),
        ingress('admin', [to('acme-web', 'http')]),
      ];
      expect(chartTraffic(objects, undefined, 'acme')).toEqual({
        ingress: [
          { name: 'acme-db', podSelector: { app: 'db' }, ports: [{ port: 'postgres', protocol: 'TCP' }] },
          { name: 'acme-web', podSelector: { app: 'web' }, ports: [{ port: 9113, protocol: 'TCP' }, { port: 'http', protocol: 'TCP' }] },
        ],
        scrape: [],
        problems: [],
      });
    });

    it('fails when an Ingress routes to a Service the chart does not render', () => {
      expect(chartTraffic([...services(), ingress('web', [to('acme-web', 'http'), to('other-tenant', 80)])], undefined, 'acme')).toEqual({
        ingress: [{ name: 'acme-web', podSelector: { app: 'web' }, ports: [{ port: 'http', protocol: 'TCP' }] }],
        scrape: [],
        problems: [`Ingress "web" routes to Service "other-tenant", which the chart does not render${NOT_RENDERED}`],
      });
    });

    it('fails when an Ingress routes to a resource backend', () => {
      const resource = { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } };
      expect(chartTraffic([...services(), ingress('web', [resource])], undefined, 'acme').problems).toEqual([
        `Ingress "web" routes to a resource backend, which the chart does not render${NOT_RENDERED}`,
      ]);
    });

    it.each([
      ['name', to('acme-web', 'https')],
      ['number', to('acme-web', 8080)],
    ])('fails when an Ingress routes to a port %s the Service does not declare', (_, backend) => {
      const traffic = chartTraffic([...services(), ingress('web', [backend])], undefined, 'acme');
      expect(traffic.problems).toEqual([`Ingress "web" routes to a port of Service "acme-web" it does not declare${DECLARED_PORT}`]);
      expect(traffic.ingress).toEqual([]);
    });

    it.each([
      ['no selector', undefined],
      ['an empty selector', {}],
    ])('fails when an Ingress routes to a Service with %s', (_, selector) => {
      const objects = [service('external', selector, [{ name: 'http', port: 80 }]), ingress('web', [to('external', 'http')])];
      const traffic = chartTraffic(objects, undefined, 'acme');
      expect(traffic.problems).toEqual([`Ingress "web" routes to Service "external", which has no pod selector${DECLARED_PORT}`]);
      expect(traffic.ingress).toEqual([]);
    });

    it('reports every bad route of every Ingress', () => {
      const objects = [...services(), ingress('a', [to('x', 1), to('acme-web', 'nope')]), ingress('b', [to('y', 2)])];
      expect(chartTraffic(objects, undefined, 'acme').problems).toEqual([
        expect.stringContaining('Ingress "a" routes to Service "x"'),
        expect.stringContaining('Ingress "a" routes to a port of Service "acme-web"'),
        expect.stringContaining('Ingress "b" routes to Service "y"'),
      ]);
    });
  });

  describe('metrics', () => {
    it('scrapes, by default, the Services labelled with the release that have the metrics port, on its target port', () => {
      const objects = [...services(), service('other-web', { app: 'other' }, [{ name: 'metrics', port: 9113 }], { 'app.kubernetes.io/instance': 'globex' })];
      expect(chartTraffic(objects, { port: 'metrics' }, 'acme').scrape).toEqual([
        { name: 'acme-web', podSelector: { app: 'web' }, ports: [{ port: 9113, protocol: 'TCP' }] },
      ]);
    });

    it('uses the metrics selector on the Service labels', () => {
      const objects = [...services(), service('exporter', { app: 'exporter' }, [{ name: 'metrics', port: 9100, targetPort: 'prom' }], { scrape: 'yes' })];
      expect(chartTraffic(objects, { port: 'metrics', selector: { scrape: 'yes' } }, 'acme').scrape).toEqual([
        { name: 'exporter', podSelector: { app: 'exporter' }, ports: [{ port: 'prom', protocol: 'TCP' }] },
      ]);
    });

    it('skips matching Services without the port or without a pod selector', () => {
      const objects = [service('plain', { app: 'plain' }, [{ name: 'http', port: 80 }]), service('headless', undefined, [{ name: 'metrics', port: 9113 }])];
      expect(chartTraffic(objects, { port: 'metrics' }, 'acme').scrape).toEqual([]);
    });

    it('scrapes the pods of the metrics selector on the named container port for a PodMonitor', () => {
      const pods = (labels: Record<string, string>): KubeObject => ({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels } } },
      });
      expect(chartTraffic([...services(), pods({ app: 'web', tier: 'front' })], { kind: MetricsKind.POD_MONITOR, port: 'metrics', selector: { app: 'web' } }, 'acme').scrape).toEqual([
        { name: 'metrics', podSelector: { app: 'web' }, ports: [{ port: 'metrics', protocol: 'TCP' }] },
      ]);
      expect(chartTraffic([pods({ 'app.kubernetes.io/instance': 'globex' })], { kind: MetricsKind.POD_MONITOR, port: 'http-metrics' }, 'globex').scrape).toEqual([
        { name: 'metrics', podSelector: { 'app.kubernetes.io/instance': 'globex' }, ports: [{ port: 'http-metrics', protocol: 'TCP' }] },
      ]);
    });

    it('opens nothing for a PodMonitor when no pod of the chart matches its selector', () => {
      expect(chartTraffic(services(), { kind: MetricsKind.POD_MONITOR, port: 'metrics', selector: { app: 'web' } }, 'acme').scrape).toEqual([]);
    });
  });
});
