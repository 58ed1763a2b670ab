// Deterministic YAML and all-or-nothing writes of a synthesized tree.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { SaaSplaneError } from './errors';

/**
 * Serializes objects as a multi-document YAML stream, stable for identical input. Strings that a
 * YAML 1.1 reader (kubectl, Argo CD, Flux) would take for booleans or numbers, such as "on",
 * "0777", "1_000" or "0X1F", are quoted.
 */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map(dumpDocument).join('---\n');
}

// YAML 1.1 (yaml.org/type) numbers js-yaml's 1.2 schema leaves plain: underscores ("1_000",
// "0b1_0", "._1"), sexagesimals ("1:20"), a leading '+' or '.', and the lenient forms of common
// readers (an exponent without digits before it, "e0"). Over-quoting is harmless.
const YAML_11_NUMBER = new RegExp([
  '^[-+]?0b[01_]+$',
  '^[-+]?0[0-7_]+$',
  '^[-+]?[0-9][0-9_]*$',
  '^[-+]?0x[0-9a-fA-F_]+$',
  '^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+$',
  '^[-+]?([0-9][0-9_]*)?(\\.[0-9_]*)?[eE][-+]?[0-9]+$',
  '^[-+]?([0-9][0-9_]*)?\\.[0-9_]*$',
  '^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*$',
  '^[-+]?\\.(inf|Inf|INF)$',
  '^\\.(nan|NaN|NAN)$',
].join('|'));

// kubectl reads YAML with go-yaml v2, which drops every '_' and then tries Go's ParseInt with base
// prefixes in either case ("0X1F", "0O17", "0B1", "-_1") and its float syntax ("1e_1" is 1e1).
const GO_YAML_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/;
const GO_YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** True when a YAML 1.1 reader would not read `text`, written plain, as that string. */
function readsAsNumber(text: string): boolean {
  if (YAML_11_NUMBER.test(text)) {
    return true;
  }
  const digits = text.replace(/_/g, '');
  return /^[-+.0-9]/.test(text) && (GO_YAML_INT.test(digits) || GO_YAML_FLOAT.test(digits));
}

/** A type that never represents a value; its resolver only makes js-yaml quote YAML 1.1 numbers. */
const DUMP_SCHEMA = jsyaml.DEFAULT_SCHEMA.extend({
  implicit: [new jsyaml.Type('tag:saasplane.io,2026:yaml11-number', {
    kind: 'scalar',
    resolve: readsAsNumber,
    construct: (data: string) => data,
    predicate: () => false,
  })],
});

const DUMP_OPTIONS: jsyaml.DumpOptions = { lineWidth: -1, noRefs: true, schema: DUMP_SCHEMA };

/**
 * `jsyaml.dump(value, DUMP_OPTIONS)`, byte for byte (tested against it), several times faster on
 * fleet-sized output: js-yaml decides how each distinct scalar and key is written once, and this
 * writes the block structure around them as js-yaml does with these options. Values it does not
 * expect (a Date, a key over 1,024 characters) go to js-yaml whole.
 */
function dumpDocument(value: unknown): string {
  try {
    return flattened(`${blockNode(value, 0, true)}\n`);
  } catch (e) {
    if (e !== NOT_BLOCK_JSON) throw e;
    return dumpWithJsYaml(value);
  }
}

/** @internal what `dumpDocument` must equal: js-yaml's dump with saasplane's options */
export function dumpWithJsYaml(value: unknown): string {
  return jsyaml.dump(value, DUMP_OPTIONS);
}

/**
 * `document` as cdk8s' sanitizer (null and undefined members dropped, the keys of nested mappings
 * sorted when asked) then {@link toYaml} would write it, in one pass and without a sanitized copy;
 * undefined when it holds anything but JSON data (a Lazy, a Date), which only cdk8s can resolve.
 * The document's own keys keep their order (cdk8s puts apiVersion, kind and metadata first).
 */
export function sanitizedYamlDocument(document: Record<string, unknown>, sortKeys: boolean): string | undefined {
  try {
    return flattened(`${blockNode(document, 0, true, { sortKeys })}\n`);
  } catch (e) {
    if (e !== NOT_BLOCK_JSON) throw e;
    return undefined;
  }
}

