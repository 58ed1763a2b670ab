// The output contract of SaaSApp: layout, determinism, atomicity, and one error per bad input.
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { exampleOffering, FIXTURE_CHARTS, hosted, readTree, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { ChartSource, ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';

function synthExample(outdir: string): void {
  const { app, offering } = exampleOffering({}, outdir);
  const acme = offering.addTenant('acme', hosted('acme', { plan: 'small', parameters: { replicaCount: 2 } }));
  offering.addTenant('globex', hosted('globex', { plan: 'large', parameters: { theme: 'dark' } }));
  new ProviderAccess(app, 'provider', { offering });
  new ConsumerAccess(app, 'acme-users', { tenant: acme });
  app.synth();
}

describe('SaaSApp synthesis', () => {
  test('writes one folder per tenant and _shared per offering', () => {
    const outdir = tempDir();
    synthExample(outdir);
    expect([...readTree(outdir).keys()]).toEqual([
      'shop/_shared/00-namespace.yaml',
      'shop/_shared/10-admission.yaml',
      'shop/_shared/20-provider-provider.yaml',
      'shop/_shared/40-monitoring.yaml',
      'shop/acme/00-namespace.yaml',
      'shop/acme/10-guardrails.yaml',
      'shop/acme/20-provider-provider.yaml',
      'shop/acme/21-consumer-acme-users.yaml',
      'shop/acme/25-claims.yaml',
      'shop/acme/30-app.yaml',
      'shop/acme/40-monitoring.yaml',
      'shop/globex/00-namespace.yaml',
      'shop/globex/10-guardrails.yaml',
      'shop/globex/20-provider-provider.yaml',
      'shop/globex/25-claims.yaml',
      'shop/globex/30-app.yaml',
      'shop/globex/40-monitoring.yaml',
    ]);
  });

  test('is deterministic: two syntheses give byte-identical trees', () => {
    const first = tempDir();
    const second = tempDir();
    synthExample(first);
    synthExample(second);
    const a = readTree(first);
    const b = readTree(second);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, content] of a) {
      expect(b.get(file)).toBe(content);
    }
  });

  test('replaces the previous output as a whole, removing files of deleted tenants', () => {
    const outdir = tempDir();
    fs.mkdirSync(path.join(outdir, 'shop', 'removed-tenant'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'shop', 'removed-tenant', '00-namespace.yaml'), 'stale');
    synthExample(outdir);
    expect(fs.existsSync(path.join(outdir, 'shop', 'removed-tenant'))).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir)).filter((f) => f.startsWith(`.${path.basename(outdir)}.tmp-`))).toEqual([]);
  });

  test('leaves the previous output untouched when synthesis fails', () => {
    const outdir = tempDir();
    synthExample(outdir);
    const before = readTree(outdir);
    const { app, offering } = exampleOffering({}, outdir);
    offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    // an invalid construct found by validation during synth
    offering.node.addValidation({ validate: () => ['the provider forgot something'] });
    expect(() => app.synth()).toThrow(/the provider forgot something/);
    expect(readTree(outdir)).toEqual(before);
  });

  test('leaves the previous output untouched when a tenant is invalid', () => {
    const outdir = tempDir();
    synthExample(outdir);
    const before = readTree(outdir);
    expect(() => {
      const { app, offering } = exampleOffering({}, outdir);
      offering.addTenant('acme', { plan: 'gold' });
      app.synth();
    }).toThrow(/plan "gold" does not exist/);
    expect(readTree(outdir)).toEqual(before);
  });

  test('leaves the previous output untouched when an object fails to serialize after files were written', () => {
    const outdir = tempDir();
    synthExample(outdir);
    const before = readTree(outdir);
    const { app, offering } = exampleOffering({}, outdir);
    offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    // files are written as they are serialized; this object sorts after acme's files
    const late = new Chart(app, 'zz-late');
    new ApiObject(late, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' }, data: { value: Lazy.any({ produce: () => { throw new Error('cannot produce'); } }) } });
    expect(() => app.synth()).toThrow(/cannot produce/);
    expect(readTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir)).filter((f) => f.startsWith(`.${path.basename(outdir)}.tmp-`))).toEqual([]);
  });

  test('writes charts that are not saasplane constructs next to the offerings', () => {
    const outdir = tempDir();
    const app = new SaaSApp({ outdir });
    const chart = new Chart(app, 'platform');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'platform-config' } });
    app.synth();
    expect(fs.readFileSync(path.join(outdir, 'platform.k8s.yaml'), 'utf8')).toContain('name: platform-config');
  });
});

