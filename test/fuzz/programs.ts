// The generator of the public-API fuzzing suite: whole programs (an offering, its tenants, access
// identities, a second offering, an output folder) drawn from pools of valid and hostile values.
// Every hostile value carries a mark: text a clear error must contain (it names the value).
import * as fc from 'fast-check';
import { shop } from '../../examples/offering';
import { ChartSource, Dependency, MetricsKind, SharedObject, Values } from '../../src';
import type { ProviderAccessProps, SaaSOfferingProps, TenantOptions } from '../../src/constructs';

/** One value from a pool; `mark` is set on hostile values. */
export interface Choice<T> {
  readonly label: string;
  readonly value: T;
  readonly mark?: string;
  /** The mark holds only for the example chart (its values.schema.json, its Ingress). */
  readonly exampleChartOnly?: boolean;
}

const ok = <T>(label: string, value: T): Choice<T> => ({ label, value });
const bad = <T>(label: string, value: T, mark: string): Choice<T> => ({ label, value, mark });
const badForExample = <T>(label: string, value: T, mark: string): Choice<T> => ({ label, value, mark, exampleChartOnly: true });

/**
 * A valid choice five times as often as a hostile one, so that whole programs often succeed; with
 * `freeForm`, as often as a hostile one, a value of no known validity (it must give valid output or
 * a clear error, like any other).
 */
function pick<T>(valid: Array<Choice<T>>, hostile: Array<Choice<T>>, freeForm?: fc.Arbitrary<T>): fc.Arbitrary<Choice<T>> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 5 },
    { arbitrary: fc.constantFrom(...hostile), weight: 1 },
    ...(freeForm ? [{ arbitrary: freeForm.map((value) => ({ label: 'free-form', value })), weight: 1 }] : []),
  );
}

/** Strings of any characters, and strings of the characters of names, quantities and addresses. */
const anyText = fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: fc.constantFrom(...'abcXY09-_./:* '), maxLength: 70 }));
const labelMap = fc.dictionary(anyText, anyText, { maxKeys: 3 });

/** Charts the suite prepares once: the example packaged, and broken charts, by label. */
export interface PreparedCharts {
  readonly exampleArchive: string;
  readonly exampleDirectory: string;
  readonly shadowing: string;
  readonly broken: Record<string, string>;
}

const cycle = (): Values => {
  const values: Values = { a: {} };
  (values.a as Values).self = values;
  return values;
};
const deep = (): Values => {
  let values: Values = { leaf: 1 };
  for (let i = 0; i < 80; i++) values = { nested: values };
  return values;
};
const shared = (object: unknown) => [object as SharedObject];

