// The batch renderer: many releases rendered in one process with Helm's own Go packages
// (tools/render, built by the set-up like helm), in parallel on every core. A process start costs
// about 0.1 s while rendering a small chart takes milliseconds, so this is what makes a cold
// synthesis of a fleet fast. Its output is byte-identical to `helm template`
// (test/helm/batch-render.test.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SaaSplaneError } from './errors';
import {
  ChartRenderer, DiskRenderCache, HelmFailure, HelmRenderer, parseRendered, PINNED_HELM_VERSION, renderAlone, RenderedObject, RenderOutcome,
  RenderRequest, toolsDirectory,
} from './helm';

/**
 * The batch renderer binary: `SAASPLANE_RENDER_BINARY`, else the set-up's build; undefined when
 * neither exists, when `SAASPLANE_RENDER_BINARY=off`, or when `HELM_BINARY` names the helm to use.
 */
export function batchRendererBinary(): string | undefined {
  const configured = process.env.SAASPLANE_RENDER_BINARY;
  if (configured) {
    return configured === 'off' ? undefined : configured;
  }
  if (process.env.HELM_BINARY) {
    return undefined;
  }
  const built = path.join(toolsDirectory(), `saasplane-render-${PINNED_HELM_VERSION}`, 'saasplane-render');
  return fs.existsSync(built) ? built : undefined;
}

const versions = new Map<string, string>();

/**
 * Renders with saasplane-render: `renderMany` renders a whole batch in one process, `parallel`
 * releases at a time; `render` is a batch of one. Helm's messages are the CLI's.
 */
export class BatchHelmRenderer implements ChartRenderer {
  constructor(
    /** @default batchRendererBinary() */
    private readonly binary: string = batchRendererBinary() ?? 'saasplane-render',
    /** Releases rendered at once. @default - the number of cores */
    private readonly parallel: number = os.cpus().length,
  ) {}

  /**
   * The Helm packages' version (asked once per binary, or read from the `version.txt` the set-up
   * writes beside it, when newer than the binary) and the digest of the source it was built from.
   */
  public get id(): string {
    let version = versions.get(this.binary);
    if (version === undefined) {
      const stamp = path.join(path.dirname(this.binary), 'source.sha256');
      const source = fs.existsSync(stamp) ? ` ${fs.readFileSync(stamp, 'utf8').trim()}` : '';
      version = `${this.builtVersion() ?? this.run(['version'], '').trim()} (saasplane-render${source})`;
      versions.set(this.binary, version);
    }
    return `helm ${version}`;
  }

  /** The version the set-up recorded for the binary it built, if this is that binary and the record is newer than it. */
  private builtVersion(): string | undefined {
    const file = path.join(path.dirname(this.binary), 'version.txt');
    if (path.resolve(this.binary) !== path.join(toolsDirectory(), `saasplane-render-${PINNED_HELM_VERSION}`, 'saasplane-render')) {
      return undefined;
    }
    try {
      const recorded = fs.statSync(file);
      return recorded.mtimeMs >= fs.statSync(this.binary).mtimeMs && recorded.size > 0 ? fs.readFileSync(file, 'utf8').trim() : undefined;
    } catch {
      return undefined;
    }
  }

  public render(request: RenderRequest): RenderedObject[] {
    return renderAlone(this, request);
  }

  public renderMany(requests: readonly RenderRequest[]): RenderOutcome[] {
    if (requests.length === 0) {
      return [];
    }
    const input = JSON.stringify({
      parallel: this.parallel,
      requests: requests.map((r) => ({
        chart: r.chart.directory, release: r.releaseName, namespace: r.namespace, kubeVersion: r.kubeVersion, values: r.values,
      })),
    });
    const results = JSON.parse(this.run([], input)) as Array<{ manifest?: string; error?: string }>;
    return requests.map((request, i) => {
      const result = results[i];
      if (result?.manifest !== undefined) {
        return { objects: parseRendered(result.manifest) };
      }
      const message = (result?.error ?? 'no result').trim();
      return {
        error: new HelmFailure(`helm failed while rendering ${request.chart.source.describe()} for release "${request.releaseName}" in namespace "${request.namespace}"`, [
          `${message} (helm's template code in ${this.binary})`,
        ]),
      };
    });
  }

  private run(args: string[], input: string): string {
    const result = spawnSync(this.binary, args, { input, encoding: 'utf8', maxBuffer: 2 * 1024 * 1024 * 1024, env: process.env });
    if (result.error) {
      const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new SaaSplaneError('the batch renderer failed', [missing
        ? `"${this.binary}" is not an executable: build it with \`bash scripts/install-tools.sh\`, or use HelmRenderer`
        : String(result.error)]);
    }
    if (result.status !== 0) {
      throw new SaaSplaneError('the batch renderer failed', [`${result.stderr.trim() || 'no message'} (\`${this.binary}\` exited with ${result.status})`]);
    }
    return result.stdout;
  }
}

/**
 * The renderer used when none is given: the batch renderer when the set-up built it (else `helm
 * template`, one process per release), behind the render cache unless `SAASPLANE_CACHE=off`.
 */
export function defaultRenderer(): ChartRenderer {
  const binary = batchRendererBinary();
  const renderer = binary ? new BatchHelmRenderer(binary) : new HelmRenderer();
  return process.env.SAASPLANE_CACHE === 'off' ? renderer : new DiskRenderCache(renderer);
}
