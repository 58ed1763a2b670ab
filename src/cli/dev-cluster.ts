// A local Kubernetes control plane from real binaries, for `saasplane dev-cluster` and the
// integration tests (same code): etcd, kube-apiserver, kube-controller-manager, and with nodes
// kube-scheduler plus kwok (fake nodes: pods become Running and Ready without a kubelet).
// Certificates come from openssl. Everything lives in one folder: certificates, kubeconfigs,
// etcd data, one log per component and state.json (pids, ports, paths), so that another process
// can report on it and stop it.
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { KubeClient, renderKubeconfig, responseMessage } from './kube-client';
import { CONTROL_PLANE_TOOLS, KWOK_VERSION, NODE_TOOLS, requireTool, requireTools, ToolName } from './tools';

export const DEV_CLUSTER_NAME = 'saasplane-dev';
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
/** The first address of the service range: the `kubernetes` Service, a SAN of the serving certificate. */
export const KUBERNETES_SERVICE_IP = '10.0.0.1';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc';
/** Pod IPs kwok hands out; apart from the service range. */
export const POD_CIDR = '10.244.0.0/16';
/** Nodes with this annotation (value `fake`) are managed by kwok. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const ADMIN_USER = 'saasplane-admin';

const STATE_FILE = 'state.json';
const CERT_DAYS = 30;

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export interface DevClusterOptions {
  /** Folder for certificates, data, logs and state; default: a new temporary folder (removed by `stop`). */
  readonly dir?: string;
  /** Fake nodes (kwok) to create; 0 (default) runs no scheduler and no kwok. */
  readonly nodes?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** How long the cluster may take to become ready; default 120 s (2 cores, cold caches). */
  readonly timeoutSeconds?: number;
  /** Allocatable resources of each fake node; default 32 CPUs, 256Gi, 110 pods. */
  readonly nodeResources?: { readonly cpu: string; readonly memory: string; readonly pods: string };
}

/** One process of the cluster, as recorded in state.json. */
export interface ComponentProcess {
  readonly name: ComponentName;
  readonly pid: number;
  /** Identifies the process beyond its pid (pids are reused): the kernel's start time. */
  readonly startTime: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly log: string;
}

/** `<dir>/state.json`. */
export interface DevClusterState {
  readonly version: 1;
  readonly dir: string;
  /** True when the folder was created by `startDevCluster`: `stop` removes it. */
  readonly ownsDir: boolean;
  readonly server: string;
  /** Admin kubeconfig (client certificate in group system:masters). */
  readonly kubeconfig: string;
  readonly caFile: string;
  readonly nodes: number;
  readonly ports: Readonly<Record<string, number>>;
  readonly processes: readonly ComponentProcess[];
  readonly startedAt: string;
  /** Milliseconds from start until ready; set once ready. */
  readonly startupMs?: number;
  readonly stoppedAt?: string;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running dev cluster. */
export interface DevCluster {
  readonly dir: string;
  /** Path of the admin kubeconfig. */
  readonly kubeconfig: string;
  readonly server: string;
  readonly caPem: string;
  /** Admin client. */
  readonly client: KubeClient;
  readonly state: DevClusterState;
  /** Runs the pinned kubectl with KUBECONFIG set to the admin kubeconfig. */
  kubectl(args: readonly string[], options?: { input?: string; kubeconfig?: string }): Promise<CommandResult>;
  /** Same, synchronously. */
  kubectlSync(args: readonly string[], options?: { input?: string; kubeconfig?: string }): CommandResult;
  /** Stops the processes this cluster started and removes its folder when it created it. */
  stop(): Promise<StopResult>;
}

export interface StopResult {
  readonly dir: string;
  /** Components that were running and were stopped. */
  readonly stopped: readonly ComponentName[];
  /** Components whose recorded process was already gone (or is another process now). */
  readonly notRunning: readonly ComponentName[];
  /** Components that had to be killed with SIGKILL. */
  readonly killed: readonly ComponentName[];
  readonly removedDir: boolean;
}

export interface DevClusterStatus {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfig: string;
  readonly nodes: number;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly processes: readonly { name: ComponentName; pid: number; running: boolean; log: string }[];
  /** True when every recorded process runs and /readyz answers ok. */
  readonly ready: boolean;
  /** /readyz's answer or why it could not be asked. */
  readonly readyz: string;
}

/** The dev cluster failed to start or to stop; carries the last log lines of the components. */
export class DevClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevClusterError';
  }
}