const offeringChanges = pick<Partial<SaaSOfferingProps>>([
  ok('as in the example', {}),
  ok('baseline pods', { podSecurity: 'baseline' as any }),
  ok('one tenant at most', { maxTenants: 1 }),
  ok('two storage classes', { storageClasses: ['standard', 'fast'] }),
  ok('pod monitor', { metrics: { kind: MetricsKind.POD_MONITOR, port: 'metrics', interval: '1m' } }),
  ok('monitoring namespace and rule labels', { monitoring: { prometheusNamespace: 'obs', ruleLabels: { release: 'prom' } } }),
  ok('a namespace dependency', { network: { ...shop.network, dependencies: [...shop.network!.dependencies!, Dependency.toNamespace('db', 'data', { podSelector: { app: 'pg' }, ports: [{ port: 5432 }] })] } }),
  ok('DNS pods selector', { network: { ...shop.network, dnsPods: { 'k8s-app': 'coredns' } } }),
  ok('a shared ClusterRole', { sharedObjects: shared({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'shop:reader' }, rules: [] }) }),
  ok('a far expiry', { expires: '2099-12-31' }),
  ok('smaller default requests', { containerDefaults: { cpuRequest: '50m' } }),
  ok('ingress as a whole is a parameter', { consumerParameters: ['replicaCount', 'theme', 'ingress'] }),
  ok('YAML 1.1 look-alike strings in a shared object', {
    sharedObjects: shared({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-settings', namespace: 'shop-system' }, data: { a: '1_000', b: '0b1_0', c: '._1', d: 'on', e: '0777', f: 'e0' } }),
  }),
], [
  bad('pod security root', { podSecurity: 'root' as any }, '"root"'),
  bad('negative maxTenants', { maxTenants: -1 }, 'maxTenants -1'),
  bad('fractional maxTenants', { maxTenants: 1.5 }, 'maxTenants 1.5'),
  bad('uppercase storage class', { storageClasses: ['Fast'] }, '"Fast"'),
  bad('metrics interval soon', { metrics: { port: 'metrics', interval: 'soon' } }, '"soon"'),
  bad('empty metrics port', { metrics: { port: '' } }, 'metrics.port'),
  bad('metrics selector key', { metrics: { port: 'metrics', selector: { '-app': 'web' } } }, '"-app"'),
  bad('uppercase Prometheus namespace', { monitoring: { prometheusNamespace: 'Mon' } }, '"Mon"'),
  bad('rule label value', { monitoring: { ruleLabels: { release: 'prom-' } } }, '"prom-"'),
  bad('CIDR 0/0', { network: { dependencies: [Dependency.toCidr('any', '0/0')] } }, '"0/0"'),
  bad('CIDR abc/64', { network: { dependencies: [Dependency.toCidr('any', 'abc/64')] } }, '"abc/64"'),
  bad('CIDR 1::2::3/64', { network: { dependencies: [Dependency.toCidr('any', '1::2::3/64')] } }, '"1::2::3/64"'),
  bad('except outside cidr', { network: { dependencies: [Dependency.toCidr('any', '10.0.0.0/8', { except: ['192.168.0.0/16'] })] } }, '"192.168.0.0/16"'),
  bad('port 70000', { network: { dependencies: [Dependency.toCidr('any', '10.0.0.0/8', { ports: [{ port: 70000 }] })] } }, '70000'),
  bad('dependency name Bad_Name', { network: { dependencies: [Dependency.toCidr('Bad_Name', '10.0.0.0/8')] } }, '"Bad_Name"'),
  bad('dependency pod selector', { network: { dependencies: [Dependency.toNamespace('db', 'data', { podSelector: { app: 'a b' } })] } }, '"a b"'),
  bad('DNS namespace selector key', { network: { dnsNamespace: { 'Kubernetes.IO/name': 'x' } } }, '"Kubernetes.IO/name"'),
  bad('quota cpu abc', { plans: { ...shop.plans, gold: { quota: { cpu: 'abc', memory: '1Gi' } } } }, '"abc"'),
  bad('plan named Gold', { plans: { ...shop.plans, Gold: { quota: { cpu: '1', memory: '1Gi' } } } }, '"Gold"'),
  bad('no plans', { plans: {} }, 'no plans'),
  bad('negative pods', { plans: { ...shop.plans, gold: { quota: { cpu: '1', memory: '1Gi', pods: -1 } } } }, '-1'),
  bad('node selector key a/', { plans: { ...shop.plans, gold: { quota: { cpu: '1', memory: '1Gi' }, nodeSelector: { 'a/': 'x' } } } }, '"a/"'),
  bad('Exists toleration with a value', { plans: { ...shop.plans, gold: { quota: { cpu: '1', memory: '1Gi' }, tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] } } }, '"v"'),
  bad('toleration value of 64 characters', { plans: { ...shop.plans, gold: { quota: { cpu: '1', memory: '1Gi' }, tolerations: [{ key: 'k', value: 'v'.repeat(64) }] } } }, 'vvvvvvvv'),
  bad('values nested 80 deep', { values: deep() }, 'nest deeper than 64'),
  bad('a BigInt in values', { values: { n: 10n as any } }, 'bigint'),
  bad('a cycle in values', { values: cycle() }, 'cycle'),
  bad('a Date in values', { values: { when: new Date(0) as any } }, 'Date'),
  bad('a Map in values', { values: { map: new Map() as any } }, 'Map'),
  bad('a shared object named A', { sharedObjects: shared({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'A' } }) }, '"A"'),
  bad('a shared object with a function', { sharedObjects: shared({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { f: () => 1 } }) }, 'function'),
  bad('a shared object with a Symbol', { sharedObjects: shared({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { s: Symbol('s') } }) }, 'symbol'),
  bad('expiry 2027-02-29', { expires: '2027-02-29' }, '"2027-02-29"'),
  bad('expired', { expires: '2020-01-01' }, 'expired'),
  bad('expiry soon', { expires: 'soon' }, '"soon"'),
  bad('parameter path a..b', { consumerParameters: ['a..b'] }, '"a..b"'),
  bad('request above limit', { containerDefaults: { cpuRequest: '2', cpuLimit: '1' } }, 'exceeds'),
  bad('wildcard ingress domain', { ingressDomains: ['*.example.com'] }, '"*.example.com"'),
  bad('offering name shop-eu', { name: 'shop-eu' }, '"shop-eu"'),
  bad('offering name Shop', { name: 'Shop' }, '"Shop"'),
  bad('offering name of 31 characters', { name: 's'.repeat(31) }, 'sssssssss'),
], fc.oneof(
  anyText.map((expires) => ({ expires })),
  fc.string({ unit: fc.constantFrom(...'0123456789smhdwy'), maxLength: 8 }).map((interval) => ({ metrics: { port: 'metrics', interval } })),
  labelMap.map((nodeSelector) => ({ plans: { ...shop.plans, gold: { quota: { cpu: '1', memory: '1Gi' }, nodeSelector } } })),
  labelMap.map((dnsPods) => ({ network: { ...shop.network, dnsPods } })),
  fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6(), anyText), fc.integer({ min: -1, max: 200 }), fc.array(anyText, { maxLength: 2 }))
    .map(([address, prefix, except]) => ({ network: { dependencies: [Dependency.toCidr('net', `${address}/${prefix}`, { except })] } })),
  fc.record({ cpu: anyText, memory: anyText }).map((quota) => ({ plans: { ...shop.plans, gold: { quota } } })),
  anyText.map((storageClass) => ({ storageClasses: [storageClass] })),
  anyText.map((domain) => ({ ingressDomains: [domain] })),
));

