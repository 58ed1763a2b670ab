// Everything that calls the `helm` binary: locating it, fetching charts into a local
// directory, and rendering one release. Rendering is a pure function of its request, so
// caching and parallel rendering can wrap `ChartRenderer` without touching the front-ends.
import { spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import * as YAML from 'yaml';
import { ChartSource, ChartSourceKind } from './chart-source';
import { SaaSplaneError, throwIfProblems } from './errors';
import type { KubeObject } from './kube';
import { checkValuesSchema } from './schema';
import { isPlainObject, jsonCopy, Values, valuesShapeProblems } from './values';

/** The Helm version the project's set-up installs and tests against. */
export const PINNED_HELM_VERSION = 'v3.21.4';

const INSTALL_HINT = `install it with \`go install helm.sh/helm/v3/cmd/helm@${PINNED_HELM_VERSION}\` `
  + '(or run `bash scripts/setup.sh` in the saasplane repository), then put it on PATH or set HELM_BINARY to its path';

/** Where `scripts/install-tools.sh` caches its builds. */
export function toolsDirectory(): string {
  return process.env.SAASPLANE_TOOLS || path.join(os.homedir(), '.cache', 'saasplane', 'tools');
}

/** The helm binary to run: `HELM_BINARY`, else the pinned build of the set-up script, else `helm` from PATH. */
export function helmBinary(): string {
  if (process.env.HELM_BINARY) {
    return process.env.HELM_BINARY;
  }
  const pinned = path.join(toolsDirectory(), `helm-${PINNED_HELM_VERSION}`, 'helm');
  return fs.existsSync(pinned) ? pinned : 'helm';
}

/** helm ran and refused: a chart's `fail`/`required`, a template error, a failed pull. */
export class HelmFailure extends SaaSplaneError {}

/** Runs helm synchronously; throws a clear error when helm is missing or fails. */
function runHelm(args: string[], what: string, input?: string): string {
  const binary = helmBinary();
  // env given explicitly: helm sees changes made to process.env at runtime (registry CAs, HELM_* homes)
  const result = spawnSync(binary, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: process.env });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new SaaSplaneError('helm not found', [`"${binary}" is not an executable: ${INSTALL_HINT}`]);
    }
    throw new SaaSplaneError(`helm failed while ${what}`, [String(result.error)]);
  }
  if (result.status !== 0) {
    // helm's own hints ("Use --debug flag ...") and its "Error: " prefix add nothing to our message
    const message = result.stderr.replace(/^Use --debug flag.*$/m, '').replace(/^Error: /m, '').trim() || 'no message';
    throw new HelmFailure(`helm failed while ${what}`, [`${message} (\`${binary} ${args.join(' ')}\` exited with ${result.status})`]);
  }
  return result.stdout;
}

/** A chart available as a local directory, with what validation needs. */
export interface LoadedChart {
  /** Where it came from. */
  readonly source: ChartSource;
  /** Local chart directory (the source itself, or an unpacked copy in the cache). */
  readonly directory: string;
  /** `name` from Chart.yaml. */
  readonly name: string;
  /** `version` from Chart.yaml. */
  readonly version: string;
  /** Default values (values.yaml). */
  readonly defaults: Values;
  /** values.schema.json, when the chart has one. */
  readonly schema?: object;
  /** sha256 over the chart's files: with the values it determines the rendered output. */
  readonly digest: string;
}

/** The directory saasplane caches fetched and unpacked charts in. */
export function chartCacheDirectory(): string {
  return path.join(saasplaneCacheDirectory(), 'charts');
}

/** `$XDG_CACHE_HOME/saasplane`, else `~/.cache/saasplane`: the charts and renders saasplane keeps. */
function saasplaneCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'saasplane');
}

