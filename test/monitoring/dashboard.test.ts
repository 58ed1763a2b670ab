// The offering's Grafana dashboard: typed against Grafana's own dashboard schema (@grafana/schema,
// the TypeScript form of Grafana's schema: a field of the wrong shape fails to compile), shipped as
// a ConfigMap for the dashboard sidecar, and every panel's query run by the real promtool over the
// offering's recording rules: the cost per hour equals the example plans' prices applied by hand.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Dashboard } from '@grafana/schema';
import * as YAML from 'yaml';
import { shop } from '../../examples/offering';
import { offeringDashboard, planDashboard, planRecordingRules } from '../../src/core';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

describe('the offering dashboard', () => {
  test('is a Grafana dashboard (by Grafana\'s schema types) in a ConfigMap the sidecar picks up', () => {
    const dashboard: Dashboard = offeringDashboard(shop);
    expect(dashboard.uid).toBe('saasplane-shop');
    // the check has teeth: a field of the wrong shape does not compile
    // @ts-expect-error graphTooltip is Grafana's DashboardCursorSync (0, 1 or 2), not a string
    const wrong: Dashboard = { ...offeringDashboard(shop), graphTooltip: 'shared' };
    expect(wrong.graphTooltip).toBe('shared');
    const configMap = planDashboard(shop) as any;
    expect(configMap.metadata).toEqual({
      name: 'saasplane-shop-dashboard',
      namespace: 'shop-system',
      labels: { 'app.kubernetes.io/managed-by': 'saasplane', 'saasplane.io/offering': 'shop', 'grafana_dashboard': '1' },
    });
    expect(JSON.parse(configMap.data['saasplane-shop.json'])).toEqual(offeringDashboard(shop));
    expect(offeringDashboard(shop).panels.map((p) => p.title)).toEqual([
      'CPU', 'Memory', 'Storage requested', 'Network received', 'Network transmitted', 'Quota utilisation', 'Cost per hour (USD)',
    ]);
    expect((planDashboard({ ...shop, monitoring: { dashboardLabels: { 'grafana.example/dashboard': 'saas' } } }) as any).metadata.labels['grafana.example/dashboard']).toBe('saas');
  });

  test('every panel query runs on the real promtool over the recording rules; the cost is the plans\' prices applied by hand', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-dashboard-'));
    try {
      const queries = offeringDashboard(shop).panels.map((p) => p.targets[0].expr.replace(/\$tenant/g, '.*'));
      fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify(planRecordingRules(shop).spec, { lineWidth: 0 }));
      const ksm = { job: 'kube-state-metrics' };
      const cadvisor = { job: 'kubelet' };
      const series = (name: string, labels: Record<string, string>, values: string) =>
        ({ series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`, values });
      const tenant = (name: string, plan: string, cores: number, memory: number, storage: number) => [
        series('kube_namespace_labels', {
          ...ksm, namespace: `shop-${name}`, label_saasplane_io_offering: 'shop', label_saasplane_io_tenant: name, label_saasplane_io_plan: plan,
        }, '1x20'),
        series('container_cpu_usage_seconds_total', { ...cadvisor, namespace: `shop-${name}`, pod: 'p', container: 'c', image: 'i' }, `0+${cores * 60}x20`),
        series('container_memory_working_set_bytes', { ...cadvisor, namespace: `shop-${name}`, pod: 'p', container: 'c', image: 'i' }, `${memory}x20`),
        series('kube_persistentvolumeclaim_resource_requests_storage_bytes', { ...ksm, namespace: `shop-${name}`, persistentvolumeclaim: 'd' }, `${storage}x20`),
        series('container_network_receive_bytes_total', { ...cadvisor, namespace: `shop-${name}`, pod: 'p', interface: 'eth0' }, '0+60x20'),
        series('container_network_transmit_bytes_total', { ...cadvisor, namespace: `shop-${name}`, pod: 'p', interface: 'eth0' }, '0+60x20'),
      ];
      const { small, large } = shop.plans;
      // by hand: the monthly fee over 730 hours, cores and GiB as used, storage GiB per month over 730 hours
      const byHand = (price: typeof small.price, cores: number, memory: number, storage: number) =>
        price!.monthly! / 730 + cores * price!.perCpuCoreHour! + (memory / Gi) * price!.perMemoryGiBHour!
        + (storage / Gi) * (price!.perStorageGiBMonth! / 730);
      const cost = queries[6];
      const tests = {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [{
          interval: '1m',
          input_series: [...tenant('acme', 'small', 0.5, 512 * Mi, 2 * Gi), ...tenant('globex', 'large', 2, 2 * Gi, 20 * Gi)],
          promql_expr_test: [
            // 1 for the tenant whose cost it is, 0 for the other
            ...[['acme', byHand(small.price, 0.5, 512 * Mi, 2 * Gi)], ['globex', byHand(large.price, 2, 2 * Gi, 20 * Gi)]].map(([name, value]) => ({
              expr: `abs(sum by (tenant) (${cost}) - ${value}) < bool 1e-9`,
              eval_time: '10m',
              exp_samples: ['acme', 'globex'].map((t) => ({ labels: `{tenant="${t}"}`, value: t === name ? 1 : 0 })),
            })),
            // each consumption panel returns one series per tenant
            ...queries.slice(0, 5).map((expr) => ({
              expr: `count(${expr})`,
              eval_time: '10m',
              exp_samples: [{ labels: '{}', value: 2 }],
            })),
          ],
        }],
      };
      fs.writeFileSync(path.join(dir, 'tests.yaml'), YAML.stringify(tests, { lineWidth: 0 }));
      const result = spawnSync(PROMTOOL, ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      if (result.error) throw new Error(`cannot run promtool: ${result.error.message}. Install it with \`bash scripts/setup.sh\``);
      if (result.status !== 0) throw new Error(`${result.stdout}\n${result.stderr}`);
      expect(result.stdout).toContain('SUCCESS');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
