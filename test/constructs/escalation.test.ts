// The escalation paths of the cluster review that synthesis must refuse, each reproduced as it was
// found (issue: namespace collisions, charts that widen isolation, fairness, a plan too small for
// its chart). What is refused on the API server is in test/integration/cluster.test.ts.
import * as path from 'path';
import { exampleOffering, FIXTURE_CHARTS, hosted, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { ChartSource, SaaSApp, SaaSOffering } from '../../src/constructs';

/** Adds tenant acme of an offering on the fixture chart `chart` with `values` and renders it (reading `planned`), when called. */
function fixtureTenant(chart: string, values: Record<string, boolean>): () => unknown {
  const app = new SaaSApp({ outdir: tempDir() });
  const offering = new SaaSOffering(app, 'shop', {
    chart: ChartSource.fromDirectory(path.join(FIXTURE_CHARTS, chart)),
    values,
    plans: { small: { quota: { cpu: '1', memory: '1Gi' } } },
  });
  return () => offering.addTenant('acme', { plan: 'small' }).planned;
}

describe('namespace collisions', () => {
  test('fails when an offering name contains "-": shop + tenant a-x and shop-a + tenant x would share shop-a-x', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const offering = new SaaSOffering(app, 'shop', shop);
    offering.addTenant('a-x', hosted('a-x', { plan: 'small' }));
    expect(() => new SaaSOffering(app, 'shop-a', { ...shop, name: 'shop-a' })).toThrow(/offering name "shop-a" contains '-'/);
  });

  test('fails when a tenant namespace would look like an offering\'s own (shop + a-system = shop-a-system)', () => {
    const { offering } = exampleOffering();
    expect(() => offering.addTenant('a-system', hosted('a-system', { plan: 'small' })))
      .toThrow(/tenant name "a-system" ends with "-system": its namespace "shop-a-system" would look like an offering's own namespace/);
  });

  test('fails when two offerings of one app have the same name (one namespace shop-system)', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    new SaaSOffering(app, 'shop', shop);
    expect(() => new SaaSOffering(app, 'shop2', { ...shop, name: 'shop' })).toThrow(/namespace "shop-system" is already used by offering "shop" \(construct shop\)/);
  });
});

describe('tenant charts that widen isolation', () => {
  const widening = (values: Record<string, boolean>) => fixtureTenant('widening', values);

  test('synthesizes the chart without the widening objects', () => {
    expect(() => widening({})()).not.toThrow();
  });
  test('fails when the chart renders an allow-all NetworkPolicy (policies add up)', () => {
    expect(widening({ allowAll: true })).toThrow(/NetworkPolicy "allow-all" .* opens traffic to or from outside the tenant namespace/);
  });
  test('fails when the chart binds cluster-admin', () => {
    expect(widening({ clusterAdmin: true })).toThrow(/RoleBinding "admin" .* binds the ClusterRole "cluster-admin"/);
  });
  test('fails when a Service sets externalIPs (CVE-2020-8554)', () => {
    expect(widening({ externalIPs: true })).toThrow(/Service "acme-web" .* sets externalIPs \["203.0.113.7"\]/);
  });
  test('fails when a Service is of type ExternalName', () => {
    expect(widening({ externalName: true })).toThrow(/Service "metadata" .* is of type ExternalName/);
  });
});

describe('fairness', () => {
  test('fails when two tenants serve the same Ingress host', () => {
    const { offering } = exampleOffering();
    offering.addTenant('acme', { plan: 'small', parameters: { ingress: { host: 'acme.shop.example.com' } } });
    expect(() => offering.addTenant('globex', { plan: 'small', parameters: { ingress: { host: 'acme.shop.example.com' } } }).planned)
      .toThrow(/Ingress host "acme.shop.example.com" is already used by tenant "acme" of offering "shop"/);
  });

  test('fails when a tenant serves a host outside the offering\'s domains', () => {
    const { offering } = exampleOffering();
    expect(() => offering.addTenant('acme', { plan: 'small', parameters: { ingress: { host: 'login.example.org' } } }).planned)
      .toThrow(/serves host "login.example.org", outside the offering's domains "shop.example.com"/);
  });

  test('fails when the plan cannot hold what the tenant asks for, naming the numbers', () => {
    const { offering } = exampleOffering();
    expect(() => offering.addTenant('acme', hosted('acme', { plan: 'small', parameters: { replicaCount: 5 } })).planned)
      .toThrow(/plan "small" cannot hold the chart: limits.cpu 2600m needed \(Deployment "acme-web": 7 pods incl. 2 surge for rolling updates × 300m, StatefulSet "acme-db": 1 pod × 500m\) but the quota allows 2/);
  });

  test('the example\'s small plan holds two web replicas, their surge pod and the database', () => {
    const { offering } = exampleOffering();
    expect(() => offering.addTenant('acme', hosted('acme', { plan: 'small', parameters: { replicaCount: 2 } })).planned).not.toThrow();
  });
});

describe('chart objects that shadow saasplane\'s own (issue 9)', () => {
  const shadowing = (values: Record<string, boolean>) => fixtureTenant('shadowing', values);

  test('synthesizes the chart without colliding objects', () => {
    expect(() => shadowing({})()).not.toThrow();
  });
  test('fails when the chart renders the default-deny NetworkPolicy', () => {
    expect(shadowing({ defaultDeny: true })).toThrow(/the chart renders NetworkPolicy "default-deny", the name of one of saasplane's own objects/);
  });
  test('fails when the chart renders the tenant-quota ResourceQuota', () => {
    expect(shadowing({ quota: true })).toThrow(/the chart renders ResourceQuota "tenant-quota", the name of one of saasplane's own objects/);
  });
  test('fails when the chart renders one object twice', () => {
    expect(shadowing({ twice: true })).toThrow(/the chart renders ConfigMap "settings" twice/);
  });
});
