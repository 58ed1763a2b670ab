// Quota utilisation and the upsell signals, checked with the real promtool: `promtool check rules`,
// then `promtool test rules` on synthetic kube-state-metrics series: a tenant above 90% of its CPU
// quota (the alert fires after 30 minutes, not before), a tenant under 10% of its plan for a week
// (the alert fires once its namespace is a week old, not for a new tenant), a second
// kube-state-metrics replica, quotas of hard 0 and the quota's own count left out, another
// offering's tenant never alerted for. A negative control proves the test can fail.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { ChartSource, OfferingSpec, planRecordingRules, QUOTA_ALERTS, QUOTA_UTILISATION } from '../../src/core';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const Gi = 1024 ** 3;
const DAY = 86400;

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`cannot run promtool ("${PROMTOOL}"): ${result.error.message}. Install it with \`bash scripts/setup.sh\`, or set PROMTOOL`);
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function offering(name: string): OfferingSpec {
  return { name, chart: ChartSource.fromDirectory('/x'), plans: { small: { quota: { cpu: '1', memory: '2Gi' } }, large: { quota: { cpu: '4', memory: '8Gi' } } } };
}

const KSM = [{ job: 'kube-state-metrics', instance: '10.0.0.5:8080' }, { job: 'kube-state-metrics', instance: '10.0.0.6:8080' }];
const text = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
const series = (name: string, labels: Record<string, string>, values: string) => ({ series: `${name}{${text(labels)}}`, values });

/** A tenant's namespace, its labels and its quota (each from both kube-state-metrics replicas), sampled `samples` times. */
function tenant(
  namespace: string, labels: { offering: string; tenant: string; plan: string }, createdAt: number,
  quota: Record<string, [number, number]>, samples: number,
) {
  const constant = (v: number) => `${v}x${samples}`;
  return KSM.flatMap((ksm) => [
    series('kube_namespace_labels', {
      ...ksm, namespace, label_saasplane_io_offering: labels.offering, label_saasplane_io_tenant: labels.tenant, label_saasplane_io_plan: labels.plan,
    }, constant(1)),
    series('kube_namespace_created', { ...ksm, namespace }, constant(createdAt)),
    ...Object.entries(quota).flatMap(([resource, [used, hard]]) => [
      series('kube_resourcequota', { ...ksm, namespace, resourcequota: 'tenant-quota', resource, type: 'used' }, constant(used)),
      series('kube_resourcequota', { ...ksm, namespace, resourcequota: 'tenant-quota', resource, type: 'hard' }, constant(hard)),
    ]),
  ]);
}

const ACME = { offering: 'shop', tenant: 'acme', plan: 'small' };
const GLOBEX = { offering: 'shop', tenant: 'globex', plan: 'large' };
const OTHER = { offering: 'other', tenant: 'x', plan: 'small' };
// acme: 95% of its CPU requests, half its memory; the quota's own count (1/1) and node ports (0/0)
const ACME_QUOTA: Record<string, [number, number]> = {
  'requests.cpu': [0.95, 1], 'requests.memory': [1 * Gi, 2 * Gi], 'pods': [3, 10], 'resourcequotas': [1, 1], 'services.nodeports': [0, 0],
};
// globex: 5% of its CPU requests and 6.25% of its memory, all week
const GLOBEX_QUOTA: Record<string, [number, number]> = { 'requests.cpu': [0.2, 4], 'requests.memory': [0.5 * Gi, 8 * Gi], 'pods': [2, 40] };

