// One real dev cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok with
// one fake node) for the whole file: admission, a Deployment becoming Available, kubeconfigs
// issued with TokenRequest, and a clean stop. Needs the binaries of
// `bash scripts/build-control-plane.sh`; skipped (loudly) without them, except in CI.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { DevCluster, devClusterStatus, isSameProcess, startDevCluster } from '../../src/cli/dev-cluster';
import { KubeClient, KubeResponse } from '../../src/cli/kube-client';
import { decodeJwtClaims, issueKubeconfig, resolveIdentity } from '../../src/cli/kubeconfig';
import { CliIo, main } from '../../src/cli/main';
import { CONTROL_PLANE_TOOLS, KUBERNETES_VERSION, missingTools, NODE_TOOLS } from '../../src/cli/tools';

const missing = missingTools([...CONTROL_PLANE_TOOLS, ...NODE_TOOLS]);
const skip = missing.length > 0 && process.env.CI !== 'true';
if (skip) {
  // eslint-disable-next-line no-console
  console.warn([
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '!! SKIPPED test/cli/dev-cluster.test.ts: the control-plane binaries are not built:',
    ...missing.map((m) => `!!   ${m.tool}: ${m.path}`),
    '!! Build them with `bash scripts/build-control-plane.sh` (in CI, missing binaries fail the test).',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n'));
}
const describeCluster = skip ? describe.skip : describe;

function expectStatus(res: KubeResponse, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} };
  return { code: await main(args, io), stdout, stderr };
}

const labels = { 'app.kubernetes.io/managed-by': 'saasplane', 'saasplane.io/offering': 'shop' };

