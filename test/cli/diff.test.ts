// `saasplane diff` on synthesized trees: the example output against a changed app (a plan change,
// a tenant added, a tenant removed), exit codes as kubectl diff, JSON for bots, filters, and the
// app command of cdk8s.yaml run for real.
import * as fs from 'fs';
import * as path from 'path';
import { exampleApp } from '../../examples/cdk8s/app';
import { shop } from '../../examples/offering';
import { CliIo, main } from '../../src/cli/main';
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
import { tempDir } from '../constructs/fixtures';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { ...process.env } };
  const code = await main(['diff', ...args], io);
  return { code, stdout, stderr };
}

/** The example with acme moved to the large plan and 3 replicas, initech removed and hooli added. */
function changedApp(outdir: string): void {
  const app = new SaaSApp({ outdir });
  const offering = new SaaSOffering(app, 'shop', shop);
  const tenants = [
    offering.addTenant('acme', { plan: 'large', parameters: { replicaCount: 3, ingress: { host: 'acme.shop.example.com' } } }),
    offering.addTenant('globex', { plan: 'large', parameters: { theme: 'dark', replicaCount: 3, ingress: { host: 'globex.shop.example.com' } } }),
    offering.addTenant('hooli', { plan: 'small', parameters: { ingress: { host: 'hooli.shop.example.com' } } }),
  ];
  new ProviderAccess(app, 'provider', { offering });
  for (const tenant of tenants) new ConsumerAccess(app, `${tenant.tenantName}-users`, { tenant });
  app.synth();
}