/** Fetches (if needed) and reads a chart. Throws when the chart cannot be found. */
export function loadChart(source: ChartSource): LoadedChart {
  const directory = localChartDirectory(source);
  const chartFile = path.join(directory, 'Chart.yaml');
  if (!fs.existsSync(chartFile)) {
    throw new SaaSplaneError('chart not found', [`${source.describe()}: no Chart.yaml at ${chartFile}; point ChartSource at a chart directory, a .tgz from \`helm package\`, a repository or an OCI reference`]);
  }
  const meta = readYamlFile(chartFile);
  if (!isPlainObject(meta) || typeof meta.name !== 'string' || !meta.name || meta.version === undefined || meta.version === null) {
    throw new SaaSplaneError('invalid chart', [`${chartFile} must be a map with at least apiVersion, name and version: write it like "apiVersion: v2\\nname: shop\\nversion: 1.0.0"`]);
  }
  // what helm itself refuses (Metadata.Validate): a name that is a path, a version that is not SemVer
  throwIfProblems('invalid chart', [
    /[/\\]/.test(meta.name) || meta.name === '.' || meta.name === '..' ? `${chartFile}: name ${JSON.stringify(meta.name)} must be a plain name, not a path` : undefined,
    !SEMVER.test(String(meta.version)) ? `${chartFile}: version ${JSON.stringify(meta.version)} is not a SemVer version: write it like "1.0.0"` : undefined,
  ].filter((p): p is string => p !== undefined));
  if (meta.type !== undefined && meta.type !== null && meta.type !== '' && meta.type !== 'application') {
    // what helm install and template refuse
    throw new SaaSplaneError('invalid chart', [`${chartFile}: a chart of type ${JSON.stringify(meta.type)} is not installable: offer an application chart (one that depends on it)`]);
  }
  const valuesFile = path.join(directory, 'values.yaml');
  const defaults = fs.existsSync(valuesFile) ? readYamlFile(valuesFile) ?? {} : {};
  if (!isPlainObject(defaults)) {
    throw new SaaSplaneError('invalid chart', [`${valuesFile} must be a map of values, not ${JSON.stringify(defaults).slice(0, 40)}`]);
  }
  throwIfProblems('invalid chart', valuesShapeProblems(defaults, `${valuesFile}: the values`));
  const schemaFile = path.join(directory, 'values.schema.json');
  let schema: object | undefined;
  if (fs.existsSync(schemaFile)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readChartFile(schemaFile));
    } catch (e) {
      throw new SaaSplaneError('invalid chart', [`${schemaFile} is not valid JSON: ${(e as Error).message}`]);
    }
    checkValuesSchema(parsed, schemaFile);
    schema = parsed;
  }
  return {
    source,
    directory,
    name: meta.name,
    version: String(meta.version),
    defaults,
    schema,
    digest: digestDirectory(directory),
  };
}

