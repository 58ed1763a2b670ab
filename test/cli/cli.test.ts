// The CLI without a cluster: arguments, help, durations, kubeconfig files, tool lookup.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { KubeClient, readKubeconfig, renderKubeconfig } from '../../src/cli/kube-client';
import { parseDuration } from '../../src/cli/kubeconfig';
import { CliIo, COMMANDS, main, registerCommand } from '../../src/cli/main';
import { findTool, KUBERNETES_VERSION, MissingToolError, requireTools, toolCandidates } from '../../src/cli/tools';

const made: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-cli-test-'));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('saasplane CLI arguments', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('--help lists every command of the table', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) {
      expect(result.stdout).toContain(command.name);
    }
    expect((await run([])).code).toBe(2);
    expect((await run(['kubeconfig', '--help'])).stdout).toContain('--offering O');
    expect((await run(['dev-cluster', '--help'])).stdout).toContain('dev-cluster up');
  });

  test('a registered command appears in the help and runs', async () => {
    registerCommand({ name: 'echo-test', summary: 'test command', usage: 'echo-test', run: async (args, io) => { io.stdout(args.join(' ')); return 0; } });
    try {
      expect((await run(['--help'])).stdout).toContain('echo-test');
      expect(await run(['echo-test', 'a', 'b'])).toMatchObject({ code: 0, stdout: 'a b' });
    } finally {
      COMMANDS.splice(COMMANDS.findIndex((c) => c.name === 'echo-test'), 1);
    }
  });

  test.each([
    [['nope'], /unknown command "nope": use one of dev-cluster, kubeconfig/],
    [['kubeconfig', '--tenant', 'acme'], /--offering is required/],
    [['kubeconfig', '--offering', 'Shop', '--tenant', 'acme'], /--offering "Shop" is not a valid DNS label/],
    [['kubeconfig', '--offering', 'shop'], /name the identity: --tenant NAME/],
    [['kubeconfig', '--offering', 'shop', '--tenant', 'acme', '--provider'], /--tenant and --provider exclude each other/],
    [['kubeconfig', '--offering', 'shop', '--provider', '--access', 'x'], /--access goes with --tenant/],
    [['kubeconfig', '--offering', 'shop', '--tenant', 'acme', '--duration', '2d'], /--duration: duration "2d" is not a duration: write it like 1h/],
    [['kubeconfig', '--offering', 'shop', '--tenant', 'acme', '--duration', '5m'], /duration "5m" \(300 s\) is out of range: choose from 10m to 24h/],
    [['kubeconfig', '--offering', 'shop', '--tenant', 'acme', '--bogus'], /Unknown option '--bogus': see `saasplane kubeconfig --help`/],
    [['dev-cluster', 'up', '--nodes', 'two'], /--nodes "two" is not a whole number from 0 to 100/],
    [['dev-cluster', 'sideways'], /unknown dev-cluster command "sideways": use up, down or status/],
  ])('%j is refused with exit code 2', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('fleet refuses bad arguments before any stack runs, naming the value and the fix (exit code 2)', async () => {
    const dir = tempDir();
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const program = file('fleet.ts', 'export const fleet = {};\n');
    const tenants = file('tenants.yaml', 'tenants:\n  - { name: acme, plan: small }\n');
    const kubeconfig = file('kubeconfig', 'apiVersion: v1\nkind: Config\n');
    const args = (...extra: string[]) => ['fleet', 'up', '--program', program, '--tenants', tenants, '--kubeconfig', kubeconfig, '--backend', `file://${dir}`, ...extra];
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [['fleet', 'sideways'], {}, /unknown fleet command "sideways": use "preview", "up" or "destroy"/],
      [['fleet', 'up', '--tenants', tenants], {}, /--program is required: see `saasplane fleet --help`/],
      [args('--concurrency', '0'), {}, /--concurrency "0": use a whole number of stacks, 1 or more/],
      [args('--output', 'yaml'), {}, /--output "yaml": use "table" or "json"/],
      [['fleet', 'up', '--program', path.join(dir, 'nope.ts'), '--tenants', tenants, '--kubeconfig', kubeconfig, '--backend', 'file:///x'], {},
        /--program .*nope\.ts: no such file; a module exporting "fleet"/],
      [['fleet', 'up', '--program', program, '--tenants', file('bad.yaml', 'tenants:\n  - { name: acme }\n'), '--kubeconfig', kubeconfig, '--backend', 'file:///x'], {},
        /--tenants .*bad\.yaml: tenants\[0\] {"name":"acme"} needs a name and a plan/],
      [args(), {}, /PULUMI_CONFIG_PASSPHRASE is not set: a file backend encrypts each stack's secrets \(the kubeconfig in its state\) with it/],
    ];
    for (const [argv, env, message] of cases) {
      const result = await run(argv, env);
      expect({ argv, code: result.code, stderr: result.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    }
  });

  test('down and status without a remembered cluster say how to start one', async () => {
    process.env.SAASPLANE_DEV_CLUSTER_HOME = tempDir();
    for (const sub of ['down', 'status']) {
      const result = await run(['dev-cluster', sub]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no dev cluster is remembered: pass --dir DIR, or start one with `saasplane dev-cluster up`/);
    }
    const result = await run(['dev-cluster', 'status', '--dir', tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no dev cluster in .* \(no state.json\)/);
  });

  test('kubeconfig reports an unreadable or unreachable caller kubeconfig (exit 1)', async () => {
    const dir = tempDir();
    let result = await run(['kubeconfig', '--offering', 'shop', '--tenant', 'acme', '--kubeconfig', path.join(dir, 'missing')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot read kubeconfig .*missing/);
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, renderKubeconfig({ server: 'https://127.0.0.1:1', caPem: CA, clusterName: 'c', userName: 'u', token: 't' }));
    result = await run(['kubeconfig', '--offering', 'shop', '--tenant', 'acme'], { KUBECONFIG: file });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GET https:\/\/127\.0\.0\.1:1\/api\/v1\/namespaces\/shop-acme\/serviceaccounts/);
  });
});

describe('durations', () => {
  test.each([['1h', 3600], ['30m', 1800], ['3600s', 3600], ['1h30m', 5400], ['5400', 5400], ['10m', 600], ['24h', 86400]])('%s is %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  test.each([['', /is not a duration/], ['1d', /is not a duration/], ['1h30', /is not a duration/], ['-1h', /is not a duration/],
    ['9m', /out of range: choose from 10m to 24h/], ['25h', /out of range/]])('%j is refused', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});

describe('kubeconfig files', () => {
  test('renderKubeconfig embeds the CA and the credentials; readKubeconfig reads them back', () => {
    const file = path.join(tempDir(), 'config');
    const text = renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: CA, clusterName: 'dev', userName: 'me', namespace: 'shop-acme', token: 'abc' });
    fs.writeFileSync(file, text);
    const parsed = YAML.parse(text);
    expect(parsed.clusters[0].cluster['certificate-authority-data']).toBe(Buffer.from(CA).toString('base64'));
    expect(text).not.toContain('insecure-skip-tls-verify');
    expect(parsed.contexts[0].context).toEqual({ cluster: 'dev', user: 'me', namespace: 'shop-acme' });
    expect(readKubeconfig(file)).toMatchObject({ server: 'https://127.0.0.1:6443', caPem: CA, token: 'abc' });
  });

  test('file references resolve next to the kubeconfig; tokenFile is read', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.pem'), CA);
    fs.writeFileSync(path.join(dir, 'token'), 'from-file\n');
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, YAML.stringify({
      'clusters': [{ name: 'c', cluster: { 'server': 'https://h:1', 'certificate-authority': 'ca.pem' } }],
      'users': [{ name: 'u', user: { tokenFile: 'token' } }],
      'contexts': [{ name: 'x', context: { cluster: 'c', user: 'u' } }, { name: 'y', context: { cluster: 'missing', user: 'u' } }],
      'current-context': 'x',
    }));
    expect(readKubeconfig(file)).toMatchObject({ server: 'https://h:1', caPem: CA, token: 'from-file' });
    expect(() => readKubeconfig(file, 'y')).toThrow(/cluster "missing" is not defined/);
    expect(() => readKubeconfig(file, 'z')).toThrow(/context "z" is not defined/);
  });

  test('insecure-skip-tls-verify, missing credentials and plain http are refused', () => {
    const dir = tempDir();
    const file = path.join(dir, 'config');
    const write = (cluster: object, user: object) => fs.writeFileSync(file, YAML.stringify({
      'clusters': [{ name: 'c', cluster }], 'users': [{ name: 'u', user }], 'contexts': [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x',
    }));
    write({ 'server': 'https://h:1', 'insecure-skip-tls-verify': true }, { token: 't' });
    expect(() => readKubeconfig(file)).toThrow(/sets insecure-skip-tls-verify: saasplane verifies the API server/);
    write({ server: 'https://h:1' }, { exec: { command: 'x' } });
    expect(() => readKubeconfig(file)).toThrow(/neither a token nor a client certificate and key/);
    expect(() => new KubeClient({ server: 'http://h:1', token: 't' })).toThrow(/not https/);
  });
});

