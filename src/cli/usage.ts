// `saasplane usage`: each tenant's consumption and cost over a period, read from Prometheus'
// recorded series of the offering (the rules of its PrometheusRule) and priced by the plans'
// recorded prices; printed as a table, CSV, JSON or FOCUS rows, with an optional HTML report.
import * as fs from 'fs';
import { Command, CommandError, dnsLabel, help, outputFormat, parseCommandArgs, UsageError } from './command';
import { PrometheusClient, PrometheusSeries } from './prometheus';
import { usageHtml } from './usage-html';
import { usageCsv, usageFocusCsv, usageJson, usageTable } from './usage-report';
import { KSM_NAMESPACE_LABELS } from '../core/plan-offering';
import {
  Bucket, chargeback, CONSUMPTION_MEASURES, Consumption, MeasuredBucket, Measure, priceQuery, quotaQuery, recordedPrices, UsageReport, usageBuckets,
  usageQueries,
} from '../core/usage';

const FORMATS = ['table', 'csv', 'json', 'focus'] as const;

const USAGE = `saasplane usage --prometheus URL --offering O [--from T1] [--to T2] [--tenant T]
                [--output table|csv|json|focus] [--html FILE] [--token-file FILE]
                [--provider-name NAME]

Per tenant of offering O from T1 to T2: the plans it was on, CPU core-hours,
memory GiB-hours, requested storage GiB-months, network GB (10^9 bytes)
received and transmitted, and the cost: each plan's monthly fee pro-rated by
the days the tenant was active on it (not suspended or offboarded), plus its
usage prices; months are 730 hours. Each day (each hour for periods under 2
days) is priced by the plan of that time and the prices in force at its end,
both read from Prometheus: the series of the offering's PrometheusRule
(saasplane:tenant_* and saasplane:plan_price).

  --prometheus URL  Prometheus' base URL (TLS verified; NODE_EXTRA_CA_CERTS
                    adds a private CA)
  --offering O      the offering
  --from T1         start, included: 2026-11-01 (UTC midnight) or RFC 3339
                    (default: the first day of --to's month, UTC)
  --to T2           end, excluded: October is --from 2026-10-01 --to
                    2026-11-01 (default: now)
  --tenant T        only tenant T
  --output FORMAT   table (default), csv, json, or focus (FinOps FOCUS 1.2
                    rows as CSV: one per tenant, plan, day and charge)
  --html FILE       also write a self-contained HTML report with charts
  --token-file F    send the token in F as a bearer token
  --provider-name N the FOCUS ProviderName, PublisherName and
                    InvoiceIssuerName (default: the offering)

Prometheus needs kube-state-metrics with
--metric-labels-allowlist=namespaces=[${KSM_NAMESPACE_LABELS.join(',')}]
and the offering's PrometheusRule loaded (see the README, "Consumption and chargeback").`;

export const usageCommand: Command = {
  name: 'usage',
  summary: 'per-tenant consumption and cost over a period from Prometheus: table, CSV, JSON, FOCUS, HTML report',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs('usage', args, {
      'prometheus': { type: 'string' },
      'offering': { type: 'string' },
      'from': { type: 'string' },
      'to': { type: 'string' },
      'tenant': { type: 'string' },
      'output': { type: 'string', short: 'o' },
      'html': { type: 'string' },
      'token-file': { type: 'string' },
      'provider-name': { type: 'string' },
    });
    if (values.help) return help(io, USAGE);
    const format = outputFormat(values.output, FORMATS);
    if (!values.prometheus) throw new UsageError('--prometheus is required: the URL of the Prometheus holding the offering\'s rules, e.g. http://prometheus.monitoring:9090');
    if (!values.offering) throw new UsageError('--offering is required: the offering whose tenants to report');
    dnsLabel('--offering', values.offering);
    if (values.tenant !== undefined) dnsLabel('--tenant', values.tenant);
    const now = new Date();
    const to = values.to === undefined ? now : parseTime('--to', values.to);
    // by default the month of the period's last instant: --to 2026-11-01 alone is October
    const lastInstant = new Date(to.getTime() - 1);
    const from = values.from === undefined ? new Date(Date.UTC(lastInstant.getUTCFullYear(), lastInstant.getUTCMonth(), 1)) : parseTime('--from', values.from);
    if (to.getTime() <= from.getTime()) {
      throw new UsageError(`--to ${to.toISOString()} is not after --from ${from.toISOString()}${values.from === undefined ? ' (the first day of the month)' : ''}: `
        + 'give a period that ends after it starts');
    }
    const token = values['token-file'] === undefined ? undefined : readToken(values['token-file']);
    const prometheus = new PrometheusClient(values.prometheus, token);
    const report = await measureUsage(prometheus, values.offering, from, to, values.tenant);
    if (report.tenants.length === 0) {
      io.stderr(`no tenant of offering "${values.offering}"${values.tenant ? ` named "${values.tenant}"` : ''} has recorded series from ${from.toISOString()} `
        + `to ${to.toISOString()}: check the offering's PrometheusRule is loaded and kube-state-metrics exports the saasplane.io namespace labels\n`);
    }
    for (const warning of [...prometheus.warnings, ...report.warnings]) io.stderr(`warning: ${warning}\n`);
    const printers = { table: usageTable, csv: usageCsv, json: usageJson, focus: (r: UsageReport) => usageFocusCsv(r, { providerName: values['provider-name'] }) };
    io.stdout(expected(() => printers[format](report)));
    if (values.html) {
      const html = usageHtml(report);
      expected(() => fs.writeFileSync(values.html!, html));
      io.stderr(`wrote ${values.html}\n`);
    }
    return 0;
  },
};