/** SemVer as helm reads it (Masterminds/semver: "v" prefix, minor and patch optional). */
const SEMVER = /^v?[0-9]+(\.[0-9]+)?(\.[0-9]+)?(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** Reads a chart file that must be a regular file. */
function readChartFile(file: string): string {
  if (!fs.statSync(file).isFile()) {
    throw new SaaSplaneError('invalid chart', [`${file} is not a regular file: replace it with the file Helm expects`]);
  }
  return fs.readFileSync(file, 'utf8');
}

/** Parses a chart's YAML file; syntax errors and alias bombs become a SaaSplaneError naming the file. */
function readYamlFile(file: string): unknown {
  const text = readChartFile(file);
  try {
    // the yaml library stops alias expansion bombs (maxAliasCount) with an error
    return YAML.parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new SaaSplaneError('invalid chart', [`${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
}

function localChartDirectory(source: ChartSource): string {
  switch (source.kind) {
    case ChartSourceKind.DIRECTORY:
      return source.location;
    case ChartSourceKind.ARCHIVE: {
      if (!fs.existsSync(source.location)) {
        throw new SaaSplaneError('chart not found', [`${source.describe()}: the file does not exist`]);
      }
      if (!fs.statSync(source.location).isFile()) {
        throw new SaaSplaneError('chart not found', [`${source.describe()} is a directory, not a .tgz archive: use ChartSource.fromDirectory(${JSON.stringify(source.location)})`]);
      }
      const key = createHash('sha256').update(fs.readFileSync(source.location)).digest('hex').slice(0, 16);
      return unpackOnce(key, (dir) => {
        const tar = spawnSync('tar', ['-xzf', source.location, '-C', dir], { encoding: 'utf8' });
        if (tar.status !== 0) {
          throw new SaaSplaneError('chart not found', [`${source.describe()} is not a chart archive: ${tar.stderr.trim()}`]);
        }
      });
    }
    case ChartSourceKind.REPOSITORY:
    case ChartSourceKind.OCI: {
      const key = createHash('sha256').update(`${source.kind}\n${source.location}\n${source.chart}\n${source.version}`).digest('hex').slice(0, 16);
      return unpackOnce(key, (dir) => {
        const ref = source.kind === ChartSourceKind.REPOSITORY ? [source.chart!, '--repo', source.location] : [source.location];
        runHelm(['pull', ...ref, '--version', source.version!, '--untar', '--untardir', dir], `pulling ${source.describe()}`);
      });
    }
  }
}

/** Unpacks into `<cache>/<key>/<chart>` once; a failed unpack leaves no trace. */
function unpackOnce(key: string, unpack: (dir: string) => void): string {
  const target = path.join(chartCacheDirectory(), key);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const staging = fs.mkdtempSync(`${target}.tmp-`);
    try {
      unpack(staging);
      fs.renameSync(staging, target);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  const entries = fs.readdirSync(target).filter((e) => fs.existsSync(path.join(target, e, 'Chart.yaml')));
  return path.join(target, entries[0] ?? '');
}

function digestDirectory(directory: string): string {
  const hash = createHash('sha256');
  for (const file of chartFiles(directory)) {
    hash.update(`${file}\0`).update(fs.readFileSync(path.join(directory, file))).update('\0');
  }
  return hash.digest('hex');
}

/**
 * The files of a chart directory, as sorted paths relative to it. Symbolic links are followed, as
 * helm follows them (a subchart linked from elsewhere is part of the chart), at most 32 levels deep.
 */
function chartFiles(directory: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, rel: string, depth: number): void => {
    for (const name of fs.readdirSync(dir).sort((a, b) => a.localeCompare(b))) {
      const stat = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
      if (stat?.isDirectory() && depth < 32) {
        walk(path.join(dir, name), `${rel}${name}/`, depth + 1);
      } else if (stat?.isFile()) {
        files.push(`${rel}${name}`);
      }
    }
  };
  walk(directory, '', 0);
  return files;
}

/** The cache key of a render request: everything its output depends on, after `context` (a format, a renderer). */
function requestKey(request: RenderRequest, ...context: unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([...context, request.chart.digest, request.releaseName, request.namespace, request.kubeVersion, request.values]))
    .digest('hex');
}

/** Everything the rendered output depends on. */
export interface RenderRequest {
  readonly chart: LoadedChart;
  readonly releaseName: string;
  readonly namespace: string;
  /** Merged user values (offering < plan < tenant); helm adds the chart's defaults. */
  readonly values: Values;
  readonly kubeVersion: string;
}

/** One object from the chart, with the template it came from (for error messages). */
export interface RenderedObject {
  readonly object: KubeObject;
  /** The `# Source:` template path helm printed, e.g. "shop/templates/web.yaml". */
  readonly template?: string;
}

/** What rendering one request of a batch gave: its objects, or what rendering it threw. */
export type RenderOutcome = { readonly objects: RenderedObject[] } | { readonly error: unknown };

/** Turns a render request into objects. The one place chart rendering happens. */
export interface ChartRenderer {
  /**
   * What renders, for cache keys: a renderer whose output can change (another helm version) must
   * report a different id. @default - the renderer is never cached on disk
   */
  readonly id?: string;
  render(request: RenderRequest): RenderedObject[];
  /**
   * Renders a batch (in one process, on every core), outcomes in request order; a request's
   * failure is its outcome, not an exception. @default - `render` for each request in turn
   */
  renderMany?(requests: readonly RenderRequest[]): RenderOutcome[];
}

/** Renders a batch with `renderer.renderMany`, or request by request when the renderer has none. */
export function renderAll(renderer: ChartRenderer, requests: readonly RenderRequest[]): RenderOutcome[] {
  if (renderer.renderMany) {
    return renderer.renderMany(requests);
  }
  return requests.map((request) => {
    try {
      return { objects: renderer.render(request) };
    } catch (error) {
      return { error };
    }
  });
}

/** `render` of a renderer that renders batches: a batch of one, its error thrown. */
export function renderAlone(renderer: Required<Pick<ChartRenderer, 'renderMany'>>, request: RenderRequest): RenderedObject[] {
  const [outcome] = renderer.renderMany([request]);
  if ('error' in outcome) {
    throw outcome.error;
  }
  return outcome.objects;
}

const helmVersions = new Map<string, string>();

/** Renders with `helm template` (about 0.2 s per call). */
export class HelmRenderer implements ChartRenderer {
  /** `helm` and its version (`helm version --short`, asked once per binary). */
  public get id(): string {
    const binary = helmBinary();
    let version = helmVersions.get(binary);
    if (version === undefined) {
      version = runHelm(['version', '--short'], 'asking its version').trim();
      helmVersions.set(binary, version);
    }
    return `helm ${version}`;
  }

  public render(request: RenderRequest): RenderedObject[] {
    const args = [
      'template', request.releaseName, request.chart.directory,
      '--namespace', request.namespace,
      '--kube-version', request.kubeVersion,
      '--values', '-',
    ];
    const stdout = runHelm(args, `rendering ${request.chart.source.describe()} for release "${request.releaseName}" in namespace "${request.namespace}"`, JSON.stringify(request.values));
    return parseRendered(stdout);
  }
}

/** Scalars of YAML 1.2's core schema exactly as the `yaml` library reads them (js-yaml's own core schema also reads `0b101` and `1_000` as numbers). */
const CORE_12_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:yaml.org,2002:null', { kind: 'scalar', resolve: (d: string | null) => d === null || /^(?:~|[Nn]ull|NULL)?$/.test(d), construct: () => null }),
    new jsyaml.Type('tag:yaml.org,2002:bool', { kind: 'scalar', resolve: (d: string | null) => d !== null && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(d), construct: (d: string) => /^[Tt]/.test(d) }),
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (d: string | null) => d !== null && /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/.test(d),
      construct: (d: string) => (d.startsWith('0o') ? parseInt(d.slice(2), 8) : d.startsWith('0x') ? parseInt(d.slice(2), 16) : parseInt(d, 10)),
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (d: string | null) => d !== null && /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.test(d),
      construct: (d: string) => (/inf$/i.test(d) ? (d.startsWith('-') ? -Infinity : Infinity) : /nan$/i.test(d) ? NaN : parseFloat(d)),
    }),
  ],
});

