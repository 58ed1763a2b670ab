// The "one stack per tenant" pattern at fleet scale: runs preview, up or destroy over the tenant
// stacks of an offering through the Automation API, a bounded number at a time. Each stack runs
// its inline program in a worker process of its own (./fleet-worker): a program's error or
// unhandled rejection fails its own stack only, never a neighbour's (inside one process Pulumi's
// handlers would see every stack's). Remembers what each stack last did, so that a re-run resumes
// only the tenants that failed or changed.
import { ChildProcess, execFile, fork } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import type * as pulumi from '@pulumi/pulumi';
import type { Values } from '../core';

/** One tenant of the fleet: its stack is named after it. */
export interface FleetTenant {
  readonly name: string;
  readonly plan: string;
  readonly parameters?: Values;
}

export type FleetAction = 'preview' | 'up' | 'destroy';

/**
 * A fleet as a module exports it for `saasplane fleet` (`export const fleet: FleetDefinition`):
 * the project and the program of one tenant's stack.
 */
export interface FleetDefinition {
  readonly projectName: string;
  /**
   * The program of one tenant's stack, run as an inline program: what it returns are the stack's
   * outputs. `cluster.kubeconfig` is the fleet's kubeconfig as a secret, for an explicit provider.
   */
  readonly program: (tenant: FleetTenant, cluster: FleetCluster) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
  /** What decides the stacks besides the program's own source files (a chart's digest). */
  readonly fingerprint?: () => string;
}

/** The target cluster, as a fleet program receives it. */
export interface FleetCluster {
  /** The kubeconfig, a secret (undefined when the fleet was given none: the provider then reads the ambient one). */
  readonly kubeconfig?: pulumi.Output<string>;
}

/** What a fleet runs. */
export interface FleetOptions {
  /**
   * The module exporting `fleet: FleetDefinition` (TypeScript runs through ts-node). A module, not
   * a function: each stack loads it in its own worker process.
   */
  readonly module: string;
  readonly tenants: readonly FleetTenant[];
  /** The state backend, e.g. `file:///var/lib/pulumi-state` or `https://api.pulumi.com`. */
  readonly backendUrl: string;
  /**
   * The target cluster's kubeconfig, handed to the program as a secret Output. It goes to the
   * worker processes over IPC: never on a command line, in stack configuration or in a message.
   */
  readonly kubeconfig?: string;
  /** How long one stack may run before its worker is stopped and the stack reported failed. @default 30 minutes */
  readonly stackTimeoutMs?: number;
  /** Stacks run at once. @default 2 */
  readonly concurrency?: number;
  /** The Pulumi installation: a folder holding `bin/pulumi`. @default - `pulumi` on PATH */
  readonly pulumiRoot?: string;
  /** PULUMI_HOME (plugins, credentials). @default - Pulumi's own, ~/.pulumi */
  readonly pulumiHome?: string;
  /**
   * Plugin binaries to install into PULUMI_HOME before the first stack runs, by `<kind> <name> <version>`
   * (e.g. `resource kubernetes 4.32.0`): for machines without plugin downloads.
   */
  readonly plugins?: Readonly<Record<string, string>>;
  /** More environment of the Pulumi CLI (PULUMI_CONFIG_PASSPHRASE for file backends). */
  readonly envVars?: Readonly<Record<string, string>>;
  /**
   * Where the fleet remembers each stack's last result, for resuming. @default - no memory: every tenant runs
   */
  readonly statePath?: string;
  /** Runs every tenant, also those that are unchanged since their last successful run. */
  readonly all?: boolean;
  /** Called as stacks start and finish, for a progress display. */
  readonly onProgress?: (event: FleetProgress) => void;
}

/** A stack starting or finishing. */
export interface FleetProgress {
  readonly tenant: string;
  /** Undefined while the stack runs. */
  readonly result?: FleetResult;
  readonly done: number;
  readonly total: number;
}