/** How the offering's chart is given. */
export interface ChartChoice {
  readonly source: (charts: PreparedCharts) => ChartSource;
  /** Extra offering values (for the fixture charts). */
  readonly values?: Values;
  /** The example chart (its schema and Ingress apply). */
  readonly example?: boolean;
  /** Text a tenant's error must contain: a chart that fails only when rendered. */
  readonly tenantMark?: string;
}

const chartChoices = fc.oneof(
  { weight: 12, arbitrary: fc.constant(ok<ChartChoice>('the example directory', { source: (c) => ChartSource.fromDirectory(c.exampleDirectory), example: true })) },
  { weight: 2, arbitrary: fc.constant(ok<ChartChoice>('the example archive', { source: (c) => ChartSource.fromArchive(c.exampleArchive), example: true })) },
  { weight: 1, arbitrary: fc.constant(ok<ChartChoice>('a chart of one ConfigMap', { source: (c) => ChartSource.fromDirectory(c.shadowing) })) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      bad<ChartChoice>('fromArchive of a directory', { source: (c) => ChartSource.fromArchive(c.exampleDirectory) }, 'is a directory'),
      bad<ChartChoice>('a missing directory', { source: () => ChartSource.fromDirectory('/nonexistent/chart') }, 'no Chart.yaml'),
      bad<ChartChoice>('fromDirectory of nothing', { source: () => ChartSource.fromDirectory(undefined as any) }, 'directory undefined'),
      bad<ChartChoice>('an empty Chart.yaml', { source: (c) => ChartSource.fromDirectory(c.broken.emptyChartYaml) }, 'Chart.yaml'),
      bad<ChartChoice>('a Chart.yaml directory', { source: (c) => ChartSource.fromDirectory(c.broken.chartYamlDirectory) }, 'Chart.yaml'),
      bad<ChartChoice>('a malformed values.yaml', { source: (c) => ChartSource.fromDirectory(c.broken.malformedValues) }, 'values.yaml'),
      bad<ChartChoice>('an alias bomb', { source: (c) => ChartSource.fromDirectory(c.broken.aliasBomb) }, 'values.yaml'),
      bad<ChartChoice>('a schema of type 12', { source: (c) => ChartSource.fromDirectory(c.broken.schemaType12) }, 'values.schema.json'),
      bad<ChartChoice>('a schema that is true', { source: (c) => ChartSource.fromDirectory(c.broken.schemaTrue) }, 'values.schema.json'),
      bad<ChartChoice>('a schema with a remote $ref', { source: (c) => ChartSource.fromDirectory(c.broken.schemaRemoteRef) }, 'values.schema.json'),
      bad<ChartChoice>('a schema with a bad regex', { source: (c) => ChartSource.fromDirectory(c.broken.schemaBadRegex) }, 'values.schema.json'),
      ok<ChartChoice>('a chart rendering one object twice', { source: (c) => ChartSource.fromDirectory(c.shadowing), values: { twice: true }, tenantMark: '"settings" twice' }),
      ok<ChartChoice>('a chart rendering default-deny', { source: (c) => ChartSource.fromDirectory(c.shadowing), values: { defaultDeny: true }, tenantMark: '"default-deny"' }),
      ok<ChartChoice>('a chart rendering tenant-quota', { source: (c) => ChartSource.fromDirectory(c.shadowing), values: { quota: true }, tenantMark: '"tenant-quota"' }),
    ),
  },
);

