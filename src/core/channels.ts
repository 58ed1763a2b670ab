// Chart versions an offering holds at once (channels), which one each tenant runs, and the waves a
// rollout moves tenants through. A tenant's channel, in order: its own pin, the rollout's channel
// when its wave is promoted, its plan's channel, the offering's default channel (`chart`).
import type { ChartSource } from './chart-source';
import { LoadedChart, loadChart } from './helm';
import type { OfferingSpec, TenantSpec } from './model';
import { isLabelValue } from './names';

/** The channel name of the offering's `chart` unless `defaultChannel` names another. */
export const DEFAULT_CHANNEL = 'stable';

/** The channel a tenant runs (on every object of the tenant but its namespace). */
export const LABEL_CHANNEL = 'saasplane.io/channel';
/** The chart version a tenant runs. */
export const LABEL_CHART_VERSION = 'saasplane.io/chart-version';
/** The rollout wave (1, 2, ...) a tenant belongs to. */
export const LABEL_WAVE = 'saasplane.io/wave';

/** The loaded chart of each channel of an offering. */
export type ChannelCharts = Readonly<Record<string, LoadedChart>>;

/** Where a tenant stands: the channel it runs and, when a rollout names it or its plan, its wave (1-based). */
export interface TenantRelease {
  readonly channel: string;
  readonly wave?: number;
  /** Its wave is promoted (or it is in none): the rollout moved it, or never will. */
  readonly promoted: boolean;
  /** The tenant pins its channel itself: no rollout moves it. */
  readonly pinned: boolean;
}

/** The name of the offering's default channel. */
export function defaultChannel(offering: OfferingSpec): string {
  return offering.defaultChannel ?? DEFAULT_CHANNEL;
}

/** Every channel of the offering with its chart source, the default first. */
export function channelSources(offering: OfferingSpec): Record<string, ChartSource> {
  return { [defaultChannel(offering)]: offering.chart, ...offering.channels };
}

/** Fetches and reads the chart of every channel. */
export function loadChannelCharts(offering: OfferingSpec): ChannelCharts {
  return Object.fromEntries(Object.entries(channelSources(offering)).map(([channel, source]) => [channel, loadChart(source)]));
}

/** Problems of the offering's channels and rollout, each naming the value and the fix. */
export function channelProblems(offering: OfferingSpec): string[] {
  const problems: string[] = [];
  const own = (map: object | undefined, key: string) => map !== undefined && Object.prototype.hasOwnProperty.call(map, key);
  const byDefault = defaultChannel(offering);
  const names = [byDefault, ...Object.keys(offering.channels ?? {})];
  for (const name of names) {
    if (!isLabelValue(name) || name === '') {
      problems.push(`channel name ${JSON.stringify(name)} is not a label value: name channels like "stable", "canary" or "1.5.0" (letters, digits, '-', '_', '.', at most 63)`);
    }
  }
  if (own(offering.channels, byDefault)) {
    problems.push(`channels.${byDefault} is the default channel, whose chart is \`chart\`: remove it from channels, or set defaultChannel to another name`);
  }
  for (const [name, source] of Object.entries(offering.channels ?? {})) {
    if (!source) problems.push(`channels.${name} has no chart: set it to a ChartSource, e.g. ChartSource.fromDirectory("charts/app-1.5.0")`);
  }
  const known = (channel: unknown) => typeof channel === 'string' && names.includes(channel);
  const choose = `choose one of ${names.map((n) => `"${n}"`).join(', ')}`;
  for (const [plan, spec] of Object.entries(offering.plans ?? {})) {
    if (spec?.channel !== undefined && !known(spec.channel)) problems.push(`plan "${plan}" channel ${JSON.stringify(spec.channel)} does not exist: ${choose}`);
  }
  const rollout = offering.rollout;
  if (rollout !== undefined) {
    if (!known(rollout.channel)) problems.push(`rollout channel ${JSON.stringify(rollout.channel)} does not exist: ${choose}`);
    if (!Array.isArray(rollout.waves) || rollout.waves.length === 0 || rollout.waves.some((w) => !Array.isArray(w) || w.length === 0)) {
      problems.push('rollout waves must be a list of non-empty lists of tenant or plan names, e.g. [["internal"], ["small"], ["large"]]');
    } else {
      const seen = new Map<string, number>();
      rollout.waves.forEach((wave, i) => {
        for (const member of wave) {
          if (seen.has(member)) problems.push(`rollout waves: "${member}" is in wave ${seen.get(member)! + 1} and wave ${i + 1}: name each tenant or plan once`);
          seen.set(member, i);
        }
      });
    }
    const promoted = rollout.promoted ?? 0;
    const waves = Array.isArray(rollout.waves) ? rollout.waves.length : 0;
    if (!Number.isInteger(promoted) || promoted < 0 || promoted > waves) {
      problems.push(`rollout promoted ${JSON.stringify(rollout.promoted)} must be a whole number from 0 to ${waves} (the waves whose tenants run channel ${JSON.stringify(rollout.channel)})`);
    }
  }
  return problems;
}