/** What happened to one tenant's stack. */
export interface FleetResult {
  readonly tenant: string;
  readonly action: FleetAction;
  /** `skipped`: unchanged since its last successful run of the same action. */
  readonly status: 'succeeded' | 'failed' | 'skipped';
  /** Resource operations by kind (`create`, `update`, `delete`, `replace`, `same`), as the engine reported them. */
  readonly changes: Readonly<Record<string, number>>;
  readonly durationMs: number;
  /** The stack's error, when it failed: the engine's own message. */
  readonly error?: string;
}

/** A fleet run: every tenant's result, in the order the tenants were given. */
export interface FleetSummary {
  readonly action: FleetAction;
  readonly results: readonly FleetResult[];
  readonly failed: number;
  readonly durationMs: number;
}

const execFileAsync = promisify(execFile);

interface Remembered {
  readonly action: FleetAction;
  readonly digest: string;
  readonly status: FleetResult['status'];
}

/** Runs `action` on every tenant's stack; never throws for a stack's failure (see `FleetSummary.failed`). */
export async function runFleet(action: FleetAction, options: FleetOptions): Promise<FleetSummary> {
  const start = Date.now();
  const problems = fleetProblems(options);
  if (problems.length > 0) {
    throw new Error(`the fleet cannot run:\n  - ${problems.join('\n  - ')}`);
  }
  const definition = loadFleetModule(options.module);
  const fingerprint = fleetFingerprint(options.module, definition);
  // the options' own settings last: an exported PULUMI_BACKEND_URL must not redirect the fleet
  const envVars: Record<string, string> = {
    ...options.envVars,
    PULUMI_BACKEND_URL: options.backendUrl,
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    ...options.pulumiHome ? { PULUMI_HOME: options.pulumiHome } : {},
  };
  // what else decides where and what a stack deploys: the project, the backend, the cluster
  const target = createHash('sha256').update(JSON.stringify([fingerprint, definition.projectName, options.backendUrl, options.kubeconfig ?? ''])).digest('hex');
  await installPlugins(options.pulumiRoot, options.plugins ?? {}, envVars);
  const memory = readMemory(options.statePath);
  const results = new Map<string, FleetResult>();
  const queue = [...options.tenants];
  let done = 0;
  const worker = async () => {
    for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
      const digest = digestOf(tenant, target);
      const last = memory[tenant.name];
      let result: FleetResult;
      if (!options.all && action !== 'preview' && last?.action === action && last.status === 'succeeded' && last.digest === digest) {
        result = { tenant: tenant.name, action, status: 'skipped', changes: {}, durationMs: 0 };
      } else {
        options.onProgress?.({ tenant: tenant.name, done, total: options.tenants.length });
        result = await runInWorker({
          action,
          module: path.resolve(options.module),
          tenant,
          projectName: definition.projectName,
          backendUrl: options.backendUrl,
          kubeconfig: options.kubeconfig,
          envVars,
          pulumiRoot: options.pulumiRoot,
        }, options.stackTimeoutMs ?? 30 * 60_000);
        if (action !== 'preview') {
          memory[tenant.name] = { action, digest, status: result.status };
          writeMemory(options.statePath, memory);
        }
      }
      results.set(tenant.name, result);
      done += 1;
      options.onProgress?.({ tenant: tenant.name, result, done, total: options.tenants.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, options.tenants.length) }, worker));
  const ordered = options.tenants.map((t) => results.get(t.name)!);
  return { action, results: ordered, failed: ordered.filter((r) => r.status === 'failed').length, durationMs: Date.now() - start };
}

/** Loads a fleet module (TypeScript through ts-node, when installed): its `fleet` definition. */
export function loadFleetModule(file: string): FleetDefinition {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) {
    throw new Error(`fleet module ${file} does not exist`);
  }
  registerTypeScript(resolved);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const definition = (require(resolved) as { fleet?: FleetDefinition }).fleet;
  if (!definition || typeof definition.projectName !== 'string' || typeof definition.program !== 'function') {
    throw new Error(`fleet module ${file} does not export "fleet" with a projectName and a program(tenant) function`);
  }
  return definition;
}

