// Thirty-one days of realistic raw series for the tenants of the example offering "shop" (and one
// tenant of another offering, and a system namespace), as cAdvisor and kube-state-metrics report
// them and Prometheus scrapes them, written as OpenMetrics for `promtool tsdb create-blocks-from`.
// Real-life cases: a tenant created mid-period, one suspended, one changing plans mid-day (with the
// two kube-state-metrics replicas disagreeing for two minutes), counter resets (a pod restart), a
// scrape outage of everything, gaps in one Prometheus replica at a time, and two Prometheus
// replicas (and two kube-state-metrics replicas) reporting the same containers and claims.
// The expected figures are computed here from the raw samples, without Prometheus.
import * as fs from 'fs';
import * as path from 'path';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GI = 1024 ** 3;

/** The billing period: October 2026 (30 days, [FROM, TO)). */
export const FROM = Date.UTC(2026, 9, 1);
export const TO = Date.UTC(2026, 9, 31);
/** The raw series cover the period and some margin: rate() needs samples before the first bucket. */
export const DATA_START = FROM - 2 * HOUR;
export const DATA_END = TO + HOUR;

/** Everything stops being scraped (a Prometheus outage, kube-state-metrics included). */
export const OUTAGE = { from: FROM + 5 * DAY + 3 * HOUR, to: FROM + 5 * DAY + 3 * HOUR + 20 * MIN };
/** One Prometheus replica at a time misses its scrapes; the other has them. */
export const REPLICA_GAPS: Record<string, { from: number; to: number }> = {
  a: { from: FROM + 3 * DAY, to: FROM + 3 * DAY + 3 * HOUR },
  b: { from: FROM + 7 * DAY, to: FROM + 7 * DAY + 6 * HOUR },
};
/** The second kube-state-metrics replica reports a namespace's label change this much later. */
const KSM_LAG = 2 * MIN;

export interface TenantScenario {
  readonly offering: string;
  readonly tenant: string;
  readonly created: number;
  readonly suspended?: number;
  /** The plan from each time on (the first from `created`). */
  readonly plans: Array<{ readonly plan: string; readonly from: number }>;
  /** Mean CPU cores used, memory GiB working set, network bytes per second. */
  readonly cores: number;
  readonly memoryGiB: number;
  readonly receivePerSecond: number;
  readonly transmitPerSecond: number;
  /** Requested storage from each time on. */
  readonly storage: Array<{ readonly bytes: number; readonly from: number }>;
  /** Pod restarts: cAdvisor's counters start again from 0 (same labels, a StatefulSet pod). */
  readonly restarts: number[];
  /** Requested CPU against the quota's hard CPU, per plan. */
  readonly requestedCores: number;
}

const HARD_CORES: Record<string, number> = { small: 1, large: 4 };

export const TENANTS: TenantScenario[] = [
  {
    offering: 'shop',
    tenant: 'acme',
    created: DATA_START,
    plans: [{ plan: 'small', from: DATA_START }],
    cores: 0.3,
    memoryGiB: 0.5,
    receivePerSecond: 20_000,
    transmitPerSecond: 60_000,
    storage: [{ bytes: 10 * GI, from: DATA_START }],
    restarts: [FROM + 9 * DAY + 12 * HOUR, FROM + 21 * DAY + 7 * HOUR + 13 * MIN],
    requestedCores: 0.95,
  },
  {
    offering: 'shop',
    tenant: 'globex',
    created: DATA_START,
    plans: [{ plan: 'small', from: DATA_START }, { plan: 'large', from: FROM + 11 * DAY + 12 * HOUR + 7 * MIN }],
    cores: 0.6,
    memoryGiB: 1.5,
    receivePerSecond: 50_000,
    transmitPerSecond: 150_000,
    storage: [{ bytes: 20 * GI, from: DATA_START }, { bytes: 50 * GI, from: FROM + 11 * DAY + 12 * HOUR + 30 * MIN }],
    restarts: [],
    requestedCores: 0.8,
  },
  {
    offering: 'shop',
    tenant: 'initech',
    created: FROM + 17 * DAY + 8 * HOUR + 25 * MIN,
    plans: [{ plan: 'large', from: FROM + 17 * DAY + 8 * HOUR + 25 * MIN }],
    cores: 1.2,
    memoryGiB: 3,
    receivePerSecond: 80_000,
    transmitPerSecond: 200_000,
    storage: [{ bytes: 100 * GI, from: FROM + 17 * DAY + 8 * HOUR + 26 * MIN }],
    restarts: [],
    requestedCores: 2,
  },
  {
    offering: 'shop',
    tenant: 'umbrella',
    created: DATA_START,
    suspended: FROM + 19 * DAY + 16 * HOUR,
    plans: [{ plan: 'small', from: DATA_START }],
    cores: 0.1,
    memoryGiB: 0.25,
    receivePerSecond: 5_000,
    transmitPerSecond: 10_000,
    storage: [{ bytes: 5 * GI, from: DATA_START }],
    restarts: [],
    requestedCores: 0.1,
  },
  {
    offering: 'blog',
    tenant: 'hooli',
    created: DATA_START,
    plans: [{ plan: 'small', from: DATA_START }],
    cores: 2,
    memoryGiB: 4,
    receivePerSecond: 1e6,
    transmitPerSecond: 1e6,
    storage: [{ bytes: 200 * GI, from: DATA_START }],
    restarts: [],
    requestedCores: 0.5,
  },
];

