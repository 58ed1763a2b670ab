// `saasplane usage` against a real Prometheus (Debian's package) holding 30 days of backfilled raw
// series (usage-data.ts) and the example offering's recording rules taken from its synthesized
// PrometheusRule, evaluated over that history by promtool. Every figure is checked against the
// figures computed from the raw samples without Prometheus, within 0.5%; then each output form.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as YAML from 'yaml';
import { BackfilledPrometheus } from './prometheus-backfill';
import { DATA_END, DATA_START, expectedUsage, ExpectedUsage, FROM, rawSeries, RawSeries, TO, writeOpenMetrics } from './usage-data';
import { shop } from '../../examples/offering';
import { main } from '../../src/cli/main';
import { TENANT_COLOURS, usageHtml } from '../../src/cli/usage-html';
import { feeMonths, UsageReport } from '../../src/core/usage';
import { exampleOffering } from '../constructs/fixtures';

jest.setTimeout(40 * 60_000);

const MEASURES = ['activeDays', 'cpuCoreHours', 'memoryGiBHours', 'storageGiBMonths', 'networkReceiveGB', 'networkTransmitGB'] as const;

let dir: string;
let prometheus: BackfilledPrometheus;
let expected: Map<string, Map<string, ExpectedUsage>>;
let series: RawSeries[];

/** The PrometheusRule of the example offering, as `cdk8s synth` writes it. */
function synthesizedRuleGroups(): any[] {
  const { app, outdir } = exampleOffering();
  app.synth();
  const files = fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
  const rules = files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS()))
    .filter((o) => o?.kind === 'PrometheusRule');
  expect(rules).toHaveLength(1);
  return rules[0].spec.groups;
}

async function usage(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['usage', '--prometheus', prometheus.url, ...args], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: process.env });
  return { code, stdout, stderr };
}

const within = (actual: number, wanted: number, what: string) => {
  const error = wanted === 0 ? Math.abs(actual) : Math.abs(actual - wanted) / wanted;
  if (!(error <= 0.005)) throw new Error(`${what}: saasplane usage says ${actual}, the raw samples ${wanted} (${(error * 100).toFixed(3)}% apart, more than 0.5%)`);
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-usage-'));
  const groups = synthesizedRuleGroups();
  series = rawSeries();
  expected = expectedUsage(series, 'shop');
  const { files, samples } = writeOpenMetrics(series, dir);
  expect(samples).toBeGreaterThan(1_000_000);
  prometheus = await BackfilledPrometheus.create(dir, files, groups, new Date(DATA_START + 10 * 60_000), new Date(DATA_END));
});

