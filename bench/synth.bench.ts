// npm run bench: synthesis time and peak memory for 100, 1,000 and 5,000 tenants of the example
// offering, next to a floor measured in the same run: the same objects planned by the core and
// written as YAML without constructs. Each measurement runs in its own process so that peak RSS
// belongs to it alone.
//
// Chart rendering is measured separately: helm template costs ~0.2 s per process, which would
// hide synthesis itself. Both the construct run and the floor get the chart objects from one
// real `helm template` per plan (a pre-rendering ChartRenderer), adapted per tenant as usual.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shop } from '../examples/offering';
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../src/constructs';
import {
  ChartRenderer, HelmRenderer, KubeObject, loadChart, PlannedObject, planConsumer, planOffering, planProvider, planProviderInTenant, planTenant,
  providerIdentity, providerNamespace, RenderedObject, RenderRequest, renderTenantChart, resolveTenant, TenantFoldersLayout, toYaml, validateOffering,
  writeTreeAtomically,
} from '../src/core';

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const PLANS = Object.keys(shop.plans);

/**
 * Renders each plan once with real helm, then hands out copies with the tenant's own Ingress host
 * (hosts are unique across tenants), so that rendering stays out of the figures.
 */
class PrerenderedRenderer implements ChartRenderer {
  private readonly byPlanValues = new Map<string, RenderedObject[]>();
  private readonly helm = new HelmRenderer();
  public render(request: RenderRequest): RenderedObject[] {
    const { ingress, ...planValues } = request.values as { ingress?: { host?: string } };
    const key = JSON.stringify(planValues);
    let rendered = this.byPlanValues.get(key);
    if (!rendered) {
      rendered = this.helm.render({ ...request, releaseName: 'bench', namespace: 'bench' });
      this.byPlanValues.set(key, rendered);
    }
    return rendered.map(({ object, template }) => {
      if (object.kind !== 'Ingress' || !ingress?.host) return { object, template };
      const copy = structuredClone(object) as any;
      for (const rule of copy.spec.rules ?? []) rule.host = ingress.host;
      return { object: copy, template };
    });
  }
}

/** A tenant's options: its plan and its own Ingress host. */
function tenantOptions(i: number): { plan: string; parameters: { ingress: { host: string } } } {
  return { plan: PLANS[i % PLANS.length], parameters: { ingress: { host: `${tenantName(i)}.shop.example.com` } } };
}

function tenantName(i: number): string {
  return `t${String(i).padStart(5, '0')}`;
}

function runConstructs(count: number, outdir: string): void {
  const app = new SaaSApp({ outdir });
  const offering = new SaaSOffering(app, 'shop', { ...shop, maxTenants: undefined, renderer: new PrerenderedRenderer() });
  new ProviderAccess(app, 'provider', { offering });
  for (let i = 0; i < count; i++) {
    const tenant = offering.addTenant(tenantName(i), tenantOptions(i));
    new ConsumerAccess(app, `${tenant.tenantName}-users`, { tenant });
  }
  app.synth();
}

function runFloor(count: number, outdir: string): void {
  writeTreeAtomically(outdir, floorFiles(count));
}

/**
 * The same files as the constructs write: the core's tagged plan, placed by the default layout and
 * serialized one folder at a time, without constructs.
 */
function* floorFiles(count: number): Generator<[string, string]> {
  const spec = { ...shop, name: 'shop', maxTenants: undefined };
  validateOffering(spec);
  const chart = loadChart(spec.chart);
  const renderer = new PrerenderedRenderer();
  const layout = new TenantFoldersLayout();
  const identity = providerIdentity('shop', providerNamespace('shop'));
  yield* byFile(layout, [...planOffering(spec), ...planProvider(spec, 'provider', identity, false)]);
  const existing = new Set<string>();
  for (let i = 0; i < count; i++) {
    const tenant = resolveTenant(spec, { name: tenantName(i), ...tenantOptions(i) }, { chart, existingTenants: existing });
    existing.add(tenant.name);
    yield* byFile(layout, [
      ...planTenant(tenant, renderTenantChart(tenant, chart, renderer)),
      ...planProviderInTenant(identity, 'provider', tenant),
      ...planConsumer(tenant, `${tenant.name}-users`, { name: `${tenant.name}-users` }),
    ]);
  }
}

/** The files of one owner's planned objects. */
function byFile(layout: TenantFoldersLayout, planned: PlannedObject[]): Array<[string, string]> {
  const files = new Map<string, KubeObject[]>();
  for (const { object, ...tags } of planned) {
    const file = layout.fileFor({ object, ...tags });
    files.set(file, [...files.get(file) ?? [], object]);
  }
  return [...files].map(([file, objects]) => [file, toYaml(objects)]);
}

function child(mode: string, count: number): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `saasplane-bench-${mode}-`));
  const start = process.hrtime.bigint();
  (mode === 'constructs' ? runConstructs : runFloor)(count, outdir);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const files = countFiles(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, files }));
}

function countFiles(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

function measure(mode: string, count: number): { seconds: number; peakRssMiB: number; files: number } {
  const result = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', mode, String(count)], {
    encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: process.env,
  });
  if (result.status !== 0) {
    throw new Error(`bench child ${mode} ${count} failed:\n${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

function helmCost(): number {
  const chart = loadChart(shop.chart);
  const renderer = new HelmRenderer();
  const runs = 5;
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) {
    renderer.render({ chart, releaseName: `r${i}`, namespace: `shop-r${i}`, values: {}, kubeVersion: '1.34.0' });
  }
  return Number(process.hrtime.bigint() - start) / 1e9 / runs;
}

function main(): void {
  if (process.argv[2] === '--child') {
    child(process.argv[3], Number(process.argv[4]));
    return;
  }
  console.log(`saasplane synthesis benchmark (node ${process.version}, ${os.cpus().length} cores)`);
  console.log('tenants | constructs s | tenants/s | peak RSS MiB | floor s | floor RSS MiB | ratio | files');
  for (const count of SIZES) {
    const c = measure('constructs', count);
    const f = measure('floor', count);
    if (c.files !== f.files) throw new Error(`constructs wrote ${c.files} files, the floor ${f.files}: they must write the same objects`);
    console.log([
      String(count).padStart(7), c.seconds.toFixed(2).padStart(12), (count / c.seconds).toFixed(0).padStart(9), c.peakRssMiB.toFixed(0).padStart(12),
      f.seconds.toFixed(2).padStart(7), f.peakRssMiB.toFixed(0).padStart(13),
      (c.seconds / f.seconds).toFixed(2).padStart(5), String(c.files).padStart(5),
    ].join(' | '));
  }
  console.log(`helm template: ${helmCost().toFixed(3)} s per render (mean of 5), not included above`);
}

main();