const host = (tenant: string) => ({ ingress: { host: `${tenant}.shop.example.com` } });
type Parameters = (tenant: string) => Values;

/** One tenant of the program. */
export interface TenantStep {
  readonly name: Choice<string>;
  readonly plan: Choice<string>;
  readonly parameters: Choice<Parameters>;
  readonly options: Choice<Partial<TenantOptions>>;
}

const tenantStep: fc.Arbitrary<TenantStep> = fc.record({
  name: pick([ok('acme', 'acme'), ok('beta', 'beta'), ok('c', 'c')], [
    bad('Acme', 'Acme', '"Acme"'), bad('a-system', 'a-system', '"a-system"'), bad('system', 'system', '"system"'),
    bad('60 characters', 'x'.repeat(60), 'xxxxxxxx'), bad('a_b', 'a_b', '"a_b"'), bad('constructor', 'constructor', '"constructor"'), bad('empty', '', '""'),
  ], anyText),
  plan: pick([ok('small', 'small'), ok('large', 'large')], [bad('gold', 'gold', '"gold"'), bad('toString', 'toString', '"toString"'), bad('__proto__', '__proto__', '"__proto__"')]),
  parameters: pick<Parameters>([
    ok('own host', host),
    ok('own host, two replicas', (t) => ({ ...host(t), replicaCount: 2 })),
    ok('own host, dark theme', (t) => ({ ...host(t), theme: 'dark' })),
    ok('own host, ten replicas (fits large only)', (t) => ({ ...host(t), replicaCount: 10 })),
    ok('the chart default host', () => ({})),
  ], [
    badForExample('theme neon', (t) => ({ ...host(t), theme: 'neon' }), '"neon"'),
    badForExample('replicas 100', (t) => ({ ...host(t), replicaCount: 100 }), 'replicaCount = 100'),
    badForExample('replicas "2"', (t) => ({ ...host(t), replicaCount: '2' }), 'replicaCount = "2"'),
    bad('dotted key', () => ({ 'ingress.host': 'x.shop.example.com' }), '"ingress.host"'),
    bad('image tag', (t) => ({ ...host(t), image: { tag: 'latest' } }), '"image.tag"'),
    badForExample('host outside the domains', () => ({ ingress: { host: 'evil.com' } }), '"evil.com"'),
    bad('a BigInt', (t) => ({ ...host(t), replicaCount: 2n as any }), 'bigint'),
    bad('nested 80 deep', (t) => ({ ...host(t), theme: deep() }), 'nest deeper than 64'),
    bad('not an object', () => 'dark' as any, 'parameters must be an object'),
  ]),
  options: pick<Partial<TenantOptions>>([
    ok('no options', {}),
    ok('release r1', { releaseName: 'r1' }),
    ok('a namespace dependency', { dependencies: [Dependency.toNamespace('cache', 'redis', { podSelector: { app: 'redis' } })] }),
  ], [
    bad('release Bad', { releaseName: 'Bad' }, '"Bad"'),
    bad('release of 54 characters', { releaseName: 'r'.repeat(54) }, 'rrrrrrrr'),
    bad('dependency named like the offering\'s', { dependencies: [Dependency.toCidr('payments-api', '198.51.100.0/24')] }, '"payments-api"'),
    bad('dependency namespace Redis', { dependencies: [Dependency.toNamespace('cache', 'Redis')] }, '"Redis"'),
  ], fc.oneof(
    anyText.map((releaseName) => ({ releaseName })),
    fc.tuple(anyText, anyText, labelMap)
      .map(([name, namespace, podSelector]) => ({ dependencies: [Dependency.toNamespace(name, namespace, { podSelector })] })),
  )),
});

