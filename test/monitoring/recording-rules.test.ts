// The per-tenant consumption recording rules, checked and unit-tested with the real promtool:
// `promtool check rules` on the generated groups, then `promtool test rules` on synthetic
// kube-state-metrics and cAdvisor series for two tenants of one offering, a namespace of another
// offering and a non-saasplane namespace. A negative control proves the promtool test can fail.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { ChartSource } from '../../src/core/chart-source';
import type { OfferingSpec } from '../../src/core/model';
import { CONSUMPTION_SERIES, planRecordingRules, recordingRuleGroups } from '../../src/core/plan-offering';
import { quotaRuleGroups } from '../../src/core/quota-rules';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** Runs promtool; throws (never skips) when it cannot be started at all. */
function promtool(args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) {
    throw new Error(`cannot run promtool ("${PROMTOOL}"): ${result.error.message}. `
      + 'Install it with `bash scripts/setup.sh`, or set PROMTOOL to the promtool binary.');
  }
  return result;
}

function describeRun(args: string[], result: SpawnSyncReturns<string>): string {
  return `${PROMTOOL} ${args.join(' ')} exited with status ${result.status} (signal ${result.signal})\n`
    + `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

/** Fails with promtool's full output unless it exited 0. */
function expectSuccess(args: string[], result: SpawnSyncReturns<string>): void {
  if (result.status !== 0) {
    throw new Error(describeRun(args, result));
  }
  expect(result.status).toBe(0);
}

function offeringSpec(name: string): OfferingSpec {
  return {
    name,
    chart: ChartSource.fromDirectory('/x'),
    plans: {
      small: { quota: { cpu: '1', memory: '1Gi' } },
      large: { quota: { cpu: '4', memory: '8Gi' } },
    },
  } as OfferingSpec;
}

const shop = offeringSpec('shop');

const yaml = (doc: unknown) => YAML.stringify(doc, { lineWidth: 0 });

// ---------------------------------------------------------------------------------------------
// Synthetic input, sampled every minute from 0m to 15m. A counter runs at 4x its rate for the first
// 5 minutes and at its rate afterwards, so at 10m rate(...[5m]) is exactly the rate while any longer
// window would be higher. Rates are powers of two (times small integers): Prometheus' rate() is off by
// one ulp for some others (a rate of 1000/s gives 1000.0000000000001), and promtool compares exactly.
// ---------------------------------------------------------------------------------------------
const MINUTES = 15;
const EVAL_TIME = '10m';
const constant = (v: number) => `${v}x${MINUTES}`;
const perSecond = (rate: number) => `0+${4 * rate * 60}x5 ${21 * rate * 60}+${rate * 60}x${MINUTES - 6}`;
const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

interface Series { readonly series: string; readonly values: string }

function series(name: string, labels: Record<string, string>, values: string): Series {
  const body = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return { series: `${name}{${body}}`, values };
}

const KSM = { job: 'kube-state-metrics', instance: '10.0.0.5:8080' };
const CADVISOR = { job: 'kubelet', metrics_path: '/metrics/cadvisor', instance: '10.0.0.10:10250' };

function namespaceLabels(namespace: string, saasplane?: { offering: string; tenant: string; plan: string }): Series {
  const labels: Record<string, string> = { ...KSM, namespace };
  if (saasplane) {
    labels.label_saasplane_io_offering = saasplane.offering;
    labels.label_saasplane_io_tenant = saasplane.tenant;
    labels.label_saasplane_io_plan = saasplane.plan;
  }
  return series('kube_namespace_labels', labels, constant(1));
}

const cpu = (namespace: string, pod: string, container: string, image: string, cores: number) =>
  series('container_cpu_usage_seconds_total', { ...CADVISOR, namespace, pod, container, image }, perSecond(cores));
const memory = (namespace: string, pod: string, container: string, image: string, bytes: number) =>
  series('container_memory_working_set_bytes', { ...CADVISOR, namespace, pod, container, image }, constant(bytes));
const pvc = (namespace: string, claim: string, bytes: number) =>
  series('kube_persistentvolumeclaim_resource_requests_storage_bytes', { ...KSM, namespace, persistentvolumeclaim: claim }, constant(bytes));
const rx = (namespace: string, pod: string, iface: string, bytesPerSecond: number) =>
  series('container_network_receive_bytes_total', { ...CADVISOR, namespace, pod, interface: iface }, perSecond(bytesPerSecond));
const tx = (namespace: string, pod: string, iface: string, bytesPerSecond: number) =>
  series('container_network_transmit_bytes_total', { ...CADVISOR, namespace, pod, interface: iface }, perSecond(bytesPerSecond));

/** A tenant's and a foreign namespace's workloads, all of which the node-level metrics see. */
function workload(namespace: string, pods: string[], scale: number): Series[] {
  return pods.flatMap((pod) => [
    cpu(namespace, pod, 'app', 'registry.example/app:1', 0.5 * scale),
    cpu(namespace, pod, '', '', 0.75 * scale), // the pod-level cgroup: already the sum of its containers
    cpu(namespace, pod, '', 'registry.k8s.io/pause:3.9', 0.125 * scale), // the sandbox under containerd
    memory(namespace, pod, 'app', 'registry.example/app:1', 100 * Mi * scale),
    memory(namespace, pod, '', '', 150 * Mi * scale),
    memory(namespace, pod, '', 'registry.k8s.io/pause:3.9', 1 * Mi * scale),
    rx(namespace, pod, 'eth0', 1024 * scale),
    tx(namespace, pod, 'eth0', 512 * scale),
  ]);
}

const INPUT_SERIES: Series[] = [
  namespaceLabels('shop-acme', { offering: 'shop', tenant: 'acme', plan: 'small' }),
  namespaceLabels('shop-globex', { offering: 'shop', tenant: 'globex', plan: 'large' }),
  namespaceLabels('other-x', { offering: 'other', tenant: 'x', plan: 'small' }),
  namespaceLabels('kube-system'),
  namespaceLabels('default'),

  // shop-acme: one pod, one container using 0.5 cores; one claim of 1Gi.
  ...workload('shop-acme', ['app-0'], 1),
  pvc('shop-acme', 'data-app-0', 1 * Gi),

  // shop-globex: two pods at 4x acme's rates (2 cores each); a second container and a second
  // interface on web-0; two claims.
  ...workload('shop-globex', ['web-0', 'web-1'], 4),
  cpu('shop-globex', 'web-0', 'sidecar', 'registry.example/proxy:2', 0.25),
  memory('shop-globex', 'web-0', 'sidecar', 'registry.example/proxy:2', 32 * Mi),
  rx('shop-globex', 'web-0', 'eth1', 128),
  tx('shop-globex', 'web-0', 'eth1', 64),
  pvc('shop-globex', 'data-web-0', 10 * Gi),
  pvc('shop-globex', 'data-web-1', 5 * Gi),

  // Another offering and kube-system: busy, but never attributed to shop.
  ...workload('other-x', ['x-0'], 16),
  pvc('other-x', 'data-x-0', 100 * Gi),
  ...workload('kube-system', ['coredns-0', 'kube-proxy-abc'], 8),
  pvc('kube-system', 'etcd-data', 50 * Gi),
  // Node-level cgroups (no namespace at all).
  series('container_cpu_usage_seconds_total', { ...CADVISOR, id: '/' }, perSecond(16)),
  series('container_memory_working_set_bytes', { ...CADVISOR, id: '/' }, constant(64 * Gi)),
];

type SeriesKey = keyof typeof CONSUMPTION_SERIES;
interface Tenant { readonly namespace: string; readonly offering: string; readonly tenant: string; readonly plan: string }

const ACME: Tenant = { namespace: 'shop-acme', offering: 'shop', tenant: 'acme', plan: 'small' };
const GLOBEX: Tenant = { namespace: 'shop-globex', offering: 'shop', tenant: 'globex', plan: 'large' };

/** The exact value of every consumption series at EVAL_TIME; every key of CONSUMPTION_SERIES must be here. */
const EXPECTED: Record<SeriesKey, Array<[Tenant, number]>> = {
  info: [[ACME, 1], [GLOBEX, 1]],
  cpu: [[ACME, 0.5], [GLOBEX, 2 + 2 + 0.25]],
  memory: [[ACME, 100 * Mi], [GLOBEX, 400 * Mi + 400 * Mi + 32 * Mi]],
  storage: [[ACME, 1 * Gi], [GLOBEX, 15 * Gi]],
  networkReceive: [[ACME, 1024], [GLOBEX, 4096 + 4096 + 128]],
  networkTransmit: [[ACME, 512], [GLOBEX, 2048 + 2048 + 64]],
};

function sampleLabels(metric: string, t: Tenant): string {
  return `${metric}{namespace="${t.namespace}", offering="${t.offering}", tenant="${t.tenant}", plan="${t.plan}"}`;
}

function promqlTests(expected: Record<SeriesKey, Array<[Tenant, number]>>) {
  const keys = Object.keys(CONSUMPTION_SERIES) as SeriesKey[];
  return [
    // The whole series: exactly these samples, so nothing of other-x, kube-system or the node.
    ...keys.map((key) => ({
      expr: CONSUMPTION_SERIES[key],
      eval_time: EVAL_TIME,
      exp_samples: expected[key].map(([t, value]) => ({ labels: sampleLabels(CONSUMPTION_SERIES[key], t), value })),
    })),
    // And explicitly: nothing is recorded for the foreign namespaces.
    ...keys.flatMap((key) => ['other-x', 'kube-system', 'default', ''].map((namespace) => ({
      expr: `${CONSUMPTION_SERIES[key]}{namespace="${namespace}"}`,
      eval_time: EVAL_TIME,
      exp_samples: [],
    }))),
  ];
}

function unitTestFile(ruleFile: string, expected: Record<SeriesKey, Array<[Tenant, number]>>) {
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: INPUT_SERIES,
      promql_expr_test: promqlTests(expected),
    }],
  };
}

describe('consumption recording rules (real promtool)', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-rules-'));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), yaml({ groups: recordingRuleGroups(shop) }));
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('promtool check rules accepts the generated groups, which record every CONSUMPTION_SERIES', () => {
    const groups = recordingRuleGroups(shop);
    // What ships in the PrometheusRule is exactly what is checked here, then the quota group (test/monitoring/quota-rules.test.ts).
    expect(planRecordingRules(shop).spec).toEqual({ groups: [...groups, ...quotaRuleGroups(shop)] });
    expect(groups.flatMap((g) => g.rules.map((r) => r.record)).sort()).toEqual(Object.values(CONSUMPTION_SERIES).sort());

    const args = ['check', 'rules', 'rules.yaml'];
    const result = promtool(args, dir);
    expectSuccess(args, result);
    expect(result.stdout).toContain(`SUCCESS: ${Object.keys(CONSUMPTION_SERIES).length} rules found`);
  });

  test('promtool test rules: exact per-tenant consumption for shop-acme and shop-globex only', () => {
    fs.writeFileSync(path.join(dir, 'consumption.test.yaml'), yaml(unitTestFile('rules.yaml', EXPECTED)));
    const args = ['test', 'rules', 'consumption.test.yaml'];
    expectSuccess(args, promtool(args, dir));
  });

  test('promtool test rules: with a second offering\'s groups loaded too, each offering records only its own tenants', () => {
    const rules = { groups: [...recordingRuleGroups(shop), ...recordingRuleGroups(offeringSpec('other'))] };
    fs.writeFileSync(path.join(dir, 'two-offerings.yaml'), yaml(rules));
    const X: Tenant = { namespace: 'other-x', offering: 'other', tenant: 'x', plan: 'small' };
    const expected: Record<SeriesKey, Array<[Tenant, number]>> = {
      info: [...EXPECTED.info, [X, 1]],
      cpu: [...EXPECTED.cpu, [X, 8]],
      memory: [...EXPECTED.memory, [X, 1600 * Mi]],
      storage: [...EXPECTED.storage, [X, 100 * Gi]],
      networkReceive: [...EXPECTED.networkReceive, [X, 16 * 1024]],
      networkTransmit: [...EXPECTED.networkTransmit, [X, 16 * 512]],
    };
    const file = unitTestFile('two-offerings.yaml', expected);
    // other-x is now expected, so drop its "no sample" checks.
    file.tests[0].promql_expr_test = file.tests[0].promql_expr_test.filter((t) => !t.expr.includes('namespace="other-x"'));
    fs.writeFileSync(path.join(dir, 'two-offerings.test.yaml'), yaml(file));
    const args = ['test', 'rules', 'two-offerings.test.yaml'];
    expectSuccess(args, promtool(args, dir));
  });

  test('promtool test rules: right after a plan change the freshest labels win, with kube-state-metrics\' old series still in the lookback', () => {
    // small until 5m, large from 6m: at 8m the small series is 3 minutes old, within the 5-minute
    // lookback (scraped series that vanish get no staleness marker in backfilled history or across
    // a restart); the tenant is on large, once, and its CPU is recorded on large
    const labels = { ...KSM, namespace: 'shop-acme', label_saasplane_io_offering: 'shop', label_saasplane_io_tenant: 'acme' };
    const file = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          series('kube_namespace_labels', { ...labels, label_saasplane_io_plan: 'small' }, '1x5'),
          series('kube_namespace_labels', { ...labels, label_saasplane_io_plan: 'large' }, '_x5 1x10'),
          cpu('shop-acme', 'app-0', 'app', 'registry.example/app:1', 0.5),
        ],
        promql_expr_test: [
          { expr: CONSUMPTION_SERIES.info, eval_time: '8m', exp_samples: [{ labels: sampleLabels(CONSUMPTION_SERIES.info, { ...ACME, plan: 'large' }), value: 1 }] },
          { expr: CONSUMPTION_SERIES.cpu, eval_time: '10m', exp_samples: [{ labels: sampleLabels(CONSUMPTION_SERIES.cpu, { ...ACME, plan: 'large' }), value: 0.5 }] },
        ],
      }],
    };
    fs.writeFileSync(path.join(dir, 'plan-change.test.yaml'), yaml(file));
    const args = ['test', 'rules', 'plan-change.test.yaml'];
    expectSuccess(args, promtool(args, dir));
  });

  test.each([
    // 1.25 is what acme would show if the pod-level cgroup (container="") were counted too.
    ['a wrong value', { ...EXPECTED, cpu: [[ACME, 1.25], EXPECTED.cpu[1]] }, '1.25'],
    ['a missing sample (globex)', { ...EXPECTED, storage: [EXPECTED.storage[0]] }, 'shop-globex'],
  ] as Array<[string, Record<SeriesKey, Array<[Tenant, number]>>, string]>)(
    'negative control: promtool test rules fails on %s', (what, expected, mentioned) => {
      const name = `negative-${what.replace(/\W+/g, '-')}.test.yaml`;
      fs.writeFileSync(path.join(dir, name), yaml(unitTestFile('rules.yaml', expected)));
      const args = ['test', 'rules', name];
      const result = promtool(args, dir);
      const output = describeRun(args, result);
      expect(result.status).toBe(1);
      // It failed on the assertion, not on a malformed file.
      expect(output).toContain('FAILED');
      expect(output).toContain('exp:');
      expect(output).toContain(mentioned);
    });
});
