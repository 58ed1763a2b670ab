import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { findTool } from '../../src/cli/tools';
import { dumpWithJsYaml, toYaml, writeTreeAtomically } from '../../src/core/output';

const kubectl = findTool('kubectl');
if (!kubectl && process.env.CI === 'true') throw new Error('kubectl missing: run bash scripts/build-control-plane.sh');

/** How kubectl, Argo CD and Flux read YAML: 1.1, where "on" is a boolean and "0777" an octal number. */
function readAsYaml11(stream: string): unknown[] {
  return YAML.parseAllDocuments(stream, { version: '1.1' }).map((d) => d.toJS());
}

describe('toYaml', () => {
  it('quotes strings that YAML 1.1 readers would take for booleans, numbers, nulls or dates', () => {
    const values = ['yes', 'on', 'y', 'NO', 'off', '0777', '08', '1e3', '1:20', '~', 'null', 'true', '2024-01-01', '0x1F', '.inf', '='];
    const objects = [{ metadata: { labels: Object.fromEntries(values.map((v, i) => [`k${i}`, v])) } }];
    expect(readAsYaml11(toYaml(objects))).toEqual(objects);
  });

  it('quotes YAML 1.1 numbers with underscores, a leading dot or sign, and sexagesimals (issue 9)', () => {
    const values = ['1_000', '0b1_0', '._1', '+.5', '1_0.5', '0x_1', '+12_3', '190:20:30', '0_', '0b_'];
    const objects = [{ data: Object.fromEntries(values.map((v, i) => [`k${i}`, v])) }];
    const text = toYaml(objects);
    expect(readAsYaml11(text)).toEqual(objects);
    for (const v of values) expect(text).toContain(`'${v}'`);
  });

  it('writes every string so that a YAML 1.1 reader reads the same string back', () => {
    // strings built from the characters of YAML 1.1 numbers, booleans and nulls hunt the quoting rules
    const scalar = fc.string({ unit: fc.constantFrom(...'0123456789_.:+-eEbBxXoOinfaNAyYsSlu~ '), maxLength: 8 });
    fc.assert(fc.property(fc.array(scalar, { minLength: 1, maxLength: 20 }), (strings) => {
      const objects = [{ data: Object.fromEntries(strings.map((v, i) => [`k${i}`, v])), list: strings }];
      expect(readAsYaml11(toYaml(objects))).toEqual(objects);
    }), { numRuns: 2000, seed: 9 });
  });

  it('round-trips any JSON-like objects, one document each', () => {
    const json = fc.jsonValue({ maxDepth: 4 }).filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    fc.assert(fc.property(fc.array(json, { minLength: 1, maxLength: 3 }), (objects) => {
      // -0 has no JSON form and YAML keeps it; compare through JSON like the API server does
      const read = YAML.parseAllDocuments(toYaml(objects)).map((d) => d.toJS());
      expect(JSON.parse(JSON.stringify(read))).toEqual(JSON.parse(JSON.stringify(objects)));
    }), { numRuns: 300 });
  });

  it('writes exactly what js-yaml writes, block scalars, quoting, empty collections and undefined included', () => {
    // characters that change how a scalar or a key is written, and the structures around them
    const text = fc.string({ unit: fc.constantFrom(...'ab0 1.:-#|>\'"\n\t{[?&*!%@`,~\u2028\u0085é😀\u0000'), maxLength: 12 });
    const leaf = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(-0));
    const { node } = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(text, tie('node'), { maxKeys: 5 }),
    }));
    fc.assert(fc.property(node, (value) => {
      expect(toYaml([value])).toBe(dumpWithJsYaml(value));
    }), { numRuns: 5000, seed: 10 });
    const long = { ['k'.repeat(1100)]: { a: 'line one\n  line two\n\n', b: [' lead', ['x', { c: 'y\n' }]] } };
    expect(toYaml([long])).toBe(dumpWithJsYaml(long));
    const date = { at: new Date(0), deep: { list: [1, 'two\nlines', { three: '3' }] } };
    expect(toYaml([date])).toBe(dumpWithJsYaml(date));
  });

  it('is stable: the same objects give the same text, keys in insertion order', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { b: '1', a: '2' } };
    expect(toYaml([object])).toBe(toYaml([structuredClone(object)]));
    expect(toYaml([object])).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  b: '1'\n  a: '2'\n");
  });

  // the reader that matters: kubectl (go-yaml v2 through sigs.k8s.io/yaml), with no cluster (`label --local`)
  (kubectl ? it : it.skip)('writes every string so that kubectl reads the same string back', () => {
    const known = ['0X1F', '0O17', '0B1', '-_1', '1e_1', '1_000', '0b1_0', '._1', '+.5', '2001-1-2', '1:20', 'on', 'y', '0777', '.inf', '~', 'e0', '1.25.3'];
    const scalar = fc.string({ unit: fc.constantFrom(...'0123456789_.:+-eEbBxXoOinfaNAyYsSlu~ '), minLength: 1, maxLength: 8 });
    const strings = [...known, ...fc.sample(scalar, { numRuns: 3000, seed: 11 })];
    const data = Object.fromEntries(strings.map((v, i) => [`k${i}`, v]));
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strings' }, data };
    const result = spawnSync(kubectl!, ['label', '--local', '-f', '-', '-o', 'json', 'read=back'], {
      input: toYaml([configMap]), encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' }, maxBuffer: 64 * 1024 * 1024,
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).data).toEqual(data);
  });
});

