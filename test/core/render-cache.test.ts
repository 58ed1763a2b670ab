// Issue 10, rendering at fleet scale (first part): the render cache on disk. Real helm renders;
// a counting wrapper shows which requests reach it.
import * as fs from 'fs';
import * as path from 'path';
import { captureError } from './fixtures';
import { shop } from '../../examples/offering';
import { main } from '../../src/cli';
import { SaaSApp, SaaSOffering } from '../../src/constructs';
import {
  BatchHelmRenderer, ChartRenderer, ChartSource, clearRenderCache, defaultRenderer, DiskRenderCache, helmBinary, HelmRenderer, RenderRequest,
  renderCacheUsage,
} from '../../src/core';
import { hosted, tempDir } from '../constructs/fixtures';

/** helm, counting the releases it renders. */
class CountingHelm implements ChartRenderer {
  public readonly rendered: string[] = [];
  private readonly helm = new HelmRenderer();
  public readonly id: string | undefined;
  /** `id`: the renderer's id, the real helm's by default; null for a renderer without one. */
  constructor(id?: string | null) {
    this.id = id === null ? undefined : id ?? this.helm.id;
  }
  public render(request: RenderRequest) {
    this.rendered.push(request.releaseName);
    return this.helm.render(request);
  }
}

/** Synthesizes the example with tenants acme, globex (dark theme unless `globexTheme`) through `renderer`. */
function synthesize(renderer: ChartRenderer, globexTheme = 'dark'): Map<string, string> {
  const app = new SaaSApp({ outdir: tempDir() });
  const offering = new SaaSOffering(app, 'shop', { ...shop, renderer });
  offering.addTenant('acme', hosted('acme', { plan: 'small' }));
  offering.addTenant('globex', hosted('globex', { plan: 'large', parameters: { theme: globexTheme } }));
  return app.synthFiles();
}

/** The cache's entry files. */
function cacheFiles(dir: string): string[] {
  return fs.readdirSync(dir).flatMap((shard) => fs.readdirSync(path.join(dir, shard)).map((f) => path.join(dir, shard, f)));
}

describe('DiskRenderCache', () => {
  test('a second synthesis with nothing changed runs no helm, and writes the same files', () => {
    const dir = tempDir();
    const cold = new CountingHelm();
    const first = synthesize(new DiskRenderCache(cold, dir));
    expect(cold.rendered).toEqual(['acme', 'globex']);
    const warm = new CountingHelm();
    const cache = new DiskRenderCache(warm, dir);
    expect(synthesize(cache)).toEqual(first);
    // the tenants' files were kept beside their renders: no render is even read
    expect([warm.rendered, cache.hits, cache.misses]).toEqual([[], 0, 0]);
    expect(synthesize(new HelmRenderer())).toEqual(first);
    // without the tenants' files, the renders are read back
    // (a render is a JSON array; a tenant's files are a line of JSON, then the files)
    for (const entry of cacheFiles(dir).filter((f) => !fs.readFileSync(f, 'utf8').startsWith('['))) fs.rmSync(entry);
    expect(synthesize(cache)).toEqual(first);
    expect([warm.rendered, cache.hits, cache.misses]).toEqual([[], 2, 0]);
  });

  test('a changed tenant renders that tenant only', () => {
    const dir = tempDir();
    synthesize(new DiskRenderCache(new CountingHelm(), dir));
    const changed = new CountingHelm();
    synthesize(new DiskRenderCache(changed, dir), 'ocean');
    expect(changed.rendered).toEqual(['globex']);
  });

  test('another helm version (renderer id) misses; a renderer without an id is not cached', () => {
    const dir = tempDir();
    synthesize(new DiskRenderCache(new CountingHelm(), dir));
    const newer = new CountingHelm('helm v9.9.9');
    synthesize(new DiskRenderCache(newer, dir));
    expect(newer.rendered).toEqual(['acme', 'globex']);
    const anonymous = new CountingHelm(null);
    const before = renderCacheUsage(dir).entries;
    synthesize(new DiskRenderCache(anonymous, dir));
    synthesize(new DiskRenderCache(anonymous, dir));
    expect([anonymous.rendered.length, renderCacheUsage(dir).entries]).toEqual([4, before]);
  });

  test('an entry that cannot be read is rendered again and rewritten', () => {
    const dir = tempDir();
    const first = synthesize(new DiskRenderCache(new CountingHelm(), dir));
    const entries = cacheFiles(dir);
    expect(entries).toHaveLength(4); // a render and the written files per tenant
    for (const entry of entries) fs.writeFileSync(entry, '{ not json');
    const again = new CountingHelm();
    expect(synthesize(new DiskRenderCache(again, dir))).toEqual(first);
    expect(again.rendered).toEqual(['acme', 'globex']);
    for (const entry of entries) expect(() => JSON.parse(fs.readFileSync(entry, 'utf8').split('\n')[0])).not.toThrow();
  });

  test('a chart\'s refusal is not kept: it is asked again, and still names the tenant', () => {
    const dir = tempDir();
    const app = new SaaSApp({ outdir: tempDir() });
    const offering = new SaaSOffering(app, 'shop', { ...shop, renderer: new DiskRenderCache(new CountingHelm(), dir) });
    const tooLong = 'a'.repeat(50);
    expect(captureError(() => offering.addTenant('x', hosted('x', { plan: 'small', releaseName: tooLong })).planned).message).toContain('at most 49 are supported');
    expect(renderCacheUsage(dir).entries).toBe(0);
  });

  test('is the default renderer, in SAASPLANE_CACHE; SAASPLANE_CACHE=off turns it off', () => {
    const saved = process.env.SAASPLANE_CACHE;
    const dir = tempDir();
    try {
      process.env.SAASPLANE_CACHE = dir;
      expect(defaultRenderer()).toBeInstanceOf(DiskRenderCache);
      const app = new SaaSApp({ outdir: tempDir() });
      new SaaSOffering(app, 'shop', shop).addTenant('acme', hosted('acme', { plan: 'small' }));
      app.synthFiles();
      expect(renderCacheUsage(dir).entries).toBe(2); // the render and the tenant's files
      process.env.SAASPLANE_CACHE = 'off';
      expect(defaultRenderer()).toBeInstanceOf(BatchHelmRenderer);
      // the helm CLI is the fallback: without the batch renderer, or when HELM_BINARY names a helm
      process.env.SAASPLANE_RENDER_BINARY = 'off';
      expect(defaultRenderer()).toBeInstanceOf(HelmRenderer);
      delete process.env.SAASPLANE_RENDER_BINARY;
      process.env.HELM_BINARY = helmBinary();
      expect(defaultRenderer()).toBeInstanceOf(HelmRenderer);
    } finally {
      if (saved === undefined) delete process.env.SAASPLANE_CACHE; else process.env.SAASPLANE_CACHE = saved;
      delete process.env.SAASPLANE_RENDER_BINARY;
      delete process.env.HELM_BINARY;
    }
  });
});