// ---------------------------------------------------------------------------------------------
// start

/** Starts a dev cluster and resolves when it is ready: /readyz ok, the controllers running, the nodes Ready. */
export async function startDevCluster(options: DevClusterOptions = {}): Promise<DevCluster> {
  const began = Date.now();
  const nodes = options.nodes ?? 0;
  if (!Number.isInteger(nodes) || nodes < 0 || nodes > 100) {
    throw new DevClusterError(`nodes ${JSON.stringify(nodes)} is not a whole number from 0 to 100`);
  }
  const log = options.log ?? (() => undefined);
  const deadline = began + (options.timeoutSeconds ?? 120) * 1000;
  const tools: ToolName[] = [...CONTROL_PLANE_TOOLS, ...(nodes > 0 ? NODE_TOOLS : [])];
  const bin = requireTools(tools) as Record<ToolName, string>;

  const { dir, ownsDir } = prepareDir(options.dir);
  const files = clusterFiles(dir);
  const runner = new Runner(dir, log);
  try {
    await ensureCertificates(files, log);
    const ports: Record<string, number> = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiserver: await freePort(),
    };
    if (nodes > 0) ports.kwok = await freePort();
    const server = `https://127.0.0.1:${ports.apiserver}`;
    writeKubeconfigs(files, server);

    const state = (): DevClusterState => ({
      version: 1,
      dir,
      ownsDir,
      server,
      kubeconfig: files.adminKubeconfig,
      caFile: files.ca,
      nodes,
      ports,
      processes: runner.processes,
      startedAt: new Date(began).toISOString(),
    });
    const save = () => writeState(dir, state());

    await runner.start('etcd', bin.etcd, [
      '--name=saasplane-dev',
      `--data-dir=${files.etcdData}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-cluster=saasplane-dev=http://127.0.0.1:${ports.etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    save();
    await runner.waitFor('etcd to be healthy', deadline, async () => {
      const answer = await httpGet(`http://127.0.0.1:${ports.etcdClient}/health`);
      return answer !== undefined && /"health":\s*"true"/.test(answer) ? true : undefined;
    });

    await runner.start('kube-apiserver', bin['kube-apiserver'], [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.apiserver}`,
      '--advertise-address=127.0.0.1',
      `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${files.apiserverCert}`,
      `--tls-private-key-file=${files.apiserverKey}`,
      `--client-ca-file=${files.ca}`,
      `--kubelet-certificate-authority=${files.ca}`,
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${files.saPublic}`,
      `--service-account-signing-key-file=${files.saKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      // the default plugins (NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity,
      // ValidatingAdmissionPolicy, ResourceQuota, ...) stay on; NodeRestriction goes with Node authorization
      '--enable-admission-plugins=NodeRestriction',
      '--profiling=false',
    ]);
    save();
    const admin = adminClient(files, server, 10_000);
    await runner.waitFor('kube-apiserver /readyz', deadline, async () => {
      const res = await admin.get('/readyz').catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    });
    log(`kube-apiserver ready at ${server} (${seconds(began)} s)`);

    await runner.start('kube-controller-manager', bin['kube-controller-manager'], [
      `--kubeconfig=${files.controllerManagerKubeconfig}`,
      `--root-ca-file=${files.ca}`,
      `--service-account-private-key-file=${files.saKey}`,
      '--use-service-account-credentials=true',
      '--leader-elect=false',
      '--controllers=*',
      `--cluster-name=${DEV_CLUSTER_NAME}`,
      `--cluster-signing-cert-file=${files.ca}`,
      `--cluster-signing-key-file=${files.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--secure-port=0',
      '--profiling=false',
      // controllers start one after another, each with its own credentials: the default
      // client-side limit (20/s) alone makes that take 4 s
      '--kube-api-qps=200',
      '--kube-api-burst=400',
    ]);
    save();
    if (nodes > 0) {
      await runner.start('kube-scheduler', bin['kube-scheduler'], [
        `--kubeconfig=${files.schedulerKubeconfig}`,
        '--leader-elect=false',
        '--secure-port=0',
        '--profiling=false',
      ]);
      save();
      const kwokConfig = writeKwokConfig(dir);
      log(kwokConfig.stages.length > 0
        ? `kwok stages: ${kwokConfig.stages.join(', ')}`
        : `kwok stages: kwok's built-in defaults (the kwok ${KWOK_VERSION} Go module is not in the module cache ${kwokModuleDir()})`);
      await runner.start('kwok', bin.kwok, [
        `--kubeconfig=${files.adminKubeconfig}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        `--cidr=${POD_CIDR}`,
        '--node-ip=127.0.0.1',
        `--server-address=127.0.0.1:${ports.kwok}`,
        // the kubelet endpoint of every node (logs): the API server reaches it over TLS it verifies
        `--node-port=${ports.kwok}`,
        `--tls-cert-file=${files.apiserverCert}`,
        `--tls-private-key-file=${files.apiserverKey}`,
        // kwok renews each node's Lease: the node stays Ready between the rare status heartbeats of the lease stage
        '--node-lease-duration-seconds=40',
        `--config=${kwokConfig.file}`,
      ]);
      save();
      await createNodes(admin, nodes, options.nodeResources);
    }

    await runner.waitFor('the default ServiceAccount (kube-controller-manager running)', deadline, async () => {
      const res = await admin.get('/api/v1/namespaces/default/serviceaccounts/default').catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    });
    if (nodes > 0) {
      await runner.waitFor(`${nodes} kwok node(s) to be Ready`, deadline, async () => {
        const res = await admin.get(`/api/v1/nodes?labelSelector=${encodeURIComponent('type=kwok')}`).catch(() => undefined);
        const items = (res?.status === 200 ? res.body.items : []) as { status?: { conditions?: { type: string; status: string }[] } }[];
        const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length >= nodes ? true : undefined;
      });
    }
    const final: DevClusterState = { ...state(), startupMs: Date.now() - began };
    writeState(dir, final);
    log(`dev cluster ready in ${seconds(began)} s: ${server}, folder ${dir}`);
    return handle(final);
  } catch (e) {
    // the component that stopped first (before the others are stopped), with more of its log, then the others
    const failed = runner.firstExited();
    await runner.killAll();
    const ordered = [...runner.processes].sort((a, b) => Number(b.name === failed) - Number(a.name === failed));
    const tails = ordered.map((p) => `--- ${p.name} (${p.log}), last lines:\n${tail(p.log, p.name === failed ? 25 : 8)}`).join('\n');
    const message = e instanceof Error ? e.message : String(e);
    writeFailedState(dir, runner);
    throw new DevClusterError(`the dev cluster in ${dir} did not start: ${message}${tails ? `\n${tails}` : ''}\n(files kept in ${dir})`);
  }
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

function prepareDir(requested: string | undefined): { dir: string; ownsDir: boolean } {
  if (!requested) {
    return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-dev-')), ownsDir: true };
  }
  const dir = path.resolve(requested);
  fs.mkdirSync(dir, { recursive: true });
  const previous = readStateIfAny(dir);
  if (previous) {
    const running = previous.processes.filter((p) => isSameProcess(p));
    if (running.length > 0) {
      throw new DevClusterError(`a dev cluster is already running in ${dir} (${running.map((p) => `${p.name} pid ${p.pid}`).join(', ')}): `
        + `stop it first with \`saasplane dev-cluster down --dir ${dir}\``);
    }
  }
  return { dir, ownsDir: false };
}