describe('bad input: a clear error, nothing written', () => {
  const newOffering = (overrides: object = {}) => exampleOffering(overrides).offering;

  test('fails when the tenant name is not a DNS label', () => {
    expect(() => newOffering().addTenant('Acme_1', { plan: 'small' }))
      .toThrow(/tenant name "Acme_1" is not a valid DNS label: use lowercase letters, digits and '-'.*at most 53 characters/);
  });

  test('fails when the tenant name does not fit the namespace budget', () => {
    expect(() => newOffering().addTenant('a'.repeat(59), { plan: 'small' })).toThrow(/at most 53 characters \(namespace "shop-<tenant>" must fit in 63/);
  });

  test('fails when the tenant already exists', () => {
    const offering = newOffering();
    offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(() => offering.addTenant('acme', { plan: 'small' })).toThrow(/tenant "acme" already exists in offering "shop"/);
  });

  test('fails when the plan is unknown, listing the plans', () => {
    expect(() => newOffering().addTenant('acme', { plan: 'gold' })).toThrow(/plan "gold" does not exist: choose one of "small", "large"/);
  });

  test('fails when a parameter is outside the allowlist, naming the path', () => {
    expect(() => newOffering().addTenant('acme', { plan: 'small', parameters: { image: { tag: 'evil' } } }))
      .toThrow(/parameter "image.tag" is not one a tenant may set: allowed are "replicaCount", "theme", "ingress.host"/);
  });

  test('fails when a value violates the chart schema, naming the field, before helm runs', () => {
    const render = jest.fn();
    const offering = newOffering({ renderer: { render } });
    expect(() => offering.addTenant('acme', { plan: 'small', parameters: { theme: 'pink', replicaCount: 0 } }))
      .toThrow(/value theme = "pink" violates chart "shop" values.schema.json: must be equal to one of the allowed values: allowed values are "light", "dark", "ocean"/);
    expect(() => offering.addTenant('acme', { plan: 'small', parameters: { replicaCount: 0 } })).toThrow(/value replicaCount = 0 violates/);
    expect(render).not.toHaveBeenCalled();
  });

  test('lists every problem of a tenant in one error', () => {
    let error: any;
    try {
      newOffering().addTenant('Bad_Name', { plan: 'gold', parameters: { secret: 1 } });
    } catch (e) {
      error = e;
    }
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(/3 problems/);
  });

  test('fails when a quota quantity cannot be parsed', () => {
    expect(() => newOffering({ plans: { small: { quota: { cpu: 'two', memory: '4GB' } } } }))
      .toThrow(/plan "small" quota.cpu "two" is not a Kubernetes quantity[\s\S]*quota.memory "4GB" is not a Kubernetes quantity/);
  });

  test('fails when helm is missing, saying how to install it', () => {
    const saved = process.env.HELM_BINARY;
    process.env.HELM_BINARY = '/nonexistent/helm';
    try {
      expect(() => newOffering().addTenant('acme', { plan: 'small' }).planned).toThrow(/"\/nonexistent\/helm" is not an executable: install it with `go install helm.sh\/helm\/v3\/cmd\/helm@v3.21.4`/);
    } finally {
      if (saved === undefined) delete process.env.HELM_BINARY; else process.env.HELM_BINARY = saved;
    }
  });

  test('fails when the chart refuses the values, naming the tenant, the values passed and helm\'s message', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const offering = new SaaSOffering(app, 'broken', { chart: ChartSource.fromDirectory(path.join(FIXTURE_CHARTS, 'broken')), plans: shop.plans });
    expect(() => offering.addTenant('acme', { plan: 'small' }).planned).toThrow(new RegExp('tenant "acme" of offering "broken" cannot be rendered: chart "broken" 0.1.0 refused '
      + 'the values \\{"database":\\{"storage":"2Gi"\\}\\} \\(offering values < plan "small" values < the tenant\'s parameters < provider values\\): '
      + 'execution error at \\(broken/templates/cm.yaml:6:15\\): value \'greeting\' is required by the broken chart \\((`.*helm template acme|helm\'s template code in .*saasplane-render\\))'));
  });

  test('fails when the chart is not found', () => {
    expect(() => newOffering({ chart: ChartSource.fromDirectory('/nonexistent/chart') })).toThrow(/chart not found: chart directory \/nonexistent\/chart: no Chart.yaml/);
    expect(() => newOffering({ chart: ChartSource.fromArchive('/nonexistent/chart-1.0.0.tgz') })).toThrow(/chart not found: chart archive .* the file does not exist/);
  });

  test('fails when a tenant chart renders cluster-scoped objects, naming kind and name', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const offering = new SaaSOffering(app, 'cs', { chart: ChartSource.fromDirectory(path.join(FIXTURE_CHARTS, 'cluster-scoped')), plans: shop.plans });
    const acme = offering.addTenant('acme', { plan: 'small' });
    expect(() => acme.planned).toThrow(/2 problems:[\s\S]*cluster-scoped Namespace "acme-extra" \(from cluster-scoped\/templates\/objects.yaml\)/);
    expect(() => acme.planned).toThrow(/cluster-scoped ClusterRole "acme-reader" \(from cluster-scoped\/templates\/objects.yaml\): .* declare it once on the offering with `sharedObjects`/);
    expect(() => app.synthFiles()).toThrow(/cluster-scoped Namespace "acme-extra"/);
  });

  test('fails when the license allows no more tenants', () => {
    const offering = newOffering({ maxTenants: 1 });
    offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(() => offering.addTenant('globex', hosted('globex', { plan: 'small' }))).toThrow(/license allows at most 1 tenants and 1 exist/);
  });

  test('fails when the offering has expired', () => {
    expect(() => newOffering({ expires: '2020-01-01' })).toThrow(/license expired on 2020-01-01/);
    expect(() => newOffering({ expires: 'soon' })).toThrow(/expires "soon" is not a date/);
  });
});
