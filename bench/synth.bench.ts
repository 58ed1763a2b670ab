// npm run bench: what a user waits for when synthesizing a fleet of the example offering (provider
// access, one consumer access per tenant, each tenant with its own parameters), with real
// rendering through the default renderer (the batch renderer behind the render cache):
//   cold     empty render cache: every tenant rendered
//   warm     the same program again: nothing rendered or planned again (median of three runs)
//   changed  one tenant's parameters changed: that tenant rendered again (median of three runs,
//            each with a change of its own)
// next to a floor measured in the same run: writing the same files from memory (the synthesized
// tree read in first, then written to a new folder by the same atomic writer; median of three).
// Each measurement runs in its own process so that peak RSS belongs to it alone. Rendering
// throughput compares one `helm template` process per render with the batch renderer.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shop } from '../examples/offering';
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../src/constructs';
import { BatchHelmRenderer, batchRendererBinary, HelmRenderer, loadChart, RenderRequest, writeTreeAtomically } from '../src/core';

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
/** Tenants of the memory measurement (a warm synthesis). */
const MEMORY_SIZE = Number(process.env.BENCH_MEMORY_SIZE ?? 10000);
const PLANS = Object.keys(shop.plans);

function tenantName(i: number): string {
  return `t${String(i).padStart(5, '0')}`;
}

/** A tenant's own parameters: its plan, its Ingress host, a replica count and a theme. */
function tenantOptions(i: number, change = 0) {
  const host = change > 0 ? `${tenantName(i)}-change${change}.shop.example.com` : `${tenantName(i)}.shop.example.com`;
  return {
    plan: PLANS[i % PLANS.length],
    parameters: { replicaCount: 1 + (i % 2), theme: i % 3 === 0 ? 'dark' : 'light', ingress: { host } },
  };
}

type Measured = { seconds: number; peakRssMiB: number; files: number };

/** One synthesis of `count` tenants into `outdir` (tenant 0 with its Ingress host changed, when `change` > 0). */
function synth(count: number, outdir: string, change: number): void {
  const app = new SaaSApp({ outdir });
  const offering = new SaaSOffering(app, 'shop', { ...shop, maxTenants: undefined });
  new ProviderAccess(app, 'provider', { offering });
  for (let i = 0; i < count; i++) {
    const tenant = offering.addTenant(tenantName(i), tenantOptions(i, i === 0 ? change : 0));
    new ConsumerAccess(app, `${tenant.tenantName}-users`, { tenant });
  }
  app.synth();
}

/** Writes the tree of `source` again, from memory, into a new folder. */
function floor(source: string): () => void {
  const files: Array<[string, string]> = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full); else files.push([path.relative(source, full), fs.readFileSync(full, 'utf8')]);
    }
  };
  walk(source);
  // a folder that does not exist yet: the writer's cheapest case, every file written once and one rename
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-bench-floor-')), 'out');
  return () => writeTreeAtomically(target, files);
}

function countFiles(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

function child(mode: string, count: number, outdir: string): void {
  const change = Number(/^changed(\d+)$/.exec(mode)?.[1] ?? 0);
  const run = mode === 'floor' ? floor(outdir) : () => synth(count, outdir, change);
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, files: countFiles(outdir) }));
}

/** The run of median time of three (warm runs and the floor vary from run to run on a loaded machine). */
function median(mode: string, count: number, outdir: string, cache: string): Measured {
  const runs = [0, 1, 2].map(() => measure(mode, count, outdir, cache)).sort((a, b) => a.seconds - b.seconds);
  return runs[1];
}