export const namespaceOf = (t: TenantScenario) => `${t.offering}-${t.tenant}`;

/** The value of a step function (a list of { from, ... }) at `t`. */
function stepAt<T extends { from: number }>(steps: readonly T[], t: number): T {
  return [...steps].reverse().find((s) => s.from <= t) ?? steps[0];
}

export const planAt = (t: TenantScenario, at: number) => stepAt(t.plans, at).plan;
const running = (t: TenantScenario, at: number) => at >= t.created + 2 * MIN && (t.suspended === undefined || at < t.suspended);

/** A rate that follows the day (a peak in the afternoon), constant within each hour. */
function hourlyRate(mean: number, at: number, phase = 0): number {
  const hour = Math.floor(at / HOUR);
  return mean * (1 + 0.5 * Math.sin((2 * Math.PI * ((hour % 24) + phase)) / 24));
}

/** ∫ rate dt in seconds from DATA_START to `at`, the rate constant within each hour (hourly sums precomputed). */
function cumulative(mean: number, phase: number): (at: number) => number {
  const firstHour = Math.floor(DATA_START / HOUR);
  const sums = [0];
  for (let h = firstHour; h * HOUR < DATA_END + HOUR; h++) sums.push(sums[sums.length - 1] + hourlyRate(mean, h * HOUR, phase) * 3600);
  return (at) => {
    const h = Math.floor(at / HOUR);
    const whole = h - firstHour;
    const beforeStart = ((DATA_START - firstHour * HOUR) / 1000) * hourlyRate(mean, DATA_START, phase);
    return sums[whole] - beforeStart + (hourlyRate(mean, at, phase) * (at - h * HOUR)) / 1000;
  };
}

/** One raw series: its name, labels and samples ([ms, value], time-ordered). */
export interface RawSeries {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly samples: Array<[number, number]>;
}

const scraped = (source: string | undefined, at: number) => !(at >= OUTAGE.from && at < OUTAGE.to)
  && !(source && REPLICA_GAPS[source] && at >= REPLICA_GAPS[source].from && at < REPLICA_GAPS[source].to);

/** A counter of a running container: ∫ rate since its last (re)start. */
function counterSamples(t: TenantScenario, mean: number, phase: number, offset: number, replica: string): Array<[number, number]> {
  const samples: Array<[number, number]> = [];
  const integral = cumulative(mean, phase);
  for (let at = DATA_START + offset; at < DATA_END; at += MIN) {
    if (!running(t, at) || !scraped(replica, at)) continue;
    const start = Math.max(t.created + 2 * MIN, ...t.restarts.filter((r) => r <= at));
    samples.push([at, integral(at) - integral(start)]);
  }
  return samples;
}