describeCluster('dev cluster (real control plane, kwok node)', () => {
  let cluster: DevCluster | undefined;
  let admin: KubeClient;
  let stopped = false;
  let outDir: string;

  beforeAll(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-dev-test-'));
    const began = Date.now();
    cluster = await startDevCluster({ nodes: 1 });
    admin = cluster.client;
    // eslint-disable-next-line no-console
    console.log(`dev cluster with 1 kwok node ready in ${((Date.now() - began) / 1000).toFixed(1)} s (${cluster.dir})`);
  }, 180_000);

  afterAll(async () => {
    if (cluster && !stopped) {
      await cluster.stop();
    }
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  test('the API server is ready, pinned, and the admin can create a namespace', async () => {
    const readyz = await admin.get('/readyz');
    expect(readyz).toMatchObject({ status: 200, body: 'ok' });
    expect((await admin.get('/version')).body.gitVersion).toBe(KUBERNETES_VERSION);
    expectStatus(await admin.create('/api/v1/namespaces', { metadata: { name: 'admin-made' } }), 201);
    const kubectl = await cluster!.kubectl(['get', 'namespace', 'admin-made', '-o', 'name']);
    expect(kubectl).toMatchObject({ code: 0, stdout: 'namespace/admin-made\n' });
  });

  test('admission: Pod Security, ValidatingAdmissionPolicy and ResourceQuota are active', async () => {
    expectStatus(await admin.create('/api/v1/namespaces', {
      metadata: { name: 'guarded', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    }), 201);
    await eventually('the default ServiceAccount of namespace guarded', 30_000, async () =>
      ((await admin.get('/api/v1/namespaces/guarded/serviceaccounts/default')).status === 200 ? true : undefined));
    const privileged = await admin.create('/api/v1/namespaces/guarded/pods', {
      metadata: { name: 'privileged' },
      spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] },
    });
    expect(privileged.status).toBe(403);
    expect(privileged.body.message).toMatch(/violates PodSecurity "restricted:latest"/);

    expectStatus(await admin.create('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', {
      metadata: { name: 'no-forbidden-configmaps' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
        validations: [{ expression: "object.metadata.name != 'forbidden'", message: 'no configmap named forbidden' }],
      },
    }), 201);
    expectStatus(await admin.create('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', {
      metadata: { name: 'no-forbidden-configmaps' },
      spec: { policyName: 'no-forbidden-configmaps', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'guarded' } } } },
    }), 201);
    const refused = await eventually('the ValidatingAdmissionPolicy to be enforced', 30_000, async () => {
      const res = await admin.create('/api/v1/namespaces/guarded/configmaps', { metadata: { name: 'forbidden' } });
      if (res.status === 201) await admin.delete('/api/v1/namespaces/guarded/configmaps/forbidden');
      return res.status === 422 ? res : undefined;
    });
    expect(refused.body.message).toMatch(/no configmap named forbidden/);

    expectStatus(await admin.create('/api/v1/namespaces/guarded/resourcequotas', { metadata: { name: 'q' }, spec: { hard: { pods: '0' } } }), 201);
    await eventually('the quota controller to fill the quota status', 30_000, async () =>
      ((await admin.get('/api/v1/namespaces/guarded/resourcequotas/q')).body.status?.hard?.pods === '0' ? true : undefined));
    const overQuota = await admin.create('/api/v1/namespaces/guarded/pods', {
      metadata: { name: 'over-quota' },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'c', image: 'busybox', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      },
    });
    expect(overQuota.status).toBe(403);
    expect(overQuota.body.message).toMatch(/exceeded quota: q/);
  });

  test('a Deployment of one replica becomes Available on the kwok node', async () => {
    expectStatus(await admin.create('/api/v1/namespaces', { metadata: { name: 'apps' } }), 201);
    expectStatus(await admin.create('/apis/apps/v1/namespaces/apps/deployments', {
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      },
    }), 201);
    const deployment = await eventually('Deployment apps/web to be Available', 90_000, async () => {
      const res = await admin.get('/apis/apps/v1/namespaces/apps/deployments/web');
      const available = res.body.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Available' && c.status === 'True');
      return available && res.body.status.availableReplicas === 1 ? res.body : undefined;
    });
    expect(deployment.status.readyReplicas).toBe(1);
    const pods = await admin.get('/api/v1/namespaces/apps/pods?labelSelector=app%3Dweb');
    expect(pods.body.items).toHaveLength(1);
    expect(pods.body.items[0].spec.nodeName).toBe('kwok-node-0');
    expect(pods.body.items[0].status.phase).toBe('Running');
  });

  describe('kubeconfigs from TokenRequest', () => {
    beforeAll(async () => {
      const ns = 'shop-acme';
      expectStatus(await admin.create('/api/v1/namespaces', { metadata: { name: ns, labels: { ...labels, 'saasplane.io/tenant': 'acme' } } }), 201);
      expectStatus(await admin.create(`/api/v1/namespaces/${ns}/serviceaccounts`, {
        metadata: { name: 'acme-users', labels: { ...labels, 'saasplane.io/access': 'consumer' } }, automountServiceAccountToken: false,
      }), 201);
      // the chart's own ServiceAccount carries the tenant labels, but is no consumer access
      expectStatus(await admin.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'web', labels } }), 201);
      expectStatus(await admin.create('/api/v1/namespaces', { metadata: { name: 'shop-multi', labels } }), 201);
      for (const name of ['admins', 'viewers']) {
        expectStatus(await admin.create('/api/v1/namespaces/shop-multi/serviceaccounts', {
          metadata: { name, labels: { ...labels, 'saasplane.io/access': 'consumer' } },
        }), 201);
      }
      expectStatus(await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
        metadata: { name: 'acme-users' },
        rules: [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch'] }],
      }), 201);
      expectStatus(await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
        metadata: { name: 'acme-users' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'acme-users' },
        subjects: [{ kind: 'ServiceAccount', name: 'acme-users', namespace: ns }],
      }), 201);
      expectStatus(await admin.create('/api/v1/namespaces', { metadata: { name: 'shop-system', labels } }), 201);
      expectStatus(await admin.create('/api/v1/namespaces/shop-system/serviceaccounts', { metadata: { name: 'provider', labels } }), 201);
    });

    test('a consumer kubeconfig works for what it may do, gets 403 otherwise, embeds the CA and expires', async () => {
      const identity = await resolveIdentity(admin, { offering: 'shop', tenant: 'acme' });
      expect(identity).toEqual({ namespace: 'shop-acme', serviceAccount: 'acme-users', subject: 'tenant "acme" of offering "shop"' });
      const out = path.join(outDir, 'acme.kubeconfig');
      const before = Math.floor(Date.now() / 1000);
      const issued = await issueKubeconfig({ client: admin, ...identity, durationSeconds: 900, caPem: cluster!.caPem, server: cluster!.server, out });
      expect((fs.statSync(out).mode % 0o1000).toString(8)).toBe('600');

      const text = fs.readFileSync(out, 'utf8');
      expect(text).toBe(issued.kubeconfig);
      expect(text).not.toMatch(/insecure/);
      const config = YAML.parse(text);
      expect(Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(cluster!.caPem);
      expect(config.contexts[0].context.namespace).toBe('shop-acme');

      const claims = decodeJwtClaims(issued.token) as { exp: number; sub: string };
      expect(claims.sub).toBe('system:serviceaccount:shop-acme:acme-users');
      expect(Math.abs(claims.exp - (before + 900))).toBeLessThan(30);
      expect(Math.abs(issued.expiresAt.getTime() / 1000 - claims.exp)).toBeLessThan(2);

      const consumer = KubeClient.fromKubeconfig(out);
      expect((await consumer.get('/api/v1/namespaces/shop-acme/pods')).status).toBe(200);
      expect((await consumer.get('/api/v1/namespaces/shop-acme/secrets')).status).toBe(403);
      expect((await consumer.get('/api/v1/namespaces/default/pods')).status).toBe(403);
      expect((await consumer.create('/api/v1/namespaces/shop-acme/configmaps', { metadata: { name: 'x' } })).status).toBe(403);

      const viaKubectl = await cluster!.kubectl(['get', 'configmaps', '-o', 'name'], { kubeconfig: out });
      expect(viaKubectl).toMatchObject({ code: 0, stdout: 'configmap/kube-root-ca.crt\n' });
      const forbidden = await cluster!.kubectl(['get', 'secrets'], { kubeconfig: out });
      expect(forbidden.code).not.toBe(0);
      expect(forbidden.stderr).toMatch(/forbidden.*cannot list resource "secrets"/);

      // the consumer may not issue tokens: the error names the verb and the resource
      await expect(issueKubeconfig({ client: consumer, namespace: 'shop-acme', serviceAccount: 'acme-users', durationSeconds: 600 }))
        .rejects.toThrow(/you may not issue tokens for ServiceAccount shop-acme\/acme-users: the caller needs verb "create" on resource "serviceaccounts\/token"/);
    });

    test('errors: missing ServiceAccount, missing tenant namespace, duration out of range', async () => {
      const subject = 'tenant "acme" of offering "shop"';
      await expect(issueKubeconfig({ client: admin, namespace: 'shop-acme', serviceAccount: 'nobody', durationSeconds: 600, subject }))
        .rejects.toThrow(/ServiceAccount shop-acme\/nobody \(tenant "acme" of offering "shop"\) does not exist/);
      await expect(resolveIdentity(admin, { offering: 'shop', tenant: 'globex' }))
        .rejects.toThrow(/namespace shop-globex of tenant "globex" of offering "shop" does not exist/);
      await expect(resolveIdentity(admin, { offering: 'shop', tenant: 'acme', access: 'x' })).resolves.toMatchObject({ serviceAccount: 'x' });
      await expect(resolveIdentity(admin, { offering: 'shop', tenant: 'multi' }))
        .rejects.toThrow(/tenant "multi" of offering "shop" has several consumer accesses \(admins, viewers\): choose one with --access NAME/);
      await expect(resolveIdentity(admin, { offering: 'shop', tenant: 'multi', access: 'viewers' })).resolves.toMatchObject({ serviceAccount: 'viewers' });
      await expect(issueKubeconfig({ client: admin, namespace: 'shop-acme', serviceAccount: 'acme-users', durationSeconds: 60 }))
        .rejects.toThrow(/duration "60s" \(60 s\) is out of range: choose from 10m to 24h/);
      await expect(issueKubeconfig({ client: admin, namespace: 'shop-acme', serviceAccount: 'acme-users', durationSeconds: 25 * 3600 }))
        .rejects.toThrow(/out of range/);
    });

    test('saasplane kubeconfig: tenant and provider identities, errors with exit code 1', async () => {
      const out = path.join(outDir, 'cli-acme.kubeconfig');
      let result = await cli(['kubeconfig', '--kubeconfig', cluster!.kubeconfig, '--offering', 'shop', '--tenant', 'acme', '--duration', '15m', '--out', out]);
      expect(result).toMatchObject({ code: 0, stdout: '' });
      expect(result.stderr).toMatch(/wrote kubeconfig for ServiceAccount shop-acme\/acme-users \(tenant "acme" of offering "shop"\), expires/);
      expect((await KubeClient.fromKubeconfig(out).get('/api/v1/namespaces/shop-acme/pods')).status).toBe(200);

      result = await cli(['kubeconfig', '--kubeconfig', cluster!.kubeconfig, '--offering', 'shop', '--provider']);
      expect(result.code).toBe(0);
      const provider = YAML.parse(result.stdout);
      expect(provider.contexts[0].context.namespace).toBe('shop-system');
      expect(decodeJwtClaims(provider.users[0].user.token).sub).toBe('system:serviceaccount:shop-system:provider');

      result = await cli(['kubeconfig', '--kubeconfig', cluster!.kubeconfig, '--offering', 'shop', '--provider', 'ops']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ServiceAccount shop-system\/ops \(provider access "ops" of offering "shop"\) does not exist/);
      result = await cli(['kubeconfig', '--kubeconfig', cluster!.kubeconfig, '--offering', 'other', '--tenant', 'acme']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/namespace other-acme of tenant "acme" of offering "other" does not exist/);
    });
  });

  test('status from the state file; down stops every process and removes the folder', async () => {
    const status = await devClusterStatus(cluster!.dir);
    expect(status).toMatchObject({ ready: true, readyz: 'ok', nodes: 1 });
    expect(status.processes.map((p) => p.name).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
    const shown = await cli(['dev-cluster', 'status', '--dir', cluster!.dir]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/: ready\n/);

    const processes = cluster!.state.processes;
    const down = await cli(['dev-cluster', 'down', '--dir', cluster!.dir]);
    stopped = true;
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/stopped .*kube-apiserver.*; removed /);
    for (const p of processes) {
      expect(isSameProcess(p)).toBe(false);
      expect(() => process.kill(p.pid, 0)).toThrow(/ESRCH/);
    }
    expect(fs.existsSync(cluster!.dir)).toBe(false);
  });
});