/**
 * The fingerprint of a loaded fleet module: every source file it requires, directly or not,
 * outside node_modules; the versions of the packages that decide the objects (saasplane,
 * @pulumi/pulumi, @pulumi/kubernetes); and the definition's own fingerprint (a chart's digest).
 */
function fleetFingerprint(file: string, definition: FleetDefinition): string {
  const hash = createHash('sha256');
  for (const source of [...sourcesOf(require.cache[path.resolve(file)]!)].sort()) {
    hash.update(`${source}\n`).update(fs.readFileSync(source));
  }
  for (const pkg of ['@pulumi/pulumi', '@pulumi/kubernetes']) {
    hash.update(`${pkg}@${packageVersion(pkg)}\n`);
  }
  hash.update(`saasplane@${packageVersionAt(path.join(__dirname, '..', '..', 'package.json'))}\n`);
  hash.update(definition.fingerprint?.() ?? '');
  return hash.digest('hex');
}

/** The files of `root` and every module it requires, directly or not, outside node_modules. */
function sourcesOf(root: NodeJS.Module): Set<string> {
  const seen = new Set<string>();
  const visit = (m: NodeJS.Module) => {
    if (seen.has(m.filename) || m.filename.includes(`${path.sep}node_modules${path.sep}`)) {
      return;
    }
    seen.add(m.filename);
    m.children.forEach(visit);
  };
  visit(root);
  return seen;
}

function packageVersion(name: string): string {
  try {
    return packageVersionAt(require.resolve(`${name}/package.json`));
  } catch {
    return 'absent';
  }
}

function packageVersionAt(file: string): string {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Lets `require` load TypeScript, for a `.ts` module, when nothing does yet. */
export function registerTypeScript(file: string): void {
  if (/\.tsx?$/.test(file) && !(require.extensions as Record<string, unknown>)['.ts']) {
    try {
      // optional: only TypeScript fleet modules need it
      // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
      require('ts-node').register({ transpileOnly: true });
    } catch {
      throw new Error(`${file} is TypeScript: install ts-node (npm install --save-dev ts-node) or compile it to JavaScript`);
    }
  }
}

function fleetProblems(options: FleetOptions): string[] {
  const problems: string[] = [];
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    problems.push(`concurrency ${JSON.stringify(options.concurrency)} is not a whole number of stacks: use 1 or more`);
  }
  const seen = new Set<string>();
  for (const tenant of options.tenants) {
    if (typeof tenant?.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(tenant.name)) {
      problems.push(`tenant name ${JSON.stringify(tenant?.name)} is not a DNS label: it names the tenant's stack and namespace`);
    } else if (seen.has(tenant.name)) {
      problems.push(`tenant "${tenant.name}" is listed twice: each tenant has one stack`);
    }
    seen.add(tenant?.name);
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(options.backendUrl ?? '')) {
    problems.push(`backend ${JSON.stringify(options.backendUrl)} is not a URL: use file:///path/to/state or https://api.pulumi.com`);
  }
  return problems;
}

/**
 * Installs plugin binaries into PULUMI_HOME (`envVars`) with `pulumi plugin install <kind> <name> <version> --file`,
 * for machines without plugin downloads; rejects with pulumi's error when one fails.
 */