/**
 * `text` as one flat string. V8 keeps a string built by `+=` as a tree of its pieces, about nine
 * times its size, until an operation such as a search flattens it; a fleet's documents are kept
 * until they are written.
 */
function flattened(text: string): string {
  text.indexOf('\0');
  return text;
}

/** Writing as cdk8s sanitizes (see {@link sanitizedYamlDocument}). */
interface Sanitize {
  readonly sortKeys: boolean;
}

const NOT_BLOCK_JSON = Symbol('not block JSON');

/**
 * `value` written at nesting `level`, in block style where it is a non-empty collection. A
 * `compact` collection (the document, a sequence item) starts on the current line, another on
 * the next.
 */
function blockNode(value: unknown, level: number, compact: boolean, sanitize?: Sanitize): string {
  switch (typeof value) {
    case 'string':
      return stringScalar(value, level);
    case 'number': case 'boolean':
      return scalar(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length === 0 ? '[]' : blockSequence(value, level, compact, sanitize);
      if (Object.getPrototypeOf(value) === Object.prototype) return blockMapping(value as Record<string, unknown>, level, compact, sanitize);
  }
  throw NOT_BLOCK_JSON;
}

/** js-yaml's block mapping: pairs with an undefined value are left out (and null ones, sanitizing). */
function blockMapping(object: Record<string, unknown>, level: number, compact: boolean, sanitize?: Sanitize): string {
  let result = '';
  const names = sanitize ? sanitizedKeys(object, sanitize.sortKeys && level > 0) : Object.keys(object);
  for (const key of names) {
    const member = object[key];
    if (member === undefined || (sanitize && member === null)) continue;
    const written = blockNode(member, level + 1, false, sanitize);
    if (!compact || result !== '') result += newLine(level);
    result += keyScalar(key) + (written.charCodeAt(0) === 10 ? ':' : ': ') + written;
  }
  return result === '' ? '{}' : result;
}

/**
 * The keys of `object` in the order of the object cdk8s' sanitizer makes of it: sorted when asked,
 * then array indices ("0", "42") first in numeric order, as JavaScript lists an object's keys. An
 * own `constructor` or `__proto__` (from JSON.parse) changes what cdk8s makes of the object, or
 * makes it refuse it: such an object is left to cdk8s.
 */
function sanitizedKeys(object: Record<string, unknown>, sort: boolean): string[] {
  const names = Object.keys(object);
  if (names.includes('constructor') || names.includes('__proto__')) throw NOT_BLOCK_JSON;
  if (sort) names.sort();
  if (!names.some(isArrayIndex)) return names;
  const indices = names.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...names.filter((n) => !isArrayIndex(n))];
}

/** True when JavaScript orders `key` as an array index: a canonical integer below 2³² − 1. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

/** js-yaml's block sequence: an undefined item is written as null. */
function blockSequence(items: readonly unknown[], level: number, compact: boolean, sanitize?: Sanitize): string {
  let result = '';
  for (let i = 0; i < items.length; i++) {
    const written = blockNode(items[i] ?? null, level + 1, true, sanitize);
    if (!compact || result !== '') result += newLine(level);
    result += (written.charCodeAt(0) === 10 ? '-' : '- ') + written;
  }
  return result;
}

const newLines: string[] = [];
const newLine = (level: number): string => (newLines[level] ??= `\n${' '.repeat(2 * level)}`);

/** How js-yaml writes distinct scalars and keys, remembered (and forgotten past a bound, so that memory stays flat). */
const scalars = new Map<unknown, string>();
const keys = new Map<string, string>();
const REMEMBERED = 100_000;

function remember<K>(memo: Map<K, string>, key: K, write: () => string): string {
  let written = memo.get(key);
  if (written === undefined) {
    if (memo.size >= REMEMBERED) memo.clear();
    written = write();
    memo.set(key, written);
  }
  return written;
}

/** A number or boolean as js-yaml writes it (-0 is "-0.0", not 0's "0"). */
function scalar(value: number | boolean): string {
  return Object.is(value, -0) ? '-0.0' : remember(scalars, value, () => dumpWithJsYaml(value).slice(0, -1));
}