// ---------------------------------------------------------------------------------------------
// processes

/** Starts components, records them, and fails fast with the component's log when one exits. */
class Runner {
  readonly processes: ComponentProcess[] = [];
  private readonly exited = new Map<ComponentName, string>();

  constructor(private readonly dir: string, private readonly log: (line: string) => void) {}

  async start(name: ComponentName, binary: string, args: string[]): Promise<void> {
    const logFile = path.join(this.dir, 'logs', `${name}.log`);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const out = fs.openSync(logFile, 'a');
    const env = { ...process.env };
    delete env.KUBECONFIG;
    // detached: own process group, so that the CLI can exit and leave the cluster running
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out], env, cwd: this.dir });
    fs.closeSync(out);
    const spawned = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', (err) => reject(new DevClusterError(`cannot start ${name} (${binary}): ${err.message}`)));
    });
    child.once('exit', (code, signal) => this.exited.set(name, signal ? `killed by ${signal}` : `exit code ${code}`));
    child.unref();
    const info = processInfo(spawned);
    this.processes.push({ name, pid: spawned, startTime: info?.startTime ?? '', binary, args, log: logFile });
    this.log(`${name} started (pid ${spawned}, log ${logFile})`);
  }

  /** Polls `probe` every 200 ms until it returns a value; throws when a component exits or at the deadline. */
  async waitFor<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
    for (;;) {
      this.checkAlive(what);
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new DevClusterError(`timed out waiting for ${what}`);
      }
      await sleep(200);
    }
  }

  /** The first component that exited, if any. */
  firstExited(): ComponentName | undefined {
    return this.exited.keys().next().value;
  }

  private checkAlive(what: string): void {
    for (const [name, how] of this.exited) {
      throw new DevClusterError(`${name} stopped (${how}) while waiting for ${what}`);
    }
  }

  async killAll(): Promise<void> {
    await stopProcesses(this.processes);
  }
}