describe('saasplane diff', () => {
  const work = tempDir('saasplane-diff-test-');
  const current = path.join(work, 'current');
  const changed = path.join(work, 'changed');
  const copy = path.join(work, 'copy');
  beforeAll(() => {
    exampleApp(current).synth();
    exampleApp(copy).synth();
    changedApp(changed);
  }, 120_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the same output: exit 0 and "no differences"', async () => {
    expect(await run(['--outdir', current, '--new', copy])).toEqual({ code: 0, stdout: 'no differences\n', stderr: '' });
  });

  test('a changed app: exit 1, per tenant, field by field, destructive changes first', async () => {
    const { code, stdout } = await run(['--outdir', current, '--new', changed]);
    expect(code).toBe(1);
    const blocks = stdout.split('\n\n');
    const acme = blocks.find((b) => b.startsWith('tenant shop/acme\n'))!;
    // the plan label, changed on every object of the tenant, is told once
    expect(acme).toContain('\n  ~ 16 objects: metadata.labels["saasplane.io/plan"]: "small" → "large"\n');
    expect(acme).toContain('  ~ apps/v1 Deployment shop-acme/acme-web  (shop/acme/30-app.yaml)\n      spec.replicas: 2 → 3\n');
    expect(acme.match(/saasplane\.io\/plan/g)).toHaveLength(1);
    expect(acme).toContain('      spec.hard["requests.storage"]: "5Gi" → "50Gi"');
    expect(acme).toMatch(/\n {2}! apps\/v1 StatefulSet shop-acme\/acme-db {2}\(shop\/acme\/30-app.yaml\)\n {6}StatefulSet fields spec\.volumeClaimTemplates\[name=data\]\.spec\.resources\.requests\.storage cannot change in place/);
    const initech = blocks.find((b) => b.startsWith('tenant shop/initech\n'))!;
    expect(initech.split('\n')[1]).toBe('  ! tenant initech of offering shop is removed: its namespace, claims and data go with it; offboard it first');
    expect(initech).toContain('  - v1 Namespace shop-initech  (shop/initech/00-namespace.yaml)');
    const hooli = blocks.find((b) => b.startsWith('tenant shop/hooli\n'))!;
    expect(hooli).toContain('  + apps/v1 StatefulSet shop-hooli/hooli-db  (shop/hooli/30-app.yaml)');
    expect(hooli).not.toContain('!');
    // globex did not change; the provider's shared objects did not either
    expect(stdout).not.toContain('tenant shop/globex');
    expect(stdout.trimEnd().split('\n').pop()).toMatch(/^3 tenants changed: \d+ objects changed, \d+ added, \d+ removed; \d+ destructive$/);
  });

  test('--output json carries the same figures for a bot, and --tenant keeps one tenant', async () => {
    const text = await run(['--outdir', current, '--new', changed]);
    const { code, stdout } = await run(['--outdir', current, '--new', changed, '--output', 'json']);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(text.stdout).toContain(`${json.summary.tenantsChanged} tenants changed: ${json.summary.changed} objects changed, ${json.summary.added} added, ${json.summary.removed} removed`);
    expect(json.groups.map((g: any) => g.tenant)).toEqual(['acme', 'hooli', 'initech']);
    const hooli = json.groups[1];
    expect(hooli.added).toHaveLength(json.summary.added);
    expect(hooli.added).toContainEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop-hooli', name: 'hooli-web', file: 'shop/hooli/30-app.yaml' });
    const acme = await run(['--outdir', current, '--new', changed, '--tenant', 'acme', '-o', 'json']);
    expect(JSON.parse(acme.stdout).groups.map((g: any) => g.tenant)).toEqual(['acme']);
    expect(JSON.parse(acme.stdout).summary.tenantsChanged).toBe(1);
    expect(await run(['--outdir', current, '--new', changed, '--tenant', 'globex'])).toMatchObject({ code: 0, stdout: 'no differences\n' });
  });

  test('runs the app command of cdk8s.yaml with CDK8S_OUTDIR, as cdk8s synth does, and writes nothing', async () => {
    const config = path.join(__dirname, '..', '..', 'examples', 'cdk8s', 'cdk8s.yaml');
    const before = fs.readdirSync(changed, { recursive: true }).length;
    // the example app against the changed tree: the reverse of the changes above
    const { code, stdout } = await run(['--config', config, '--outdir', changed, '-o', 'json']);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.groups.map((g: any) => g.tenant)).toEqual(['acme', 'hooli', 'initech']);
    expect(json.groups[1].destructive[0].reason).toBe('tenant hooli of offering shop is removed: its namespace, claims and data go with it; offboard it first');
    expect(fs.readdirSync(changed, { recursive: true })).toHaveLength(before);
    expect(await run(['--config', config, '--outdir', current])).toMatchObject({ code: 0, stdout: 'no differences\n' });
  }, 120_000);

  test.each([
    [['--new', '/nonexistent/saasplane'], /^saasplane: --new \/nonexistent\/saasplane is not a folder\n$/],
    [['--output', 'yaml', '--new', '.'], /--output "yaml" is not a format: use text or json/],
    [['--app', 'true', '--new', '.'], /--app and --new exclude each other/],
    [['--new', '.', '--field-manager', 'x'], /--field-manager, --kubeconfig and --context go with --live/],
    [['--config', '/nonexistent/cdk8s.yaml'], /cdk8s\.yaml does not exist: run in your cdk8s project, pass --config FILE, or give --app CMD or --new DIR/],
    [['--outdir', '/nonexistent/dist', '--new', '.'], /--outdir \/nonexistent\/dist does not exist: name the current output folder/],
  ])('bad arguments %j: exit 2 with the fix', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  test('an app that fails, or writes nothing, is an error (exit 2) with its output, not "no differences"', async () => {
    const failing = await run(['--outdir', current, '--app', 'echo "boom: chart not found" >&2; exit 3']);
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/the app `echo .*` failed \(exit code 3\) in .*:\nboom: chart not found/);
    expect(failing.stdout).toBe('');
    const silent = await run(['--outdir', current, '--app', 'true']);
    expect(silent.code).toBe(2);
    expect(silent.stderr).toMatch(/wrote nothing to CDK8S_OUTDIR/);
  });

  test('an app that writes to the output folder itself, not to CDK8S_OUTDIR, is an error that says how to fix it', async () => {
    const own = path.join(work, 'own');
    fs.cpSync(current, own, { recursive: true });
    const { code, stderr } = await run(['--outdir', own, '--app', `mkdir -p "$CDK8S_OUTDIR" && echo x > ${JSON.stringify(path.join(own, 'stray.yaml'))}`]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/the app wrote to .*own itself, not to CDK8S_OUTDIR: create the app without an outdir/);
  });

  test('a layout\'s kustomization.yaml is not an object of the cluster; the items of a v1 List are', async () => {
    const withExtras = path.join(work, 'extras');
    fs.cpSync(current, withExtras, { recursive: true });
    fs.writeFileSync(path.join(withExtras, 'shop', 'acme', 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [30-app.yaml]\n');
    fs.writeFileSync(path.join(withExtras, 'shop', 'acme', '50-extra.yaml'),
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: extra, namespace: shop-acme }\n');
    const { code, stdout } = await run(['--outdir', current, '--new', withExtras, '-o', 'json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).groups[0].added).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop-acme', name: 'extra', file: 'shop/acme/50-extra.yaml' }]);
  });
});