export async function installPlugins(pulumiRoot: string | undefined, plugins: Readonly<Record<string, string>>, envVars: Record<string, string>,
): Promise<void> {
  const pulumi = pulumiRoot ? path.join(pulumiRoot, 'bin', 'pulumi') : 'pulumi';
  for (const [spec, file] of Object.entries(plugins)) {
    const args = spec.split(' ');
    if (args.length !== 3) {
      throw new Error(`plugin ${JSON.stringify(spec)}: write it as "<kind> <name> <version>", e.g. "resource kubernetes 4.32.0"`);
    }
    if (!fs.existsSync(file)) {
      throw new Error(`plugin ${spec}: ${file} does not exist: build it with bash scripts/build-pulumi.sh`);
    }
    await execFileAsync(pulumi, ['plugin', 'install', ...args, '--file', file], { env: { ...process.env, ...envVars } });
  }
}

/** What a worker process runs: one action on one tenant's stack. */
export interface FleetJob {
  readonly action: FleetAction;
  readonly module: string;
  readonly tenant: FleetTenant;
  readonly projectName: string;
  readonly backendUrl: string;
  readonly kubeconfig?: string;
  readonly envVars: Record<string, string>;
  readonly pulumiRoot?: string;
}

/**
 * Runs `job` in a worker process; the job (with its kubeconfig) goes over IPC, never on a command
 * line. A worker that outlives `timeoutMs` is stopped and its stack reported failed.
 */
function runInWorker(job: FleetJob, timeoutMs: number): Promise<FleetResult> {
  const start = Date.now();
  const failed = (error: string): FleetResult =>
    ({ tenant: job.tenant.name, action: job.action, status: 'failed', changes: {}, durationMs: Date.now() - start, error });
  const source = __filename.endsWith('.ts');
  return new Promise((resolve) => {
    let child: ChildProcess;
    let stderr = '';
    let result: FleetResult | undefined;
    try {
      child = fork(path.join(__dirname, `fleet-worker${source ? '.ts' : '.js'}`), [], {
        execArgv: source ? ['-r', 'ts-node/register/transpile-only'] : [],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (e) {
      resolve(failed(`cannot start a worker: ${(e as Error).message}`));
      return;
    }
    child.stderr?.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const timer = setTimeout(() => {
      stderr += `\nerror: the stack ran longer than ${Math.round(timeoutMs / 60_000)} minutes and was stopped; `
        + 'if its update was cut short, run `pulumi cancel` on the stack before the next run';
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('message', (message) => {
      result = message as FleetResult;
    });
    child.on('error', (e) => stderr += `\nerror: worker: ${e.message}`);
    // 'close' (not 'exit'): it waits for the IPC channel, so a result sent just before exiting is not lost
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(result ?? failed(`worker exited (${signal ?? code}) without a result: ${errorText(stderr)}`));
    });
    child.send(job);
  });
}

/** The engine's own message: the Automation API wraps it in the command line and its whole output. */
export function errorText(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  const lines = (err.stderr || err.message || String(e)).split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const diagnostics = lines.filter((l) => /^error:|^\s*kubernetes:|failed|refused|forbidden/i.test(l));
  return (diagnostics.length > 0 ? diagnostics : lines.slice(-3)).join(' ').slice(0, 2000);
}

function digestOf(tenant: FleetTenant, fingerprint: string): string {
  return createHash('sha256').update(JSON.stringify([tenant.name, tenant.plan, tenant.parameters ?? {}, fingerprint])).digest('hex').slice(0, 32);
}

function readMemory(file: string | undefined): Record<string, Remembered> {
  if (!file || !fs.existsSync(file)) {
    return {};
  }
  let memory: unknown;
  try {
    memory = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    memory = (e as Error).message;
  }
  if (typeof memory !== 'object' || memory === null || Array.isArray(memory)) {
    throw new Error(`${file} is not a fleet state file (${typeof memory === 'string' ? memory : 'not an object'}): delete it to run every tenant again`);
  }
  return memory as Record<string, Remembered>;
}

/** Written whole to a sibling and renamed: an interrupted run leaves the previous memory or the new one. */
function writeMemory(file: string | undefined, memory: Record<string, Remembered>): void {
  if (!file) {
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(staging, `${JSON.stringify(memory, null, 2)}\n`);
  fs.renameSync(staging, file);
}
