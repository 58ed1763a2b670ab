// Internal: the YAML SaaSApp wrote for a tenant, kept in the folder of the offering's render cache
// (DiskRenderCache, the default renderer) and addressed by everything it depends on, so that a
// synthesis with nothing changed neither renders nor plans nor serializes that tenant again.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { cacheEntryFile, DiskRenderCache, layoutFileProblem, OutputLayout, rendersDeterministically, TenantFoldersLayout, writeCacheFile } from '../core';
import { hasOnlyBuiltInResolvers } from './emit';
import type { SaaSOffering } from './saas-offering';
import type { TenantInstance } from './tenant-instance';

/** Bumped when what an entry holds changes. */
const FORMAT = 'saasplane-output/2';

/** An object of a tenant's files: its API server identity and its construct path, claimed app-wide. */
export interface WrittenObject {
  readonly identity: string;
  readonly path: string;
}

/** A file (path relative to `outdir`, '/'-separated) and its content. */
export type WrittenFile = readonly [file: string, content: string | Uint8Array];

/** What a tenant's synthesis gave: its Ingress hosts and objects (claimed app-wide) and its files. */
export interface TenantOutput {
  readonly hosts: readonly string[];
  readonly objects: readonly WrittenObject[];
  readonly files: readonly WrittenFile[];
}

/**
 * The tenant outputs of one offering. An entry's key covers the tenant as resolved (values, plan,
 * labels), the offering's spec and chart digest, the renderer's id (helm's version), saasplane's
 * own code and cdk8s' version, so any change to them is a miss. Only used where nothing else can
 * change what is written: the default layout, no object transform, cdk8s' own resolvers, a chart
 * that renders the same output every time, and a renderer that caches on disk (not
 * `SAASPLANE_CACHE=off`, not a renderer of the user's, which expects to be asked).
 */
export class TenantOutputCache {
  /** The offering's cache, or undefined when its output cannot be cached. */
  public static of(app: App, layout: OutputLayout, offering: SaaSOffering): TenantOutputCache | undefined {
    const renderer = offering.renderer;
    const rendererId = renderer.id;
    const cacheable = renderer instanceof DiskRenderCache && rendererId !== undefined && offering.transform === undefined
      && layout.extraFiles === undefined && layout.constructor === TenantFoldersLayout
      && hasOnlyBuiltInResolvers(app)
      && Object.values(offering.charts).every(rendersDeterministically);
    if (!cacheable) {
      return undefined;
    }
    const code = codeDigest();
    if (code === undefined) {
      return undefined;
    }
    const base = createHash('sha256').update(JSON.stringify([
      FORMAT, code, packageVersion('cdk8s'), packageVersion('js-yaml'), process.env.CDK8S_DISABLE_SORT ?? '', rendererId, Object.entries(offering.charts).map(([channel, chart]) => [channel, chart.digest]),
      { ...offering.spec, chart: undefined },
    ])).digest('hex');
    return new TenantOutputCache(renderer.directory, base);
  }

  private constructor(private readonly directory: string, private readonly base: string) {}

  /**
   * The tenant's output, if kept; undefined when absent, unreadable or not the shape SaaSApp writes
   * (files in the tenant's own folder): it is synthesized again. An entry is a line of JSON (hosts,
   * objects, file names and sizes) followed by the files' bytes, which are handed on as they are.
   */
  public read(tenant: TenantInstance, offering: SaaSOffering): TenantOutput | undefined {
    try {
      const entry = fs.readFileSync(this.file(tenant));
      const end = entry.indexOf(10);
      const header = JSON.parse(entry.toString('utf8', 0, end)) as { hosts: string[]; objects: WrittenObject[]; files: Array<[string, number]> };
      const folder = `${offering.offeringName}/${tenant.tenantName}/`;
      const text = (x: unknown): x is string => typeof x === 'string';
      const valid = Array.isArray(header.hosts) && header.hosts.every(text)
        && Array.isArray(header.objects) && header.objects.every((o) => text(o.identity) && text(o.path))
        && Array.isArray(header.files) && new Set(header.files.map(([file]) => file)).size === header.files.length
        && header.files.every(([file, size]) => text(file) && file.startsWith(folder) && layoutFileProblem(file) === undefined
          && !file.slice(folder.length).includes('/') && Number.isSafeInteger(size) && size >= 0);
      if (!valid) return undefined;
      let at = end + 1;
      const files = header.files.map(([file, size]): WrittenFile => [file, entry.subarray(at, (at += size))]);
      return at === entry.length ? { hosts: header.hosts, objects: header.objects, files } : undefined;
    } catch {
      return undefined;
    }
  }

  public write(tenant: TenantInstance, output: TenantOutput): void {
    const contents = output.files.map(([, content]) => (typeof content === 'string' ? Buffer.from(content) : content));
    const files = output.files.map(([file], i) => [file, contents[i].length]);
    const header = JSON.stringify({ hosts: output.hosts, objects: output.objects, files });
    writeCacheFile(this.file(tenant), Buffer.concat([Buffer.from(`${header}\n`), ...contents]));
  }

  private file(tenant: TenantInstance): string {
    const key = createHash('sha256').update(this.base).update(JSON.stringify([tenant.node.path, { ...tenant.resolved, offering: undefined }])).digest('hex');
    return cacheEntryFile(this.directory, key);
  }
}

let code: string | undefined | null;

/**
 * A digest of saasplane's own code, read once per process: every file of the folder above this one
 * (src/ or lib/), or this file when saasplane is bundled into another (file times are no proof:
 * package managers fix them); undefined (nothing cached) when it cannot be read.
 */
function codeDigest(): string | undefined {
  if (code === undefined) {
    try {
      const hash = createHash('sha256');
      const root = path.resolve(__dirname, '..');
      const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) walk(full);
          else if (/\.(js|ts)$/.test(entry.name)) hash.update(`${entry.name}\0`).update(fs.readFileSync(full));
        }
      };
      if (fs.existsSync(path.join(root, 'constructs', path.basename(__filename)))) walk(root);
      else hash.update(fs.readFileSync(__filename));
      code = hash.digest('hex');
    } catch {
      code = null;
    }
  }
  return code ?? undefined;
}

function packageVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}
