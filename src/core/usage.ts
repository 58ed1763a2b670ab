// Chargeback: each tenant's consumption and cost over a period, from the offering's recorded
// series (plan-offering.ts). The core says what to ask Prometheus for each time bucket and prices
// the answers; the CLI fetches them and prints the report.
import { CONSUMPTION_INTERVAL_SECONDS, CONSUMPTION_SERIES, PLAN_PRICE_SERIES, PRICE_RATES, RATE_WINDOW_SECONDS } from './plan-offering';
import { QUOTA_UTILISATION } from './quota-rules';

/** Hours in an average month (365 × 24 / 12): the fee and storage prices are monthly. */
export const HOURS_PER_MONTH = 730;

const GIB = 1024 ** 3;
/** Network is counted in decimal gigabytes, as transfer is usually billed. */
const GB = 1e9;

/** What a tenant consumed, in the units the plans are priced in. */
export interface Consumption {
  /** Days on the plan while active (not suspended or offboarded): the monthly fee is pro-rated by them. */
  readonly activeDays: number;
  readonly cpuCoreHours: number;
  readonly memoryGiBHours: number;
  /** Requested storage (the tenant's claims), GiB × months of 730 hours. */
  readonly storageGiBMonths: number;
  /** Gigabytes of 10^9 bytes. */
  readonly networkReceiveGB: number;
  readonly networkTransmitGB: number;
}

/** The measures, in report order. */
export const CONSUMPTION_MEASURES = ['activeDays', 'cpuCoreHours', 'memoryGiBHours', 'storageGiBMonths', 'networkReceiveGB', 'networkTransmitGB'] as const;
export type Measure = typeof CONSUMPTION_MEASURES[number];

/** One plan's prices, as recorded in `saasplane:plan_price`. */
export interface RecordedPrice {
  readonly currency: string;
  readonly monthly: number;
  readonly perCpuCoreHour: number;
  readonly perMemoryGiBHour: number;
  readonly perStorageGiBMonth: number;
}

/** A cost, split into the pro-rated fee and the usage charges. */
export interface Cost {
  readonly fee: number;
  readonly usage: number;
  readonly total: number;
  /** ISO 4217; null when no plan of the period had a price. */
  readonly currency: string | null;
}

/** A time bucket of the period: (start, end], as Prometheus' range selectors see it. */
export interface Bucket {
  readonly start: Date;
  readonly end: Date;
}

/** What Prometheus answered for one bucket. */
export interface MeasuredBucket extends Bucket {
  /** Per tenant and plan. */
  readonly usage: ReadonlyArray<{ readonly tenant: string; readonly plan: string } & Consumption>;
  /** Per plan: the price in force at the bucket's end (a price changed during a day applies to the whole day); a plan without one is not charged. */
  readonly prices: Readonly<Record<string, RecordedPrice>>;
  /** Per tenant and quota resource: the highest utilisation (used / hard) in the bucket. */
  readonly quota: ReadonlyArray<{ readonly tenant: string; readonly resource: string; readonly utilisation: number }>;
}

/** A tenant's consumption and cost on one plan, in one bucket or over the period. */
export interface PlanUsage extends Consumption {
  readonly plan: string;
  readonly cost: Cost;
  /** In a period: the plan's prices then (null: none recorded). */
  readonly price?: RecordedPrice | null;
}

/** A tenant's consumption and cost over the period (the JSON names billing scripts rely on). */
export interface TenantUsage extends Consumption {
  readonly tenant: string;
  /** The plans the tenant was on during the period, in the order it was on them. */
  readonly plans: string[];
  readonly cost: Cost;
  /** The same per plan: each part priced by its plan. */
  readonly byPlan: PlanUsage[];
  /** Per bucket (day, or hour for short periods), every plan of the bucket. */
  readonly periods: Array<Bucket & { readonly byPlan: PlanUsage[]; readonly quota: Record<string, number> }>;
}

/** The report of `saasplane usage`. */
export interface UsageReport {
  readonly offering: string;
  readonly from: Date;
  readonly to: Date;
  readonly currency: string | null;
  readonly tenants: TenantUsage[];
  readonly total: Consumption & { readonly cost: Cost };
  /** Plans with consumption but no recorded price, by bucket: their usage is reported, not charged. */
  readonly warnings: string[];
}

/**
 * The buckets of the period: whole days when the period is 2 days or more, else whole hours,
 * counted from `from`; the last one is shorter when the period is not a whole number of them.
 */
