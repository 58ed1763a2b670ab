// Chargeback without Prometheus: the buckets and queries the core plans, the pricing of measured
// buckets (plan changes, unpriced plans, currencies) and every printed form, FOCUS's rules included.
// The figures themselves are checked against a real Prometheus in test/monitoring/usage-prometheus.test.ts.
import { shop } from '../../examples/offering';
import { parseTime } from '../../src/cli/usage';
import { usageHtml } from '../../src/cli/usage-html';
import { FOCUS_COLUMNS, usageCsv, usageFocusCsv, usageJson, usageTable } from '../../src/cli/usage-report';
import { validateOffering } from '../../src/core/offering';
import { PLAN_PRICE_SERIES, recordingRuleGroups } from '../../src/core/plan-offering';
import { chargeback, MeasuredBucket, priceConsumption, recordedPrices, usageBuckets, usageQueries } from '../../src/core/usage';

const DAY = 86_400_000;
const FROM = new Date('2026-10-01T00:00:00Z');
const small = { currency: 'USD', monthly: 73, perCpuCoreHour: 0.5, perMemoryGiBHour: 0.1, perStorageGiBMonth: 2 };
const large = { currency: 'USD', monthly: 730, perCpuCoreHour: 0.25, perMemoryGiBHour: 0.05, perStorageGiBMonth: 1 };
const consumption = (activeDays: number, cpuCoreHours = 0, memoryGiBHours = 0, storageGiBMonths = 0) =>
  ({ activeDays, cpuCoreHours, memoryGiBHours, storageGiBMonths, networkReceiveGB: 1, networkTransmitGB: 2 });

function day(n: number, usage: MeasuredBucket['usage'], prices: MeasuredBucket['prices'] = { small, large }): MeasuredBucket {
  return { start: new Date(FROM.getTime() + n * DAY), end: new Date(FROM.getTime() + (n + 1) * DAY), usage, prices, quota: [{ tenant: 'acme', resource: 'requests.cpu', utilisation: 0.5 + n / 10 }] };
}

/** Two days: acme on small then large (the plan changed at noon of day 1), globex on small. */
const buckets = [
  day(0, [{ tenant: 'acme', plan: 'small', ...consumption(1, 24, 48, 0.1) }, { tenant: 'globex', plan: 'small', ...consumption(1, 2) }]),
  day(1, [{ tenant: 'acme', plan: 'small', ...consumption(0.5, 12) }, { tenant: 'acme', plan: 'large', ...consumption(0.5, 12) }, { tenant: 'globex', plan: 'small', ...consumption(1) }]),
];
const report = chargeback('shop', FROM, new Date(FROM.getTime() + 2 * DAY), buckets);

describe('buckets and queries', () => {
  test('whole days from --from for periods of 2 days or more, the last one shorter; hours below', () => {
    const days = usageBuckets(FROM, new Date('2026-10-03T06:00:00Z'));
    expect(days.map((b) => [b.start.toISOString(), b.end.toISOString()])).toEqual([
      ['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z'], ['2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z'],
      ['2026-10-03T00:00:00.000Z', '2026-10-03T06:00:00.000Z'],
    ]);
    expect(usageBuckets(FROM, new Date('2026-10-01T03:00:00Z'))).toHaveLength(3);
    expect(() => usageBuckets(FROM, FROM)).toThrow(/is empty: --to must be after --from/);
  });

  test('a bucket is (end - length, end]: a sample on a boundary counts once; replicas count once (max)', () => {
    const q = usageQueries('shop', DAY, 'acme');
    // the rates recorded up to 2.5 minutes after the bucket: a rate is the average of the 5 minutes before it
    expect(q.cpuCoreHours).toBe('max by (tenant, plan) (sum_over_time(saasplane:tenant_cpu_usage_cores:rate5m{offering="shop", tenant="acme"}[86399999ms] offset -150s))'
      + ' * 60 / 3600');
    expect(q.activeDays).toContain('saasplane:tenant_info{offering="shop", tenant="acme", state=""}[86399999ms]');
    expect(usageQueries('shop', DAY).memoryGiBHours).toContain('{offering="shop"}');
  });
});