/** The report of one offering from Prometheus: one range query per measure for the whole buckets, one instant query for a shorter last one. */
export async function measureUsage(prometheus: PrometheusClient, offering: string, from: Date, to: Date, tenant?: string): Promise<UsageReport> {
  const buckets = usageBuckets(from, to);
  const length = (b: Bucket) => b.end.getTime() - b.start.getTime();
  const step = length(buckets[0]);
  const whole = buckets.filter((b) => length(b) === step);
  const groups = [{ buckets: whole, ms: step }, ...buckets.filter((b) => length(b) !== step).map((b) => ({ buckets: [b], ms: length(b) }))];
  const measured: MeasuredBucket[] = [];
  const ends = new Set(buckets.map((b) => b.end.getTime()));
  for (const group of groups) {
    const [first, last] = [group.buckets[0], group.buckets[group.buckets.length - 1]];
    const ask = (query: string) => (group.buckets.length === 1
      ? prometheus.instant(query, first.end)
      : prometheus.range(query, first.end, last.end, group.ms));
    const queries = usageQueries(offering, group.ms, tenant);
    const answers = await Promise.all(CONSUMPTION_MEASURES.map((m) => ask(queries[m])));
    const [prices, quota] = await Promise.all([ask(priceQuery(offering, group.ms)), ask(quotaQuery(offering, group.ms, tenant))]);
    // a query frontend that aligns ranges to the step (Thanos, VictoriaMetrics) answers at other times
    const stray = [...answers.flat(), ...prices, ...quota].flatMap((s) => s.points).find(([t]) => !ends.has(Math.round(t * 1000)));
    if (stray) {
      throw new CommandError(`Prometheus answered for ${new Date(stray[0] * 1000).toISOString()}, not the end of a bucket `
        + '(its query frontend aligns ranges to the step?): start --from at UTC midnight (or the hour, for periods under 2 days), or query Prometheus itself');
    }
    for (const bucket of group.buckets) {
      const at = (series: PrometheusSeries) => series.points.find(([t]) => Math.round(t * 1000) === bucket.end.getTime())?.[1];
      const usage = new Map<string, { tenant: string; plan: string } & Record<Measure, number>>();
      CONSUMPTION_MEASURES.forEach((measure, i) => {
        for (const series of answers[i]) {
          const value = at(series);
          if (value === undefined) continue;
          const { tenant: t, plan } = series.labels;
          const key = `${t}\u0000${plan}`;
          const row = usage.get(key) ?? { tenant: t, plan, ...zero() };
          row[measure] = value;
          usage.set(key, row);
        }
      });
      const sampled = (series: PrometheusSeries[]) => series.flatMap((s) => (at(s) === undefined ? [] : [{ labels: s.labels, value: at(s)! }]));
      measured.push({
        ...bucket,
        usage: [...usage.values()],
        prices: expected(() => recordedPrices(sampled(prices).map(({ labels, value }) => ({ ...pick(labels, 'plan', 'price', 'currency'), value })))),
        quota: sampled(quota).map(({ labels, value }) => ({ tenant: labels.tenant, resource: labels.resource, utilisation: value })),
      });
    }
  }
  return expected(() => chargeback(offering, from, to, measured));
}

function pick<K extends string>(labels: Record<string, string>, ...keys: K[]): Record<K, string> {
  return Object.fromEntries(keys.map((k) => [k, labels[k]])) as Record<K, string>;
}

/** Runs `f`; its errors are expected failures, shown without a stack (a currency change, an unwritable --html file). */
function expected<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CommandError((e as Error).message);
  }
}

function zero(): Record<keyof Consumption, number> {
  return Object.fromEntries(CONSUMPTION_MEASURES.map((m) => [m, 0])) as Record<keyof Consumption, number>;
}

/** A date (UTC midnight) or an RFC 3339 time with its zone; a day the calendar lacks (2026-02-30) is refused, not rolled over. */
export function parseTime(flag: string, text: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/.exec(text);
  const day = match ? new Date(`${match[1]}T00:00:00Z`) : undefined;
  const time = match ? new Date(match[2] ? text : `${text}T00:00:00Z`) : new Date(NaN);
  if (!day || Number.isNaN(day.getTime()) || !day.toISOString().startsWith(match![1]) || Number.isNaN(time.getTime())) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a time: write a date like 2026-11-01 (UTC midnight) or RFC 3339 like 2026-11-01T00:00:00Z`);
  }
  return time;
}

function readToken(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`--token-file ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code}): give a file holding the bearer token`);
  }
}