/** Start time and zombie state of a process; undefined when there is no such process. */
function processInfo(pid: number): { startTime: string; zombie: boolean } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)": state is field 3, starttime field 22
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { startTime: fields[19], zombie: fields[0] === 'Z' || fields[0] === 'X' };
  } catch {
    if (process.platform === 'linux') {
      return undefined;
    }
  }
  const ps = spawnSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], { encoding: 'utf8' });
  const line = (ps.stdout ?? '').trim();
  if (ps.status !== 0 || !line) {
    return undefined;
  }
  const [stat, ...start] = line.split(/\s+/);
  return { startTime: start.join(' '), zombie: stat.startsWith('Z') };
}

/** True when `p.pid` is still the process that was recorded (same start time, not a zombie). */
export function isSameProcess(p: ComponentProcess): boolean {
  const info = processInfo(p.pid);
  return info !== undefined && !info.zombie && (p.startTime === '' || info.startTime === p.startTime);
}

/**
 * Stops recorded processes that still run, in reverse start order by tiers (controllers and
 * kwok, then kube-apiserver, then etcd): SIGTERM, SIGKILL after a grace period.
 */
async function stopProcesses(processes: readonly ComponentProcess[], graceMs = 10_000): Promise<{
  stopped: ComponentName[]; notRunning: ComponentName[]; killed: ComponentName[];
}> {
  const running = processes.filter(isSameProcess);
  const notRunning = processes.filter((p) => !running.includes(p)).map((p) => p.name);
  const killed: ComponentProcess[] = [];
  const tiers: ComponentName[][] = [['kwok', 'kube-scheduler', 'kube-controller-manager'], ['kube-apiserver'], ['etcd']];
  for (const tier of tiers) {
    const members = running.filter((p) => tier.includes(p.name));
    members.forEach((p) => sendSignal(p.pid, 'SIGTERM'));
    await waitGone(members, graceMs);
    const stubborn = members.filter(isSameProcess);
    stubborn.forEach((p) => sendSignal(p.pid, 'SIGKILL'));
    killed.push(...stubborn);
    await waitGone(stubborn, 5_000);
  }
  const survivors = running.filter(isSameProcess);
  if (survivors.length > 0) {
    throw new DevClusterError(`could not stop ${survivors.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
  }
  return { stopped: running.map((p) => p.name), notRunning, killed: killed.map((p) => p.name) };
}

async function waitGone(processes: readonly ComponentProcess[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (processes.some(isSameProcess) && Date.now() < until) {
    await sleep(50);
  }
  // a dead child stays a zombie until its parent reaps it (node does so on SIGCHLD): give it a moment
  const reaped = Date.now() + 1_000;
  while (processes.some((p) => processInfo(p.pid)?.zombie) && Date.now() < reaped) {
    await sleep(20);
  }
}

function sendSignal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last `lines` lines of a log file (reads at most its last 64 KiB). */
export function tail(file: string, lines: number): string {
  try {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    fs.closeSync(fd);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines)
      .map((l) => `  ${l.length > 400 ? `${l.slice(0, 400)}...` : l}`).join('\n');
  } catch {
    return '  (no log)';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function httpGet(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8') : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

// ---------------------------------------------------------------------------------------------
// certificates and kubeconfigs

interface ClusterFiles {
  readonly ca: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly controllerManagerCert: string;
  readonly controllerManagerKey: string;
  readonly schedulerCert: string;
  readonly schedulerKey: string;
  readonly saKey: string;
  readonly saPublic: string;
  readonly adminKubeconfig: string;
  readonly controllerManagerKubeconfig: string;
  readonly schedulerKubeconfig: string;
  readonly etcdData: string;
  readonly pki: string;
}

function clusterFiles(dir: string): ClusterFiles {
  const pki = path.join(dir, 'pki');
  const p = (f: string) => path.join(pki, f);
  return {
    pki,
    ca: p('ca.pem'),
    caKey: p('ca.key'),
    apiserverCert: p('apiserver.pem'),
    apiserverKey: p('apiserver.key'),
    adminCert: p('admin.pem'),
    adminKey: p('admin.key'),
    controllerManagerCert: p('controller-manager.pem'),
    controllerManagerKey: p('controller-manager.key'),
    schedulerCert: p('scheduler.pem'),
    schedulerKey: p('scheduler.key'),
    saKey: p('service-account.key'),
    saPublic: p('service-account.pub'),
    adminKubeconfig: path.join(dir, 'admin.kubeconfig'),
    controllerManagerKubeconfig: path.join(dir, 'controller-manager.kubeconfig'),
    schedulerKubeconfig: path.join(dir, 'scheduler.kubeconfig'),
    etcdData: path.join(dir, 'etcd'),
  };
}

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = IP:127.0.0.1,IP:${KUBERNETES_SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => reject(new DevClusterError(`openssl is needed to make the cluster's certificates: ${err.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new DevClusterError(`openssl ${args.join(' ')} failed: ${stderr.trim()}`))));
  });
}