export function usageBuckets(from: Date, to: Date): Bucket[] {
  const span = to.getTime() - from.getTime();
  if (!(span > 0)) throw new RangeError(`the period from ${from.toISOString()} to ${to.toISOString()} is empty: --to must be after --from`);
  const step = span >= 2 * 86_400_000 ? 86_400_000 : 3_600_000;
  const buckets: Bucket[] = [];
  for (let start = from.getTime(); start < to.getTime(); start += step) {
    buckets.push({ start: new Date(start), end: new Date(Math.min(start + step, to.getTime())) });
  }
  return buckets;
}

/** A PromQL range selector of exactly (end - ms, end]: Prometheus 2 ranges include their start, and a sample on a boundary belongs to one bucket. */
function window(ms: number): string {
  return `[${ms - 1}ms]`;
}

/**
 * The PromQL of each measure for a bucket of `bucketMs` ending at the evaluation time, per tenant
 * and plan. Each recorded sample stands for one rule interval. `max by` over replicas: Prometheus
 * replicas writing into one store record the same tenant twice, and the most complete one counts.
 */
export function usageQueries(offering: string, bucketMs: number, tenant?: string): Record<Measure, string> {
  const selector = `{offering="${offering}"${tenant ? `, tenant="${tenant}"` : ''}`;
  const r = window(bucketMs);
  const sum = (series: string, scale: string, shift = '') => `max by (tenant, plan) (sum_over_time(${series}${selector}}${r}${shift})) * ${scale}`;
  // a recorded rate is the average of the window before it, centred half a window earlier: the
  // rates recorded until half a window after the bucket are its usage (a negative offset)
  const centred = ` offset -${RATE_WINDOW_SECONDS / 2}s`;
  const hours = `${CONSUMPTION_INTERVAL_SECONDS} / 3600`;
  return {
    activeDays: `max by (tenant, plan) (count_over_time(${CONSUMPTION_SERIES.info}${selector}, state=""}${r})) * ${CONSUMPTION_INTERVAL_SECONDS} / 86400`,
    cpuCoreHours: sum(CONSUMPTION_SERIES.cpu, hours, centred),
    memoryGiBHours: sum(CONSUMPTION_SERIES.memory, `${hours} / ${GIB}`),
    storageGiBMonths: sum(CONSUMPTION_SERIES.storage, `${hours} / ${HOURS_PER_MONTH} / ${GIB}`),
    networkReceiveGB: sum(CONSUMPTION_SERIES.networkReceive, `${CONSUMPTION_INTERVAL_SECONDS} / ${GB}`, centred),
    networkTransmitGB: sum(CONSUMPTION_SERIES.networkTransmit, `${CONSUMPTION_INTERVAL_SECONDS} / ${GB}`, centred),
  };
}

/** The PromQL of the plans' prices in force at the end of a bucket (labels plan, price, currency). */
export function priceQuery(offering: string, bucketMs: number): string {
  return `max by (plan, price, currency) (last_over_time(${PLAN_PRICE_SERIES}{offering="${offering}"}${window(bucketMs)}))`;
}

/** The PromQL of the highest quota utilisation in a bucket, per tenant and resource. */
export function quotaQuery(offering: string, bucketMs: number, tenant?: string): string {
  return `max by (tenant, resource) (max_over_time(${QUOTA_UTILISATION}{offering="${offering}"${tenant ? `, tenant="${tenant}"` : ''}}${window(bucketMs)}))`;
}

/** The prices of each plan from `priceQuery`'s samples; a plan recorded in two currencies is an error. */
export function recordedPrices(
  samples: ReadonlyArray<{ plan: string; price: string; currency: string; value: number }>,
): Record<string, RecordedPrice> {
  const prices: Record<string, { -readonly [K in keyof RecordedPrice]: RecordedPrice[K] }> = {};
  for (const s of samples) {
    const p = prices[s.plan] ??= { currency: s.currency, monthly: 0, perCpuCoreHour: 0, perMemoryGiBHour: 0, perStorageGiBMonth: 0 };
    if (p.currency !== s.currency) {
      throw new Error(`plan "${s.plan}" has prices in ${p.currency} and ${s.currency} in one day: its currency changed; `
        + 'report the days before and after the change separately (--from, --to)');
    }
    if ((PRICE_RATES as readonly string[]).includes(s.price)) p[s.price as typeof PRICE_RATES[number]] = s.value;
  }
  return prices;
}

const ZERO: Consumption = { activeDays: 0, cpuCoreHours: 0, memoryGiBHours: 0, storageGiBMonths: 0, networkReceiveGB: 0, networkTransmitGB: 0 };

