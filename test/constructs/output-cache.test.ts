// Issue 10, warm synthesis: SaaSApp keeps the files it wrote for each tenant beside the tenant's
// render, addressed by everything they depend on. A second synthesis takes them back without
// rendering or planning; any change to what a tenant's files depend on must miss, and what it
// writes must equal what a synthesis without the cache writes. Real helm renders.
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { EXAMPLE_CHART, hosted, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { ProviderAccess, SaaSApp, SaaSAppProps, SaaSOffering, SaaSOfferingProps, TenantOptions } from '../../src/constructs';
import { BatchHelmRenderer, ChartRenderer, ChartSource, Dependency, DiskRenderCache, HelmRenderer, renderCacheUsage } from '../../src/core';

interface Program {
  readonly offering?: Partial<SaaSOfferingProps>;
  readonly acme?: Partial<TenantOptions>;
  readonly app?: SaaSAppProps;
}

/** The example offering with tenants acme and globex and a provider, with a render cache in `cache`. */
function build(cache: string, program: Program = {}) {
  const renderer = new DiskRenderCache(new HelmRenderer(), cache);
  const app = new SaaSApp({ outdir: tempDir(), ...program.app });
  const offering = new SaaSOffering(app, 'shop', { ...shop, renderer, ...program.offering });
  const acme = offering.addTenant('acme', hosted('acme', { plan: 'small', ...program.acme }));
  offering.addTenant('globex', hosted('globex', { plan: 'large', parameters: { theme: 'dark' } }));
  new ProviderAccess(app, 'provider', { offering });
  return { app, offering, acme, renderer };
}

/** That program, synthesized. */
function synthesize(cache: string, program: Program = {}) {
  const built = build(cache, program);
  return { ...built, files: built.app.synthFiles() };
}

/** A copy of the example chart with one template changed: another chart digest. */
function changedChart(): ChartSource {
  const copy = path.join(tempDir(), 'shop');
  fs.cpSync(EXAMPLE_CHART, copy, { recursive: true });
  const template = path.join(copy, 'templates', fs.readdirSync(path.join(copy, 'templates')).find((f) => f.endsWith('.yaml'))!);
  fs.appendFileSync(template, '\n# changed\n');
  fs.writeFileSync(template, fs.readFileSync(template, 'utf8').replace(/^(\s*)labels:$/m, '$1labels:\n$1  example.com/changed: "yes"'));
  return ChartSource.fromDirectory(copy);
}

describe('the tenant files kept in the render cache', () => {
  const base = tempDir();
  const first = synthesize(base).files;

  test('a synthesis with nothing changed reads no render and writes the same files', () => {
    const warm = synthesize(base);
    expect(warm.files).toEqual(first);
    expect([warm.renderer.hits, warm.renderer.misses]).toEqual([0, 0]);
  });

  // [what changes, the program, whether the files differ (the example chart ignores the Kubernetes version)]
  const changes: Array<[string, () => Program, boolean?]> = [
    ['a parameter of the tenant', () => ({ acme: { parameters: { theme: 'ocean' } } })],
    ['the plan of the tenant', () => ({ acme: { plan: 'large' } })],
    ['the labels of the tenant', () => ({ acme: { labels: { 'billing.example.com/account': '42' } } })],
    ['the quota of the tenant', () => ({ acme: { quota: { pods: 30 } } })],
    ['the provider values of the tenant', () => ({ acme: { providerValues: { theme: 'ocean' } } })],
    ['the labels of the offering', () => ({ offering: { labels: { 'team.example.com/owner': 'shop' } } })],
    ['a network dependency of the offering', () => ({ offering: { network: { dependencies: [Dependency.toCidr('mail', '198.51.100.0/24')] } } })],
    ['the Kubernetes version of the offering', () => ({ offering: { kubeVersion: '1.33.0' } }), false],
    ['the chart', () => ({ offering: { chart: changedChart() } })],
  ];
  test.each(changes)('changing %s misses, and writes what a synthesis without kept files writes', (_what, change, differs = true) => {
    const program = change();
    const cached = synthesize(base, program);
    const fresh = synthesize(tempDir(), program);
    expect(cached.files).toEqual(fresh.files);
    expect(cached.files.get('shop/acme/30-app.yaml') !== first.get('shop/acme/30-app.yaml')
      || cached.files.get('shop/acme/10-guardrails.yaml') !== first.get('shop/acme/10-guardrails.yaml')).toBe(differs);
    expect(cached.renderer.hits + cached.renderer.misses).toBeGreaterThan(0);
  });

  test('after synthesis a tenant\'s objects leave the tree, and come back, rendered alone, when read', () => {
    const { acme, offering, files } = synthesize(base);
    expect(acme.node.tryFindChild('App')).toBeUndefined();
    expect(acme.planned.map((p) => p.object.kind)).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'NetworkPolicy']));
    expect(acme.apiObjectFor('Deployment', 'acme-web')!.toJson().metadata.namespace).toBe('shop-acme');
    const globex = offering.tenants.find((t) => t.tenantName === 'globex')!;
    expect(globex.node.tryFindChild('App')).toBeUndefined();
    expect(files.get('shop/acme/30-app.yaml')).toContain('name: acme-web');
  });

  test('not kept where something else decides what is written: a transform, a layout of the user\'s, a resolver', () => {
    const dir = tempDir();
    synthesize(dir);
    const before = renderCacheUsage(dir).entries;
    const transform = synthesize(dir, { offering: { transform: (o) => o } });
    expect(transform.renderer.hits).toBe(2);
    const resolver = synthesize(dir, { app: { resolvers: [{ resolve: () => undefined }] } });
    expect(resolver.renderer.hits).toBe(2);
    expect(renderCacheUsage(dir).entries).toBe(before);
    expect(resolver.files).toEqual(first);
  });
});