/** The raw series of every scenario tenant, and of a system namespace. */
export function rawSeries(): RawSeries[] {
  const series: RawSeries[] = [];
  for (const t of TENANTS) {
    const namespace = namespaceOf(t);
    for (const [replica, offset] of [['a', 0], ['b', 20_000]] as const) {
      const cadvisor = { job: 'kubelet', prometheus_replica: replica, namespace, pod: 'app-0' };
      const container = { ...cadvisor, container: 'app', image: 'registry.example/app:1.4.2' };
      series.push({ name: 'container_cpu_usage_seconds_total', labels: container, samples: counterSamples(t, t.cores, 0, offset, replica) });
      // the pod's own cgroup repeats its containers' sum: the rules must leave it out
      series.push({ name: 'container_cpu_usage_seconds_total', labels: { ...cadvisor, container: '', image: '' }, samples: counterSamples(t, t.cores, 0, offset, replica) });
      const memory: Array<[number, number]> = [];
      for (let at = DATA_START + offset; at < DATA_END; at += MIN) {
        const daily = 1 + 0.3 * Math.sin((2 * Math.PI * (at % DAY)) / DAY);
        if (running(t, at) && scraped(replica, at)) memory.push([at, Math.round(t.memoryGiB * GI * daily)]);
      }
      series.push({ name: 'container_memory_working_set_bytes', labels: container, samples: memory });
      const network = { ...cadvisor, interface: 'eth0' };
      series.push({ name: 'container_network_receive_bytes_total', labels: network, samples: counterSamples(t, t.receivePerSecond, 6, offset, replica) });
      series.push({ name: 'container_network_transmit_bytes_total', labels: network, samples: counterSamples(t, t.transmitPerSecond, 9, offset, replica) });
    }
    for (const [instance, offset] of [['ksm-0', 0], ['ksm-1', 30_000]] as const) {
      const ksm = { job: 'kube-state-metrics', instance, namespace };
      const lag = instance === 'ksm-1' ? KSM_LAG : 0;
      // one series per label set: a plan change or a suspension ends one and starts another
      const labelSets = new Map<string, RawSeries>();
      const storage: Array<[number, number]> = [];
      const hard = new Map<string, Array<[number, number]>>();
      const used: Array<[number, number]> = [];
      for (let at = DATA_START + offset; at < DATA_END; at += 2 * MIN) {
        if (at < t.created || !scraped(undefined, at)) continue;
        const seen = at - lag;
        const labels: Record<string, string> = {
          ...ksm,
          label_saasplane_io_offering: t.offering,
          label_saasplane_io_tenant: t.tenant,
          label_saasplane_io_plan: planAt(t, seen),
          ...(t.suspended !== undefined && seen >= t.suspended ? { label_saasplane_io_state: 'suspended' } : {}),
        };
        const key = JSON.stringify(labels);
        if (!labelSets.has(key)) labelSets.set(key, { name: 'kube_namespace_labels', labels, samples: [] });
        labelSets.get(key)!.samples.push([at, 1]);
        storage.push([at, stepAt(t.storage, seen).bytes]);
        const plan = planAt(t, seen);
        if (!hard.has(plan)) hard.set(plan, []);
        hard.get(plan)!.push([at, HARD_CORES[plan]]);
        used.push([at, running(t, seen) ? t.requestedCores * (seen > FROM + 24 * DAY && t.tenant === 'acme' ? 1 : 0.9) : 0]);
      }
      series.push(...labelSets.values());
      series.push({ name: 'kube_persistentvolumeclaim_resource_requests_storage_bytes', labels: { ...ksm, persistentvolumeclaim: 'data-app-0' }, samples: storage });
      const quota = { ...ksm, resourcequota: 'tenant-quota', resource: 'requests.cpu' };
      series.push({ name: 'kube_resourcequota', labels: { ...quota, type: 'hard' }, samples: [...hard.values()].flat().sort((x, y) => x[0] - y[0]) });
      series.push({ name: 'kube_resourcequota', labels: { ...quota, type: 'used' }, samples: used });
    }
  }
  // a namespace without saasplane labels: its containers belong to no tenant
  series.push({ name: 'kube_namespace_labels', labels: { job: 'kube-state-metrics', instance: 'ksm-0', namespace: 'kube-system' }, samples: [[DATA_START, 1]] });
  return series;
}

/** TSDB blocks span 2 hours, aligned to the epoch. */
const BLOCK = 2 * HOUR;

/**
 * Writes the series as OpenMetrics files for promtool, one per 2-hour block (families together, as
 * the format requires): promtool 2.42 reads its whole input once per block it writes, so one file
 * of the month would be read 372 times. Returns the files and the number of samples.
 */