describe('pricing', () => {
  test('the fee is pro-rated by active days over months of 730 hours; usage at the plan\'s rates', () => {
    // 1 day = 24/730 of a month: 73 × 24 / 730 = 2.4
    expect(priceConsumption(consumption(1, 10, 20, 0.5), small)).toEqual({ fee: 2.4, usage: 10 * 0.5 + 20 * 0.1 + 0.5 * 2, total: 2.4 + 8, currency: 'USD' });
    expect(priceConsumption(consumption(1, 10), undefined)).toEqual({ fee: 0, usage: 0, total: 0, currency: null });
  });

  test('a plan change mid-period: each part at its own plan\'s prices; totals per plan, tenant and offering', () => {
    const acme = report.tenants.find((t) => t.tenant === 'acme')!;
    expect(acme.plans).toEqual(['small', 'large']);
    const [onSmall, onLarge] = acme.byPlan;
    expect(onSmall).toMatchObject({ plan: 'small', activeDays: 1.5, cpuCoreHours: 36 });
    expect(onSmall.cost.fee).toBeCloseTo(73 * 1.5 * 24 / 730, 9);
    expect(onSmall.cost.usage).toBeCloseTo(36 * 0.5 + 48 * 0.1 + 0.1 * 2, 9);
    expect(onLarge.cost.fee).toBeCloseTo(730 * 0.5 * 24 / 730, 9);
    expect(onLarge.cost.usage).toBeCloseTo(12 * 0.25, 9);
    expect(acme.cost.total).toBeCloseTo(onSmall.cost.total + onLarge.cost.total, 9);
    expect(report.total.cost.total).toBeCloseTo(report.tenants.reduce((s, t) => s + t.cost.total, 0), 9);
    expect(acme.periods.map((p) => p.byPlan.map((u) => u.plan))).toEqual([['small'], ['small', 'large']]);
    expect(acme.periods[1].quota).toEqual({ 'requests.cpu': 0.6 });
    expect(report.warnings).toEqual([]);
  });

  test('the price in force in each bucket applies: a price raised on day 1 charges day 1 only', () => {
    const raised = chargeback('shop', FROM, new Date(FROM.getTime() + 2 * DAY), [
      day(0, [{ tenant: 'acme', plan: 'small', ...consumption(1) }]),
      day(1, [{ tenant: 'acme', plan: 'small', ...consumption(1) }], { small: { ...small, monthly: 146 } }),
    ]);
    expect(raised.tenants[0].cost.fee).toBeCloseTo(2.4 + 4.8, 9);
  });

  test('consumption on a plan without a recorded price is reported, not charged, and named in a warning', () => {
    const unpriced = chargeback('shop', FROM, new Date(FROM.getTime() + DAY), [day(0, [{ tenant: 'acme', plan: 'free', ...consumption(1, 5) }])]);
    expect(unpriced.tenants[0]).toMatchObject({ cpuCoreHours: 5, cost: { total: 0 } });
    expect(unpriced.warnings).toEqual([expect.stringContaining('plan "free" has consumption but no recorded price from 2026-10-01T00:00:00.000Z')]);
  });

  test('the plans\' prices are recorded, one rule per plan, a series per rate; an offering prices its plans in one currency', () => {
    const rules = recordingRuleGroups(shop)[0].rules.filter((r) => r.record === PLAN_PRICE_SERIES);
    expect(rules.map((r) => r.labels)).toEqual([
      { offering: 'shop', plan: 'small', currency: 'USD' }, { offering: 'shop', plan: 'large', currency: 'USD' },
    ]);
    expect(rules[0].expr).toBe('label_replace(vector(49), "price", "monthly", "", "") or label_replace(vector(0.04), "price", "perCpuCoreHour", "", "")'
      + ' or label_replace(vector(0.005), "price", "perMemoryGiBHour", "", "") or label_replace(vector(0.1), "price", "perStorageGiBMonth", "", "")');
    const euros = { ...shop, plans: { ...shop.plans, large: { ...shop.plans.large, price: { ...shop.plans.large.price!, currency: 'EUR' } } } };
    expect(() => validateOffering(euros)).toThrow('plans are priced in several currencies: USD (plan "small"), EUR (plan "large"); price every plan of an offering in one currency');
  });

  test('prices in two currencies are refused with the fix', () => {
    expect(() => chargeback('shop', FROM, new Date(FROM.getTime() + DAY), [day(0, [], { small, large: { ...large, currency: 'EUR' } })]))
      .toThrow('the prices of offering "shop" are in USD and EUR during the period: report one currency at a time (split the period where the currency changed)');
    expect(() => recordedPrices([{ plan: 'small', price: 'monthly', currency: 'USD', value: 1 }, { plan: 'small', price: 'perCpuCoreHour', currency: 'EUR', value: 1 }]))
      .toThrow(/plan "small" has prices in USD and EUR in one day: its currency changed; report the days before and after the change separately/);
    expect(recordedPrices([{ plan: 'small', price: 'monthly', currency: 'USD', value: 9 }])).toEqual({ small: { currency: 'USD', monthly: 9, perCpuCoreHour: 0, perMemoryGiBHour: 0, perStorageGiBMonth: 0 } });
  });
});

