// `saasplane fleet preview|up|destroy`: the tenant stacks of a fleet module, a few at a time, with
// a progress line per stack, a summary table and exit code 1 when any stack failed.
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Command, help, parseCommandArgs, tableLines, UsageError } from './command';
import { pulumiInstallation } from './tools';
import { isPlainObject } from '../core/values';
import { FleetAction, FleetResult, FleetSummary, FleetTenant, runFleet } from '../pulumi/fleet';

const FLEET_USAGE = `saasplane fleet preview|up|destroy --program FILE --tenants FILE --kubeconfig FILE --backend URL
                 [--concurrency N] [--state FILE] [--all] [--output table|json]

Runs one Pulumi stack per tenant (stack name = tenant name) through the Automation API.

  --program FILE     a module exporting \`fleet: FleetDefinition\` (projectName, program(tenant))
  --tenants FILE     YAML: tenants: [{ name, plan, parameters }]
  --kubeconfig FILE  the target cluster, handed to the program as a secret (never on a command
                     line or in stack configuration)
  --backend URL      Pulumi state, e.g. file:///var/lib/shop-state (PULUMI_CONFIG_PASSPHRASE
                     encrypts secrets there)
  --concurrency N    stacks at once (default 2)
  --state FILE       where each stack's last result is kept (default .saasplane-fleet.json):
                     a re-run of up or destroy runs only the tenants that failed or changed
  --all              run every tenant, also the unchanged ones
  --output FORMAT    table (default) or json

Uses the Pulumi CLI and Kubernetes plugin of \`bash scripts/build-pulumi.sh\` when built, else
\`pulumi\` on PATH with its own plugins. Exit code 0 when every stack succeeded, 1 when one failed.`;

/** `saasplane fleet`: main.ts loads this module only when the command runs (it brings the Pulumi SDK). */
export const fleetCommand: Pick<Command, 'usage' | 'run'> = {
  usage: FLEET_USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('fleet', args, {
      program: { type: 'string' },
      tenants: { type: 'string' },
      kubeconfig: { type: 'string' },
      backend: { type: 'string' },
      concurrency: { type: 'string' },
      state: { type: 'string' },
      all: { type: 'boolean' },
      output: { type: 'string' },
    }, true);
    if (values.help) return help(io, FLEET_USAGE);
    const [action, ...extra] = positionals;
    if (!['preview', 'up', 'destroy'].includes(action) || extra.length > 0) {
      throw new UsageError(`unknown fleet command ${JSON.stringify(positionals.join(' '))}: use "preview", "up" or "destroy"`);
    }
    for (const option of ['program', 'tenants', 'kubeconfig', 'backend'] as const) {
      if (!values[option]) throw new UsageError(`--${option} is required: see \`saasplane fleet --help\``);
    }
    const output = values.output ?? 'table';
    if (!['table', 'json'].includes(output)) throw new UsageError(`--output ${JSON.stringify(output)}: use "table" or "json"`);
    const concurrency = values.concurrency === undefined ? 2 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency ${JSON.stringify(values.concurrency)}: use a whole number of stacks, 1 or more`);
    if (!fs.existsSync(values.program!)) throw new UsageError(`--program ${values.program}: no such file; a module exporting "fleet" (see examples/pulumi/fleet.ts)`);
    const kubeconfig = readFile(values.kubeconfig!, '--kubeconfig');
    const tenants = readTenants(values.tenants!);
    if (values.backend!.startsWith('file://') && !io.env.PULUMI_CONFIG_PASSPHRASE && io.env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
      throw new UsageError('PULUMI_CONFIG_PASSPHRASE is not set: a file backend encrypts each stack\'s secrets (the kubeconfig in its state) with it; export it first');
    }
    const installation = pulumiInstallation();
    const summary = await runFleet(action as FleetAction, {
      module: values.program!,
      tenants,
      backendUrl: values.backend!,
      kubeconfig,
      concurrency,
      pulumiRoot: installation?.root,
      plugins: installation ? { [installation.pluginSpec]: installation.kubernetesPlugin } : undefined,
      envVars: Object.fromEntries(Object.entries(io.env).filter(([k, v]) => k.startsWith('PULUMI_') && v !== undefined)) as Record<string, string>,
      statePath: path.resolve(values.state ?? '.saasplane-fleet.json'),
      all: values.all,
      onProgress: (p) => io.stderr(p.result ? `[${p.done}/${p.total}] ${p.tenant}: ${describe(p.result)}\n` : `[${p.done}/${p.total}] ${p.tenant}: ${action}...\n`),
    });
    io.stdout(output === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : fleetTable(summary));
    return summary.failed > 0 ? 1 : 0;
  },
};

function readFile(file: string, option: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${option} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function readTenants(file: string): FleetTenant[] {
  const parsed = YAML.parse(readFile(file, '--tenants')) as { tenants?: unknown } | null;
  const tenants = parsed?.tenants;
  if (!Array.isArray(tenants) || tenants.length === 0) {
    throw new UsageError(`--tenants ${file}: write "tenants:" as a list of { name, plan, parameters }`);
  }
  return tenants.map((t, i) => {
    if (typeof t?.name !== 'string' || typeof t?.plan !== 'string' || (t.parameters !== undefined && !isPlainObject(t.parameters))) {
      throw new UsageError(`--tenants ${file}: tenants[${i}] ${JSON.stringify(t)} needs a name and a plan (strings) and optional parameters (a map)`);
    }
    return { name: t.name, plan: t.plan, ...t.parameters ? { parameters: t.parameters } : {} };
  });
}

function describe(r: FleetResult): string {
  switch (r.status) {
    case 'skipped': return 'unchanged since its last successful run, skipped';
    case 'failed': return `FAILED after ${seconds(r.durationMs)}: ${r.error}`;
    default: return `${changesText(r.changes)} in ${seconds(r.durationMs)}`;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function changesText(changes: Readonly<Record<string, number>>): string {
  const parts = Object.entries(changes).filter(([, n]) => n > 0).map(([op, n]) => `${n} ${op}`);
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

/** The summary table: tenant, result, changes, duration; then the failures' errors. */
export function fleetTable(summary: FleetSummary): string {
  const rows = [['TENANT', 'RESULT', 'CHANGES', 'DURATION'],
    ...summary.results.map((r) => [r.tenant, r.status, r.status === 'succeeded' ? changesText(r.changes) : '-', r.status === 'skipped' ? '-' : seconds(r.durationMs)])];
  const lines = tableLines(rows[0], rows.slice(1));
  const failures = summary.results.filter((r) => r.status === 'failed').map((r) => `${r.tenant}: ${r.error}`);
  const total = `${summary.action}: ${summary.results.length - summary.failed} of ${summary.results.length} stacks succeeded in ${seconds(summary.durationMs)}`;
  return `${[...lines, '', total, ...failures].join('\n')}\n`;
}
