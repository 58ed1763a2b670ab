// `saasplane diff`: what a code change does to the GitOps output (or to a live cluster) before it
// is merged, object by object and field by field, per tenant, with data-losing changes called out.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { Command, CommandError, defaultKubeconfig, help, outputFormat, parseCommandArgs, UsageError } from './command';
import { KubeClient } from './kube-client';
import { compareWithCluster } from './live-state';
import { readProject, runApp } from './project';
import { DiffObject, diffObjects, formatDiff, isPlainObject, TreeDiff } from '../core';

const USAGE = `saasplane diff [--outdir DIR] [--app CMD | --new DIR] [--live] [--tenant T]... [--output text|json]

Synthesizes the cdk8s app (the \`app\` command of ./cdk8s.yaml) into a temporary
folder and compares it with the current output folder, the GitOps repository:
per tenant, the objects added, removed and changed (field by field), and the
changes that lose data or that the API server refuses in place (a removed
claim or tenant, a StatefulSet claim template resized, a selector changed).
Nothing is written. Exit code 0: no difference; 1: differences; 2: an error
(as kubectl diff).

  --outdir DIR       the current output (default: cdk8s.yaml's \`output\`, else dist)
  --app CMD          the command that synthesizes the app (default: cdk8s.yaml's \`app\`);
                     it runs in cdk8s.yaml's folder with CDK8S_OUTDIR set
  --new DIR          compare an output synthesized already instead of running the app
  --config FILE      the cdk8s.yaml (default: ./cdk8s.yaml)
  --live             compare with the cluster instead of the output folder: each object
                     is applied as a server-side dry run and compared with the live one,
                     so drift the repository does not show appears; saasplane's objects
                     the output no longer holds appear as removed
  --field-manager M  the field manager of that dry run: the one that applies the
                     output (default kubectl, as \`kubectl apply --server-side\`)
  --kubeconfig F     for --live (default: $KUBECONFIG, else ~/.kube/config)
  --context NAME     a context of that kubeconfig
  --offering O       only the objects of offering O (repeatable)
  --tenant T         only the objects of tenant T (repeatable)
  --output FORMAT    text (default) or json, for CI bots`;

export const diffCommand: Command = {
  name: 'diff',
  summary: 'preview what a code change does to the GitOps output or a live cluster, per tenant and field',
  usage: USAGE,
  failureExitCode: 2,
  async run(args, io) {
    const { values } = parseCommandArgs('diff', args, {
      'outdir': { type: 'string' },
      'app': { type: 'string' },
      'new': { type: 'string' },
      'config': { type: 'string' },
      'live': { type: 'boolean' },
      'field-manager': { type: 'string' },
      'kubeconfig': { type: 'string' },
      'context': { type: 'string' },
      'offering': { type: 'string', multiple: true },
      'tenant': { type: 'string', multiple: true },
      'output': { type: 'string', short: 'o' },
    });
    if (values.help) return help(io, USAGE);
    const format = outputFormat(values.output, ['text', 'json']);
    if (values.app !== undefined && values.new !== undefined) throw new UsageError('--app and --new exclude each other: run an app, or compare a folder');
    if (!values.live && (values['field-manager'] ?? values.kubeconfig ?? values.context) !== undefined) {
      throw new UsageError('--field-manager, --kubeconfig and --context go with --live');
    }
    const project = readProject(values.config, values.app === undefined && values.new === undefined, '--app CMD or --new DIR');
    const outdir = path.resolve(values.outdir ?? path.join(project.dir, project.output));
    if (values.outdir !== undefined && !fs.existsSync(outdir)) throw new UsageError(`--outdir ${values.outdir} does not exist: name the current output folder`);
    const filter = { offerings: values.offering, tenants: values.tenant };
    const temporary = values.new === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-diff-')) : undefined;
    try {
      const untouched = treeStamp(outdir);
      const synthesized = values.new === undefined
        ? await synthesizeInto(values.app ?? project.app!, project.dir, path.join(temporary!, 'out'), io.env)
        : path.resolve(values.new);
      if (treeStamp(outdir) !== untouched) {
        throw new CommandError(`the app wrote to ${outdir} itself, not to CDK8S_OUTDIR: create the app without an outdir `
          + '(new SaaSApp() reads CDK8S_OUTDIR, as cdk8s synth sets it), then synthesize again to restore the output');
      }
      const after = readObjectTree(synthesized, '--new');
      const current = fs.existsSync(outdir) ? readObjectTree(outdir, '--outdir') : [];
      if (!fs.existsSync(outdir) && !values.live) io.stderr(`${outdir} does not exist yet: every object is new\n`);
      let diff: TreeDiff;
      if (values.live) {
        const client = KubeClient.fromKubeconfig(values.kubeconfig ?? defaultKubeconfig(io.env), values.context);
        const sides = await compareWithCluster({ client, desired: after, former: current, fieldManager: values['field-manager'] ?? 'kubectl' });
        diff = diffObjects(sides.live, sides.applied, filter);
      } else {
        diff = diffObjects(current, after, filter);
      }
      io.stdout(format === 'json' ? `${JSON.stringify({ summary: diff.summary, groups: diff.groups }, null, 2)}\n` : formatDiff(diff));
      return diff.groups.length === 0 ? 0 : 1;
    } finally {
      if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
    }
  },
};

/** Runs the app command with CDK8S_OUTDIR=`outdir`, as `cdk8s synth` does; resolves to `outdir`. */
async function synthesizeInto(command: string, cwd: string, outdir: string, env: NodeJS.ProcessEnv): Promise<string> {
  await runApp(command, cwd, { ...env, CDK8S_OUTDIR: outdir });
  if (!fs.existsSync(outdir)) throw new CommandError(`the app \`${command}\` wrote nothing to CDK8S_OUTDIR: synthesize with app.synth() into the default outdir`);
  return outdir;
}

/** Names, sizes and modification times of every file under `dir`: what tells that something wrote there. */
function treeStamp(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .map((e) => {
      const full = path.join(e.parentPath ?? e.path, e.name);
      const stat = fs.lstatSync(full);
      return `${full} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort()
    .join('\n');
}

/** Kinds in YAML files that are not objects of the cluster: a layout's kustomization.yaml. */
const NOT_CLUSTER_OBJECTS = /^(kustomize\.config\.k8s\.io|config\.kubernetes\.io)\//;

/** Every Kubernetes object in the YAML files under `dir` (the items of a v1 List too), with its file relative to `dir`. */
export function readObjectTree(dir: string, flag: string): DiffObject[] {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${flag} ${dir} is not a folder`);
  const objects: DiffObject[] = [];
  const visit = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        visit(full);
      } else if (/\.ya?ml$/.test(entry.name)) {
        const file = path.relative(dir, full).split(path.sep).join('/');
        for (const document of YAML.parseAllDocuments(fs.readFileSync(full, 'utf8'))) {
          if (document.errors.length > 0) throw new CommandError(`${full}: not YAML: ${document.errors[0].message}`);
          const object: unknown = document.toJSON();
          const items = isPlainObject(object) && object.apiVersion === 'v1' && object.kind === 'List' && Array.isArray(object.items) ? object.items : [object];
          for (const item of items) {
            if (isPlainObject(item) && typeof item.kind === 'string' && typeof item.apiVersion === 'string' && !NOT_CLUSTER_OBJECTS.test(item.apiVersion)) {
              objects.push({ object: item, file });
            }
          }
        }
      }
    }
  };
  visit(dir);
  return objects;
}