/**
 * The channel a tenant's pin names: a channel, or the channel whose chart has that version
 * ("1.4.0"); the pin as it is when neither (its problem is then told).
 */
export function pinnedChannel(offering: OfferingSpec, pin: string | undefined, charts?: ChannelCharts): string | undefined {
  if (pin === undefined || Object.prototype.hasOwnProperty.call(channelSources(offering), pin)) return pin;
  const holding = Object.entries(charts ?? {}).filter(([, chart]) => chart.version === pin).map(([channel]) => channel);
  return holding.length === 1 ? holding[0] : pin;
}

/** Problems of a tenant's own channel pin (resolved with `pinnedChannel`). */
export function tenantChannelProblems(offering: OfferingSpec, tenant: Pick<TenantSpec, 'channel'>, charts?: ChannelCharts): string[] {
  const names = Object.keys(channelSources(offering));
  if (tenant.channel === undefined || names.includes(tenant.channel)) return [];
  const versions = Object.entries(charts ?? {}).map(([channel, chart]) => `"${chart.version}" (${channel})`);
  return [`channel ${JSON.stringify(tenant.channel)} does not exist: choose one of ${names.map((n) => `"${n}"`).join(', ')}`
    + `${versions.length ? `, or a version one of them holds: ${versions.join(', ')}` : ''}`];
}

/**
 * The channel and wave of a tenant of a (validated) offering. With `promoteAll`, every wave counts
 * as promoted: where each tenant stands once the rollout is complete.
 */
export function tenantRelease(offering: OfferingSpec, tenant: Pick<TenantSpec, 'name' | 'plan' | 'channel'>, promoteAll = false): TenantRelease {
  const rollout = offering.rollout;
  const byName = rollout?.waves.findIndex((w) => w.includes(tenant.name)) ?? -1;
  const index = byName >= 0 ? byName : rollout?.waves.findIndex((w) => w.includes(tenant.plan)) ?? -1;
  const wave = index >= 0 ? index + 1 : undefined;
  const promoted = wave === undefined || promoteAll || wave <= (rollout?.promoted ?? 0);
  const pinned = tenant.channel !== undefined;
  const plan = Object.prototype.hasOwnProperty.call(offering.plans, tenant.plan) ? offering.plans[tenant.plan] : undefined;
  const channel = tenant.channel
    ?? (wave !== undefined && promoted ? rollout!.channel : undefined)
    ?? plan?.channel
    ?? defaultChannel(offering);
  return { channel, ...(wave !== undefined ? { wave } : {}), promoted, pinned };
}

/**
 * The labels of a tenant's release, on every object of the tenant but its namespace; none for an
 * offering of one chart and no rollout (its output stays as it was before channels existed).
 */
export function releaseLabels(offering: OfferingSpec, release: TenantRelease, chart: LoadedChart | undefined): Record<string, string> {
  if (Object.keys(offering.channels ?? {}).length === 0 && offering.rollout === undefined) return {};
  return {
    [LABEL_CHANNEL]: release.channel,
    ...(chart && isLabelValue(chart.version) ? { [LABEL_CHART_VERSION]: chart.version } : {}),
    ...(release.wave !== undefined ? { [LABEL_WAVE]: String(release.wave) } : {}),
  };
}