/**
 * Parses helm's multi-document output, keeping each document's `# Source:` comment. js-yaml
 * with YAML 1.2's core schema parses it ten times as fast as the `yaml` library; output it
 * cannot read the same way (another tag, several documents on a marker line, anchors and
 * aliases, which `yaml` limits against alias bombs) is parsed by `yaml`, as before.
 */
export function parseRendered(stdout: string): RenderedObject[] {
  const objects: RenderedObject[] = [];
  // helm prints each document as "---\n# Source: <template>\n<object>"
  for (const text of stdout.split(/^---[ \t]*$/m)) {
    let object: unknown;
    try {
      object = jsyaml.load(text, { schema: CORE_12_SCHEMA });
    } catch {
      return parseRenderedWithYaml(stdout);
    }
    if (!isPlainObject(object)) {
      continue;
    }
    if (readsDifferently(object)) {
      return parseRenderedWithYaml(stdout);
    }
    const source = /^\s*#\s*Source: (.+)$/m.exec(text)?.[1]?.trim();
    objects.push({ object: object as unknown as KubeObject, template: source });
  }
  return objects;
}

/** Keys js-yaml reads as the text "null" and the `yaml` library as "" (a null key). */
const NULL_KEYS: ReadonlySet<string> = new Set(['null', 'Null', 'NULL', '~']);

/** True when `yaml` could read `value` otherwise: a node reached twice (a YAML alias), or a null key. */
function readsDifferently(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (seen.has(value)) return true;
  seen.add(value);
  return Object.entries(value).some(([key, v]) => (!Array.isArray(value) && NULL_KEYS.has(key)) || readsDifferently(v, seen));
}

/** Parses helm's output with the `yaml` library (YAML 1.2, at most 100 aliases): the reference `parseRendered` matches. */
export function parseRenderedWithYaml(stdout: string): RenderedObject[] {
  const objects: RenderedObject[] = [];
  for (const doc of YAML.parseAllDocuments(stdout)) {
    if (doc.errors.length > 0) {
      throw new SaaSplaneError('helm output is not valid YAML', doc.errors.map((e) => e.message));
    }
    let object: unknown;
    try {
      object = doc.toJS();
    } catch (e) {
      // an alias bomb: yaml stops expanding it
      throw new SaaSplaneError('helm output is not valid YAML', [(e as Error).message]);
    }
    if (!isPlainObject(object)) {
      continue;
    }
    // helm writes "# Source: <template>" after each "---"; the yaml parser attaches it to the document or its first node
    const comments = `${doc.commentBefore ?? ''}\n${(doc.contents as { commentBefore?: string } | null)?.commentBefore ?? ''}`;
    const source = /^\s*#?\s*Source: (.+)$/m.exec(comments)?.[1]?.trim();
    objects.push({ object: object as unknown as KubeObject, template: source });
  }
  return objects;
}

/**
 * Remembers another renderer's results in memory: the output is a pure function of the request,
 * so identical requests (tenants with the same plan and parameters, a re-synthesis) render once.
 * A chart's refusal is remembered too. Callers get their own copy of the objects.
 */