describe('tenants let go of after a synthesis', () => {
  test('are synthesized again by the next synthesis of the same app, streamed or not', () => {
    const dir = tempDir();
    const { app, files } = synthesize(dir);
    expect(app.synthFiles()).toEqual(files);
    app.synth();
    app.synth();
    expect(fs.readdirSync(path.join(app.outdir, 'shop')).sort()).toEqual(['_shared', 'acme', 'globex']);
    // a dependency keeps every object in the tree (cdk8s orders by it): the tenants come back
    const mine = new Chart(app, 'mine');
    mine.addDependency(app.node.findChild('shop'));
    expect(new Map([...app.synthFiles()].filter(([f]) => f.startsWith('shop/')))).toEqual(files);
  });

  test('are not lost when a synthesis stops midway: the next one writes every tenant', () => {
    // a renderer that fails once, on its second batch: 250 tenants were written and let go of, 270 were not taken yet
    const helm = new BatchHelmRenderer();
    let batches = 0;
    const flaky: ChartRenderer = {
      id: helm.id,
      render: (request) => helm.render(request),
      renderMany: (requests) => {
        if (++batches === 2) throw new Error('the renderer crashed');
        return helm.renderMany(requests);
      },
    };
    const app = new SaaSApp({ outdir: tempDir() });
    const offering = new SaaSOffering(app, 'shop', { ...shop, renderer: flaky, maxTenants: undefined });
    const names = Array.from({ length: 520 }, (_, i) => `t${i}`);
    names.forEach((name) => offering.addTenant(name, hosted(name, { plan: 'small' })));
    expect(() => app.synth()).toThrow('the renderer crashed');
    app.synth();
    expect(fs.readdirSync(path.join(app.outdir, 'shop')).length).toBe(names.length + 1);
  });

  test('are in the tree again for Testing.synth', () => {
    const { acme, offering } = synthesize(tempDir());
    expect(Testing.synth(acme).map((o) => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'ServiceMonitor', 'RoleBinding']));
    expect(offering.tenants.find((t) => t.tenantName === 'globex')!.toJson().length).toBeGreaterThan(10);
  });
});

describe('a kept tenant is checked like a rendered one', () => {
  test('the tenant that fails on a taken host is the one a synthesis without kept files names', () => {
    const dir = tempDir();
    synthesize(dir);
    // acme, added first, changes to globex's host: globex fails, whether its files were kept or not
    const program = { acme: { parameters: { ingress: { host: 'globex.shop.example.com' } } } };
    const warm = (() => {
      try {
        synthesize(dir, program);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    expect(warm).toMatch(/tenant "globex" of offering "shop" cannot be added: Ingress host "globex.shop.example.com" is already used by tenant "acme"/);
    expect(() => synthesize(tempDir(), program)).toThrow(warm);
  });

  test('its Ingress host is claimed: a new tenant with the same host fails', () => {
    const dir = tempDir();
    synthesize(dir);
    const { app, offering } = build(dir);
    offering.addTenant('zeta', { plan: 'small', parameters: { ingress: { host: 'acme.shop.example.com' } } });
    expect(() => app.synthFiles()).toThrow(/Ingress host "acme.shop.example.com" is already used by tenant "acme"/);
  });

  test('its objects are planned once: an object of the user\'s with the identity of one of them fails', () => {
    const dir = tempDir();
    synthesize(dir);
    const { app } = build(dir);
    const mine = new Chart(app, 'mine');
    new ApiObject(mine, 'deny', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop-acme' } });
    expect(() => app.synthFiles()).toThrow(/NetworkPolicy.*default-deny.* is planned twice, by .*shop\/acme\/Guardrails/);
  });
});
