// The example's GitOps output on a real kube-apiserver (the dev cluster: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok nodes, built from Go modules): it passes
// server-side dry run, applies, re-applies without a diff, its small plan holds its chart, and
// `saasplane verify` finds every escalation path of the threat model refused, each its own test.
// SAASPLANE_TEST_KUBECONFIG=<cluster-admin kubeconfig> runs them on an existing cluster instead (it
// must provide the StorageClass "standard"; the tests that need kwok nodes are skipped there).
import * as fs from 'fs';
import * as path from 'path';
import { applyCrds, storage } from './fixtures';
import { exampleApp } from '../../examples/cdk8s/app';
import { ClusterHandle, connectCluster, issueKubeconfig, main, missingTools, prometheusOperatorCrds, startDevCluster } from '../../src/cli';
import { CheckResult, TenantReport, verifyOffering } from '../../src/cli/verify';
import { ProviderAccess, SaaSOffering } from '../../src/constructs';
import { tempDir } from '../constructs/fixtures';

const EXISTING = process.env.SAASPLANE_TEST_KUBECONFIG;
const TOOLS = EXISTING ? ['kubectl'] as const : ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kubectl'] as const;
const missing = missingTools(TOOLS);
const crds = prometheusOperatorCrds();
if (missing.length > 0 || !crds) {
  const why = `${missing.map((m) => m.tool).join(', ')}${crds ? '' : ' prometheus-operator CRDs'} missing: run bash scripts/build-control-plane.sh`;
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPING the cluster tests: ${why}`);
}
const describeCluster = missing.length > 0 || !crds ? describe.skip : describe;

describeCluster('the example on a real cluster', () => {
  let cluster: ClusterHandle;
  let outdir: string;
  let reports: TenantReport[];
  const kubectl = async (...args: string[]) => {
    const result = await cluster.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };

  beforeAll(async () => {
    cluster = EXISTING ? connectCluster(EXISTING) : await startDevCluster({ nodes: 2 });
    outdir = tempDir();
    exampleApp(outdir).synth();
    await applyCrds(cluster, crds!);
    // what the cluster provides around an offering: the namespaces of the ingress controller and
    // Prometheus, and the storage class the offering allows, with volumes to bind
    for (const ns of ['ingress-nginx', 'monitoring']) {
      await cluster.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n` });
    }
    if (!EXISTING) {
      await cluster.kubectl(['apply', '-f', '-'], { input: storage() });
      // the large plan's node pool: one labelled and tainted node
      await kubectl('label', 'node', 'kwok-node-1', 'node.kubernetes.io/pool=large');
      await kubectl('taint', 'node', 'kwok-node-1', 'pool=large:NoSchedule');
    }
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  test('passes server-side dry run, applies, and a second apply changes nothing', async () => {
    const namespaces = listFiles(outdir).filter((f) => f.endsWith('00-namespace.yaml'));
    // a dry run cannot create namespaces, so objects in them are dry-run once the namespaces exist
    await kubectl('apply', '--dry-run=server', ...namespaces.flatMap((f) => ['-f', f]));
    await kubectl('apply', ...namespaces.flatMap((f) => ['-f', f]));
    await kubectl('apply', '--dry-run=server', '-R', '-f', outdir);
    await kubectl('apply', '-R', '-f', outdir);
    const diff = await cluster.kubectl(['diff', '-R', '-f', outdir]);
    expect([diff.code, diff.stdout]).toEqual([0, '']);
  });

  (EXISTING ? test.skip : test).each(['acme', 'globex'])('the plan of %s holds its chart: every pod is admitted and Available, also during a rollout', async (tenant) => {
    const ns = `shop-${tenant}`;
    await kubectl('-n', ns, 'rollout', 'status', `deployment/${tenant}-web`, '--timeout=120s');
    await kubectl('-n', ns, 'rollout', 'status', `statefulset/${tenant}-db`, '--timeout=120s');
    const events = await kubectl('-n', ns, 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}');
    expect(events).not.toMatch(/exceeded quota/);
    // a rollout completes within the quota (pods still terminating may delay, not block, the surge pod)
    await kubectl('-n', ns, 'rollout', 'restart', `deployment/${tenant}-web`);
    await kubectl('-n', ns, 'rollout', 'status', `deployment/${tenant}-web`, '--timeout=120s');
    // the large plan's pods run on its pool, the small plan's elsewhere
    const nodes = await kubectl('-n', ns, 'get', 'pods', '-o', 'jsonpath={.items[*].spec.nodeName}');
    expect(new Set(nodes.split(' '))).toEqual(new Set([tenant === 'globex' ? 'kwok-node-1' : 'kwok-node-0']));
  }, 300_000);

  describe('saasplane verify', () => {
    beforeAll(async () => {
      // admission policies take effect once the API server's informers have them
      await new Promise((resolve) => setTimeout(resolve, 3000));
      reports = await verifyOffering({ admin: cluster.client, offering: 'shop', reportDir: path.join(outdir, 'report') });
    }, 120_000);

    const acme = (id: string): CheckResult => {
      const check = reports.find((r) => r.tenant === 'acme')!.checks.find((c) => c.id === id);
      if (!check) throw new Error(`verify ran no check ${id}`);
      return check;
    };

    test('reports every tenant, and writes JSON and Markdown reports', () => {
      expect(reports.map((r) => r.tenant)).toEqual(['acme', 'globex', 'initech']);
      expect(fs.readdirSync(path.join(outdir, 'report')).sort()).toEqual(['acme.json', 'acme.md', 'globex.json', 'globex.md', 'initech.json', 'initech.md']);
      for (const report of reports) {
        expect(report.checks.filter((c) => !c.passed)).toEqual([]);
      }
    });

    // Each escalation path of the threat model, refused on the API server, as its own test.
    test.each([
      // 1. provider -> node
      ['provider.psa-privileged'], ['provider.psa-remove'], ['provider.relabel-tenant'], ['provider.squat-namespace'],
      ['provider.privileged-namespace'], ['provider.provider-namespace-collision'], ['provider.delete-system-namespace'],
      ['provider.list-namespaces'], ['provider.read-foreign-namespace'],
      // 2. provider -> non-expiring tenant tokens
      ['provider.legacy-token-secret'], ['provider.token-request'],
      // provider: bindings, guardrails, other namespaces
      ['provider.bind-cluster-admin'], ['provider.write-quota'], ['provider.write-limitrange'], ['provider.delete-network-policy'],
      ['provider.create-network-policy'], ['provider.create-role'], ['provider.read-kube-system-secrets'],
      // 5. services that widen isolation
      ['provider.nodeport-service'], ['provider.loadbalancer-service'], ['provider.external-ips'], ['provider.external-name'],
      // found by an attacker's review: placement, priority, claims, ingress, monitors, finalizers
      ['pod-security.system-priority'], ['pod-security.node-name'], ['pod-security.tolerate-all'], ['pod-security.scheduler'],
      ['provider.volume-name'], ['provider.ingress-foreign-host'], ['provider.ingress-wildcard-host'], ['provider.ingress-snippet'],
      ['provider.write-servicemonitor'], ['provider.namespace-finalizers'],
      // ...and by a second review: controller annotations, claim selectors, priority classes, namespace metadata, plan labels
      ['provider.ingress-alias'], ['provider.ingress-auth-url'], ['provider.pvc-selector'], ['provider.namespace-extra-label'],
      ['provider.namespace-annotation'], ['provider.unknown-plan'], ['pod-security.priority-class'], ['pod-security.unschedulable-toleration'],
      ['consumer.owner-references'], ['consumer.pause'], ['consumer.annotations'], ['consumer.statefulset-ordinals'], ['consumer.statefulset-retention'],
      // MTB pod rules and fairness
      ['pod-security.privileged'], ['pod-security.capabilities'], ['pod-security.privilege-escalation'], ['pod-security.root'],
      ['pod-security.host-path'], ['pod-security.host-network'], ['pod-security.host-port'], ['pod-security.host-pid'], ['pod-security.host-ipc'],
      ['pod-security.image-pull-policy'], ['pod-security.ephemeral-storage'],
      // 3. consumer -> secrets, any image, any identity, priority, placement
      ['consumer.mount-secret'], ['consumer.image'], ['consumer.service-account'], ['consumer.priority'], ['consumer.node-selector'],
      ['consumer.tolerations'], ['consumer.node-name'], ['consumer.scale'],
      // consumer: MTB Profile Level 1
      ['consumer.list-namespaces'], ['consumer.list-nodes'], ['consumer.other-tenant'], ['consumer.read-secrets'], ['consumer.namespace-labels'],
      ['consumer.write-quota'], ['consumer.write-limitrange'], ['consumer.delete-network-policy'], ['consumer.create-network-policy'],
      ['consumer.create-role'], ['consumer.create-pod'], ['consumer.exec'], ['consumer.token-request'],
      // 4. namespace identity, quotas and default deny
      ['cluster.namespace-identity'], ['cluster.blocking-pdb'], ['cluster.quota'], ['cluster.default-deny'], ['cluster.pod-security'],
    ])('%s is refused', (id) => {
      const check = acme(id);
      expect({ id, expected: check.expected, observed: check.observed, passed: check.passed }).toMatchObject({ id, passed: true });
      expect(check.expected).not.toMatch(/^allowed/);
    });

    test('what each identity needs still works: a consumer restarts, reads its pods; the provider reads its tenant; a compliant pod is admitted', () => {
      for (const id of ['consumer.restart', 'consumer.read-pods', 'provider.read-own-tenant', 'pod-security.compliant-pod']) {
        expect([id, acme(id).observed]).toEqual([id, 'allowed']);
      }
    });

    test('a consumer really restarts its workload with kubectl rollout restart', async () => {
      const consumerConfig = path.join(outdir, 'consumer.kubeconfig');
      await issueKubeconfig({ client: cluster.client, namespace: 'shop-acme', serviceAccount: 'acme-users', durationSeconds: 600, out: consumerConfig });
      const restart = await cluster.kubectl(['-n', 'shop-acme', 'rollout', 'restart', 'deployment/acme-web'], { kubeconfig: consumerConfig });
      expect([restart.code, restart.stderr]).toEqual([0, '']);
      const image = await cluster.kubectl(['-n', 'shop-acme', 'set', 'image', 'deployment/acme-web', 'nginx=docker.io/attacker/exfil:1'], { kubeconfig: consumerConfig });
      expect(image.code).not.toBe(0);
      expect(image.stderr).toMatch(/may only restart them/);
    });

    test('the CLI: saasplane verify exits 0 and writes the report; saasplane kubeconfig issues the consumer\'s kubeconfig', async () => {
      const out: string[] = [];
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), env: { KUBECONFIG: cluster.kubeconfig } };
      const report = path.join(outdir, 'cli-report');
      expect(await main(['verify', '--offering', 'shop', '--tenant', 'acme', '--report', report], io)).toBe(0);
      expect(out.join('')).toMatch(/^PASS tenant acme \(shop-acme\): (\d+)\/\1 checks passed/m);
      expect(fs.readFileSync(path.join(report, 'acme.md'), 'utf8')).toMatch(/\*\*PASSED\*\*/);
      expect(await main(['verify', '--offering', 'nope'], io)).toBe(1);
      expect(out.join('')).toMatch(/offering "nope" has no tenant namespaces/);
      const config = path.join(outdir, 'acme-cli.kubeconfig');
      expect(await main(['kubeconfig', '--offering', 'shop', '--tenant', 'acme', '--duration', '15m', '--out', config], io)).toBe(0);
      const pods = await cluster.kubectl(['get', 'pods'], { kubeconfig: config });
      expect([pods.code, pods.stdout]).toEqual([0, expect.stringMatching(/acme-web/)]);
      const secrets = await cluster.kubectl(['get', 'secrets'], { kubeconfig: config });
      expect(secrets.stderr).toMatch(/forbidden/);
    });

    test('verify fails when a control is missing: without the restart guard, a consumer can rewrite a pod template', async () => {
      await kubectl('delete', 'validatingadmissionpolicybinding', 'saasplane-shop-restart-only');
      try {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const [weakened] = await verifyOffering({ admin: cluster.client, offering: 'shop', tenant: 'acme' });
        expect(weakened.passed).toBe(false);
        expect(weakened.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual(expect.arrayContaining(['consumer.image', 'consumer.mount-secret']));
      } finally {
        await kubectl('apply', '-f', path.join(outdir, 'shop', '_shared', '10-admission.yaml'));
      }
    }, 120_000);
  });

  test('a second provider identity gets its own roles, binding and policy: the first is unchanged, the second as limited (issue 10)', async () => {
    const second = tempDir();
    const app = exampleApp(second);
    new ProviderAccess(app, 'ci', { offering: app.node.findChild('shop') as SaaSOffering, serviceAccountName: 'deployer' });
    app.synth();
    const added = listFiles(second).filter((f) => f.endsWith('20-provider-ci.yaml'));
    expect(added).toHaveLength(4); // _shared and the three tenants
    await kubectl('apply', ...added.flatMap((f) => ['-f', f]));
    // the first identity's objects are exactly as applied before (outdir also holds verify's reports)
    const diff = await cluster.kubectl(['diff', '-R', '-f', path.join(outdir, 'shop')]);
    expect([diff.code, diff.stdout, diff.stderr]).toEqual([0, '', '']);
    const as = ['--as', 'system:serviceaccount:shop-system:deployer'];
    expect(await kubectl('auth', 'can-i', 'get', 'pods', '-n', 'shop-acme', ...as)).toBe('yes\n');
    expect((await cluster.kubectl(['auth', 'can-i', 'get', 'pods', '-n', 'kube-system', ...as])).stdout).toBe('no\n');
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the new admission policy reaches the informers
    const tenantNamespace = (enforce: string) => fs.readFileSync(path.join(outdir, 'shop', 'acme', '00-namespace.yaml'), 'utf8')
      .replace(/acme/g, 'newco').replace('pod-security.kubernetes.io/enforce: restricted', `pod-security.kubernetes.io/enforce: ${enforce}`);
    // it may create a tenant namespace, as the first identity may...
    const allowed = await cluster.kubectl(['create', '--dry-run=server', '-f', '-', ...as], { input: tenantNamespace('restricted') });
    expect([allowed.code, allowed.stderr]).toEqual([0, '']);
    // ...and its own policy refuses a privileged one
    const privileged = await cluster.kubectl(['create', '--dry-run=server', '-f', '-', ...as], { input: tenantNamespace('privileged') });
    expect(privileged.code).not.toBe(0);
    expect(privileged.stderr).toContain("ValidatingAdmissionPolicy 'saasplane-shop-provider-namespaces.shop-system.deployer'");
    // every check of the threat model, attacked as the second identity, and still as the default one
    for (const provider of ['deployer', undefined]) {
      const [report] = await verifyOffering({ admin: cluster.client, offering: 'shop', tenant: 'acme', provider });
      expect(report.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.observed}`)).toEqual([]);
      expect(report.checks.length).toBeGreaterThan(80);
    }
  }, 180_000);
});

function listFiles(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])).sort();
}