export class CachingRenderer implements ChartRenderer {
  private readonly results = new Map<string, RenderOutcome>();

  constructor(private readonly inner: ChartRenderer = new HelmRenderer()) {}

  public get id(): string | undefined {
    return this.inner.id;
  }

  /** How many distinct requests were rendered. */
  public get size(): number {
    return this.results.size;
  }

  public render(request: RenderRequest): RenderedObject[] {
    return renderAlone(this, request);
  }

  /** Renders the requests not seen yet as one batch of the inner renderer (each distinct request once). */
  public renderMany(requests: readonly RenderRequest[]): RenderOutcome[] {
    const keys = requests.map((r) => requestKey(r));
    const missing = new Map<string, RenderRequest>();
    requests.forEach((r, i) => {
      if (!this.results.has(keys[i])) missing.set(keys[i], r);
    });
    const outcomes = renderAll(this.inner, [...missing.values()]);
    const fresh = new Map([...missing.keys()].map((key, i) => [key, outcomes[i]]));
    for (const [key, outcome] of fresh) {
      // the chart's refusal is remembered; helm missing or failing otherwise is asked again next time
      if (!('error' in outcome) || outcome.error instanceof HelmFailure) this.results.set(key, outcome);
    }
    return keys.map((key) => {
      const outcome = this.results.get(key) ?? fresh.get(key)!;
      return 'error' in outcome ? outcome : { objects: jsonCopy(outcome.objects) };
    });
  }
}

/** Where rendered charts are cached: `SAASPLANE_CACHE`, else `$XDG_CACHE_HOME/saasplane/renders` (`~/.cache/...`). */
export function renderCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.SAASPLANE_CACHE && env.SAASPLANE_CACHE !== 'off' ? env.SAASPLANE_CACHE : path.join(saasplaneCacheDirectory(env), 'renders');
}

/** How much the render cache holds. */
export interface RenderCacheUsage {
  readonly directory: string;
  readonly entries: number;
  readonly bytes: number;
}

/**
 * Keeps another renderer's output on disk, addressed by its content: the chart's digest, the merged
 * values, release, namespace, Kubernetes version and the renderer's id (helm and its version). A
 * synthesis with nothing changed runs no renderer; a changed tenant renders that tenant only.
 * Refusals are not kept (they are cheap to repeat and must stay current). A renderer without an
 * id is not cached. Entries are written atomically; one that cannot be read is rendered again.
 */
export class DiskRenderCache implements ChartRenderer {
  /** Renders that missed the cache in this process. */
  public misses = 0;
  /** Renders answered from the cache in this process. */
  public hits = 0;

  constructor(
    private readonly inner: ChartRenderer = new HelmRenderer(),
    /** Where entries are kept. @default renderCacheDirectory() */
    public readonly directory: string = renderCacheDirectory(),
  ) {}

  public get id(): string | undefined {
    return this.inner.id;
  }

  public render(request: RenderRequest): RenderedObject[] {
    return renderAlone(this, request);
  }

  /** Answers what the cache holds; renders the rest as one batch of the inner renderer and keeps it. */
  public renderMany(requests: readonly RenderRequest[]): RenderOutcome[] {
    const rendererId = requests.length > 0 ? this.inner.id : undefined;
    // a fresh password or certificate on every render must stay fresh: such charts are never cached
    const files = requests.map((r) => (rendererId !== undefined && rendersDeterministically(r.chart)
      ? this.entryFile(requestKey(r, CACHE_FORMAT, rendererId)) : undefined));
    const outcomes: Array<RenderOutcome | undefined> = files.map((file) => {
      const cached = file ? readEntry(file) : undefined;
      if (cached) this.hits++;
      return cached ? { objects: cached } : undefined;
    });
    const missing = outcomes.flatMap((o, i) => (o ? [] : [i]));
    const rendered = renderAll(this.inner, missing.map((i) => requests[i]));
    missing.forEach((i, j) => {
      outcomes[i] = rendered[j];
      if (files[i]) this.misses++;
      if (files[i] && 'objects' in rendered[j]) writeEntry(files[i]!, rendered[j].objects);
    });
    return outcomes as RenderOutcome[];
  }

  private entryFile(key: string): string {
    return cacheEntryFile(this.directory, key);
  }
}

