// Issue 9 regressions: bad input to the public API gets a SaaSplaneError naming the value and the
// fix, never another error type, and a failed construction leaves the app usable.
import * as fs from 'fs';
import * as path from 'path';
import { exampleOffering, FIXTURE_CHARTS, hosted, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { ChartSource, ConsumerAccess, Dependency, ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
import { captureError } from '../core/fixtures';

describe('bad input gets a clear error', () => {
  test.each([['constructor'], ['toString'], ['hasOwnProperty'], ['valueOf'], ['__proto__']])('fails when the plan %s is an Object.prototype member, naming the plans', (plan) => {
    const { offering } = exampleOffering();
    expect(captureError(() => offering.addTenant('acme', hosted('acme', { plan }))).message)
      .toContain(`plan ${JSON.stringify(plan)} does not exist: choose one of "small", "large"`);
  });

  test('fails when parameters nest deeper than 64 levels, instead of overflowing the stack', () => {
    const { offering } = exampleOffering();
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) deep = { theme: deep };
    expect(captureError(() => offering.addTenant('acme', { plan: 'small', parameters: deep })).message).toContain('parameters nest deeper than 64 levels');
  });

  test('fails when a parameter key holds a dotted path, saying how to nest it', () => {
    const { offering } = exampleOffering();
    const { problems } = captureError(() => offering.addTenant('acme', { plan: 'small', parameters: { 'ingress.host': 'acme.shop.example.com' } }));
    expect(problems[0]).toBe('parameter key "ingress.host" contains \'.\', which Helm reads as one key, not a path: write it nested, { ingress: { host: ... } }');
    expect(problems.join('\n')).not.toMatch(/is not one a tenant may set: allowed are .*"ingress.host"/);
  });

  test.each([
    ['a ConsumerAccess with the offering\'s id', (app: any, _offering: any, acme: any) => new ConsumerAccess(app, 'shop', { tenant: acme }), /consumer access "shop" cannot be added: the construct id "shop" is already used by shop/],
    ['two ConsumerAccess with one id', (app: any, _offering: any, acme: any) => {
      new ConsumerAccess(app, 'users', { tenant: acme });
      return new ConsumerAccess(app, 'users', { tenant: acme });
    }, /consumer access "users" cannot be added: the construct id "users" is already used by users/],
    ['two ProviderAccess with one id', (app: any, offering: any) => {
      new ProviderAccess(app, 'provider', { offering });
      return new ProviderAccess(app, 'provider', { offering });
    }, /provider access "provider" cannot be added/],
    ['a tenant named constructor', (_app: any, offering: any) => offering.addTenant('constructor', hosted('constructor', { plan: 'small' })),
      /tenant "constructor" cannot be added: the construct id "constructor" is the name of a JavaScript object member/],
  ])('fails with a clear error for %s', (_what, add, message) => {
    const { app, offering } = exampleOffering();
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(captureError(() => add(app, offering, acme)).message).toMatch(message);
  });

  test('tenants refused after rendering fail the synthesis together, each named with its reason, and nothing is written', () => {
    const { app, offering, outdir } = exampleOffering();
    offering.addTenant('acme', { plan: 'small', parameters: { ingress: { host: 'evil.com' } } });
    offering.addTenant('ok', hosted('ok', { plan: 'small' }));
    offering.addTenant('big', hosted('big', { plan: 'small', parameters: { replicaCount: 9 } }));
    const error = captureError(() => app.synth());
    expect(error.message).toMatch(/^2 tenants cannot be synthesized: 2 problems:/);
    expect(error.problems).toEqual([
      expect.stringMatching(/^tenant "acme" of offering "shop" cannot use the chart: .*"evil.com"/),
      expect.stringMatching(/^tenant "big" of offering "shop" cannot use the chart: 4 problems:\n  - plan "small" cannot hold the chart: limits.cpu 4100m needed/),
    ]);
    expect(fs.readdirSync(outdir)).toEqual([]);
    expect(() => offering.tenants.find((t) => t.tenantName === 'ok')!.planned).not.toThrow();
  });

  test('an offering refused with an empty id claims nothing: a corrected retry with its name works', () => {
    const { app } = exampleOffering({}, undefined);
    const app2 = new SaaSApp({ outdir: tempDir() });
    expect(captureError(() => new SaaSOffering(app2, '', { ...shop, name: 'shop' })).message).toContain('its construct id is empty');
    expect(new SaaSOffering(app2, 'shop', shop).offeringName).toBe('shop');
    expect(() => app.synthFiles()).not.toThrow();
  });

  test('a failed tenant leaves the offering usable: a corrected retry works', () => {
    const { app, offering } = exampleOffering();
    captureError(() => offering.addTenant('acme', hosted('acme', { plan: 'gold' })));
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(acme.plan).toBe('small');
    expect(() => app.synthFiles()).not.toThrow();
    expect(shop.name).toBe('shop');
  });
});

/** A temporary chart with one ConfigMap template, and `files` (relative path to content, or null for a directory) on top. */
function chartWith(files: Record<string, string | null>): string {
  const dir = tempDir('saasplane-chart-');
  const base: Record<string, string | null> = {
    'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n',
    'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n',
  };
  for (const [file, content] of Object.entries({ ...base, ...files })) {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (content === null) fs.mkdirSync(full, { recursive: true }); else fs.writeFileSync(full, content);
  }
  return dir;
}

const tinyPlans = { small: { quota: { cpu: '1', memory: '1Gi' } } };

describe('broken charts get a clear error naming the file', () => {
  test.each([
    ['an empty Chart.yaml', { 'Chart.yaml': '' }, /Chart.yaml must be a map with at least apiVersion, name and version/],
    ['a Chart.yaml that is a directory', { 'Chart.yaml': null }, /Chart.yaml is not a regular file/],
    ['a Chart.yaml without a name', { 'Chart.yaml': 'apiVersion: v2\nversion: 1.0.0\n' }, /Chart.yaml must be a map with at least apiVersion, name and version/],
    ['a malformed values.yaml', { 'values.yaml': 'a: [1, 2\nb: }' }, /values.yaml is not valid YAML: /],
    ['an alias bomb in values.yaml', { 'values.yaml': ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n') },
      /values.yaml is not valid YAML: Excessive alias count/],
    ['a values.yaml that is a list', { 'values.yaml': '- a\n- b\n' }, /values.yaml must be a map of values, not \["a","b"\]/],
    ['a schema whose type is a number', { 'values.schema.json': '{"type":12}' }, /values.schema.json is not a usable JSON Schema: schema is invalid: data\/type must be equal to one of the allowed values/],
    ['a schema that is true', { 'values.schema.json': 'true' }, /values.schema.json holds true, not a JSON Schema object/],
    ['a schema that is a string', { 'values.schema.json': '"hello"' }, /values.schema.json holds "hello", not a JSON Schema object/],
    ['a schema with a remote $ref', { 'values.schema.json': '{"properties":{"a":{"$ref":"https://example.com/s.json"}}}' },
      /values.schema.json is not a usable JSON Schema: can't resolve reference https:\/\/example.com\/s.json.*references must point inside the file/],
    ['a schema with a bad regex', { 'values.schema.json': '{"properties":{"a":{"type":"string","pattern":"(["}}}' }, /values.schema.json is not a usable JSON Schema: Invalid regular expression/],
  ])('fails for %s, leaving the app usable for a corrected retry', (_what, files, message) => {
    const app = new SaaSApp({ outdir: tempDir() });
    const chart = ChartSource.fromDirectory(chartWith(files));
    expect(captureError(() => new SaaSOffering(app, 'tiny', { chart, plans: tinyPlans })).message).toMatch(message);
    expect(app.synthFiles().size).toBe(0);
    new SaaSOffering(app, 'tiny', { chart: ChartSource.fromDirectory(chartWith({})), plans: tinyPlans }).addTenant('acme', { plan: 'small' });
    expect([...app.synthFiles().keys()]).toContain(path.join('tiny', 'acme', '30-app.yaml'));
  });

  test('fails when ChartSource.fromArchive is given a directory, suggesting fromDirectory', () => {
    const dir = chartWith({});
    const app = new SaaSApp({ outdir: tempDir() });
    expect(captureError(() => new SaaSOffering(app, 'tiny', { chart: ChartSource.fromArchive(dir), plans: tinyPlans })).message)
      .toContain(`is a directory, not a .tgz archive: use ChartSource.fromDirectory(${JSON.stringify(dir)})`);
  });

  test.each([
    ['fromDirectory(undefined)', () => ChartSource.fromDirectory(undefined as any), /ChartSource.fromDirectory was given an invalid argument: directory undefined must be a non-empty string/],
    ['fromArchive("")', () => ChartSource.fromArchive(''), /file "" must be a non-empty string/],
    ['fromOci without a version', () => ChartSource.fromOci('oci://r/c', undefined as any), /version undefined must be a non-empty string/],
    ['fromRepository without options', () => ChartSource.fromRepository(undefined as any), /repo undefined must be a non-empty string/],
  ])('fails for ChartSource.%s', (_what, make, message) => {
    expect(captureError(make).message).toMatch(message);
  });

  test('a chart that renders one object twice fails the synthesis with the tenant named, and emits none of its objects', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const offering = new SaaSOffering(app, 'shop', {
      chart: ChartSource.fromDirectory(path.join(FIXTURE_CHARTS, 'shadowing')), values: { twice: true }, plans: tinyPlans,
    });
    const acme = offering.addTenant('acme', { plan: 'small' });
    expect(captureError(() => app.synthFiles()).message).toContain('tenant "acme" of offering "shop" cannot use the chart: the chart renders ConfigMap "settings" twice');
    expect(acme.node.tryFindChild('App')).toBeUndefined();
  });
});

describe('charts helm itself would refuse, and schemas of every dialect helm reads', () => {
  test.each([
    ['a version that is not SemVer', { 'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: abc\n' }, 'version "abc" is not a SemVer version'],
    ['a name that is a path', { 'Chart.yaml': 'apiVersion: v2\nname: a/b\nversion: 1.0.0\n' }, 'name "a/b" must be a plain name, not a path'],
    ['a draft-06 schema with a type of 12', { 'values.schema.json': '{"$schema":"http://json-schema.org/draft-06/schema#","type":12}' }, 'is not a usable JSON Schema'],
    ['a library chart', { 'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: 1.0.0\ntype: library\n' },
      'a chart of type "library" is not installable: offer an application chart (one that depends on it)'],
  ])('fails for %s', (_what, files, message) => {
    const app = new SaaSApp({ outdir: tempDir() });
    expect(captureError(() => new SaaSOffering(app, 'tiny', { chart: ChartSource.fromDirectory(chartWith(files)), plans: tinyPlans })).message).toContain(message);
  });

  test('a chart whose subcharts are missing from charts/ fails the synthesis once, as the chart\'s problem, not each tenant\'s', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const chart = chartWith({ 'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: 0.1.0\ndependencies:\n  - name: cache\n    version: 1.0.0\n' });
    const offering = new SaaSOffering(app, 'tiny', { chart: ChartSource.fromDirectory(chart), plans: tinyPlans });
    offering.addTenant('acme', { plan: 'small' });
    offering.addTenant('globex', { plan: 'small' });
    expect(captureError(() => app.synthFiles()).message).toBe(`invalid chart: chart "tiny" 0.1.0 (chart directory ${chart}): `
      + 'found in Chart.yaml, but missing in charts/ directory: cache; run `helm dependency build` on it, or vendor its subcharts');
  });

  test.each([
    ['draft-04', '{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"n":{"type":"integer","maximum":3,"exclusiveMaximum":true}}}'],
    ['draft-06', '{"$schema":"http://json-schema.org/draft-06/schema#","type":"object","properties":{"n":{"type":"integer","exclusiveMaximum":3}}}'],
    ['the unversioned dialect', '{"$schema":"http://json-schema.org/schema#","type":"object","properties":{"n":{"type":"integer","maximum":2}}}'],
    ['version 1.0 and a "v" prefix', null],
  ])('accepts a chart with a %s values.schema.json and validates values with it', (_what, schema) => {
    const app = new SaaSApp({ outdir: tempDir() });
    const files: Record<string, string> = schema ? { 'values.schema.json': schema } : { 'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: v1.0\n' };
    const offering = new SaaSOffering(app, 'tiny', { chart: ChartSource.fromDirectory(chartWith(files)), plans: tinyPlans, values: { n: 3 } });
    if (schema) {
      expect(captureError(() => offering.addTenant('acme', { plan: 'small', parameters: {} })).message).toContain('value n = 3 violates chart "tiny" values.schema.json');
    } else {
      expect(offering.addTenant('acme', { plan: 'small' }).plan).toBe('small');
    }
  });

  test('helm missing is reported as such, not as the chart refusing the tenant\'s values', () => {
    const saved = process.env.HELM_BINARY;
    process.env.HELM_BINARY = '/nonexistent/helm';
    try {
      // the renderer is chosen with the offering: HELM_BINARY picks the helm CLI
      const { offering } = exampleOffering();
      const { message } = captureError(() => offering.addTenant('acme', hosted('acme', { plan: 'small' })).planned);
      expect(message).toContain('helm not found: "/nonexistent/helm" is not an executable');
      expect(message).not.toContain('refused the values');
    } finally {
      if (saved === undefined) delete process.env.HELM_BINARY; else process.env.HELM_BINARY = saved;
    }
  });
});

describe('found by the fuzzing suite', () => {
  test('label maps with a null prototype (Object.create(null)) synthesize instead of crashing cdk8s', () => {
    const dnsPods = Object.assign(Object.create(null), { 'k8s-app': 'kube-dns' });
    const { app, offering } = exampleOffering({ network: { ...shop.network, dnsPods } });
    offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(app.synthFiles().get(path.join('shop', 'acme', '10-guardrails.yaml'))).toContain('k8s-app: kube-dns');
  });

  test('a tenant named "9" gets string labels and names from the example chart (it quotes the release name)', () => {
    const { app, offering } = exampleOffering();
    offering.addTenant('9', hosted('9', { plan: 'small' }));
    const app30 = app.synthFiles().get(path.join('shop', '9', '30-app.yaml'))!;
    expect(app30).toContain("app.kubernetes.io/instance: '9'");
    expect(app30).toMatch(/kind: Ingress\nmetadata:\n[\s\S]*?\n {2}name: '9'\n/);
  });

  test('fails when a chart renders a label or a name that is not a string (an unquoted release name "9")', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const chart = ChartSource.fromDirectory(chartWith({ 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    instance: {{ .Release.Name }}\n' }));
    const offering = new SaaSOffering(app, 'tiny', { chart, plans: tinyPlans });
    const { problems } = captureError(() => offering.addTenant('9', { plan: 'small' }).planned);
    expect(problems).toEqual([
      expect.stringContaining('ConfigMap "9" (from tiny/templates/cm.yaml): its name 9 is not a string'),
      expect.stringContaining('labels value 9 of "instance" is not a label value'),
    ]);
    expect(problems[0]).toContain('quote values with `| quote`');
  });
});

test('fails when a chart renders the RoleBinding of any provider identity (saasplane-provider.<namespace>.<serviceAccount>)', () => {
  const app = new SaaSApp({ outdir: tempDir() });
  const binding = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: saasplane-provider.shop-system.deployer\n'
    + 'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: r }\nsubjects: []\n';
  const offering = new SaaSOffering(app, 'tiny', { chart: ChartSource.fromDirectory(chartWith({ 'templates/rb.yaml': binding })), plans: tinyPlans });
  expect(captureError(() => offering.addTenant('acme', { plan: 'small' }).planned).message)
    .toContain('the chart renders RoleBinding "saasplane-provider.shop-system.deployer", the name of one of saasplane\'s own objects');
});

describe('label maps are validated where they enter', () => {
  test.each([
    ['plan nodeSelector', { plans: { ...shop.plans, small: { ...shop.plans.small, nodeSelector: { 'pool/': 'x' } } } },
      'plan "small" nodeSelector key "pool/" is not a label key: its name "" must be letters'],
    ['dependency podSelector', { network: { dependencies: [Dependency.toNamespace('db', 'data', { podSelector: { app: 'has space' } })] } },
      'network.dependencies "db" podSelector value "has space" of "app" is not a label value'],
    ['DNS namespace selector', { network: { dnsNamespace: { 'Kubernetes.IO/name': 'kube-system' } } },
      'network.dnsNamespace key "Kubernetes.IO/name" is not a label key: its prefix "Kubernetes.IO" is not a lowercase DNS name'],
    ['DNS pod selector', { network: { dnsPods: { 'k8s-app': 'x'.repeat(64) } } }, 'network.dnsPods value'],
    ['ingress controller namespace selector', { network: { ingressControllerNamespace: { name: 7 as any } } }, 'network.ingressControllerNamespace value 7 of "name" is not a label value'],
    ['metrics selector', { metrics: { port: 'metrics', selector: { '-app': 'web' } } }, 'metrics.selector key "-app" is not a label key'],
    ['Prometheus namespace selector', { monitoring: { prometheusNamespaceSelector: 'monitoring' as any } }, 'monitoring.prometheusNamespaceSelector "monitoring" is not a map of labels'],
    ['rule labels', { monitoring: { ruleLabels: { release: 'prom-' } } }, 'monitoring.ruleLabels value "prom-" of "release" is not a label value'],
  ])('fails for an invalid %s', (_what, overrides, message) => {
    expect(captureError(() => exampleOffering(overrides as any)).message).toContain(message);
  });
});

describe('access identities', () => {
  test.each([
    ['a/b', 'a/b'], ['of 300 characters', 'x'.repeat(300)], ['../up', '../up'], ['-x', '-x'],
  ])('fails when an access id %s cannot name a file, before anything is written', (_what, id) => {
    const { app, offering } = exampleOffering();
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(captureError(() => new ConsumerAccess(app, id, { tenant: acme, name: 'users' })).message).toContain('names the access\' file in the output');
    expect(captureError(() => new ProviderAccess(app, id, { offering })).message).toContain('names the access\' file in the output');
    expect(() => app.synthFiles()).not.toThrow();
  });

  test('fails when two consumer access ids of one tenant differ only in case (one file on macOS and Windows)', () => {
    const { app, offering } = exampleOffering();
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    new ConsumerAccess(app, 'users', { tenant: acme, name: 'users' });
    expect(captureError(() => new ConsumerAccess(app, 'Users', { tenant: acme, name: 'team' })).message)
      .toContain('consumer access id "users" of tenant "acme" of offering "shop" is already used by consumer access "users": ids that differ only in case');
    expect(() => app.synthFiles()).not.toThrow();
  });

  test('fails when a ConsumerAccess is named saasplane-provider, the provider\'s RoleBinding in the tenant namespace', () => {
    const { app, offering } = exampleOffering();
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(captureError(() => new ConsumerAccess(app, 'users', { tenant: acme, name: 'saasplane-provider' })).message)
      .toContain('name "saasplane-provider" starts with "saasplane-", which saasplane keeps for its own objects');
  });

  test('fails at synthesis when two identities would be one object (two ConsumerAccess with one name)', () => {
    const { app, offering } = exampleOffering();
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    new ConsumerAccess(app, 'users', { tenant: acme, name: 'team' });
    new ConsumerAccess(app, 'admins', { tenant: acme, name: 'team' });
    expect(captureError(() => app.synthFiles()).message).toContain('ServiceAccount. "shop-acme/team" is planned twice, by users/ServiceAccount.team and by admins/ServiceAccount.team');
  });

  test('fails when a second ProviderAccess of one offering is for the same ServiceAccount', () => {
    const { app, offering } = exampleOffering();
    new ProviderAccess(app, 'ci', { offering });
    expect(captureError(() => new ProviderAccess(app, 'team', { offering })).message)
      .toContain('provider access "team" cannot be added: offering "shop" already has the provider access "ci" for the ServiceAccount shop-system/provider');
    expect(() => app.synthFiles()).not.toThrow();
  });
});

describe('other inputs', () => {
  test('fails when a tenant dependency has the name of an offering dependency (one NetworkPolicy name)', () => {
    const { offering } = exampleOffering();
    expect(captureError(() => offering.addTenant('acme', hosted('acme', { plan: 'small', dependencies: [Dependency.toCidr('payments-api', '198.51.100.0/24')] }))).message)
      .toContain('dependency "payments-api" is already declared by the offering');
  });

  const cycle: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  cycle.data = { self: cycle };
  test.each([
    ['a BigInt', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { n: 10n } }, 'sharedObjects[0] hold a bigint at data.n, which is not JSON data'],
    ['a function', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { f: () => 1 } }, 'hold a function at data.f'],
    ['a Symbol', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { s: Symbol('x') } }, 'hold a symbol at data.s'],
    ['a Date', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { d: new Date(0) } }, 'hold a Date at data.d, which is not JSON data'],
    ['a Map', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: new Map() }, 'hold a Map at data'],
    ['a cycle', cycle, 'sharedObjects[0] refer to themselves at data.self (a cycle)'],
    ['no kind', { apiVersion: 'v1', metadata: { name: 'a' } }, 'sharedObjects[0] kind undefined is not a Kubernetes kind'],
    ['a bad name', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'A_B' } }, 'sharedObjects[0] metadata.name "A_B" is not an object name'],
  ])('fails when sharedObjects hold %s', (_what, object, message) => {
    expect(captureError(() => exampleOffering({ sharedObjects: [object as any] })).message).toContain(message);
  });

  test('fails when a shared object has an invalid namespace or labels', () => {
    const { problems } = captureError(() => exampleOffering({ sharedObjects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'Team_A', labels: { 'a b': 'x' } } }] }));
    expect(problems).toEqual([expect.stringContaining('sharedObjects[0] metadata.namespace "Team_A" is not a valid DNS label'),
      expect.stringContaining('sharedObjects[0] metadata.labels key "a b" is not a label key')]);
  });

  test.each([
    ['an interval with units out of order', { metrics: { port: 'metrics', interval: '1s1m' } }, 'metrics.interval "1s1m" is not a Prometheus duration'],
    ['an interval with a unit twice', { metrics: { port: 'metrics', interval: '5s5s' } }, 'metrics.interval "5s5s"'],
    ['an expiry that is not ISO 8601', { expires: 'Feb 29 2027' }, 'expires "Feb 29 2027" is not a date: write it as ISO 8601'],
    ['an expiry without leading zeros', { expires: '2027-2-28' }, 'expires "2027-2-28" is not a date: write it as ISO 8601'],
  ])('fails for %s', (_what, overrides, message) => {
    expect(captureError(() => exampleOffering(overrides as any)).message).toContain(message);
  });

  test('accepts the intervals the Prometheus Operator accepts', () => {
    for (const interval of ['0', '30s', '1m30s', '1h', '500ms']) {
      expect(() => exampleOffering({ metrics: { port: 'metrics', interval } })).not.toThrow();
    }
  });

  test('names a consumer subject that is not a string as such', () => {
    const { app, offering } = exampleOffering();
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(captureError(() => new ConsumerAccess(app, 'users', { tenant: acme, groups: [7 as any] })).message).toContain('groups entry 7 is not a string');
  });

  test('shared objects of plain data synthesize, RBAC names with ":" included', () => {
    const { app } = exampleOffering({
      sharedObjects: [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'shop:reader' }, rules: [] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'shop:ops', namespace: 'shop-system' }, rules: [] },
      ],
    });
    expect(app.synthFiles().get(path.join('shop', '_shared', '00-shared-objects.yaml'))).toContain('name: shop:reader');
  });

  test('fails when parameters hold a BigInt instead of crashing in the renderer', () => {
    const { offering } = exampleOffering();
    expect(captureError(() => offering.addTenant('acme', hosted('acme', { plan: 'small', parameters: { replicaCount: 2n as any } }))).message)
      .toContain('parameters hold a bigint at replicaCount');
  });
});