/** CA, serving and client certificates (ECDSA P-256) and the service-account RSA key pair; existing ones are reused. */
async function ensureCertificates(files: ClusterFiles, log: (line: string) => void): Promise<void> {
  const all = [files.ca, files.caKey, files.apiserverCert, files.apiserverKey, files.adminCert, files.adminKey,
    files.controllerManagerCert, files.controllerManagerKey, files.schedulerCert, files.schedulerKey, files.saKey, files.saPublic];
  if (all.every((f) => fs.existsSync(f))) {
    log(`certificates: reusing ${files.pki}`);
    return;
  }
  fs.mkdirSync(files.pki, { recursive: true, mode: 0o700 });
  const cnf = path.join(files.pki, 'openssl.cnf');
  fs.writeFileSync(cnf, OPENSSL_CONFIG);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const days = ['-days', String(CERT_DAYS)];
  await openssl(['req', '-x509', '-new', '-config', cnf, '-extensions', 'ca', ...ec, ...days,
    '-keyout', files.caKey, '-out', files.ca, '-subj', '/CN=saasplane dev cluster CA'], files.pki);
  const leaf = (extensions: string, subject: string, cert: string, key: string) => openssl(['req', '-x509', '-new', '-config', cnf,
    '-extensions', extensions, '-CA', files.ca, '-CAkey', files.caKey, ...ec, ...days,
    '-set_serial', `0x${crypto.randomBytes(16).toString('hex')}`, '-keyout', key, '-out', cert, '-subj', subject], files.pki);
  await Promise.all([
    leaf('server', '/CN=kube-apiserver', files.apiserverCert, files.apiserverKey),
    leaf('client', `/O=system:masters/CN=${ADMIN_USER}`, files.adminCert, files.adminKey),
    leaf('client', '/CN=system:kube-controller-manager', files.controllerManagerCert, files.controllerManagerKey),
    leaf('client', '/CN=system:kube-scheduler', files.schedulerCert, files.schedulerKey),
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', files.saKey], files.pki)
      .then(() => openssl(['pkey', '-in', files.saKey, '-pubout', '-out', files.saPublic], files.pki)),
  ]);
  for (const f of all) {
    if (f.endsWith('.key')) fs.chmodSync(f, 0o600);
  }
}