/** A string as js-yaml writes it at `level`: the style does not depend on the level, a block scalar's indentation does. */
function stringScalar(value: string, level: number): string {
  const written = remember(scalars, value, () => dumpWithJsYaml(value).slice(0, -1));
  const first = written.charCodeAt(0);
  if (level <= 1 || (first !== 124 && first !== 62)) {
    return written; // not a block scalar ('|' or '>'), or at the indentation js-yaml wrote it with
  }
  // js-yaml indents each non-empty line of a block scalar by 2 × level spaces, 2 at the top
  const extra = ' '.repeat(2 * (level - 1));
  const header = written.indexOf('\n') + 1;
  return written.slice(0, header) + written.slice(header).split('\n').map((line) => (line === '' ? line : extra + line)).join('\n');
}

/** A mapping key as js-yaml writes it: never a block scalar; a long one makes an explicit pair, left to js-yaml. */
function keyScalar(key: string): string {
  const written = remember(keys, key, () => {
    const pair = dumpWithJsYaml({ [key]: 0 });
    return pair.startsWith('?') ? '' : pair.slice(0, -': 0\n'.length);
  });
  if (written === '') throw NOT_BLOCK_JSON;
  return written;
}

/**
 * Writes `files` (relative path, content) as the complete new content of `outdir`, all or nothing.
 * A new `outdir` (or one that is a symbolic link, which is replaced) is written beside it and
 * renamed into place. An existing one is updated: each new or changed file is staged in a folder
 * inside it, and only when `files` is exhausted without error are the files it no longer holds
 * moved aside and the staged ones moved in, each step undone if a later one fails; a file whose
 * content is unchanged is left as it is (same inode and modification time), so a synthesis that
 * changes one tenant touches that tenant's files only. `files` may be a generator: each content
 * (text, written as UTF-8, or bytes) is staged or compared as soon as it is produced, so a large
 * tree is never held in memory. `beforeRemoving`, given the files the new tree no longer holds,
 * may throw to refuse the whole update.
 */
export function writeTreeAtomically(
  outdir: string, files: Iterable<readonly [string, string | Uint8Array]>, beforeRemoving?: RemovalCheck,
): void {
  const problem = outdirProblem(outdir);
  if (problem) {
    throw new SaaSplaneError('the output folder is invalid', [problem]);
  }
  const target = path.resolve(outdir);
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    updateTree(target, files, beforeRemoving);
  } else {
    writeNewTree(target, files, stat !== undefined);
  }
}