function measure(mode: string, count: number, outdir: string, cache: string): Measured {
  const result = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', mode, String(count), outdir], {
    encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, SAASPLANE_CACHE: cache },
  });
  if (result.status !== 0) {
    throw new Error(`bench child ${mode} ${count} failed:\n${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

/** Renders per second: `helm template` one process per render, in series, and the batch renderer in one batch. */
function throughput(): { helm: number; batch?: number } {
  const chart = loadChart(shop.chart);
  const requests = (n: number): RenderRequest[] => Array.from({ length: n }, (_, i) => ({
    chart, releaseName: tenantName(i), namespace: `shop-${tenantName(i)}`, values: tenantOptions(i).parameters, kubeVersion: '1.34.0',
  }));
  const timed = (fn: () => void): number => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const helm = new HelmRenderer();
  const serial = requests(20);
  const helmSeconds = timed(() => serial.forEach((r) => helm.render(r)));
  const binary = batchRendererBinary();
  const batch = binary ? new BatchHelmRenderer(binary) : undefined;
  const batchSeconds = batch ? timed(() => batch.renderMany(requests(1000))) : undefined;
  return { helm: serial.length / helmSeconds, batch: batchSeconds ? 1000 / batchSeconds : undefined };
}

const cell = (value: string, width: number): string => value.padStart(width);

function main(): void {
  if (process.argv[2] === '--child') {
    child(process.argv[3], Number(process.argv[4]), process.argv[5]);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-bench-'));
  console.log(`saasplane synthesis benchmark (node ${process.version}, ${os.cpus().length} cores), real rendering through the default renderer`);
  const rate = throughput();
  const serialHelm = (count: number) => count / rate.helm;
  console.log(`rendering: helm template ${rate.helm.toFixed(1)} renders/s (one process per render, in series); `
    + `batch renderer ${rate.batch ? `${rate.batch.toFixed(0)} renders/s (1,000 renders in one process)` : 'not built'}`);
  console.log('tenants | cold s | helm serial s | × faster | warm s | floor s | warm/floor | changed s | changed/warm | peak RSS MiB | files');
  for (const count of SIZES) {
    const outdir = path.join(work, `out-${count}`);
    const cache = path.join(work, `cache-${count}`);
    const cold = measure('cold', count, outdir, cache);
    const warm = median('warm', count, outdir, cache);
    // each run changes tenant 0 anew (then a warm run would take the change from the cache)
    const changed = [1, 2, 3].map((change) => measure(`changed${change}`, count, outdir, cache)).sort((a, b) => a.seconds - b.seconds)[1];
    const io = median('floor', count, outdir, cache);
    console.log([
      cell(String(count), 7), cell(cold.seconds.toFixed(2), 6), cell(serialHelm(count).toFixed(1), 13),
      cell((serialHelm(count) / cold.seconds).toFixed(1), 8),
      cell(warm.seconds.toFixed(2), 6), cell(io.seconds.toFixed(2), 7), cell((warm.seconds / io.seconds).toFixed(2), 10),
      cell(changed.seconds.toFixed(2), 9), cell((changed.seconds / warm.seconds).toFixed(2), 12),
      cell(Math.max(cold.peakRssMiB, warm.peakRssMiB, changed.peakRssMiB).toFixed(0), 12), cell(String(warm.files), 5),
    ].join(' | '));
  }
  if (MEMORY_SIZE > 0) {
    const outdir = path.join(work, `out-${MEMORY_SIZE}`);
    const cache = path.join(work, `cache-${MEMORY_SIZE}`);
    const cold = measure('cold', MEMORY_SIZE, outdir, cache);
    const warm = measure('warm', MEMORY_SIZE, outdir, cache);
    console.log(`memory at ${MEMORY_SIZE} tenants: peak RSS ${cold.peakRssMiB.toFixed(0)} MiB cold (${cold.seconds.toFixed(1)} s), `
      + `${warm.peakRssMiB.toFixed(0)} MiB warm (${warm.seconds.toFixed(1)} s), ${warm.files} files`);
  }
  console.log('helm serial s: the measured time of one helm template process per render, times the tenants');
  fs.rmSync(work, { recursive: true, force: true });
}

main();
