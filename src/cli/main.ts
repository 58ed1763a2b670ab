// The `saasplane` command line. Each command is an entry of `COMMANDS` (name, summary, usage,
// run): add one there (or with `registerCommand`) and it appears in `saasplane --help`.
import * as fs from 'fs';
import * as path from 'path';
import { CliIo, Command, CommandError, defaultKubeconfig, dnsLabel, help, parseCommandArgs, UsageError, wholeNumber } from './command';
import {
  currentDevClusterDir, DevClusterError, devClusterStatus, forgetDevClusterDir, rememberDevClusterDir, startDevCluster, stopDevCluster,
} from './dev-cluster';
import { diffCommand } from './diff';
import { logsCommand, resourcesCommand, urlCommand } from './instance';
import { KubeClient, KubeconfigError } from './kube-client';
import { DEFAULT_TOKEN_DURATION, issueKubeconfig, KubeconfigIssueError, parseDuration, resolveIdentity } from './kubeconfig';
import { statusCommand } from './status';
import { MissingToolError } from './tools';
import { upgradePlanCommand } from './upgrade-plan';
import { usageCommand } from './usage';
import { VerifyError, verifyOffering } from './verify';
import { clearRenderCache, renderCacheDirectory, renderCacheUsage } from '../core/helm';

export { CliIo, Command, CommandError, help, Options, ParsedCommandArgs, parseCommandArgs, UsageError } from './command';

const DEV_CLUSTER_USAGE = `saasplane dev-cluster up [--nodes N] [--dir DIR] [--timeout SECONDS]
saasplane dev-cluster down [--dir DIR]
saasplane dev-cluster status [--dir DIR] [--json]

A local Kubernetes control plane from real binaries (etcd, kube-apiserver,
kube-controller-manager; with --nodes, kube-scheduler and kwok fake nodes so
that Deployments become Available without a kubelet). Build the binaries once
with \`bash scripts/build-control-plane.sh\`.

  up      start one; prints \`export KUBECONFIG=<admin kubeconfig>\` on stdout.
          --nodes N        fake nodes (default 0: no scheduler, no kwok)
          --dir DIR        keep certificates, data and logs in DIR (kept by
                           down; up again restarts from it). Default: a new
                           temporary folder, removed by down.
          --timeout S      seconds to wait for readiness (default 120)
  down    stop the cluster (only the processes it started)
  status  the components, their pids and /readyz; exit 0 when ready

Without --dir, down and status act on the last cluster up started
(remembered in ~/.cache/saasplane/dev-cluster/current).`;

