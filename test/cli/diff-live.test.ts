// `saasplane diff --live` on a real kube-apiserver (the dev cluster): the applied example shows no
// difference; drift the repository cannot show (a scaled Deployment, a deleted object, a stray
// object of the offering) does; and a change the API server refuses in place (a claim template
// resized) is reported with the server's own refusal, which names the same fields as the offline rule.
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { exampleApp } from '../../examples/cdk8s/app';
import { ClusterHandle, CliIo, main, missingTools, prometheusOperatorCrds, startDevCluster } from '../../src/cli';
import { STATEFULSET_MUTABLE } from '../../src/core';
import { tempDir } from '../constructs/fixtures';
import { applyCrds } from '../integration/fixtures';

const missing = missingTools(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl']);
const crds = prometheusOperatorCrds();
if (missing.length > 0 || !crds) {
  const why = `${missing.map((m) => m.tool).join(', ')}${crds ? '' : ' prometheus-operator CRDs'} missing: run bash scripts/build-control-plane.sh`;
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPING the live diff tests: ${why}`);
}
const describeCluster = missing.length > 0 || !crds ? describe.skip : describe;

describeCluster('saasplane diff --live', () => {
  let cluster: ClusterHandle;
  const work = tempDir('saasplane-live-diff-');
  const outdir = path.join(work, 'dist');
  const kubectl = async (...args: string[]) => {
    const result = await cluster.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  const diff = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} };
    const live = args.includes('--live') ? ['--kubeconfig', cluster.kubeconfig] : [];
    const code = await main(['diff', '--outdir', outdir, ...live, ...args], io);
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    cluster = await startDevCluster({ nodes: 0 });
    exampleApp(outdir).synth();
    await applyCrds(cluster, crds!);
    const namespaces = fs.readdirSync(path.join(outdir, 'shop')).map((f) => path.join(outdir, 'shop', f, '00-namespace.yaml'));
    await kubectl('apply', ...namespaces.flatMap((f) => ['-f', f]));
    await kubectl('apply', '-R', '-f', outdir);
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the applied output: exit 0, no differences', async () => {
    expect(await diff('--live', '--new', outdir)).toEqual({ code: 0, stdout: 'no differences\n', stderr: '' });
  }, 60_000);

  test('drift the repository does not show: a scaled Deployment, a deleted object, a stray object of the offering', async () => {
    await kubectl('-n', 'shop-acme', 'scale', 'deployment/acme-web', '--replicas=5');
    await kubectl('-n', 'shop-globex', 'delete', 'servicemonitor/app');
    await cluster.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hand-made\n  namespace: shop-initech\n'
        + '  labels: { app.kubernetes.io/managed-by: saasplane, saasplane.io/offering: shop }\ndata: { a: "1" }\n',
    });
    try {
      // the repository against the app: nothing changed
      expect((await diff('--new', outdir)).code).toBe(0);
      const { code, stdout } = await diff('--live', '--new', outdir, '-o', 'json');
      expect(code).toBe(1);
      const json = JSON.parse(stdout);
      expect(json.summary).toEqual({ tenantsChanged: 3, added: 1, changed: 1, removed: 1, destructive: 0 });
      const group = (tenant: string) => json.groups.find((g: any) => g.tenant === tenant);
      expect(group('acme').changed).toEqual([{
        object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop-acme', name: 'acme-web', file: 'shop/acme/30-app.yaml' },
        fields: [{ path: 'spec.replicas', before: 5, after: 2 }],
      }]);
      expect(group('globex').added).toEqual([expect.objectContaining({ kind: 'ServiceMonitor', namespace: 'shop-globex', name: 'app' })]);
      expect(group('initech').removed).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop-initech', name: 'hand-made' }]);
      // --tenant narrows the report, and the text names the drift
      const text = await diff('--live', '--new', outdir, '--tenant', 'acme');
      expect(text.stdout).toBe('tenant shop/acme\n  ~ apps/v1 Deployment shop-acme/acme-web  (shop/acme/30-app.yaml)\n      spec.replicas: 5 → 2\n\n'
        + '1 tenant changed: 1 object changed, 0 added, 0 removed\n');
    } finally {
      await kubectl('apply', '-R', '-f', outdir);
      await kubectl('-n', 'shop-initech', 'delete', 'configmap/hand-made');
    }
    expect((await diff('--live', '--new', outdir)).code).toBe(0);
  }, 120_000);

  test('a claim template resized is refused by the API server, and the refusal names the fields the offline rule allows', async () => {
    const changed = path.join(work, 'resized');
    fs.cpSync(outdir, changed, { recursive: true });
    const file = path.join(changed, 'shop', 'acme', '30-app.yaml');
    const documents = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON());
    const db = documents.find((d) => d.kind === 'StatefulSet');
    db.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '20Gi';
    fs.writeFileSync(file, documents.map((d) => YAML.stringify(d)).join('---\n'));

    const offline = await diff('--new', changed, '-o', 'json');
    const live = await diff('--live', '--new', changed, '-o', 'json');
    expect([offline.code, live.code]).toEqual([1, 1]);
    const offlineReason = JSON.parse(offline.stdout).groups[0].destructive[0].reason;
    const liveGroup = JSON.parse(live.stdout).groups[0];
    expect(offlineReason).toMatch(/^StatefulSet fields spec\.volumeClaimTemplates\[name=data\]\.spec\.resources\.requests\.storage cannot change in place/);
    expect(liveGroup.changed[0].fields).toEqual([{ path: 'spec.volumeClaimTemplates[name=data].spec.resources.requests.storage', before: '2Gi', after: '20Gi' }]);
    expect(liveGroup.destructive.map((d: any) => d.reason)).toEqual([offlineReason, expect.any(String)]);
    const refusal: string = liveGroup.destructive[1].reason;
    expect(refusal).toMatch(/^the API server refuses the apply: StatefulSet\.apps "acme-db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);
    const allowed = refusal.slice(refusal.indexOf('other than')).match(/'[A-Za-z]+'/g)!.map((f) => f.slice(1, -1));
    expect(new Set(allowed)).toEqual(STATEFULSET_MUTABLE);
    // nothing was changed by either diff
    expect(await kubectl('-n', 'shop-acme', 'get', 'statefulset/acme-db', '-o', 'jsonpath={.spec.volumeClaimTemplates[0].spec.resources.requests.storage}')).toBe('2Gi');
  }, 60_000);
});
