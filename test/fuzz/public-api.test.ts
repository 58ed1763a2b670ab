// Issue 9: property-based fuzzing of the public API. Each case runs a whole program from
// ./programs through the cdk8s front-end, charts rendered by the real helm behind one shared
// CachingRenderer, and classifies the outcome: valid output, clear error, or defect. A defect is
// an error that is not a SaaSplaneError, a hostile value accepted, an error that does not name the
// hostile value, a failed synthesis that touched its output folder, or output that is invalid
// (unparseable or changed by a YAML 1.1 reader, invalid names or labels, one object twice,
// a tenant folder of a tenant that was never added). Any defect fails the suite.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { Choice, PreparedCharts, Program, programs } from './programs';
import { shop } from '../../examples/offering';
import { CachingRenderer, CLUSTER_SCOPED_KINDS, helmBinary, HelmRenderer, isDnsLabel, isDnsName, labelMapProblems, objectIdentity, SaaSplaneError } from '../../src';
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering, TenantInstance } from '../../src/constructs';
import { EXAMPLE_CHART, FIXTURE_CHARTS, tempDir } from '../constructs/fixtures';

/** Cases per run; CI runs the full count (issue 9: at least 10,000). */
const CASES = Number(process.env.SAASPLANE_FUZZ_CASES ?? 10_000);
const SEED = Number(process.env.SAASPLANE_FUZZ_SEED ?? 20261130);

type Category = 'valid output' | 'clear error' | 'defect';

/** What one program did. */
interface Outcome {
  readonly category: Category;
  readonly defects: string[];
  /** Steps run (offering, tenants, access, synthesis) and how many of them were refused with a clear error. */
  readonly steps: number;
  readonly refusedSteps: number;
}

const helm = new HelmRenderer();
let helmMilliseconds = 0;
const renderer = new CachingRenderer({
  render: (request) => {
    const started = Date.now();
    try {
      return helm.render(request);
    } finally {
      helmMilliseconds += Date.now() - started;
    }
  },
});
let charts: PreparedCharts;
let sandbox: string;
const originalCwd = process.cwd();

function writeChart(files: Record<string, string | null>): string {
  const dir = tempDir('saasplane-fuzz-chart-');
  const all: Record<string, string | null> = {
    'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n',
    'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
    ...files,
  };
  for (const [file, content] of Object.entries(all)) {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (content === null) fs.mkdirSync(full); else fs.writeFileSync(full, content);
  }
  return dir;
}

beforeAll(() => {
  const packaged = tempDir('saasplane-fuzz-package-');
  const packaging = spawnSync(helmBinary(), ['package', EXAMPLE_CHART, '--destination', packaged], { encoding: 'utf8' });
  expect(packaging.stderr).toBe('');
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)];
  charts = {
    exampleDirectory: EXAMPLE_CHART,
    exampleArchive: path.join(packaged, fs.readdirSync(packaged)[0]),
    shadowing: path.join(FIXTURE_CHARTS, 'shadowing'),
    broken: {
      emptyChartYaml: writeChart({ 'Chart.yaml': '' }),
      chartYamlDirectory: writeChart({ 'Chart.yaml': null }),
      malformedValues: writeChart({ 'values.yaml': 'a: [1, 2\nb: }' }),
      aliasBomb: writeChart({ 'values.yaml': bomb.join('\n') }),
      schemaType12: writeChart({ 'values.schema.json': '{"type":12}' }),
      schemaTrue: writeChart({ 'values.schema.json': 'true' }),
      schemaRemoteRef: writeChart({ 'values.schema.json': '{"properties":{"a":{"$ref":"https://example.com/s.json"}}}' }),
      schemaBadRegex: writeChart({ 'values.schema.json': '{"properties":{"a":{"type":"string","pattern":"(["}}}' }),
    },
  };
  // hostile output folders ("", ".", "..") resolve here: a broken guard would delete only this
  sandbox = path.join(tempDir('saasplane-fuzz-sandbox-'), 'cwd');
  fs.mkdirSync(sandbox);
  fs.writeFileSync(path.join(sandbox, 'sentinel'), 'must survive');
  process.chdir(sandbox);
});

