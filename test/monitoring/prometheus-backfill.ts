// A real Prometheus (Debian's `prometheus`) holding history: raw series backfilled with
// `promtool tsdb create-blocks-from openmetrics`, then the recording rules evaluated over that
// history with `promtool tsdb create-blocks-from rules` against the running server, one level of
// rules at a time (a rule reading another's series needs those blocks loaded first), restarting
// Prometheus on the new blocks after each level. This is how a user backfills new rules too.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as YAML from 'yaml';

const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

interface Group {
  name: string;
  interval?: string;
  rules: Array<{ record?: string; alert?: string; expr: string; labels?: Record<string, string> }>;
}

/** Runs a tool; throws with its output unless it exits 0 (never skips: a missing binary is a failure naming the fix). */
export function run(tool: string, args: string[], cwd: string): string {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new Error(`cannot run ${tool}: ${result.error.message}. Install Prometheus and promtool with \`bash scripts/setup.sh\` (Debian package prometheus)`);
  }
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The recording rules in levels: level 0 reads only raw series, level n the series of levels below it. */
export function ruleLevels(groups: Group[]): Group[][] {
  const rules = groups.flatMap((g) => g.rules.filter((r) => r.record));
  const recorded = new Set(rules.map((r) => r.record!));
  const memo = new Map<string, number>();
  const levelOfExpr = (expr: string, seen: readonly string[]): number => {
    const uses = [...recorded].filter((name) => expr.includes(name));
    return uses.length === 0 ? 0 : 1 + Math.max(...uses.map((name) => levelOfName(name, seen)));
  };
  const levelOfName = (name: string, seen: readonly string[]): number => {
    if (seen.includes(name)) throw new Error(`recording rule ${name} depends on itself`);
    if (!memo.has(name)) memo.set(name, Math.max(...rules.filter((r) => r.record === name).map((r) => levelOfExpr(r.expr, [...seen, name]))));
    return memo.get(name)!;
  };
  const depth = Math.max(0, ...[...recorded].map((name) => levelOfName(name, [])));
  return Array.from({ length: depth + 1 }, (_, n) => groups
    .map((g) => ({ ...g, rules: g.rules.filter((r) => r.record && levelOfExpr(r.expr, []) === n) }))
    .filter((g) => g.rules.length > 0));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A Prometheus process on a data folder, with the rules loaded. */
export class BackfilledPrometheus {
  /** Backfills the OpenMetrics files, starts Prometheus with `groups`, and backfills the recording rules over [start, end]. */
  static async create(dir: string, openMetricsFiles: string[], groups: Group[], start: Date, end: Date): Promise<BackfilledPrometheus> {
    const data = path.join(dir, 'data');
    for (const file of openMetricsFiles) run(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, data], dir);
    fs.writeFileSync(path.join(dir, 'rules.yml'), YAML.stringify({ groups }, { lineWidth: 0 }));
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), YAML.stringify({ global: { evaluation_interval: '1m' }, rule_files: ['rules.yml'] }));
    const prometheus = new BackfilledPrometheus(dir);
    await prometheus.start();
    try {
      for (const [n, level] of ruleLevels(groups).entries()) {
        const file = path.join(dir, `rules-level-${n}.yml`);
        fs.writeFileSync(file, YAML.stringify({ groups: level }, { lineWidth: 0 }));
        const out = path.join(dir, `blocks-level-${n}`);
        run(PROMTOOL, ['tsdb', 'create-blocks-from', 'rules', '--quiet', `--url=${prometheus.url}`, `--start=${start.getTime() / 1000}`,
          `--end=${end.getTime() / 1000}`, `--output-dir=${out}`, file], dir);
        await prometheus.stop();
        for (const block of fs.readdirSync(out)) fs.renameSync(path.join(out, block), path.join(data, block));
        await prometheus.start();
      }
    } catch (e) {
      await prometheus.stop();
      throw e;
    }
    return prometheus;
  }

  private process?: ChildProcess;
  private port = 0;

  private constructor(private readonly dir: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }


  private async start(): Promise<void> {
    this.port = await freePort();
    // a file, not a pipe: promtool runs synchronously in between, and a full pipe would block Prometheus
    const logFile = path.join(this.dir, 'prometheus.log');
    const log = fs.openSync(logFile, 'a');
    const child = spawn(PROMETHEUS, [
      `--config.file=${path.join(this.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${this.port}`, '--storage.tsdb.retention.time=100y', '--log.level=warn',
    ], { cwd: this.dir, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.process = child;
    const logText = () => fs.readFileSync(logFile, 'utf8').slice(-4000);
    const failed = new Promise<never>((_, reject) => {
      child.on('error', (e) => reject(new Error(`cannot run ${PROMETHEUS}: ${e.message}. Install it with \`bash scripts/setup.sh\` (Debian package prometheus)`)));
      child.on('exit', (code) => reject(new Error(`prometheus exited (${code}) before it was ready:\n${logText()}`)));
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const ready = await Promise.race([fetch(`${this.url}/-/ready`).then((r) => r.ok, () => false), failed]);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`prometheus was not ready in 300 s:\n${logText()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Stops Prometheus and waits for it to exit (it releases the data folder's lock). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