export function writeOpenMetrics(series: RawSeries[], dir: string): { files: string[]; samples: number } {
  const families = [...new Set(series.map((s) => s.name))].map((name) => ({
    name,
    series: series.filter((s) => s.name === name).map((s) => ({ ...s, labelText: Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(','), next: 0 })),
  }));
  const first = Math.min(...series.flatMap((s) => (s.samples.length ? [s.samples[0][0]] : [])));
  const last = Math.max(...series.flatMap((s) => (s.samples.length ? [s.samples[s.samples.length - 1][0]] : [])));
  const files: string[] = [];
  let samples = 0;
  for (let start = first - (first % BLOCK); start <= last; start += BLOCK) {
    const lines: string[] = [];
    for (const family of families) {
      lines.push(`# TYPE ${family.name} unknown`);
      for (const s of family.series) {
        for (; s.next < s.samples.length && s.samples[s.next][0] < start + BLOCK; s.next++) {
          const [at, value] = s.samples[s.next];
          lines.push(`${family.name}{${s.labelText}} ${value} ${at / 1000}`);
          samples++;
        }
      }
    }
    const file = path.join(dir, `raw-${start}.om`);
    fs.writeFileSync(file, `${lines.join('\n')}\n# EOF\n`);
    files.push(file);
  }
  return { files, samples };
}

/** A tenant's expected consumption on one plan, from the raw samples. */
export interface ExpectedUsage {
  activeDays: number;
  cpuCoreHours: number;
  memoryGiBHours: number;
  storageGiBMonths: number;
  networkReceiveGB: number;
  networkTransmitGB: number;
}

/**
 * Per tenant and plan of an offering over [from, to) (by default the month), computed from the raw samples without
 * Prometheus: counters as the sum of their increases between consecutive samples of either
 * replica (after a reset, the new value), gauges as each sample held for its scrape interval in
 * the slot it falls in (one sample per slot whichever Prometheus replica took it; claims from the
 * kube-state-metrics replica without lag), active days as the kube-state-metrics samples of an
 * active namespace, each part on the plan of its time.
 */
export function expectedUsage(series: RawSeries[], offering: string, from = FROM, to = TO): Map<string, Map<string, ExpectedUsage>> {
  const result = new Map<string, Map<string, ExpectedUsage>>();
  const partOf = (t: TenantScenario, plan: string) => {
    const plans = result.get(t.tenant) ?? new Map<string, ExpectedUsage>();
    result.set(t.tenant, plans);
    const zero = { activeDays: 0, cpuCoreHours: 0, memoryGiBHours: 0, storageGiBMonths: 0, networkReceiveGB: 0, networkTransmitGB: 0 };
    const part = plans.get(plan) ?? zero;
    plans.set(plan, part);
    return part;
  };
  const inPeriod = (at: number) => at >= from && at < to;
  for (const t of TENANTS.filter((x) => x.offering === offering)) {
    const mine = series.filter((s) => s.labels.namespace === namespaceOf(t));
    const merged = (name: string, extra: (s: RawSeries) => boolean = () => true) =>
      mine.filter((s) => s.name === name && extra(s)).flatMap((s) => s.samples).sort((x, y) => x[0] - y[0]);
    const counter = (name: string, scale: number, measure: keyof ExpectedUsage) => {
      const samples = merged(name, (s) => s.labels.container !== '');
      for (let i = 1; i < samples.length; i++) {
        const [at, value] = samples[i];
        if (!inPeriod(at)) continue;
        const previous = samples[i - 1][1];
        partOf(t, planAt(t, at))[measure] += (value >= previous ? value - previous : value) / scale;
      }
    };
    const gauge = (name: string, slot: number, scale: number, measure: keyof ExpectedUsage, pick: (s: RawSeries) => boolean = () => true) => {
      const bySlot = new Map<number, number>();
      for (const [at, value] of merged(name, pick)) if (inPeriod(at)) bySlot.set(Math.floor(at / slot), value);
      for (const [index, value] of bySlot) partOf(t, planAt(t, index * slot))[measure] += (value * (slot / 1000)) / scale;
    };
    counter('container_cpu_usage_seconds_total', 3600, 'cpuCoreHours');
    counter('container_network_receive_bytes_total', 1e9, 'networkReceiveGB');
    counter('container_network_transmit_bytes_total', 1e9, 'networkTransmitGB');
    gauge('container_memory_working_set_bytes', MIN, 3600 * GI, 'memoryGiBHours');
    // the kube-state-metrics replica without lag: a claim only grows, so the up-to-date size is the larger one
    gauge('kube_persistentvolumeclaim_resource_requests_storage_bytes', 2 * MIN, 3600 * 730 * GI, 'storageGiBMonths', (s) => s.labels.instance === 'ksm-0');
    gauge('kube_namespace_labels', 2 * MIN, 86_400, 'activeDays', (s) => s.labels.instance === 'ksm-0' && !s.labels.label_saasplane_io_state);
  }
  return result;
}
