import * as path from 'path';
import { captureError, fakeLoadedChart, offeringSpec, resolved } from './fixtures';
import { ChartSource } from '../../src/core/chart-source';
import { ChartRenderer, HelmRenderer, loadChart, RenderedObject, RenderRequest } from '../../src/core/helm';
import type { KubeObject } from '../../src/core/kube';
import type { OfferingSpec } from '../../src/core/model';
import { renderTenantChart } from '../../src/core/plan-tenant';

/** A renderer returning fixed objects and recording what it was asked. */
class FakeRenderer implements ChartRenderer {
  public readonly requests: RenderRequest[] = [];
  constructor(private readonly objects: KubeObject[]) {}
  public render(request: RenderRequest): RenderedObject[] {
    this.requests.push(request);
    return this.objects.map((object) => ({ object: structuredClone(object), template: `x/templates/${object.metadata.name}.yaml` }));
  }
}

const WEB_SELECTOR = { app: 'web' };

function web(replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: WEB_SELECTOR },
      template: { metadata: { labels: WEB_SELECTOR }, spec: { containers: [{ name: 'app', image: 'web:1', imagePullPolicy: 'IfNotPresent' }] } },
    },
  };
}

function webService(): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: WEB_SELECTOR, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
}

function ingressTo(serviceName: string, host = 'acme.shop.example.com'): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web' },
    spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: serviceName, port: { name: 'http' } } } }] } }] },
  };
}

const SUBJECT = 'tenant "acme" of offering "shop" cannot use the chart';

describe('renderTenantChart', () => {
  const offering = offeringSpec({ ingressDomains: ['shop.example.com'], values: { replicaCount: 2 } });

  it('renders the release in the tenant namespace and returns the adapted objects', () => {
    const renderer = new FakeRenderer([web(), webService(), ingressTo('web')]);
    const chart = fakeLoadedChart();
    const objects = renderTenantChart(resolved(offering), { stable: chart }, renderer);
    expect(renderer.requests).toEqual([{ chart, releaseName: 'acme', namespace: 'shop-acme', values: { replicaCount: 2 }, kubeVersion: '1.34.0' }]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace}`)).toEqual(['Deployment/web@shop-acme', 'Service/web@shop-acme', 'Ingress/web@shop-acme']);
    expect((objects[0].spec as any).template.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  it('fails when the chart breaks a post-render guard, listing those problems only', () => {
    const small = offeringSpec({ plans: { small: { quota: { cpu: '1m', memory: '1Mi' } } } });
    const error = captureError(() => renderTenantChart(resolved(small), { stable: fakeLoadedChart() }, new FakeRenderer([web(5), webService(), ingressTo('missing')])));
    expect(error.message).toBe(`${SUBJECT}: Ingress "web" (from x/templates/web.yaml) serves host "acme.shop.example.com", but the offering declares no ingressDomains: `
      + 'set ingressDomains on the offering (e.g. ["shop.example.com"])');
  });

  it('fails when an Ingress routes outside the chart', () => {
    const error = captureError(() => renderTenantChart(resolved(offering), { stable: fakeLoadedChart() }, new FakeRenderer([web(), webService(), ingressTo('other')])));
    expect(error.problems).toEqual([
      'Ingress "web" routes to Service "other", which the chart does not render: the tenant\'s network policies open the ingress controller only to Services of its own chart',
    ]);
  });

  it("fails when the rendered workloads do not fit the tenant's plan, listing every quota", () => {
    const small = offeringSpec({ ingressDomains: ['shop.example.com'], plans: { small: { quota: { cpu: '1', memory: '4Gi', pods: 2 } } } });
    const error = captureError(() => renderTenantChart(resolved(small), { stable: fakeLoadedChart() }, new FakeRenderer([web(2), webService(), ingressTo('web')])));
    expect(error.message).toMatch(/^tenant "acme" of offering "shop" cannot use the chart: 2 problems:\n/);
    expect(error.problems).toEqual([
      'plan "small" cannot hold the chart: limits.cpu 1500m needed (Deployment "web": 3 pods incl. 1 surge for rolling updates × 500m) but the quota allows 1; '
        + "raise the plan's quota or lower the chart's replicas or limits in the plan's values",
      'plan "small" cannot hold the chart: pods 3 needed (Deployment "web": 3 pods incl. 1 surge for rolling updates) but the quota allows 2; raise quota.pods or lower the replicas',
    ]);
  });
});

describe('renderTenantChart with helm and the example chart', () => {
  const chart = loadChart(ChartSource.fromDirectory(path.join(__dirname, '..', '..', 'examples', 'charts', 'shop')));

  function shop(small: OfferingSpec['plans'][string]): OfferingSpec {
    return offeringSpec({
      chart: chart.source,
      values: { database: { existingSecret: 'shop-db-credentials', storageClassName: 'standard' } },
      consumerParameters: ['replicaCount', 'ingress.host'],
      plans: { small },
      storageClasses: ['standard'],
      ingressDomains: ['shop.example.com'],
      metrics: { port: 'metrics' },
    });
  }

  const acme = { parameters: { replicaCount: 2, ingress: { host: 'acme.shop.example.com' } } };

  it("fits two web replicas, their surge pod and the database in the example's small plan", () => {
    const small = { quota: { cpu: '1', cpuLimit: '2', memory: '2Gi', storage: '5Gi', pods: 10 }, values: { database: { storage: '2Gi' } } };
    const objects = renderTenantChart(resolved(shop(small), acme, { charts: { stable: chart } }), { stable: chart }, new HelmRenderer());
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/acme-config', 'Deployment/acme-web', 'Ingress/acme', 'Service/acme-db', 'Service/acme-web', 'StatefulSet/acme-db',
    ]);
  });

  it('fails when the plan allows 1 CPU of limits: the example needs 1400m', () => {
    const error = captureError(() => renderTenantChart(resolved(shop({ quota: { cpu: '1', memory: '2Gi', storage: '5Gi' } }), acme, { charts: { stable: chart } }), { stable: chart }, new HelmRenderer()));
    expect(error.problems).toEqual([
      'plan "small" cannot hold the chart: limits.cpu 1400m needed (Deployment "acme-web": 3 pods incl. 1 surge for rolling updates × 300m, '
        + 'StatefulSet "acme-db": 1 pod × 500m) but the quota allows 1; raise the plan\'s quota or lower the chart\'s replicas or limits in the plan\'s values',
    ]);
  });
});