afterAll(async () => {
  await prometheus?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('saasplane usage on a real Prometheus with 30 days of history', () => {
  let report: UsageReport & { from: string; to: string };

  beforeAll(async () => {
    const { code, stdout, stderr } = await usage('--offering', 'shop', '--from', new Date(FROM).toISOString(), '--to', new Date(TO).toISOString(), '--output', 'json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    report = JSON.parse(stdout);
  });

  test('reports the offering\'s tenants only, each with the plans it was on in order', () => {
    expect(report.offering).toBe('shop');
    expect(report.from).toBe('2026-10-01T00:00:00.000Z');
    expect(report.to).toBe('2026-10-31T00:00:00.000Z');
    expect(report.currency).toBe('USD');
    expect(report.tenants.map((t) => [t.tenant, t.plans])).toEqual([
      ['acme', ['small']], ['globex', ['small', 'large']], ['initech', ['large']], ['umbrella', ['small']],
    ]);
  });

  test('every figure of every tenant and plan is within 0.5% of the raw samples', () => {
    const lines: string[] = [];
    for (const tenant of report.tenants) {
      for (const part of tenant.byPlan) {
        const wanted = expected.get(tenant.tenant)!.get(part.plan)!;
        for (const m of MEASURES) {
          within(part[m], wanted[m], `${tenant.tenant} on ${part.plan}: ${m}`);
          lines.push(`${tenant.tenant} ${part.plan} ${m}: usage ${part[m].toFixed(4)}, raw samples ${wanted[m].toFixed(4)}, `
            + `${((Math.abs(part[m] - wanted[m]) / wanted[m]) * 100).toFixed(3)}% apart`);
        }
      }
      for (const m of MEASURES) within(tenant[m], [...expected.get(tenant.tenant)!.values()].reduce((s, p) => s + p[m], 0), `${tenant.tenant}: ${m}`);
    }
    if (process.env.SAASPLANE_DOCS_DIR) fs.writeFileSync(path.join(process.env.SAASPLANE_DOCS_DIR, 'usage-accuracy.txt'), `${lines.join('\n')}\n`);
  });

  test('the cases: created mid-period, suspended, plan change priced per plan', () => {
    const byName = Object.fromEntries(report.tenants.map((t) => [t.tenant, t]));
    // initech exists from day 17 08:25: 12.65 days
    within(byName.initech.activeDays, 30 - (17 + (8 * 60 + 25) / 1440), 'initech active days');
    // umbrella was suspended on day 19 at 16:00: the fee stops, its claim is still billed all month
    within(byName.umbrella.activeDays, 19 + 16 / 24, 'umbrella active days');
    within(byName.umbrella.storageGiBMonths, (5 * 30 * 24) / 730, 'umbrella storage');
    // globex: small until day 11 12:07, large after; each part at its plan's prices
    const [small, large] = byName.globex.byPlan;
    within(small.activeDays, 11 + (12 * 60 + 7) / 1440, 'globex on small');
    within(large.activeDays, 30 - (11 + (12 * 60 + 7) / 1440), 'globex on large');
    for (const [part, price] of [[small, shop.plans.small.price!], [large, shop.plans.large.price!]] as const) {
      const wanted = expected.get('globex')!.get(part.plan)!;
      const fee = price.monthly! * feeMonths(wanted);
      const use = wanted.cpuCoreHours * price.perCpuCoreHour! + wanted.memoryGiBHours * price.perMemoryGiBHour!
        + wanted.storageGiBMonths * price.perStorageGiBMonth!;
      within(part.cost.fee, fee, `globex ${part.plan} fee`);
      within(part.cost.usage, use, `globex ${part.plan} usage`);
      within(part.cost.total, fee + use, `globex ${part.plan} total`);
    }
    const total = report.tenants.reduce((s, t) => s + t.cost.total, 0);
    expect(report.total.cost.total).toBeCloseTo(total, 6);
  });

  test('the check has teeth: counting both replicas, or the pod cgroup, would be far off', () => {
    const acme = report.tenants.find((t) => t.tenant === 'acme')!;
    expect(() => within(acme.cpuCoreHours * 2, expected.get('acme')!.get('small')!.cpuCoreHours, 'doubled')).toThrow(/more than 0.5%/);
    expect(() => within(acme.cpuCoreHours * 1.006, expected.get('acme')!.get('small')!.cpuCoreHours, 'off by 0.6%')).toThrow(/more than 0.5%/);
  });
});

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

/** A screenshot of an HTML file by headless Chromium (Debian's package). */
function screenshot(html: string, png: string): PNG {
  const result = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', '--window-size=980,2000',
    `--screenshot=${png}`, `file://${html}`,
  ], { encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw new Error(`cannot run ${CHROMIUM}: ${result.error.message}. Install it with \`bash scripts/setup.sh\` (Debian package chromium)`);
  if (!fs.existsSync(png)) throw new Error(`${CHROMIUM} wrote no screenshot (exit ${result.status}):\n${result.stderr}`);
  return PNG.sync.read(fs.readFileSync(png));
}

/** Pixels of each colour, exactly (bars are solid fills). */
function pixelsOf(image: PNG, colours: string[]): number[] {
  const counts = colours.map(() => 0);
  const wanted = colours.map((c) => c.toLowerCase());
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  for (let i = 0; i < image.data.length; i += 4) {
    const at = wanted.indexOf(`#${hex(image.data[i])}${hex(image.data[i + 1])}${hex(image.data[i + 2])}`);
    if (at >= 0) counts[at]++;
  }
  return counts;
}

describe('the other forms, on the same Prometheus', () => {
  const period = ['--offering', 'shop', '--from', '2026-10-01', '--to', '2026-10-31'];

  test('the HTML report opens in headless Chromium with a chart for every tenant', async () => {
    const html = path.join(dir, 'report.html');
    const { code, stderr } = await usage(...period, '--html', html, '--output', 'json');
    expect(code).toBe(0);
    expect(stderr).toBe(`wrote ${html}\n`);
    const image = screenshot(html, path.join(dir, 'report.png'));
    expect(image.width).toBe(980);
    const tenants = 4;
    const counts = pixelsOf(image, TENANT_COLOURS.slice(0, tenants));
    // each tenant's bars of cost per day (solid fills), far more than its legend key (144 pixels)
    for (const [i, count] of counts.entries()) expect({ tenant: i, count: count > 1000 }).toEqual({ tenant: i, count: true });
    // the check can fail: the same page without the periods draws no bars
    const { stdout } = await usage(...period, '--output', 'json');
    const report = JSON.parse(stdout, (k, v) => (k === 'from' || k === 'to' || k === 'start' || k === 'end' ? new Date(v) : v));
    const empty = path.join(dir, 'empty.html');
    fs.writeFileSync(empty, usageHtml({ ...report, tenants: report.tenants.map((t: any) => ({ ...t, periods: [] })) }));
    expect(pixelsOf(screenshot(empty, path.join(dir, 'empty.png')), TENANT_COLOURS.slice(0, tenants)).every((c) => c < 1000)).toBe(true);
    if (process.env.SAASPLANE_DOCS_DIR) fs.copyFileSync(path.join(dir, 'report.png'), path.join(process.env.SAASPLANE_DOCS_DIR, 'usage-report.png'));
  });

  test('table, CSV and FOCUS agree with the JSON; --tenant narrows to one tenant', async () => {
    const json = JSON.parse((await usage(...period, '--output', 'json')).stdout);
    const table = (await usage(...period)).stdout;
    expect(table).toMatch(/^TENANT\s+PLANS/);
    expect(table).toMatch(new RegExp(`^globex\\s+small,large\\s+${json.tenants[1].activeDays.toFixed(2)}`, 'm'));
    expect(table).toContain(`${json.total.cost.total.toFixed(2)}\n`);
    const csv = (await usage(...period, '--output', 'csv')).stdout.trimEnd().split('\r\n');
    expect(csv).toHaveLength(5);
    expect(Number(csv[2].split(',')[10])).toBeCloseTo(json.tenants[1].cost.total, 6);
    const focus = (await usage(...period, '--output', 'focus', '--provider-name', 'Example Software')).stdout.trimEnd().split('\r\n');
    const columns = focus[0].split(',');
    const rows = focus.slice(1).map((row) => Object.fromEntries(row.split(',').slice(0, columns.length - 1).map((v, i) => [columns[i], v])));
    expect(rows.reduce((sum, r) => sum + Number(r.BilledCost), 0)).toBeCloseTo(json.total.cost.total, 4);
    for (const r of rows) expect(Math.abs(Number(r.ListUnitPrice) * Number(r.PricingQuantity) - Number(r.ListCost))).toBeLessThan(1e-12);
    // a row set per tenant and day it has a charge: acme and globex 30, initech 13 (from October 18), umbrella 30 (its claim
    // after the suspension)
    expect(new Set(rows.map((r) => `${r.ResourceId} ${r.ChargePeriodStart}`)).size).toBe(30 + 30 + 13 + 30);
    const one = JSON.parse((await usage(...period, '--tenant', 'globex', '--output', 'json')).stdout);
    expect(one.tenants.map((t: any) => t.tenant)).toEqual(['globex']);
    expect(one.tenants[0].cost.total).toBeCloseTo(json.tenants[1].cost.total, 6);
    if (process.env.SAASPLANE_DOCS_DIR) {
      fs.writeFileSync(path.join(process.env.SAASPLANE_DOCS_DIR, 'usage-table.txt'), table);
      fs.writeFileSync(path.join(process.env.SAASPLANE_DOCS_DIR, 'usage-focus.csv'), `${focus.slice(0, 8).join('\n')}\n`);
    }
  });

  test('an offering without series, an unreachable Prometheus and a bad period each get a clear message', async () => {
    const none = await usage('--offering', 'blog2', '--from', '2026-10-01', '--to', '2026-10-31');
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('no tenant of offering "blog2" has recorded series from 2026-10-01T00:00:00.000Z');
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (t: string) => { stderr += t; }, env: process.env };
    expect(await main(['usage', '--prometheus', 'http://127.0.0.1:1', '--offering', 'shop'], io)).toBe(1);
    expect(stderr).toContain('cannot reach Prometheus at http://127.0.0.1:1');
    stderr = '';
    expect(await main(['usage', '--prometheus', prometheus.url, '--offering', 'shop', '--from', '2026-10-31', '--to', '2026-10-01'], io)).toBe(2);
    expect(stderr).toContain('--to 2026-10-01T00:00:00.000Z is not after --from 2026-10-31T00:00:00.000Z');
  });
});

describe('a short period: hourly buckets and a shorter last one', () => {
  test('4.5 hours around globex\'s plan change: within 0.5% of the raw samples per tenant; --to alone reports its month', async () => {
    const from = new Date('2026-10-12T10:00:00Z');
    const to = new Date('2026-10-12T14:30:00Z');
    const { code, stdout } = await usage('--offering', 'shop', '--from', from.toISOString(), '--to', to.toISOString(), '--output', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const wanted = expectedUsage(series, 'shop', from.getTime(), to.getTime());
    const periods = report.tenants[0].periods.map((p: any) => `${p.start.slice(11, 16)}-${p.end.slice(11, 16)}`);
    expect(periods).toEqual(['10:00-11:00', '11:00-12:00', '12:00-13:00', '13:00-14:00', '14:00-14:30']);
    expect(report.tenants.find((t: any) => t.tenant === 'globex').plans).toEqual(['small', 'large']);
    for (const tenant of report.tenants) {
      for (const m of MEASURES) within(tenant[m], [...wanted.get(tenant.tenant)!.values()].reduce((s, p) => s + p[m], 0), `${tenant.tenant} (4.5 h): ${m}`);
    }
    const month = JSON.parse((await usage('--offering', 'shop', '--to', '2026-10-31', '--output', 'json')).stdout);
    expect([month.from, month.to]).toEqual(['2026-10-01T00:00:00.000Z', '2026-10-31T00:00:00.000Z']);
  });
});