function writeKubeconfigs(files: ClusterFiles, server: string): void {
  const caPem = fs.readFileSync(files.ca, 'utf8');
  const write = (file: string, userName: string, cert: string, key: string) => fs.writeFileSync(file, renderKubeconfig({
    server,
    caPem,
    clusterName: DEV_CLUSTER_NAME,
    userName,
    contextName: DEV_CLUSTER_NAME,
    certPem: fs.readFileSync(cert, 'utf8'),
    keyPem: fs.readFileSync(key, 'utf8'),
  }), { mode: 0o600 });
  write(files.adminKubeconfig, ADMIN_USER, files.adminCert, files.adminKey);
  write(files.controllerManagerKubeconfig, 'system:kube-controller-manager', files.controllerManagerCert, files.controllerManagerKey);
  write(files.schedulerKubeconfig, 'system:kube-scheduler', files.schedulerCert, files.schedulerKey);
}

function adminClient(files: ClusterFiles, server: string, timeoutMs?: number): KubeClient {
  return new KubeClient({
    server,
    caPem: fs.readFileSync(files.ca, 'utf8'),
    certPem: fs.readFileSync(files.adminCert, 'utf8'),
    keyPem: fs.readFileSync(files.adminKey, 'utf8'),
    timeoutMs,
  });
}

// ---------------------------------------------------------------------------------------------
// kwok

/** The Go module cache folder of kwok's release, which holds its stage definitions. */
function kwokModuleDir(): string {
  const gopath = (process.env.GOPATH || path.join(os.homedir(), 'go')).split(path.delimiter)[0];
  const modcache = process.env.GOMODCACHE || path.join(gopath, 'pkg', 'mod');
  return path.join(modcache, 'sigs.k8s.io', `kwok@${KWOK_VERSION}`);
}

/** The one log line of every container on a kwok node. */
export const KWOK_CONTAINER_LOG = 'a kwok node runs no container: this line is the log kwok serves for each';

/** The stages kwok runs: node-fast, node heartbeat with lease, and pod-fast. */
export const KWOK_STAGE_FOLDERS = ['node/fast', 'node/heartbeat-with-lease', 'pod/fast'];

/**
 * Writes kwok's stage definitions into the cluster folder, copied from kwok's Go module (fetched
 * by the build). Without the module, `stages` is empty and kwok uses its built-in defaults, the
 * same fast stages.
 */
