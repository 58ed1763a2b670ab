// Deterministic YAML and all-or-nothing writes of a synthesized tree.
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';

/**
 * Serializes objects as a multi-document YAML stream, stable for identical input. Strings that a
 * YAML 1.1 reader (kubectl, Argo CD, Flux) would take for booleans or numbers, such as "on" or
 * "0777", are quoted.
 */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => jsyaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
}

/**
 * Writes `files` (relative path, content) as the complete new content of `outdir`: the tree is
 * built in a sibling folder and swapped in with renames, so a failure leaves `outdir` as it was.
 * `files` may be a generator: each content is written as soon as it is produced, so a large tree
 * never has to be held in memory at once.
 */
export function writeTreeAtomically(outdir: string, files: Iterable<readonly [string, string]>): void {
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