/** Writes every file in a sibling folder and renames it into place (replacing the symbolic link `target` when `replaceLink`). */
function writeNewTree(target: string, files: Iterable<readonly [string, string | Uint8Array]>, replaceLink: boolean): void {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    const paths = new TreePaths(staging);
    for (const [relative, content] of files) {
      const file = paths.add(relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    if (!replaceLink) {
      fs.renameSync(staging, target);
      return;
    }
    const link = `${staging}.link`;
    fs.renameSync(target, link);
    try {
      fs.renameSync(staging, target);
    } catch (e) {
      fs.renameSync(link, target);
      throw e;
    }
    fs.rmSync(link, { force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Stages the new and changed files inside `target` (`<staging>/new`), then commits them (see
 * writeTreeAtomically), moving what they replace to `<staging>/old`.
 */
type RemovalCheck = (removed: readonly string[], outdir: string) => void;

function updateTree(target: string, files: Iterable<readonly [string, string | Uint8Array]>, beforeRemoving?: RemovalCheck): void {
  const existing = existingTree(target);
  const staging = fs.mkdtempSync(path.join(target, '.saasplane-staging-'));
  let keep = false;
  try {
    const paths = new TreePaths(path.join(staging, 'new'));
    const staged: string[] = [];
    for (const [relative, content] of files) {
      const file = paths.add(relative);
      if (existing.files.has(relative) && fileHolds(path.join(target, relative), content)) {
        continue;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      staged.push(relative);
    }
    // the last moment to refuse: every file is produced, nothing in `target` has changed yet
    const removed = [...existing.files].filter((f) => !paths.written.has(f));
    if (beforeRemoving && removed.length > 0) beforeRemoving(removed, target);
    // nothing to move in, and nothing but the files written: the folder is as it should be
    if (staged.length > 0 || existing.others || existing.files.size !== paths.written.size) {
      commitStaged(target, staging, staged, paths.written);
    }
  } catch (e) {
    keep = e instanceof IncompleteUndo;
    throw e;
  } finally {
    if (!keep) fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A commit failed and could not be undone: the files it moved aside are still in the staging folder. */
class IncompleteUndo extends SaaSplaneError {}

/** Buffers reused by `fileHolds`, so that comparing a large tree makes no garbage. */
let encoded = Buffer.alloc(65536);
let read = Buffer.alloc(65536);

/** True when `file` holds exactly `content` (its UTF-8 bytes); compared in reused buffers, never decoded. */
function fileHolds(file: string, content: string | Uint8Array): boolean {
  let bytes: Uint8Array = content as Uint8Array;
  if (typeof content === 'string') {
    const size = Buffer.byteLength(content);
    if (size > encoded.length) encoded = Buffer.alloc(2 * size);
    bytes = encoded.subarray(0, encoded.write(content));
  }
  if (bytes.length + 1 > read.length) read = Buffer.alloc(2 * (bytes.length + 1));
  const fd = fs.openSync(file, 'r');
  try {
    let size = 0;
    // one byte more than expected tells a longer file
    for (let n; size <= bytes.length && (n = fs.readSync(fd, read, size, bytes.length + 1 - size, null)) > 0;) size += n;
    return size === bytes.length && read.subarray(0, size).equals(bytes);
  } finally {
    fs.closeSync(fd);
  }
}

/** The relative paths of a tree being written: each inside it, once, never both a file and a folder. */
class TreePaths {
  public readonly written = new Set<string>();
  private readonly folders = new Set<string>();

  constructor(private readonly root: string) {}

  /** The path of `relative` under the root; throws when it is outside it, repeated, or where a folder or file already goes. */
  public add(relative: string): string {
    const file = path.join(this.root, relative);
    if (!file.startsWith(this.root + path.sep) || this.written.has(relative) || this.folders.has(relative)) {
      throw new Error(`refusing to write ${JSON.stringify(relative)}: outside the output folder, twice, or where a folder goes`);
    }
    this.written.add(relative);
    for (let folder = path.dirname(relative); folder !== '.'; folder = path.dirname(folder)) {
      if (this.written.has(folder)) {
        throw new Error(`refusing to write ${JSON.stringify(relative)}: ${JSON.stringify(folder)} is a file`);
      }
      this.folders.add(folder);
    }
    return file;
  }
}

/**
 * Every regular file under `root`, as relative paths, and whether it holds anything else (symbolic
 * links and other entries, which are not files to keep, or empty folders).
 */
function existingTree(root: string): { files: Set<string>; others: boolean } {
  const files = new Set<string>();
  let others = false;
  const walk = (dir: string, prefix: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.length === 0 && prefix) others = true;
    for (const entry of entries) {
      const relative = prefix ? path.join(prefix, entry.name) : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relative);
      else if (entry.isFile()) files.add(relative);
      else others = true;
    }
  };
  walk(root, '');
  return { files, others };
}

/**
 * Moves the staged files into `target`. First moves aside (into the staging folder) every entry
 * that is not a folder or a file to keep: stale files, symbolic links, which a write must never
 * follow out of `target`, and a folder where a file now goes; then moves each staged file in,
 * moving aside the file it replaces. A failing step undoes the ones before it, so `target` is
 * left as it was; once all are done, folders left empty go.
 */
function commitStaged(target: string, staging: string, staged: readonly string[], written: ReadonlySet<string>): void {
  const fresh = path.join(staging, 'new');
  const aside = path.join(staging, 'old');
  const undo: Array<() => void> = [];
  const moveAside = (relative: string): void => {
    const from = path.join(target, relative);
    const to = path.join(aside, relative);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(from, to);
    undo.push(() => fs.renameSync(to, from));
  };
  try {
    const skip = path.basename(staging);
    const doomed: string[] = [];
    const walk = (prefix: string): void => {
      for (const entry of fs.readdirSync(path.join(target, prefix), { withFileTypes: true })) {
        const relative = prefix ? path.join(prefix, entry.name) : entry.name;
        if (relative === skip) continue;
        if (entry.isDirectory() && !written.has(relative)) walk(relative);
        else if (!(entry.isFile() && written.has(relative))) doomed.push(relative);
      }
    };
    walk('');
    doomed.forEach(moveAside);
    for (const relative of staged) {
      const destination = path.join(target, relative);
      const created = fs.mkdirSync(path.dirname(destination), { recursive: true });
      if (created) undo.push(() => fs.rmSync(created, { recursive: true, force: true }));
      if (fs.existsSync(destination)) moveAside(relative);
      fs.renameSync(path.join(fresh, relative), destination);
      undo.push(() => fs.renameSync(destination, path.join(fresh, relative)));
    }
  } catch (e) {
    const failed: string[] = [];
    for (const step of undo.reverse()) {
      try {
        step();
      } catch (undoError) {
        failed.push(String(undoError)); // the other steps are still undone
      }
    }
    if (failed.length > 0) {
      throw new IncompleteUndo(`the output folder ${target} could not be restored after a failed write`, [
        String(e), ...failed, `the files it held are in ${aside} (the new ones in ${fresh}): move them back by hand`,
      ]);
    }
    throw e;
  }
  removeEmptyFolders(target, '', path.basename(staging));
}

/** Removes, depth first, the folders under `root`/`prefix` that are (or are left) empty, but `skip`; true when `prefix` is empty. */
function removeEmptyFolders(root: string, prefix: string, skip: string): boolean {
  let empty = true;
  for (const entry of fs.readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? path.join(prefix, entry.name) : entry.name;
    if (entry.isDirectory() && relative !== skip && removeEmptyFolders(root, relative, skip)) {
      fs.rmdirSync(path.join(root, relative));
    } else {
      empty = false;
    }
  }
  return empty;
}

/**
 * Why `outdir` cannot be a synthesis' output folder, which is replaced as a whole: empty, the
 * working directory, the home folder, or a folder holding either of them (`/` above all), a NUL
 * character, or a path through a file. Undefined when it can.
 */
export function outdirProblem(outdir: string): string | undefined {
  const fix = 'write to a folder of its own, e.g. "dist"';
  if (typeof outdir !== 'string' || outdir.trim() === '') {
    return `outdir ${JSON.stringify(outdir)} is empty: it would replace the current working directory; ${fix}`;
  }
  if (outdir.includes('\0')) {
    return `outdir ${JSON.stringify(outdir)} contains a NUL character; ${fix}`;
  }
  // compared through symbolic links: /tmp/proj may be the working directory /private/tmp/proj
  const target = realPath(path.resolve(outdir));
  const holds = (folder: string) => folder === target || folder.startsWith(target.endsWith(path.sep) ? target : target + path.sep);
  for (const [what, folder] of [['the current working directory', process.cwd()], ['your home folder', os.homedir()]] as const) {
    if (holds(realPath(path.resolve(folder)))) {
      return `outdir ${JSON.stringify(outdir)} (${target}) is or holds ${what} ${folder}: synthesis replaces its output folder as a whole and would delete it; ${fix}`;
    }
  }
  for (let at = path.resolve(outdir); ; at = path.dirname(at)) {
    if (fs.existsSync(at)) {
      if (!fs.statSync(at).isDirectory()) {
        return `outdir ${JSON.stringify(outdir)} goes through the file ${at}: choose a path of folders; ${fix}`;
      }
      break;
    }
    if (path.dirname(at) === at) break;
  }
  return undefined;
}

/** `file` with every symbolic link of its longest existing ancestor resolved. */
function realPath(file: string): string {
  const rest: string[] = [];
  for (let at = file; ; at = path.dirname(at)) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      if (path.dirname(at) === at) return file;
      rest.push(path.basename(at));
    }
  }
}
