// ChartSource.fromOci against a real OCI registry (CNCF distribution, built by the set-up) served
// over TLS on loopback with a CA made for the test: helm verifies the registry's certificate.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { ChartSource, HelmRenderer, helmBinary, loadChart, toolsDirectory } from '../../src/core';
import { EXAMPLE_CHART, isolateHelmHomes, tempDir } from '../constructs/fixtures';

const REGISTRY_VERSION = 'v3.1.2';
const registryBinary = path.join(toolsDirectory(), `registry-${REGISTRY_VERSION}`, 'registry');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout + result.stderr;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A CA and a certificate for 127.0.0.1 signed by it. */
function certificates(dir: string): { ca: string; cert: string; key: string } {
  const [ca, caKey, cert, key, csr, ext] = ['ca.pem', 'ca.key', 'tls.pem', 'tls.key', 'tls.csr', 'ext.cnf'].map((f) => path.join(dir, f));
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=saasplane test CA', '-keyout', caKey, '-out', ca]);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', csr]);
  fs.writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
  run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', cert]);
  return { ca, cert, key };
}

describe('from an OCI registry over verified TLS', () => {
  let registry: ChildProcess | undefined;
  let ref: string;
  let ca: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    if (!fs.existsSync(registryBinary)) {
      throw new Error(`the OCI registry is not built: run \`bash scripts/setup.sh\` (expected ${registryBinary})`);
    }
    const dir = tempDir();
    const tls = certificates(dir);
    ca = tls.ca;
    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'config.yml'), [
      'version: 0.1',
      'log: { level: error }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'data'))} } }`,
      `http: { addr: "127.0.0.1:${port}", tls: { certificate: ${JSON.stringify(tls.cert)}, key: ${JSON.stringify(tls.key)} } }`,
      '',
    ].join('\n'));
    registry = spawn(registryBinary, ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
    isolateHelmHomes();
    for (let i = 0; i < 100 && spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`], { input: '' }).status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const packaged = run(helmBinary(), ['package', EXAMPLE_CHART, '-d', dir]).match(/saved it to: (\S+)/)![1];
    run(helmBinary(), ['push', packaged, `oci://127.0.0.1:${port}/charts`], { ...process.env, SSL_CERT_FILE: ca });
    ref = `oci://127.0.0.1:${port}/charts/shop`;
  });

  afterAll(() => {
    registry?.kill();
    process.env = saved;
  });

  test('refuses a registry whose certificate it cannot verify, with helm\'s error', () => {
    delete process.env.SSL_CERT_FILE;
    expect(() => loadChart(ChartSource.fromOci(ref, '1.4.0'))).toThrow(/helm failed while pulling chart oci:\/\/127\.0\.0\.1:\d+\/charts\/shop version "1\.4\.0"[\s\S]*certificate/);
  });

  test('pulls the pinned version once into the cache and renders it like the directory chart', () => {
    process.env.SSL_CERT_FILE = ca;
    const pulled = loadChart(ChartSource.fromOci(ref, '1.4.0'));
    expect([pulled.name, pulled.version]).toEqual(['shop', '1.4.0']);
    expect(pulled.directory.startsWith(process.env.XDG_CACHE_HOME!)).toBe(true);
    const request = { releaseName: 'acme', namespace: 'shop-acme', values: { replicaCount: 2 }, kubeVersion: '1.34.0' };
    const fromRegistry = new HelmRenderer().render({ chart: pulled, ...request });
    const fromDirectory = new HelmRenderer().render({ chart: loadChart(ChartSource.fromDirectory(EXAMPLE_CHART)), ...request });
    expect(fromRegistry.map((o) => o.object)).toEqual(fromDirectory.map((o) => o.object));
    registry!.kill(); // a second load comes from the cache, without the network
    expect(loadChart(ChartSource.fromOci(ref, '1.4.0')).directory).toBe(pulled.directory);
    expect(() => loadChart(ChartSource.fromOci(ref, '1.4.1'))).toThrow(/helm failed while pulling/);
  });
});