function writeKwokConfig(dir: string): { file: string; stages: string[] } {
  const root = path.join(kwokModuleDir(), 'kustomize', 'stage');
  const documents: string[] = [];
  const stages: string[] = [];
  if (KWOK_STAGE_FOLDERS.every((folder) => fs.existsSync(path.join(root, folder)))) {
    for (const folder of KWOK_STAGE_FOLDERS) {
      const from = path.join(root, folder);
      for (const file of fs.readdirSync(from).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()) {
        documents.push(`# ${folder}/${file} of kwok ${KWOK_VERSION}\n${fs.readFileSync(path.join(from, file), 'utf8').trim()}\n`);
        stages.push(`${folder}/${file}`);
      }
    }
  }
  // no container runs on a kwok node: every container's log (what `kubectl logs` reads through the
  // API server, from kwok's kubelet endpoint) is this file, in the CRI log format
  const containerLog = path.join(dir, 'kwok-container.log');
  fs.writeFileSync(containerLog, `${new Date().toISOString()} stdout F ${KWOK_CONTAINER_LOG}\n`);
  documents.push(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: every-container
spec:
  logs:
    - logsFile: ${JSON.stringify(containerLog)}
`);
  const file = path.join(dir, 'kwok.yaml');
  fs.writeFileSync(file, documents.join('---\n'));
  return { file, stages };
}

async function createNodes(admin: KubeClient, count: number, resources?: DevClusterOptions['nodeResources']): Promise<void> {
  const allocatable = { 'cpu': resources?.cpu ?? '32', 'memory': resources?.memory ?? '256Gi', 'ephemeral-storage': '500Gi', 'pods': resources?.pods ?? '110' };
  for (let i = 0; i < count; i++) {
    const name = `kwok-node-${i}`;
    const res = await admin.create('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          'type': 'kwok',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node-role.kubernetes.io/agent': '',
        },
      },
      status: {
        allocatable,
        capacity: allocatable,
        nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: `kwok-${KWOK_VERSION}`, kubeProxyVersion: '' },
        phase: 'Running',
      },
    });
    if (res.status !== 201 && res.status !== 409) {
      throw new DevClusterError(`creating node ${name} failed (HTTP ${res.status}): ${responseMessage(res)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// state, handles, stop, status

function statePath(dir: string): string {
  return path.join(dir, STATE_FILE);
}

function writeState(dir: string, state: DevClusterState): void {
  const file = statePath(dir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

function writeFailedState(dir: string, runner: Runner): void {
  const previous = readStateIfAny(dir);
  if (previous) {
    writeState(dir, { ...previous, processes: runner.processes, stoppedAt: new Date().toISOString() });
  }
}

function readStateIfAny(dir: string): DevClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(dir), 'utf8')) as DevClusterState;
  } catch {
    return undefined;
  }
}

/** Reads `<dir>/state.json`; throws naming the folder when there is none. */
export function readDevClusterState(dir: string): DevClusterState {
  const state = readStateIfAny(path.resolve(dir));
  if (!state) {
    throw new DevClusterError(`no dev cluster in ${path.resolve(dir)} (no ${STATE_FILE}): start one with \`saasplane dev-cluster up\``);
  }
  return state;
}

/** A handle on a dev cluster started by another process (or earlier), from its folder. */
export function attachDevCluster(dir: string): DevCluster {
  return handle(readDevClusterState(dir));
}

function handle(state: DevClusterState): DevCluster {
  const files = clusterFiles(state.dir);
  return {
    dir: state.dir,
    kubeconfig: state.kubeconfig,
    server: state.server,
    caPem: fs.readFileSync(state.caFile, 'utf8'),
    client: adminClient(files, state.server),
    state,
    ...kubectlRunners(state.kubeconfig, path.join(state.dir, 'kube-cache')),
    stop: () => stopDevCluster(state.dir),
  };
}

/** The pinned kubectl, run with `kubeconfig` (or the one a call names). */
function kubectlRunners(kubeconfig: string, cacheDir: string): Pick<DevCluster, 'kubectl' | 'kubectlSync'> {
  const env = (other?: string) => ({ ...process.env, KUBECONFIG: other ?? kubeconfig, KUBECACHEDIR: cacheDir });
  return {
    kubectl: (args, options) => new Promise((resolve, reject) => {
      const child = spawn(requireTool('kubectl'), [...args], { env: env(options?.kubeconfig), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(options?.input ?? '');
    }),
    kubectlSync: (args, options) => {
      const result = spawnSync(requireTool('kubectl'), [...args], { env: env(options?.kubeconfig), input: options?.input ?? '', encoding: 'utf8' });
      if (result.error) throw result.error;
      return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

/** A cluster the tests and tools work on: a dev cluster, or an existing one reached through a kubeconfig. */
export type ClusterHandle = Pick<DevCluster, 'kubeconfig' | 'server' | 'caPem' | 'client' | 'kubectl' | 'kubectlSync'> & { stop(): Promise<unknown> };

/** An existing cluster from a cluster-admin kubeconfig (its CA must be in it); `stop()` leaves it running. */
export function connectCluster(kubeconfig: string): ClusterHandle {
  const client = KubeClient.fromKubeconfig(kubeconfig);
  if (!client.options.caPem) {
    throw new DevClusterError(`${kubeconfig} has no certificate-authority(-data): saasplane embeds the cluster's CA in the kubeconfigs it issues, so it needs it`);
  }
  return {
    kubeconfig,
    server: client.server,
    caPem: client.options.caPem,
    client,
    ...kubectlRunners(kubeconfig, fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-kube-cache-'))),
    stop: async () => undefined,
  };
}

/**
 * Stops the processes recorded in `<dir>/state.json` (only those that are still the same
 * processes), then removes the folder if the cluster created it; a folder given by the user is
 * kept (the cluster can start again from it with its data).
 */
export async function stopDevCluster(dir: string): Promise<StopResult> {
  const resolved = path.resolve(dir);
  const state = readDevClusterState(resolved);
  const result = await stopProcesses(state.processes);
  let removedDir = false;
  if (state.ownsDir && path.resolve(state.dir) === resolved) {
    fs.rmSync(resolved, { recursive: true, force: true });
    removedDir = true;
  } else {
    writeState(resolved, { ...state, stoppedAt: new Date().toISOString() });
  }
  return { dir: resolved, ...result, removedDir };
}

/** Which recorded processes run, and /readyz. */
export async function devClusterStatus(dir: string): Promise<DevClusterStatus> {
  const state = readDevClusterState(dir);
  const processes = state.processes.map((p) => ({ name: p.name, pid: p.pid, running: isSameProcess(p), log: p.log }));
  let readyz = 'not asked: kube-apiserver is not running';
  let ok = false;
  if (processes.find((p) => p.name === 'kube-apiserver')?.running) {
    try {
      const res = await adminClient(clusterFiles(state.dir), state.server, 5_000).get('/readyz');
      ok = res.status === 200;
      readyz = ok ? 'ok' : `HTTP ${res.status}: ${responseMessage(res)}`;
    } catch (e) {
      readyz = (e as Error).message;
    }
  }
  return {
    dir: state.dir,
    server: state.server,
    kubeconfig: state.kubeconfig,
    nodes: state.nodes,
    startedAt: state.startedAt,
    stoppedAt: state.stoppedAt,
    processes,
    ready: ok && processes.every((p) => p.running),
    readyz,
  };
}

// ---------------------------------------------------------------------------------------------
// the CLI's memory of the last cluster

/** Where the CLI remembers the last dev cluster: SAASPLANE_DEV_CLUSTER_HOME, else ~/.cache/saasplane/dev-cluster. */
export function devClusterHome(): string {
  return process.env.SAASPLANE_DEV_CLUSTER_HOME || path.join(os.homedir(), '.cache', 'saasplane', 'dev-cluster');
}

/** The folder of the last cluster `saasplane dev-cluster up` started, if any. */
export function currentDevClusterDir(): string | undefined {
  try {
    const dir = fs.readFileSync(path.join(devClusterHome(), 'current'), 'utf8').trim();
    return dir || undefined;
  } catch {
    return undefined;
  }
}

export function rememberDevClusterDir(dir: string): void {
  fs.mkdirSync(devClusterHome(), { recursive: true });
  fs.writeFileSync(path.join(devClusterHome(), 'current'), `${path.resolve(dir)}\n`);
}

/** Forgets `dir` if it is the remembered one. */
export function forgetDevClusterDir(dir: string): void {
  if (currentDevClusterDir() === path.resolve(dir)) {
    fs.rmSync(path.join(devClusterHome(), 'current'), { force: true });
  }
}