afterAll(() => {
  process.chdir(originalCwd);
  for (const dir of [path.dirname(charts.exampleArchive), path.dirname(sandbox), ...Object.values(charts.broken)]) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Refusals of a combination of valid inputs (a name taken twice, a full offering), which checks
 * run before those of single values: they excuse an error that names no hostile value.
 */
const COMBINATIONS = [/already exists in offering/, /is already used by/, /allows at most \d+ tenants/];

/** Runs one program, returning its outcome; never throws. */
function run(program: Program): Outcome {
  const defects: string[] = [];
  let failures = 0;
  let steps = 0;
  /** Marks of tenants accepted when added: their chart is rendered at synthesis, which must then fail naming them. */
  const renderedLater: string[] = [];
  /**
   * Runs a step; a hostile choice must make it fail with a SaaSplaneError naming the value (or,
   * for a tenant, make the synthesis fail naming it: `deferred`).
   */
  const step = <T>(
    what: string, choices: Array<Choice<unknown> | undefined>, extraMarks: string[], action: () => T, deferred?: string[],
  ): T | undefined => {
    const applicable = choices.filter((c) => !c?.exampleChartOnly || program.chart.value.example);
    const marks = [...applicable.map((c) => c?.mark).filter((m): m is string => m !== undefined), ...extraMarks];
    steps++;
    try {
      const result = action();
      if (marks.length > 0 && deferred) deferred.push(...marks);
      else if (marks.length > 0) defects.push(`[accepted invalid input] ${what}: accepted invalid input (expected an error naming ${marks.join(' or ')})`);
      return result;
    } catch (e) {
      failures++;
      if (!(e instanceof SaaSplaneError)) {
        defects.push(`[crash] ${what}: crashed with ${(e as Error)?.name}: ${(e as Error)?.message ?? String(e)}`);
      } else if (marks.length > 0 && !marks.some((m) => e.message.includes(m)) && !e.problems.every((p) => COMBINATIONS.some((c) => c.test(p)))
        // a free-form value may be the one refused, with its own clear error
        && !choices.some((c) => c?.label === 'free-form')) {
        defects.push(`[vague error] ${what}: vague error, naming none of ${marks.join(', ')}: ${e.message}`);
      }
      return undefined;
    }
  };

  const outdir = prepareOutdir(program.outdir.value);
  const before = snapshot(outdir);
  const app = new SaaSApp({ outdir });
  const tenants: TenantInstance[] = [];
  const expectedFolders = new Set<string>();

  const chart = program.chart.value;
  // a change whose fields a later change sets again has no effect, nor its mark
  const effective = program.offering.filter((c, i) => !program.offering.slice(i + 1)
    .some((later) => Object.keys(later.value).some((k) => k in c.value)));
  const offering = step('offering', [program.offeringId, program.chart, ...effective], [], () => {
    let props: any = { ...shop, renderer };
    for (const change of program.offering) props = { ...props, ...change.value };
    // the fixture charts' switches win over the offering's values
    props = { ...props, values: { ...props.values, ...chart.values } };
    return new SaaSOffering(app, program.offeringId.value, { ...props, chart: chart.source(charts) });
  });
  if (offering) {
    expectedFolders.add(`${offering.offeringName}/_shared`);
    for (const t of program.tenants) {
      const tenant = step(`tenant ${t.name.label}`, [t.name, t.plan, t.parameters, t.options], chart.tenantMark ? [chart.tenantMark] : [],
        () => offering.addTenant(t.name.value, { plan: t.plan.value, parameters: t.parameters.value(t.name.value), ...t.options.value }),
        renderedLater);
      if (tenant) {
        tenants.push(tenant);
        expectedFolders.add(`${offering.offeringName}/${tenant.tenantName}`);
      }
    }
    for (const c of program.consumers) {
      const tenant = tenants[c.tenant % Math.max(tenants.length, 1)];
      if (tenant) {
        step(`consumer access ${c.id.label}`, [c.id, c.name, c.subjects], [], () => new ConsumerAccess(app, c.id.value, { tenant, name: c.name.value, ...c.subjects.value }));
      }
    }
    for (const p of program.providers) {
      step(`provider access ${p.id.label}`, [p.id, p.options], [], () => new ProviderAccess(app, p.id.value, { offering, ...p.options.value }));
    }
  }
  if (program.second) {
    const second = step('second offering', [program.second], [], () => new SaaSOffering(app, program.second!.value.id, { ...shop, renderer, name: program.second!.value.name }));
    if (second) expectedFolders.add(`${second.offeringName}/_shared`);
  }

  const synthesized = step('synthesis', [program.outdir], renderedLater, () => {
    app.synth();
    return true;
  });
  if (!fs.existsSync(path.join(sandbox, 'sentinel'))) {
    defects.push('[data loss] synthesis deleted the working directory');
    fs.writeFileSync(path.join(sandbox, 'sentinel'), 'must survive');
  }
  if (synthesized) {
    defects.push(...outputProblems(outdir, expectedFolders).map((p) => `[invalid output] ${p}`));
  } else if (snapshot(outdir) !== before) {
    defects.push('[not atomic] a failed synthesis changed its output folder');
  }
  if (program.outdir.value === 'fresh') fs.rmSync(outdir, { recursive: true, force: true });
  // a program that synthesized wrote valid output, even when some of its inputs were refused on the way
  const category: Category = defects.length > 0 ? 'defect' : synthesized ? 'valid output' : 'clear error';
  return { category, defects, steps, refusedSteps: failures };
}

function prepareOutdir(choice: Program['outdir']['value']): string {
  switch (choice) {
    case 'fresh': {
      const dir = tempDir('saasplane-fuzz-out-');
      fs.writeFileSync(path.join(dir, 'previous-output.yaml'), 'kind: Previous\n');
      return dir;
    }
    case 'through-a-file': return path.join(sandbox, 'sentinel', 'out');
    default: return choice;
  }
}

/** The file names and sizes under `dir` (enough to see a change), or "" when it does not exist. */
function snapshot(dir: string): string {
  const resolved = path.resolve(dir);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isDirectory() || resolved === path.parse(resolved).root) return '';
  return (fs.readdirSync(resolved, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .map((e) => `${path.join(e.parentPath ?? (e as any).path, e.name)}:${e.isFile() ? fs.statSync(path.join(e.parentPath ?? (e as any).path, e.name)).size : 'dir'}`)
    .sort().join('\n');
}

const RBAC_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/** Problems of a synthesized tree: every rule a GitOps tool and the API server would apply. */
function outputProblems(outdir: string, expectedFolders: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const identities = new Set<string>();
  const folders = new Set<string>();
  for (const entry of fs.readdirSync(outdir, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? (entry as any).path, entry.name);
    const relative = path.relative(outdir, full).split(path.sep);
    if (relative.length !== 3 || !relative.every((s) => /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(s))) {
      problems.push(`unexpected output file ${relative.join('/')}`);
      continue;
    }
    const [offering, folder] = relative;
    folders.add(`${offering}/${folder}`);
    const text = fs.readFileSync(full, 'utf8');
    const key = `${offering}/${folder}\n${text}`;
    let checked = checkedFiles.get(key);
    if (!checked) {
      checked = checkFile(text, offering, folder);
      checkedFiles.set(key, checked);
    }
    problems.push(...checked.problems.map((p) => `${relative.join('/')}: ${p}`));
    for (const identity of checked.identities) {
      if (identities.has(identity)) problems.push(`${relative.join('/')}: ${identity} is written twice`);
      identities.add(identity);
    }
  }
  for (const folder of folders) if (!expectedFolders.has(folder)) problems.push(`folder ${folder} belongs to nothing that was added (half-built)`);
  for (const folder of expectedFolders) if (!folders.has(folder)) problems.push(`folder ${folder} is missing`);
  return problems;
}

/** The verdict on one file's content in its folder (programs write the same files again and again). */
const checkedFiles = new Map<string, { problems: string[]; identities: string[] }>();

/** Problems of one file of a tenant or shared folder, and the identities of its objects. */
function checkFile(text: string, offering: string, folder: string): { problems: string[]; identities: string[] } {
  const problems: string[] = [];
  const identities: string[] = [];
  const docs12 = YAML.parseAllDocuments(text);
  if (docs12.some((d) => d.errors.length > 0)) {
    return { problems: ['is not valid YAML'], identities };
  }
  const objects = docs12.map((d) => d.toJS());
  if (JSON.stringify(YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS())) !== JSON.stringify(objects)) {
    problems.push('reads differently in YAML 1.1 (kubectl) and YAML 1.2');
  }
  for (const object of objects) {
    const where = `${object?.kind} "${object?.metadata?.name}"`;
    if (typeof object?.apiVersion !== 'string' || typeof object?.kind !== 'string' || typeof object?.metadata?.name !== 'string') {
      problems.push(`${where} lacks apiVersion, kind or metadata.name`);
      continue;
    }
    const { name, namespace } = object.metadata;
    if (!(isDnsName(name) || (RBAC_KINDS.has(object.kind) && /^[^/%]+$/.test(name) && name.length <= 253))) problems.push(`${where} has an invalid name`);
    if (CLUSTER_SCOPED_KINDS.has(object.kind) ? namespace !== undefined : !isDnsLabel(namespace)) problems.push(`${where} has namespace ${JSON.stringify(namespace)}`);
    if (folder !== '_shared' && !CLUSTER_SCOPED_KINDS.has(object.kind) && namespace !== `${offering}-${folder}`) problems.push(`${where} is outside its tenant namespace`);
    identities.push(objectIdentity(object.apiVersion, object.kind, namespace, name));
    problems.push(...labelMaps(object).map((p) => `${where}: ${p}`));
  }
  return { problems, identities };
}

/** Problems of every label map and label selector in an object. */
function labelMaps(value: unknown, at = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => ['labels', 'matchLabels', 'nodeSelector'].includes(key)
    ? labelMapProblems(`${at}${key}`, child)
    : labelMaps(child, `${at}${key}.`));
}

describe('fuzzing the public API (issue 9)', () => {
  test(`${CASES} generated programs: valid output or a clear error, never a defect`, () => {
    const counts: Record<Category, number> = { 'valid output': 0, 'clear error': 0, 'defect': 0 };
    let steps = 0;
    let refusedSteps = 0;
    const started = Date.now();
    fc.assert(fc.property(programs, (program) => {
      const outcome = run(program);
      counts[outcome.category]++;
      steps += outcome.steps;
      refusedSteps += outcome.refusedSteps;
      if (outcome.defects.length > 0) {
        // fast-check reports this with the program that caused it
        throw new Error(`defect:\n${outcome.defects.join('\n')}`);
      }
    }), { numRuns: CASES, seed: SEED, endOnFailure: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${CASES} programs in ${seconds} s, seed ${SEED}: ${counts['valid output']} valid output, ${counts['clear error']} clear errors, `
      + `${counts.defect} defects; ${steps} steps, ${refusedSteps} refused with a clear error; ${renderer.size} distinct helm renders (${(helmMilliseconds / 1000).toFixed(1)} s)`);
    expect(counts.defect).toBe(0);
    // a generator that only ever failed (or only succeeded) would prove little
    expect(counts['valid output']).toBeGreaterThan(CASES / 10);
    expect(counts['clear error']).toBeGreaterThan(CASES / 10);
  }, 30 * 60 * 1000);
});
