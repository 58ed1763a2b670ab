// Internal: the YAML SaaSApp wrote for a tenant, kept in the folder of the offering's render cache
// (DiskRenderCache, the default renderer) and addressed by everything it depends on, so that a
// synthesis with nothing changed neither renders nor plans nor serializes that tenant again.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, ImplicitTokenResolver, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { cacheEntryFile, DiskRenderCache, OutputLayout, rendersDeterministically, TenantFoldersLayout, writeCacheFile } from '../core';
import type { SaaSOffering } from './saas-offering';
import type { TenantInstance } from './tenant-instance';

/** Bumped when what an entry holds changes. */
const FORMAT = 'saasplane-output/1';

/** A tenant's written objects: its file, API server identity, construct path and YAML document. */
export interface WrittenObject {
  readonly file: string;
  readonly identity: string;
  readonly path: string;
  readonly document: string;
}

/** What a tenant's synthesis gave: its Ingress hosts (claimed app-wide) and its objects. */
export interface TenantOutput {
  readonly hosts: readonly string[];
  readonly objects: readonly WrittenObject[];
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
      && app.resolvers.every((r) => [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver].some((builtIn) => r.constructor === builtIn))
      && rendersDeterministically(offering.chart);
    if (!cacheable) {
      return undefined;
    }
    const code = codeDigest();
    if (code === undefined) {
      return undefined;
    }
    const base = createHash('sha256').update(JSON.stringify([
      FORMAT, code, packageVersion('cdk8s'), packageVersion('js-yaml'), process.env.CDK8S_DISABLE_SORT ?? '', rendererId, offering.chart.digest,
      { ...offering.spec, chart: undefined },
    ])).digest('hex');
    return new TenantOutputCache(renderer.directory, base);
  }

  private constructor(private readonly directory: string, private readonly base: string) {}

  /**
   * The tenant's output, if kept; undefined when absent, unreadable or not the shape SaaSApp writes
   * (files in the tenant's own folder): it is synthesized again.
   */
  public read(tenant: TenantInstance, offering: SaaSOffering): TenantOutput | undefined {
    try {
      const entry = JSON.parse(fs.readFileSync(this.file(tenant), 'utf8')) as TenantOutput;
      const folder = `${offering.offeringName}/${tenant.tenantName}/`;
      const text = (x: unknown): x is string => typeof x === 'string';
      const valid = Array.isArray(entry.hosts) && entry.hosts.every(text) && Array.isArray(entry.objects) && entry.objects.every((o) =>
        text(o.identity) && text(o.path) && text(o.document) && text(o.file) && o.file.startsWith(folder) && !o.file.slice(folder.length).includes('/'));
      return valid ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  public write(tenant: TenantInstance, output: TenantOutput): void {
    writeCacheFile(this.file(tenant), JSON.stringify(output));
  }

  private file(tenant: TenantInstance): string {
    const key = createHash('sha256').update(this.base).update(JSON.stringify([tenant.node.path, { ...tenant.resolved, offering: undefined }])).digest('hex');
    return cacheEntryFile(this.directory, key);
  }
}

let code: string | undefined | null;

/**
 * A digest of saasplane's own code: the name, size and modification time of each file of the
 * folder above this one (src/ or lib/), or of this file when saasplane is bundled into another;
 * undefined (nothing cached) when it cannot be read.
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
          else if (/\.(js|ts)$/.test(entry.name)) hash.update(fileStamp(full));
        }
      };
      if (fs.existsSync(path.join(root, 'constructs', path.basename(__filename)))) walk(root);
      else hash.update(fileStamp(__filename));
      code = hash.digest('hex');
    } catch {
      code = null;
    }
  }
  return code ?? undefined;
}

function fileStamp(file: string): string {
  const stat = fs.statSync(file, { bigint: true });
  return `${file}\0${stat.size}\0${stat.mtimeNs}\0`;
}

function packageVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}