const devCluster: Command = {
  name: 'dev-cluster',
  summary: 'start, stop or inspect a local Kubernetes control plane (real binaries, kwok nodes)',
  usage: DEV_CLUSTER_USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      (sub === undefined ? io.stderr : io.stdout)(`${DEV_CLUSTER_USAGE}\n`);
      return sub === undefined ? 2 : 0;
    }
    switch (sub) {
      case 'up': {
        const { values } = parseCommandArgs('dev-cluster', rest, {
          nodes: { type: 'string' }, dir: { type: 'string' }, timeout: { type: 'string' },
        });
        if (values.help) return help(io, DEV_CLUSTER_USAGE);
        const nodes = wholeNumber('--nodes', values.nodes ?? '0', 0, 100);
        const timeoutSeconds = wholeNumber('--timeout', values.timeout ?? '120', 10, 3600);
        const cluster = await startDevCluster({ dir: values.dir, nodes, timeoutSeconds, log: (line) => io.stderr(`${line}\n`) });
        rememberDevClusterDir(cluster.dir);
        io.stderr(`stop it with: saasplane dev-cluster down${values.dir ? ` --dir ${cluster.dir}` : ''}\n`);
        io.stdout(`export KUBECONFIG=${shellQuote(cluster.kubeconfig)}\n`);
        return 0;
      }
      case 'down': {
        const { values } = parseCommandArgs('dev-cluster', rest, { dir: { type: 'string' } });
        if (values.help) return help(io, DEV_CLUSTER_USAGE);
        const dir = clusterDir(values.dir);
        const result = await stopDevCluster(dir);
        forgetDevClusterDir(dir);
        const parts = [
          result.stopped.length ? `stopped ${result.stopped.join(', ')}` : 'nothing was running',
          result.killed.length ? `(killed after the grace period: ${result.killed.join(', ')})` : '',
          result.removedDir ? `removed ${result.dir}` : `kept ${result.dir}`,
        ];
        io.stderr(`${parts.filter(Boolean).join('; ')}\n`);
        return 0;
      }
      case 'status': {
        const { values } = parseCommandArgs('dev-cluster', rest, { dir: { type: 'string' }, json: { type: 'boolean' } });
        if (values.help) return help(io, DEV_CLUSTER_USAGE);
        const status = await devClusterStatus(clusterDir(values.dir));
        if (values.json) {
          io.stdout(`${JSON.stringify(status, null, 2)}\n`);
        } else {
          const lines = [
            `dev cluster ${status.dir}: ${status.ready ? 'ready' : 'not ready'}`,
            `  server      ${status.server}`,
            `  kubeconfig  ${status.kubeconfig}`,
            `  nodes       ${status.nodes}`,
            `  readyz      ${status.readyz}`,
            ...status.processes.map((p) => `  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${p.running ? 'running' : 'not running'}  ${p.log}`),
          ];
          io.stdout(`${lines.join('\n')}\n`);
        }
        return status.ready ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown dev-cluster command ${JSON.stringify(sub)}: use up, down or status`);
    }
  },
};

function clusterDir(given: string | undefined): string {
  const dir = given ?? currentDevClusterDir();
  if (!dir) {
    throw new UsageError('no dev cluster is remembered: pass --dir DIR, or start one with `saasplane dev-cluster up`');
  }
  return dir;
}

const KUBECONFIG_USAGE = `saasplane kubeconfig --offering O --tenant T [--access NAME] [options]
saasplane kubeconfig --offering O --provider [NAME] [options]

Issues a kubeconfig for one of an offering's identities from the live cluster
(TokenRequest API): a short-lived ServiceAccount token, the cluster's CA
embedded, the context set to the identity's namespace.

  --offering O      the offering's name
  --tenant T        a tenant's users: ServiceAccount in namespace O-T
  --access NAME     the tenant's consumer access (its ServiceAccount); default:
                    the only one labelled saasplane.io/access=consumer
  --provider [NAME] the provider: ServiceAccount NAME (default "provider") in
                    namespace O-system
  --duration D      validity, 10m to 24h (1h, 30m, 3600s, 1h30m); default ${DEFAULT_TOKEN_DURATION}
  --out FILE        write to FILE (mode 0600) instead of stdout
  --kubeconfig F    the caller's credentials (default: $KUBECONFIG, else ~/.kube/config);
                    the caller needs "create" on "serviceaccounts/token" there
  --context NAME    a context of that kubeconfig (default: its current context)`;

const kubeconfig: Command = {
  name: 'kubeconfig',
  summary: 'issue a short-lived kubeconfig for a tenant\'s users or an offering\'s provider (TokenRequest)',
  usage: KUBECONFIG_USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs('kubeconfig', optionalValue(args, '--provider'), {
      offering: { type: 'string' },
      tenant: { type: 'string' },
      access: { type: 'string' },
      provider: { type: 'string' },
      duration: { type: 'string' },
      out: { type: 'string', short: 'o' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
    });
    if (values.help) return help(io, KUBECONFIG_USAGE);
    if (!values.offering) throw new UsageError('--offering is required: name the offering, e.g. --offering shop');
    dnsLabel('--offering', values.offering);
    if (values.tenant !== undefined && values.provider !== undefined) {
      throw new UsageError('--tenant and --provider exclude each other: issue for a tenant\'s users or for the provider');
    }
    if (values.tenant === undefined && values.provider === undefined) {
      throw new UsageError('name the identity: --tenant NAME for a tenant\'s users, or --provider for the offering\'s provider');
    }
    if (values.tenant !== undefined) dnsLabel('--tenant', values.tenant);
    if (values.access !== undefined) {
      if (values.provider !== undefined) throw new UsageError('--access goes with --tenant; for the provider write --provider NAME');
      dnsLabel('--access', values.access);
    }
    if (values.provider) dnsLabel('--provider', values.provider);
    let durationSeconds: number;
    try {
      durationSeconds = parseDuration(values.duration ?? DEFAULT_TOKEN_DURATION);
    } catch (e) {
      throw new UsageError(`--duration: ${(e as Error).message}`);
    }
    const callerConfig = values.kubeconfig ?? defaultKubeconfig(io.env);
    const client = KubeClient.fromKubeconfig(callerConfig, values.context);
    const identity = await resolveIdentity(client, {
      offering: values.offering,
      tenant: values.tenant,
      access: values.access,
      provider: values.provider === undefined ? undefined : values.provider || true,
    });
    const issued = await issueKubeconfig({
      client,
      namespace: identity.namespace,
      serviceAccount: identity.serviceAccount,
      durationSeconds,
      subject: identity.subject,
      out: values.out,
    });
    const what = `kubeconfig for ServiceAccount ${issued.namespace}/${issued.serviceAccount} (${identity.subject}), expires ${issued.expiresAt.toISOString()}`;
    if (values.out) {
      io.stderr(`wrote ${what} to ${values.out}\n`);
    } else {
      io.stdout(issued.kubeconfig);
      io.stderr(`${what}\n`);
    }
    return 0;
  },
};

const VERIFY_USAGE = `saasplane verify --offering O [--tenant T] [--report DIR] [options]

Proves an offering's isolation on a live cluster, as an attacker would: issues
short-lived tokens for the provider and each tenant's consumer identity, tries
every escalation path of the threat model as that identity (writes are
server-side dry runs: authorized and admitted as real requests, nothing
changes), and checks the guardrails. Exits 1 when a check fails.

  --offering O      the offering's name
  --tenant T        only this tenant (default: every tenant namespace of O)
  --report DIR      write <tenant>.json and <tenant>.md (check, expected,
                    observed, evidence) for auditors
  --provider NAME   the provider ServiceAccount in <O>-system to attack as, when
                    the offering has several (default: the only one, else provider)
  --kubeconfig F    cluster-admin credentials (default: $KUBECONFIG, else ~/.kube/config)
  --context NAME    a context of that kubeconfig`;

const verify: Command = {
  name: 'verify',
  summary: 'try every escalation path as the offering\'s identities on a live cluster; report per tenant',
  usage: VERIFY_USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs('verify', args, {
      offering: { type: 'string' },
      tenant: { type: 'string' },
      report: { type: 'string' },
      provider: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
    });
    if (values.help) return help(io, VERIFY_USAGE);
    if (values.provider !== undefined) dnsLabel('--provider', values.provider);
    if (!values.offering) throw new UsageError('--offering is required: name the offering, e.g. --offering shop');
    dnsLabel('--offering', values.offering);
    if (values.tenant !== undefined) dnsLabel('--tenant', values.tenant);
    const admin = KubeClient.fromKubeconfig(values.kubeconfig ?? defaultKubeconfig(io.env), values.context);
    const reports = await verifyOffering({
      admin, offering: values.offering, tenant: values.tenant, reportDir: values.report, provider: values.provider,
    });
    for (const report of reports) {
      const failed = report.checks.filter((c) => !c.passed);
      io.stdout(`${report.passed ? 'PASS' : 'FAIL'} tenant ${report.tenant} (${report.namespace}): ${report.checks.length - failed.length}/${report.checks.length} checks passed\n`);
      for (const check of failed) {
        io.stdout(`  FAIL ${check.id}: ${check.title}: expected ${check.expected}, observed ${check.observed}\n`);
      }
    }
    if (values.report) io.stderr(`reports in ${values.report}\n`);
    return reports.every((r) => r.passed) ? 0 : 1;
  },
};

const CACHE_USAGE = `saasplane cache [info|clear] [--json]

The render cache: every chart rendered for a tenant, addressed by the chart's digest, the
values, release, namespace, Kubernetes version and helm's version, and the files written for each
tenant, addressed by everything they depend on, so that a synthesis with nothing changed runs no
helm and plans no tenant again. It lives in $SAASPLANE_CACHE, else
$XDG_CACHE_HOME/saasplane/renders (~/.cache/saasplane/renders); SAASPLANE_CACHE=off turns it off.

  info   (default) where it is, how many entries it holds and their size
  clear  empties it`;

const cache: Command = {
  name: 'cache',
  summary: 'show the size of the render cache, or clear it',
  usage: CACHE_USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('cache', args, { json: { type: 'boolean' } }, true);
    if (values.help) return help(io, CACHE_USAGE);
    const [sub = 'info', ...extra] = positionals;
    if (!['info', 'clear'].includes(sub) || extra.length > 0) {
      throw new UsageError(`unknown cache command ${JSON.stringify([sub, ...extra].join(' '))}: use "info" or "clear"`);
    }
    const directory = renderCacheDirectory(io.env);
    const held = sub === 'clear' ? clearRenderCache(directory) : renderCacheUsage(directory);
    if (values.json) {
      io.stdout(`${JSON.stringify({ ...held, cleared: sub === 'clear' })}\n`);
    } else {
      const size = `${held.entries} entr${held.entries === 1 ? 'y' : 'ies'}, ${(held.bytes / 1024 / 1024).toFixed(1)} MiB`;
      io.stdout(sub === 'clear' ? `cleared ${held.directory} (${size})\n` : `${held.directory}: ${size}\n`);
    }
    return 0;
  },
};

// loaded when used: the fleet brings the Pulumi SDK, which no other command needs
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fleetModule = () => (require('./fleet') as typeof import('./fleet')).fleetCommand;
const fleet: Command = {
  name: 'fleet',
  summary: 'preview, up or destroy every tenant\'s Pulumi stack, a few at a time',
  get usage() {
    return fleetModule().usage;
  },
  run: (args, io) => fleetModule().run(args, io),
};

/** The commands of `saasplane`, in help order. */
export const COMMANDS: Command[] = [
  devCluster, kubeconfig, verify, diffCommand, upgradePlanCommand, statusCommand, resourcesCommand, urlCommand, logsCommand, usageCommand,
  cache, fleet,
];

/** Adds (or replaces) a command. */
export function registerCommand(command: Command): void {
  const at = COMMANDS.findIndex((c) => c.name === command.name);
  if (at >= 0) COMMANDS[at] = command;
  else COMMANDS.push(command);
}

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'saasplane: run a Helm chart as a multi-tenant SaaS on Kubernetes, written as code',
    '',
    'usage: saasplane <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'saasplane <command> --help shows a command\'s options; saasplane --version its version.',
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. Never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) {
      throw new UsageError(`unknown command ${JSON.stringify(name)}: use one of ${COMMANDS.map((c) => c.name).join(', ')} (saasplane --help)`);
    }
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`saasplane: ${e.message}\n`);
      return 2;
    }
    const known = e instanceof DevClusterError || e instanceof MissingToolError || e instanceof KubeconfigIssueError || e instanceof KubeconfigError
      || e instanceof VerifyError || e instanceof CommandError;
    io.stderr(`saasplane ${name}: ${known ? (e as Error).message : (e as Error)?.stack ?? String(e)}\n`);
    return command?.failureExitCode ?? 1;
  }
}

/** The entry point of the `saasplane` binary. */
export function run(): void {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e: unknown) => {
    process.stderr.write(`saasplane: ${String(e)}\n`);
    process.exitCode = 1;
  });
}

function processIo(): CliIo {
  return { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env };
}

// --- argument helpers

/** Lets `flag` stand without a value (`--provider` or `--provider NAME`): a bare flag becomes `flag=`. */
function optionalValue(args: string[], flag: string): string[] {
  return args.map((a, i) => (a === flag && (i + 1 >= args.length || args[i + 1].startsWith('-')) ? `${flag}=` : a));
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, '\'\\\'\'')}'`;
}