describe('printed forms', () => {
  test('JSON keeps the names billing scripts rely on', () => {
    const json = JSON.parse(usageJson(report));
    expect(Object.keys(json)).toEqual(['offering', 'from', 'to', 'currency', 'tenants', 'total', 'warnings']);
    expect(Object.keys(json.tenants[0])).toEqual(expect.arrayContaining([
      'tenant', 'plans', 'cpuCoreHours', 'memoryGiBHours', 'storageGiBMonths', 'networkReceiveGB', 'networkTransmitGB', 'cost',
    ]));
    expect(Object.keys(json.tenants[0].cost)).toEqual(['fee', 'usage', 'total', 'currency']);
    expect(json.from).toBe('2026-10-01T00:00:00.000Z');
  });

  test('CSV: one row per tenant, the JSON\'s names, RFC 4180', () => {
    const lines = usageCsv(report).split('\r\n');
    expect(lines[0]).toBe('tenant,plans,activeDays,cpuCoreHours,memoryGiBHours,storageGiBMonths,networkReceiveGB,networkTransmitGB,fee,usage,total,currency');
    expect(lines[1]).toMatch(/^acme,small large,2,48,48,0\.1,3,6,/);
    expect(lines).toHaveLength(4);
  });

  test('table: a line per tenant and a total', () => {
    const table = usageTable(report);
    expect(table.split('\n')[0]).toMatch(/^TENANT\s+PLANS\s+ACTIVE DAYS\s+CPU CORE-H/);
    expect(table).toMatch(/^acme\s+small,large\s+2\.00\s+48\.00/m);
    expect(table).toMatch(/^TOTAL\s+4\.00/m);
    expect(table).toContain('costs in USD');
  });

  test('FOCUS 1.2: the columns, the fee as a recurring purchase, usage consumed and priced in one unit, list × quantity = cost', () => {
    const [header, ...rows] = usageFocusCsv(report, { providerName: 'Example Software' }).trimEnd().split('\r\n');
    expect(header.split(',')).toEqual([...FOCUS_COLUMNS]);
    const records = rows.map((r) => Object.fromEntries(parseCsvLine(r).map((v, i) => [FOCUS_COLUMNS[i], v])));
    for (const r of records) {
      expect(r.ChargePeriodStart).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Number(r.ListUnitPrice) * Number(r.PricingQuantity)).toBeCloseTo(Number(r.ListCost), 12);
      expect(r.BilledCost).toBe(r.EffectiveCost);
      expect(r.ChargeClass).toBe('');
      expect(JSON.parse(r.Tags)['saasplane.io/offering']).toBe('shop');
      if (r.ChargeCategory === 'Purchase') {
        expect({ freq: r.ChargeFrequency, consumed: r.ConsumedQuantity, unit: r.ConsumedUnit, pricing: r.PricingUnit }).toEqual({ freq: 'Recurring', consumed: '', unit: '', pricing: 'Months' });
      } else {
        expect(r.ChargeFrequency).toBe('Usage-Based');
        expect(r.ConsumedQuantity).toBe(r.PricingQuantity);
      }
      expect(r.ProviderName).toBe('Example Software');
    }
    const billed = records.reduce((s, r) => s + Number(r.BilledCost), 0);
    expect(billed).toBeCloseTo(report.total.cost.total, 6);
    const acmeDay1 = records.filter((r) => r.ResourceId === 'shop-acme' && r.ChargePeriodStart === '2026-10-02T00:00:00Z').map((r) => `${r.SkuPriceId} ${r.PricingUnit}`);
    expect(acmeDay1).toEqual(expect.arrayContaining(['shop/small/monthly Months', 'shop/large/monthly Months', 'shop/large/perCpuCoreHour Core-Hours', 'shop/small/networkTransmitGB GB']));
    expect(() => usageFocusCsv({ ...report, currency: null })).toThrow(/FOCUS rows need a billing currency/);
    // unpriced usage would read as free in a billing system: refused, naming the plan
    expect(() => usageFocusCsv({ ...report, warnings: ['plan "free" has consumption but no recorded price ...'] })).toThrow(/unpriced usage as free:\nplan "free"/);
  });

  test('HTML: one self-contained page, a chart per figure, no script', () => {
    const html = usageHtml(report);
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).toContain('default-src \'none\'');
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toContain('acme');
  });

  test('times: a date is UTC midnight; a day the calendar lacks is refused', () => {
    expect(parseTime('--from', '2026-11-01').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseTime('--to', '2026-11-01T12:00:00+02:00').toISOString()).toBe('2026-11-01T10:00:00.000Z');
    expect(() => parseTime('--from', '2026-02-30')).toThrow('--from "2026-02-30" is not a time: write a date like 2026-11-01');
    expect(() => parseTime('--from', 'yesterday')).toThrow(/is not a time/);
  });
});

/** A CSV line (quoted fields with doubled quotes). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  for (let i = 0; i <= line.length;) {
    if (line[i] === '"') {
      let value = '';
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') { value += '"'; i++; } else if (line[i] === '"') {break;} else {value += line[i];}
      }
      fields.push(value);
      i += 2;
    } else {
      const end = line.indexOf(',', i) < 0 ? line.length : line.indexOf(',', i);
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}