function unitTests() {
  const minutes = 45;
  const fiveMinutes = 8 * 24 * 12;
  const acmeLabels = { namespace: 'shop-acme', ...ACME };
  return {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        // minute by minute: the near-limit alert
        interval: '1m',
        input_series: [
          ...tenant('shop-acme', ACME, 0, ACME_QUOTA, minutes),
          ...tenant('other-x', OTHER, 0, { 'requests.cpu': [0.99, 1] }, minutes),
        ],
        promql_expr_test: [{
          expr: `${QUOTA_UTILISATION}{offering="shop"}`,
          eval_time: '10m',
          exp_samples: [
            { labels: `${QUOTA_UTILISATION}{${text({ ...acmeLabels, resource: 'pods' })}}`, value: 0.3 },
            { labels: `${QUOTA_UTILISATION}{${text({ ...acmeLabels, resource: 'requests.cpu' })}}`, value: 0.95 },
            { labels: `${QUOTA_UTILISATION}{${text({ ...acmeLabels, resource: 'requests.memory' })}}`, value: 0.5 },
          ],
        }],
        alert_rule_test: [
          { eval_time: '29m', alertname: QUOTA_ALERTS.nearLimit.alert, exp_alerts: [] },
          {
            eval_time: '31m',
            alertname: QUOTA_ALERTS.nearLimit.alert,
            exp_alerts: [{
              exp_labels: { ...acmeLabels, resource: 'requests.cpu', severity: 'warning' },
              exp_annotations: {
                summary: 'Tenant acme of offering shop uses 95% of its requests.cpu quota',
                description: 'Above 90% for 30m on plan small: the API server refuses what goes beyond the quota. Offer a larger plan, or raise the tenant\'s quota.',
              },
            }],
          },
          { eval_time: '31m', alertname: QUOTA_ALERTS.underused.alert, exp_alerts: [] },
        ],
      },
      {
        // every 5 minutes (within the lookback, so the alert's `for` holds) over eight days: the
        // underused alert, for a tenant a week old only
        interval: '5m',
        input_series: [
          ...tenant('shop-globex', GLOBEX, 0, GLOBEX_QUOTA, fiveMinutes),
          ...tenant('shop-newco', { offering: 'shop', tenant: 'newco', plan: 'large' }, 6 * DAY, GLOBEX_QUOTA, fiveMinutes),
        ],
        alert_rule_test: [
          { eval_time: '6d', alertname: QUOTA_ALERTS.underused.alert, exp_alerts: [] },
          {
            eval_time: '8d',
            alertname: QUOTA_ALERTS.underused.alert,
            exp_alerts: [{
              exp_labels: { namespace: 'shop-globex', ...GLOBEX, severity: 'info' },
              exp_annotations: {
                summary: 'Tenant globex of offering shop has used under 10% of its plan large for 7d',
                description: 'Its CPU and memory requests stayed below the threshold of its quota all week: offer a smaller plan, or check that the tenant is still active.',
              },
            }],
          },
          { eval_time: '8d', alertname: QUOTA_ALERTS.nearLimit.alert, exp_alerts: [] },
        ],
      },
    ],
  };
}

describe('quota utilisation and upsell alerts (real promtool)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-quota-rules-'));
    // the groups exactly as offering shop's PrometheusRule holds them (other-x is another offering's tenant)
    fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify(planRecordingRules(offering('shop')).spec, { lineWidth: 0 }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('promtool check rules accepts them', () => {
    const checked = promtool(['check', 'rules', 'rules.yaml'], dir);
    expect([checked.status, checked.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  test('promtool test rules: utilisation per tenant and resource, each alert when and only when it should', () => {
    fs.writeFileSync(path.join(dir, 'tests.yaml'), YAML.stringify(unitTests(), { lineWidth: 0 }));
    const tested = promtool(['test', 'rules', 'tests.yaml'], dir);
    if (tested.status !== 0) throw new Error(tested.output);
    expect(tested.output).toContain('SUCCESS');
  });

  test('negative control: expecting the near-limit alert after 20 minutes fails', () => {
    const tests = unitTests();
    tests.tests.splice(1);
    (tests.tests[0].alert_rule_test[1] as { eval_time: string }).eval_time = '20m';
    fs.writeFileSync(path.join(dir, 'wrong.yaml'), YAML.stringify(tests, { lineWidth: 0 }));
    const tested = promtool(['test', 'rules', 'wrong.yaml'], dir);
    expect(tested.status).not.toBe(0);
    expect(tested.output).toContain(QUOTA_ALERTS.nearLimit.alert);
  });
});