/** A consumer access to one of the tenants added so far. */
export interface ConsumerStep {
  readonly tenant: number;
  readonly id: Choice<string>;
  readonly name: Choice<string | undefined>;
  readonly subjects: Choice<{ users?: any[]; groups?: any[] }>;
}

const consumerStep: fc.Arbitrary<ConsumerStep> = fc.record({
  tenant: fc.nat(3),
  id: pick([ok('users', 'users'), ok('admins', 'admins')], [
    bad('a/b', 'a/b', '"a/b"'), bad('70 characters', 'u'.repeat(70), 'uuuuuuuu'), bad('the offering id', 'shop', '"shop"'), bad('constructor', 'constructor', '"constructor"'),
  ], anyText),
  name: pick<string | undefined>([ok('the id', undefined), ok('team', 'team')], [bad('saasplane-provider', 'saasplane-provider', '"saasplane-provider"'), bad('Team', 'Team', '"Team"')]),
  subjects: pick([ok('none', {}), ok('alice', { users: ['alice'] }), ok('devs', { groups: ['devs'] })], [bad('an empty user', { users: [''] }, '""'), bad('a number', { groups: [7] }, '7')],
    fc.record({ users: fc.array(anyText, { maxLength: 2 }), groups: fc.array(anyText, { maxLength: 2 }) })),
});

/** A provider access to the offering. */
export interface ProviderStep {
  readonly id: Choice<string>;
  readonly options: Choice<Partial<ProviderAccessProps>>;
}

const providerStep: fc.Arbitrary<ProviderStep> = fc.record({
  id: pick([ok('provider', 'provider'), ok('ci', 'ci')], [bad('a/b', 'a/b', '"a/b"')]),
  options: pick<Partial<ProviderAccessProps>>([ok('defaults', {}), ok('deployer', { serviceAccountName: 'deployer' }), ok('namespace ops', { namespace: 'ops' })], [
    bad('Deployer', { serviceAccountName: 'Deployer' }, '"Deployer"'), bad('namespace Ops', { namespace: 'Ops' }, '"Ops"'),
  ]),
});

/** Where the program synthesizes to; hostile folders run inside a sacrificial working directory. */
export type Outdir = 'fresh' | '' | '.' | '..' | 'through-a-file';

/** A whole program. */
export interface Program {
  readonly offeringId: Choice<string>;
  readonly offering: Array<Choice<Partial<SaaSOfferingProps>>>;
  readonly chart: Choice<ChartChoice>;
  readonly tenants: TenantStep[];
  readonly consumers: ConsumerStep[];
  readonly providers: ProviderStep[];
  /** A second offering: its id and name. */
  readonly second?: Choice<{ id: string; name: string }>;
  readonly outdir: Choice<Outdir>;
}

export const programs: fc.Arbitrary<Program> = fc.record({
  offeringId: pick([ok('shop', 'shop')], [bad('constructor', 'constructor', '"constructor"')]),
  offering: fc.array(offeringChanges, { maxLength: 3 }),
  chart: chartChoices,
  tenants: fc.array(tenantStep, { maxLength: 4 }),
  consumers: fc.array(consumerStep, { maxLength: 2 }),
  providers: fc.array(providerStep, { maxLength: 2 }),
  second: fc.option(fc.constantFrom(ok('shop2', { id: 'shop2', name: 'shop2' }), ok('another shop', { id: 'shop2', name: 'shop' })), { nil: undefined }),
  outdir: pick<Outdir>([ok('a fresh folder', 'fresh')], [
    bad('empty', '', 'is empty'), bad('.', '.', 'working directory'), bad('..', '..', 'working directory'), bad('through a file', 'through-a-file', 'goes through the file'),
  ]),
});