describe('tools', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('a missing binary names the paths looked at and the build script', () => {
    process.env.SAASPLANE_TOOLS = tempDir();
    delete process.env.KUBEBUILDER_ASSETS;
    const expected = path.join(process.env.SAASPLANE_TOOLS, `kubernetes-${KUBERNETES_VERSION}`, 'kube-apiserver');
    expect(() => requireTools(['kube-apiserver', 'etcd'])).toThrow(MissingToolError);
    try {
      requireTools(['kube-apiserver', 'etcd']);
    } catch (e) {
      expect((e as Error).message).toContain(expected);
      expect((e as Error).message).toMatch(/etcd v3\.6\.16 not found/);
      expect((e as Error).message).toContain('bash scripts/build-control-plane.sh');
    }
  });

  test('KUBEBUILDER_ASSETS comes first, the cache second', () => {
    const assets = tempDir();
    const cache = tempDir();
    process.env.SAASPLANE_TOOLS = cache;
    process.env.KUBEBUILDER_ASSETS = assets;
    const cached = path.join(cache, `kubernetes-${KUBERNETES_VERSION}`, 'kubectl');
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    fs.writeFileSync(cached, '#!/bin/sh\n', { mode: 0o755 });
    expect(findTool('kubectl')).toBe(cached);
    fs.writeFileSync(path.join(assets, 'kubectl'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findTool('kubectl')).toBe(path.join(assets, 'kubectl'));
    expect(toolCandidates('kubectl')).toEqual([path.join(assets, 'kubectl'), cached]);
  });
});
