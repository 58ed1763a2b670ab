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
  const names = Object.keys(object);
  if (sanitize?.sortKeys && level > 0) names.sort();
  for (const key of names) {
    const member = object[key];
    if (member === undefined || (sanitize && member === null)) continue;
    const written = blockNode(member, level + 1, false, sanitize);
    if (!compact || result !== '') result += newLine(level);
    result += keyScalar(key) + (written.charCodeAt(0) === 10 ? ':' : ': ') + written;
  }
  return result === '' ? '{}' : result;
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
  return Object.is(value, -0) ? '-0.0' : remember(scalars, value, () => jsyaml.dump(value, DUMP_OPTIONS).slice(0, -1));
}

/** A string as js-yaml writes it at `level`: the style does not depend on the level, a block scalar's indentation does. */
function stringScalar(value: string, level: number): string {
  const written = remember(scalars, value, () => jsyaml.dump(value, DUMP_OPTIONS).slice(0, -1));
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
    const pair = jsyaml.dump({ [key]: 0 }, DUMP_OPTIONS);
    return pair.startsWith('?') ? '' : pair.slice(0, -': 0\n'.length);
  });
  if (written === '') throw NOT_BLOCK_JSON;
  return written;
}

/**
 * Writes `files` (relative path, content) as the complete new content of `outdir`, all or nothing:
 * every new or changed file is first written to a sibling staging folder, and only when `files`
 * is exhausted without error are they moved into `outdir` and the files it no longer holds
 * removed. A file whose content is unchanged is left as it is (same inode and modification time),
 * so a synthesis that changes one tenant touches that tenant's files only. A new `outdir` is the
 * staging folder itself, renamed. `files` may be a generator: each content is staged or compared
 * as soon as it is produced, so a large tree never has to be held in memory at once.
 */
export function writeTreeAtomically(outdir: string, files: Iterable<readonly [string, string]>): void {
  const problem = outdirProblem(outdir);
  if (problem) {
    throw new SaaSplaneError('the output folder is invalid', [problem]);
  }
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    const existing = fs.existsSync(target) ? existingTree(target) : undefined;
    const written = new Set<string>();
    const folders = new Set<string>();
    const staged: string[] = [];
    for (const [relative, content] of files) {
      const file = path.join(staging, relative);
      if (!file.startsWith(staging + path.sep) || written.has(relative) || folders.has(relative)) {
        throw new Error(`refusing to write ${JSON.stringify(relative)}: outside the output folder, twice, or where a folder goes`);
      }
      written.add(relative);
      for (let folder = path.dirname(relative); folder !== '.'; folder = path.dirname(folder)) {
        if (written.has(folder)) {
          throw new Error(`refusing to write ${JSON.stringify(relative)}: ${JSON.stringify(folder)} is a file`);
        }
        folders.add(folder);
      }
      if (existing?.files.has(relative) && fs.readFileSync(path.join(target, relative), 'utf8') === content) {
        continue;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      staged.push(relative);
    }
    if (!existing) {
      fs.renameSync(staging, target);
      return;
    }
    // nothing to move in, and nothing but the files written: the folder is as it should be
    if (staged.length > 0 || existing.others || existing.files.size !== written.size) {
      commitStaged(target, staging, staged, written);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
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
 * Moves the staged files into `target`. First removes every entry under `target` that is not a
 * folder or a file to keep (stale files, symbolic links, which a write must never follow out of
 * `target`, and a folder where a file now goes); last, the folders left empty.
 */
function commitStaged(target: string, staging: string, staged: readonly string[], written: ReadonlySet<string>): void {
  const removed = removeEntries(target, '', (relative, entry) => (entry.isDirectory() ? written.has(relative) : !(entry.isFile() && written.has(relative))));
  for (const relative of staged) {
    const destination = path.join(target, relative);
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.renameSync(path.join(staging, relative), destination);
  }
  if (removed > 0) {
    removeEntries(target, '', (relative, entry) => entry.isDirectory() && fs.readdirSync(path.join(target, relative)).length === 0);
  }
}

/** Removes, depth first, the entries under `root`/`prefix` that `doomed` selects; returns how many. */
function removeEntries(root: string, prefix: string, doomed: (relative: string, entry: fs.Dirent) => boolean): number {
  let removed = 0;
  for (const entry of fs.readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? path.join(prefix, entry.name) : entry.name;
    if (entry.isDirectory()) removed += removeEntries(root, relative, doomed);
    if (doomed(relative, entry)) {
      fs.rmSync(path.join(root, relative), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
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