/** The file of the cache entry `key` (64 hex digits) in `directory`: `<2 hex>/<key>.json`, which the cache's usage and clearing count. */
export function cacheEntryFile(directory: string, key: string): string {
  return path.join(directory, key.slice(0, 2), `${key}.json`);
}

/** A cache entry's objects; undefined when absent or unreadable (it is rendered again). */
function readEntry(file: string): RenderedObject[] | undefined {
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as RenderedObject[];
    return Array.isArray(cached) ? cached : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps rendered objects in the cache entry `file`, atomically; a failure only costs a later render. */
function writeEntry(file: string, objects: RenderedObject[]): void {
  const text = JSON.stringify(objects);
  // JSON has no .inf or .nan: such output is not kept, so a warm run writes what a cold one does
  if (!isDeepEqualJson(objects, JSON.parse(text))) {
    return;
  }
  writeCacheFile(file, text);
}

/** Writes a cache entry atomically, private to the user; a failure only costs a later render. */
export function writeCacheFile(file: string, text: string | Uint8Array): void {
  try {
    // private to the user (rendered Secrets may be in it); the staging file is created, never followed
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const staging = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = fs.openSync(staging, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(staging, file);
  } catch {
    // a read-only or full cache only costs the next synthesis a render
  }
}

/** Bumped when what an entry holds or how it is parsed changes. */
const CACHE_FORMAT = 'saasplane-render/2';

const ENTRY = /^[0-9a-f]{64}\.json$/;
const SHARD = /^[0-9a-f]{2}$/;

/** Template functions whose output differs from one render to the next (or depends on the cluster). */
const NONDETERMINISTIC = /\b(rand(Alpha|Numeric|AlphaNum|Ascii|Int|Bytes)?|genPrivateKey|genCA|genCAWithKey|genSelfSignedCert\w*|genSignedCert\w*|derivePassword|uuidv4|now|lookup|shuffle)\b/;
const deterministicCharts = new Map<string, boolean>();

/** False when a chart's templates (its subcharts' included) call a function whose output changes between renders. */
export function rendersDeterministically(chart: LoadedChart): boolean {
  let deterministic = deterministicCharts.get(chart.digest);
  if (deterministic === undefined) {
    deterministic = !chartFiles(chart.directory)
      .some((file) => /\.(tpl|yaml|yml|txt)$/.test(file) && callsNondeterministic(fs.readFileSync(path.join(chart.directory, file), 'utf8')));
    deterministicCharts.set(chart.digest, deterministic);
  }
  return deterministic;
}

/** True when a template action (`{{ ... }}`) of `text` calls one of those functions. */
function callsNondeterministic(text: string): boolean {
  for (const action of text.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    if (NONDETERMINISTIC.test(action[1])) return true;
  }
  return false;
}

/** True when `b`, `a` read back from its JSON, equals `a` (false for non-finite numbers, which JSON cannot carry). */
function isDeepEqualJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && !Number.isFinite(a)) return false;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b || (a === undefined && b === null);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((k) => left[k] !== undefined);
  return keys.length === Object.keys(right).length && keys.every((k) => isDeepEqualJson(left[k], right[k]));
}

/** Entries and bytes in the render cache. */
export function renderCacheUsage(directory = renderCacheDirectory()): RenderCacheUsage {
  let entries = 0;
  let bytes = 0;
  for (const file of cacheEntries(directory)) {
    entries++;
    bytes += fs.statSync(file).size;
  }
  return { directory, entries, bytes };
}

/**
 * Removes the render cache's entries and nothing else (the folder may be one the user named, so
 * only `<2 hex>/<64 hex>.json` files and their emptied shard folders go); returns what it held.
 */
export function clearRenderCache(directory = renderCacheDirectory()): RenderCacheUsage {
  const usage = renderCacheUsage(directory);
  for (const file of cacheEntries(directory)) {
    fs.rmSync(file, { force: true });
  }
  for (const shard of fs.existsSync(directory) ? fs.readdirSync(directory).filter((n) => SHARD.test(n)) : []) {
    try {
      fs.rmdirSync(path.join(directory, shard)); // only when empty
    } catch {
      // holds something that is not ours: leave it
    }
  }
  return usage;
}

/** The entry files of a render cache folder. */
function cacheEntries(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs.readdirSync(directory).filter((n) => SHARD.test(n) && fs.lstatSync(path.join(directory, n)).isDirectory())
    .flatMap((shard) => fs.readdirSync(path.join(directory, shard)).filter((n) => ENTRY.test(n)).map((n) => path.join(directory, shard, n)));
}

