// The HTML form of a usage report: one self-contained page (inline SVG, no script, no fetch) with the
// cost per tenant and period, the consumption per tenant over the period, the quota utilisation,
// and the table of totals. It opens offline and can be mailed as is.
import { usageTable } from './usage-report';
import { Consumption, TenantUsage, UsageReport } from '../core/usage';

/** Tenant colours, in tenant order (then repeated): solid fills, so a screenshot shows each exactly. */
export const TENANT_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

interface Series {
  readonly name: string;
  readonly colour: string;
  readonly values: number[];
}

const WIDTH = 900;
const HEIGHT = 240;
const MARGIN = { left: 70, right: 10, top: 10, bottom: 40 };

const colourOf = (tenantIndex: number) => TENANT_COLOURS[tenantIndex % TENANT_COLOURS.length];

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The highest of many values, 0 at least (a loop: spreading a year of a large fleet into Math.max overflows the stack). */
function highestOf(values: readonly number[]): number {
  let highest = 0;
  for (const v of values) if (v > highest) highest = v;
  return highest;
}

/** A rounded axis maximum above `max`. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= max)!;
}

/** An SVG chart of one value per period: stacked bars, or one line per series. */
function chart(title: string, unit: string, labels: string[], series: Series[], kind: 'bars' | 'lines', fixedMax?: number, threshold?: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = fixedMax ?? niceMax(kind === 'bars' ? highestOf(totals) : series.reduce((m, s) => Math.max(m, highestOf(s.values)), 0));
  const x = (i: number) => MARGIN.left + (i + 0.5) * (plotW / Math.max(labels.length, 1));
  const y = (v: number) => MARGIN.top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${escape(formatTick(v))}</text>`);
  }
  const every = Math.ceil(labels.length / 12);
  labels.forEach((l, i) => {
    if (i % every === 0) parts.push(`<text x="${x(i)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${escape(l)}</text>`);
  });
  if (kind === 'bars') {
    const barW = Math.max(1, (plotW / Math.max(labels.length, 1)) * 0.8);
    labels.forEach((_, i) => {
      let base = 0;
      for (const s of series) {
        const v = s.values[i] ?? 0;
        if (v > 0) parts.push(`<rect x="${x(i) - barW / 2}" y="${y(base + v)}" width="${barW}" height="${y(base) - y(base + v)}" fill="${s.colour}"/>`);
        base += v;
      }
    });
  } else {
    for (const s of series) {
      const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(Math.min(v, max)).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="3"/>`);
    }
  }
  if (threshold !== undefined) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(threshold)}" y2="${y(threshold)}" stroke="#000" stroke-dasharray="6 4"/>`);
  }
  return `<figure><figcaption>${escape(title)} <span class="unit">(${escape(unit)})</span></figcaption>`
    + `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escape(title)}">`
    + `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#999"/>${parts.join('')}</svg></figure>`;
}

function formatTick(v: number): string {
  return v >= 100 ? v.toFixed(0) : String(Number(v.toFixed(2)));
}

/** The periods of the report (every tenant's periods, by start). */
function periodStarts(report: UsageReport): number[] {
  return [...new Set(report.tenants.flatMap((t) => t.periods.map((p) => p.start.getTime())))].sort((a, b) => a - b);
}

function perPeriod(report: UsageReport, starts: number[], value: (t: TenantUsage, start: number) => number): Series[] {
  return report.tenants.map((t, i) => ({ name: t.tenant, colour: colourOf(i), values: starts.map((s) => value(t, s)) }));
}

function sumOf(t: TenantUsage, start: number, pick: (c: Consumption & { cost: { total: number } }) => number): number {
  return t.periods.filter((p) => p.start.getTime() === start).flatMap((p) => p.byPlan).reduce((s, u) => s + pick(u), 0);
}

/** The self-contained HTML report. */
export function usageHtml(report: UsageReport): string {
  const starts = periodStarts(report);
  const daily = starts.length > 1 && starts[1] - starts[0] >= 86_400_000;
  const labels = starts.map((s) => new Date(s).toISOString().slice(daily ? 5 : 11, daily ? 10 : 16));
  const of = (pick: (c: Consumption & { cost: { total: number } }) => number) => perPeriod(report, starts, (t, s) => sumOf(t, s, pick));
  const highest = (t: TenantUsage, s: number) => highestOf(t.periods.filter((p) => p.start.getTime() === s).flatMap((p) => Object.values(p.quota)));
  const quota = perPeriod(report, starts, highest);
  const legend = report.tenants.map((t, i) => `<span class="key"><i style="background:${colourOf(i)}"></i>${escape(t.tenant)}</span>`).join('');
  const currency = report.currency ?? 'no price';
  const per = daily ? 'day' : 'hour';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Usage of ${escape(report.offering)}, ${report.from.toISOString().slice(0, 10)} to ${report.to.toISOString().slice(0, 10)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; max-width: ${WIDTH + 40}px; }
figure { margin: 16px 0 24px; } figcaption { font-weight: 600; margin-bottom: 4px; } .unit { font-weight: normal; color: #666; }
svg text { font-size: 11px; fill: #444; } .key { margin-right: 16px; } .key i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; }
pre { background: #f6f6f6; padding: 12px; overflow-x: auto; font-size: 12px; }
</style></head><body>
<h1>Usage and cost of ${escape(report.offering)}</h1>
<p>${report.from.toISOString()} to ${report.to.toISOString()} &middot; total ${report.total.cost.total.toFixed(2)} ${escape(currency)}
 (fees ${report.total.cost.fee.toFixed(2)}, usage ${report.total.cost.usage.toFixed(2)}) &middot; ${report.tenants.length} tenants</p>
<p>${legend}</p>
${chart(`Cost per tenant and ${per}`, currency, labels, of((c) => c.cost.total), 'bars')}
${chart(`CPU per tenant and ${per}`, 'core-hours', labels, of((c) => c.cpuCoreHours), 'lines')}
${chart(`Memory per tenant and ${per}`, 'GiB-hours', labels, of((c) => c.memoryGiBHours), 'lines')}
${chart(`Storage requested per tenant and ${per}`, 'GiB-months', labels, of((c) => c.storageGiBMonths), 'lines')}
${chart(`Network per tenant and ${per}, received and transmitted`, 'GB', labels, of((c) => c.networkReceiveGB + c.networkTransmitGB), 'lines')}
${chart(`Highest quota utilisation per tenant and ${per} (dashed: the 90% alert)`, 'used / hard', labels, quota, 'lines', 1, 0.9)}
<h2>Totals</h2>
<pre>${escape(usageTable(report))}</pre>
${report.warnings.map((w) => `<p><strong>Warning:</strong> ${escape(w)}</p>`).join('\n')}
</body></html>
`;
}