/** Every file under `dir` by relative path, with its content (a symbolic link as `-> <target>`). */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const e of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, e.name);
      if (e.isDirectory()) walk(full); else files[path.relative(dir, full)] = e.isSymbolicLink() ? `-> ${fs.readlinkSync(full)}` : fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** An output folder that does not exist yet, in a fresh temporary folder. */
const newOutdir = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-writer-')), 'out');

describe('writeTreeAtomically', () => {
  const staged = (outdir: string): string[] => fs.readdirSync(path.dirname(outdir)).filter((f) => f.includes('.tmp-'));

  it('rewrites only what changed: unchanged files keep their inode and time, stale files and emptied folders go', () => {
    const outdir = newOutdir();
    writeTreeAtomically(outdir, [['a/1.yaml', 'one'], ['a/2.yaml', 'two'], ['gone/3.yaml', 'three']]);
    const before = fs.statSync(path.join(outdir, 'a/1.yaml'));
    const changedBefore = fs.statSync(path.join(outdir, 'a/2.yaml'));
    writeTreeAtomically(outdir, [['a/1.yaml', 'one'], ['a/2.yaml', 'TWO'], ['b/4.yaml', 'four']]);
    expect(tree(outdir)).toEqual({ 'a/1.yaml': 'one', 'a/2.yaml': 'TWO', 'b/4.yaml': 'four' });
    const after = fs.statSync(path.join(outdir, 'a/1.yaml'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(fs.statSync(path.join(outdir, 'a/2.yaml')).ino).not.toBe(changedBefore.ino);
    expect(staged(outdir)).toEqual([]);
  });

  it('compares bytes and text alike, and tells a file that only starts or ends like the new content', () => {
    const outdir = newOutdir();
    writeTreeAtomically(outdir, [['a.yaml', 'same'], ['b.yaml', 'short'], ['c.yaml', 'longer text'], ['d.yaml', 'é']]);
    const inode = (f: string) => fs.statSync(path.join(outdir, f)).ino;
    const before = ['a.yaml', 'd.yaml'].map(inode);
    writeTreeAtomically(outdir, [['a.yaml', Buffer.from('same')], ['b.yaml', 'short and more'], ['c.yaml', Buffer.from('longer')], ['d.yaml', 'é']]);
    expect(tree(outdir)).toEqual({ 'a.yaml': 'same', 'b.yaml': 'short and more', 'c.yaml': 'longer', 'd.yaml': 'é' });
    expect(['a.yaml', 'd.yaml'].map(inode)).toEqual(before);
  });

  it('never writes through a symbolic link in the output folder, and replaces a folder where a file now goes', () => {
    const outdir = newOutdir();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-elsewhere-'));
    writeTreeAtomically(outdir, [['keep.yaml', 'kept'], ['x/y.yaml', 'y']]);
    fs.symlinkSync(elsewhere, path.join(outdir, 'a'));
    fs.symlinkSync(path.join(outdir, 'keep.yaml'), path.join(outdir, 'link.yaml'));
    writeTreeAtomically(outdir, [['a/1.yaml', 'one'], ['keep.yaml', 'kept'], ['link.yaml', 'own'], ['x', 'now a file']]);
    expect(tree(outdir)).toEqual({ 'a/1.yaml': 'one', 'keep.yaml': 'kept', 'link.yaml': 'own', 'x': 'now a file' });
    expect(fs.lstatSync(path.join(outdir, 'a')).isDirectory()).toBe(true);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('leaves the output folder as it was when the files fail midway, or name a file twice or inside a file', () => {
    const outdir = newOutdir();
    writeTreeAtomically(outdir, [['a/1.yaml', 'one'], ['b/2.yaml', 'two']]);
    const before = tree(outdir);
    function* failing(): Generator<[string, string]> {
      yield ['a/1.yaml', 'changed'];
      yield ['c/3.yaml', 'new'];
      throw new Error('cannot produce');
    }
    expect(() => writeTreeAtomically(outdir, failing())).toThrow('cannot produce');
    expect(() => writeTreeAtomically(outdir, [['a/1.yaml', 'x'], ['a/1.yaml', 'y']])).toThrow(/twice/);
    expect(() => writeTreeAtomically(outdir, [['a/1.yaml', 'x'], ['a/1.yaml/z', 'y']])).toThrow(/"a\/1.yaml" is a file/);
    expect(() => writeTreeAtomically(outdir, [['a/1.yaml/z', 'y'], ['a/1.yaml', 'x']])).toThrow(/where a folder goes/);
    expect(() => writeTreeAtomically(outdir, [['../escape.yaml', 'x']])).toThrow(/outside the output folder/);
    expect(tree(outdir)).toEqual(before);
    expect(staged(outdir)).toEqual([]);
  });
});

describe('writeTreeAtomically, when something fails or is not a folder', () => {

  afterEach(() => jest.restoreAllMocks());

  it('undoes every step of a commit that fails midway: the output folder is left as it was', () => {
    const outdir = newOutdir();
    writeTreeAtomically(outdir, [['a/1.yaml', 'one'], ['a/2.yaml', 'two'], ['gone/3.yaml', 'three'], ['x/y.yaml', 'y']]);
    const before = tree(outdir);
    // the rename of the third staged file fails (a full disk, a file another process holds)
    const nodeFs = jest.requireActual<typeof fs>('fs');
    const rename = nodeFs.renameSync;
    let staged = 0;
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
      if (String(from).includes(`${path.sep}new${path.sep}`) && ++staged === 3) throw new Error('EIO: i/o error, rename');
      rename(from, to);
    });
    const next: Array<[string, string]> = [['a/1.yaml', 'ONE'], ['a/2.yaml', 'TWO'], ['b/4.yaml', 'four'], ['x', 'now a file']];
    expect(() => writeTreeAtomically(outdir, next)).toThrow('EIO');
    expect(tree(outdir)).toEqual(before);
    expect(fs.readdirSync(outdir).sort()).toEqual(['a', 'gone', 'x']);
    jest.restoreAllMocks();
    writeTreeAtomically(outdir, next);
    expect(tree(outdir)).toEqual({ 'a/1.yaml': 'ONE', 'a/2.yaml': 'TWO', 'b/4.yaml': 'four', 'x': 'now a file' });
  });

  it('keeps what it moved aside, and says where, when a failed commit cannot be undone', () => {
    const outdir = newOutdir();
    writeTreeAtomically(outdir, [['a.yaml', 'one'], ['b.yaml', 'two']]);
    const nodeFs = jest.requireActual<typeof fs>('fs');
    const rename = nodeFs.renameSync;
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
      if (String(from).includes(`${path.sep}new${path.sep}`) || String(from).includes(`${path.sep}old${path.sep}`)) throw new Error('EIO: i/o error, rename');
      rename(from, to);
    });
    expect(() => writeTreeAtomically(outdir, [['a.yaml', 'ONE']])).toThrow(/could not be restored after a failed write/);
    jest.restoreAllMocks();
    const [staging] = fs.readdirSync(outdir).filter((f) => f.startsWith('.saasplane-staging-'));
    expect(tree(path.join(outdir, staging))).toEqual({ 'new/a.yaml': 'ONE', 'old/a.yaml': 'one', 'old/b.yaml': 'two' });
    writeTreeAtomically(outdir, [['a.yaml', 'one'], ['b.yaml', 'two']]);
    expect(tree(outdir)).toEqual({ 'a.yaml': 'one', 'b.yaml': 'two' });
  });

  it('writes files named like its own staging folders', () => {
    const outdir = newOutdir();
    writeTreeAtomically(outdir, [['old', 'x'], ['new/a.yaml', 'a'], ['stale.yaml', 's']]);
    writeTreeAtomically(outdir, [['old', 'y'], ['new/a.yaml', 'A'], ['.previous/b.yaml', 'b']]);
    expect(tree(outdir)).toEqual({ 'old': 'y', 'new/a.yaml': 'A', '.previous/b.yaml': 'b' });
  });

  it('replaces an output folder that is a symbolic link, and leaves the folder it points to untouched', () => {
    const outdir = newOutdir();
    const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-checkout-'));
    fs.mkdirSync(path.join(checkout, '.git'));
    fs.writeFileSync(path.join(checkout, '.git', 'HEAD'), 'ref: refs/heads/main');
    fs.symlinkSync(checkout, outdir);
    writeTreeAtomically(outdir, [['a/1.yaml', 'one']]);
    expect(fs.lstatSync(outdir).isDirectory()).toBe(true);
    expect(tree(outdir)).toEqual({ 'a/1.yaml': 'one' });
    expect(tree(checkout)).toEqual({ '.git/HEAD': 'ref: refs/heads/main' });
  });
});