function add(a: Consumption, b: Consumption): Consumption {
  return Object.fromEntries(CONSUMPTION_MEASURES.map((m) => [m, a[m] + b[m]])) as unknown as Consumption;
}

function addCost(a: Cost, b: Cost): Cost {
  return { fee: a.fee + b.fee, usage: a.usage + b.usage, total: a.total + b.total, currency: a.currency ?? b.currency };
}

/** The months of fee a consumption pays: its active days in months of 730 hours. */
export function feeMonths(c: Consumption): number {
  return c.activeDays * 24 / HOURS_PER_MONTH;
}

/** The fee (pro-rated by active time) and usage charges of a consumption at a plan's prices. */
export function priceConsumption(c: Consumption, price: RecordedPrice | undefined): Cost {
  if (!price) return { fee: 0, usage: 0, total: 0, currency: null };
  const fee = price.monthly * feeMonths(c);
  const usage = c.cpuCoreHours * price.perCpuCoreHour + c.memoryGiBHours * price.perMemoryGiBHour + c.storageGiBMonths * price.perStorageGiBMonth;
  return { fee, usage, total: fee + usage, currency: price.currency };
}

/** Prices every bucket by the plan of that time and totals per plan, tenant and offering. */
export function chargeback(offering: string, from: Date, to: Date, buckets: readonly MeasuredBucket[]): UsageReport {
  const currencies = new Set(buckets.flatMap((b) => Object.values(b.prices).map((p) => p.currency)));
  if (currencies.size > 1) {
    throw new Error(`the prices of offering "${offering}" are in ${[...currencies].join(' and ')} during the period: report one currency at a time (split the period where the currency changed)`);
  }
  const currency = [...currencies][0] ?? null;
  const unpriced = new Map<string, { first: Bucket; last: Bucket }>();
  const tenants = new Map<string, { periods: TenantUsage['periods']; plans: string[] }>();
  for (const bucket of buckets) {
    for (const u of bucket.usage) {
      const price = bucket.prices[u.plan];
      if (!price && Object.values(u).some((v) => typeof v === 'number' && v > 0)) unpriced.set(u.plan, { first: unpriced.get(u.plan)?.first ?? bucket, last: bucket });
      const t = tenants.get(u.tenant) ?? { periods: [], plans: [] };
      tenants.set(u.tenant, t);
      if (!t.plans.includes(u.plan)) t.plans.push(u.plan);
      let period = t.periods.find((p) => p.start.getTime() === bucket.start.getTime());
      if (!period) {
        const quota = Object.fromEntries(bucket.quota.filter((q) => q.tenant === u.tenant).map((q) => [q.resource, q.utilisation]));
        period = { start: bucket.start, end: bucket.end, byPlan: [], quota };
        t.periods.push(period);
      }
      const consumption = Object.fromEntries(CONSUMPTION_MEASURES.map((m) => [m, u[m]])) as unknown as Consumption;
      period.byPlan.push({ plan: u.plan, ...consumption, cost: withCurrency(priceConsumption(consumption, price), currency), price: price ?? null });
    }
  }
  const report: TenantUsage[] = [...tenants.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([tenant, t]) => {
    const byPlan = t.plans.map((plan) => {
      const parts = t.periods.flatMap((p) => p.byPlan.filter((u) => u.plan === plan));
      return { plan, ...parts.reduce<Consumption>(add, ZERO), cost: parts.map((p) => p.cost).reduce(addCost, noCost(currency)) };
    });
    const cost = byPlan.map((p) => p.cost).reduce(addCost, noCost(currency));
    return { tenant, plans: t.plans, ...byPlan.reduce<Consumption>(add, ZERO), cost, byPlan, periods: t.periods };
  });
  const warnings = [...unpriced.entries()].map(([plan, { first, last }]) => `plan "${plan}" has consumption but no recorded price from ${first.start.toISOString()} `
    + `to ${last.end.toISOString()}: its usage is reported and not charged; price the plan and apply the offering's PrometheusRule`);
  return {
    offering,
    from,
    to,
    currency,
    tenants: report,
    total: { ...report.reduce<Consumption>(add, ZERO), cost: report.map((t) => t.cost).reduce(addCost, noCost(currency)) },
    warnings,
  };
}

function noCost(currency: string | null): Cost {
  return { fee: 0, usage: 0, total: 0, currency };
}

function withCurrency(cost: Cost, currency: string | null): Cost {
  return { ...cost, currency: cost.currency ?? currency };
}