describe('DiskRenderCache keeps only what renders the same again', () => {
  /** A chart of one ConfigMap whose data is `body` (template text). */
  const chart = (body: string) => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
    fs.writeFileSync(path.join(dir, 'templates', 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n${body}`);
    return dir;
  };
  const render = (dir: string, cacheDir: string) => {
    const helm = new CountingHelm();
    const app = new SaaSApp({ outdir: tempDir() });
    new SaaSOffering(app, 'tiny', { chart: ChartSource.fromDirectory(dir), plans: { small: { quota: { cpu: '1', memory: '1Gi' } } }, renderer: new DiskRenderCache(helm, cacheDir) })
      .addTenant('acme', { plan: 'small' });
    return { helm, files: app.synthFiles() };
  };

  test('a chart that generates passwords (randAlphaNum) renders every time and is never stored', () => {
    const cacheDir = tempDir();
    const dir = chart('  password: {{ randAlphaNum 16 | quote }}\n');
    render(dir, cacheDir);
    expect([render(dir, cacheDir).helm.rendered, renderCacheUsage(cacheDir).entries]).toEqual([['acme'], 0]);
  });

  test('entries are private to the user (0600 in 0700 folders)', () => {
    const cacheDir = tempDir();
    render(chart('  a: "1"\n'), cacheDir);
    const shard = fs.readdirSync(cacheDir)[0];
    const permissions = (file: string) => (fs.statSync(file).mode % 0o1000).toString(8);
    expect(permissions(path.join(cacheDir, shard))).toBe('700');
    expect(permissions(path.join(cacheDir, shard, fs.readdirSync(path.join(cacheDir, shard))[0]))).toBe('600');
  });

  test('a file reached through a symbolic link (a linked subchart) is part of the chart\'s digest', () => {
    const cacheDir = tempDir();
    const library = tempDir();
    fs.writeFileSync(path.join(library, '_value.tpl'), '{{- define "value" -}}one{{- end -}}');
    const dir = chart('  a: {{ include "value" . | quote }}\n');
    fs.symlinkSync(path.join(library, '_value.tpl'), path.join(dir, 'templates', '_value.tpl'));
    expect(render(dir, cacheDir).files.get(path.join('tiny', 'acme', '30-app.yaml'))).toContain('a: one');
    fs.writeFileSync(path.join(library, '_value.tpl'), '{{- define "value" -}}two{{- end -}}');
    const second = render(dir, cacheDir);
    expect([second.helm.rendered, second.files.get(path.join('tiny', 'acme', '30-app.yaml'))!.includes('a: two')]).toEqual([['acme'], true]);
  });
});

describe('saasplane cache', () => {
  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  test('reports the entries and size, and clears them', async () => {
    const dir = tempDir();
    synthesize(new DiskRenderCache(new CountingHelm(), dir));
    const { bytes } = renderCacheUsage(dir);
    const info = await run(['cache', '--json'], { SAASPLANE_CACHE: dir });
    expect([info.code, JSON.parse(info.stdout)]).toEqual([0, { directory: dir, entries: 4, bytes, cleared: false }]);
    expect((await run(['cache', 'info'], { SAASPLANE_CACHE: dir })).stdout).toBe(`${dir}: 4 entries, ${(bytes / 1024 / 1024).toFixed(1)} MiB\n`);
    expect((await run(['cache', 'clear'], { SAASPLANE_CACHE: dir })).stdout).toMatch(/^cleared .* \(4 entries, /);
    expect(renderCacheUsage(dir).entries).toBe(0);
    expect(clearRenderCache(dir).entries).toBe(0);
  });

  test('clear removes only cache entries from the folder it is given (SAASPLANE_CACHE=$HOME would not empty the home folder)', async () => {
    const dir = tempDir();
    synthesize(new DiskRenderCache(new CountingHelm(), dir));
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep');
    // a shard-like folder with a file of someone else's; the synthesis may have made it a real shard
    // too (entry keys are digests), and then clear must take the entries and leave the file
    fs.mkdirSync(path.join(dir, 'ab'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'ab', 'notes.json'), 'keep');
    expect((await run(['cache', 'clear'], { SAASPLANE_CACHE: dir })).code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['ab', 'precious.txt']);
    expect(fs.readdirSync(path.join(dir, 'ab'))).toEqual(['notes.json']);
  });

  test('refuses an unknown subcommand with exit 2', async () => {
    const result = await run(['cache', 'purge'], { SAASPLANE_CACHE: tempDir() });
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('unknown cache command "purge": use "info" or "clear"')]);
  });
});
