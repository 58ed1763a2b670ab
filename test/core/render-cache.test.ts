// Issue 10, rendering at fleet scale (first part): the render cache on disk. Real helm renders;
// a counting wrapper shows which requests reach it.
import * as fs from 'fs';
import * as path from 'path';
import { captureError } from './fixtures';
import { shop } from '../../examples/offering';
import { main } from '../../src/cli';
import { SaaSApp, SaaSOffering } from '../../src/constructs';
import { ChartRenderer, clearRenderCache, defaultRenderer, DiskRenderCache, HelmRenderer, RenderRequest, renderCacheUsage } from '../../src/core';
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

describe('DiskRenderCache', () => {
  test('a second synthesis with nothing changed runs no helm, and writes the same files', () => {
    const dir = tempDir();
    const cold = new CountingHelm();
    const first = synthesize(new DiskRenderCache(cold, dir));
    expect(cold.rendered).toEqual(['acme', 'globex']);
    const warm = new CountingHelm();
    const cache = new DiskRenderCache(warm, dir);
    expect(synthesize(cache)).toEqual(first);
    expect([warm.rendered, cache.hits, cache.misses]).toEqual([[], 2, 0]);
    expect(synthesize(new HelmRenderer())).toEqual(first);
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
    synthesize(new DiskRenderCache(new CountingHelm(), dir));
    const shard = fs.readdirSync(dir)[0];
    const entry = path.join(dir, shard, fs.readdirSync(path.join(dir, shard))[0]);
    fs.writeFileSync(entry, '{ not json');
    const again = new CountingHelm();
    synthesize(new DiskRenderCache(again, dir));
    expect(again.rendered).toHaveLength(1);
    expect(() => JSON.parse(fs.readFileSync(entry, 'utf8'))).not.toThrow();
  });

  test('a chart\'s refusal is not kept: it is asked again, and still names the tenant', () => {
    const dir = tempDir();
    const app = new SaaSApp({ outdir: tempDir() });
    const offering = new SaaSOffering(app, 'shop', { ...shop, renderer: new DiskRenderCache(new CountingHelm(), dir) });
    const tooLong = 'a'.repeat(50);
    expect(captureError(() => offering.addTenant('x', hosted('x', { plan: 'small', releaseName: tooLong }))).message).toContain('at most 49 are supported');
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
      expect(renderCacheUsage(dir).entries).toBe(1);
      process.env.SAASPLANE_CACHE = 'off';
      expect(defaultRenderer()).toBeInstanceOf(HelmRenderer);
    } finally {
      if (saved === undefined) delete process.env.SAASPLANE_CACHE; else process.env.SAASPLANE_CACHE = saved;
    }
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
    expect([info.code, JSON.parse(info.stdout)]).toEqual([0, { directory: dir, entries: 2, bytes, cleared: false }]);
    expect((await run(['cache', 'info'], { SAASPLANE_CACHE: dir })).stdout).toBe(`${dir}: 2 renders, ${(bytes / 1024 / 1024).toFixed(1)} MiB\n`);
    expect((await run(['cache', 'clear'], { SAASPLANE_CACHE: dir })).stdout).toMatch(/^cleared .* \(2 renders, /);
    expect(renderCacheUsage(dir).entries).toBe(0);
    expect(clearRenderCache(dir).entries).toBe(0);
  });

  test('refuses an unknown subcommand with exit 2', async () => {
    const result = await run(['cache', 'purge'], { SAASPLANE_CACHE: tempDir() });
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('unknown cache command "purge": use "info" or "clear"')]);
  });
});
