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
  return objects.map((o) => jsyaml.dump(o, { lineWidth: -1, noRefs: true, schema: DUMP_SCHEMA })).join('---\n');
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

/**
 * Writes `files` (relative path, content) as the complete new content of `outdir`: the tree is
 * built in a sibling folder and swapped in with renames, so a failure leaves `outdir` as it was.
 * `files` may be a generator: each content is written as soon as it is produced, so a large tree
 * never has to be held in memory at once.
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
    for (const [relative, content] of files) {
      const file = path.join(staging, relative);
      if (!file.startsWith(staging + path.sep)) {
        throw new Error(`refusing to write ${JSON.stringify(relative)} outside the output folder`);
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    const previous = `${staging}.old`;
    const hadPrevious = fs.existsSync(target);
    if (hadPrevious) {
      fs.renameSync(target, previous);
    }
    try {
      fs.renameSync(staging, target);
    } catch (e) {
      if (hadPrevious) fs.renameSync(previous, target);
      throw e;
    }
    fs.rmSync(previous, { recursive: true, force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
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
