// The Pulumi front-end on the real engine: the Pulumi CLI v3.245.0 and the Kubernetes provider
// v4.32.0 built here (scripts/build-pulumi.sh), Automation API inline programs (no language host),
// a file:// backend, against the dev cluster (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok nodes, so that Deployments and StatefulSets become ready without a
// kubelet). The one thing that cannot become ready here is an Ingress (no ingress controller sets
// its load balancer address): the test program marks Ingresses `pulumi.com/skipAwait`.
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from '@pulumi/pulumi/automation';
import { tenantStack } from '../../examples/pulumi/tenant/program';
import {
  ClusterHandle, main, missingTools, prometheusOperatorCrds, PULUMI_KUBERNETES_VERSION, PULUMI_VERSION, pulumiInstallation, startDevCluster,
} from '../../src/cli';
import { FleetTenant, installPlugins, runFleet } from '../../src/pulumi';
import { tempDir } from '../constructs/fixtures';
import { skipIngressAwait } from './fixtures/fleet';
import { applyCrds, storage } from '../integration/fixtures';

const installation = pulumiInstallation();
const missing = missingTools(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kubectl']);
const crds = prometheusOperatorCrds();
if (!installation || missing.length > 0 || !crds) {
  const why = `${installation ? '' : 'the Pulumi CLI and Kubernetes plugin (bash scripts/build-pulumi.sh) '}${missing.map((m) => m.tool).join(', ')} missing`;
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPING the Pulumi engine tests: ${why}`);
}
const describeEngine = !installation || missing.length > 0 || !crds ? describe.skip : describe;

const PROJECT = 'shop-tenant';
const FIXTURES = path.join(__dirname, 'fixtures');

test('the set-up builds the Pulumi CLI and provider the npm packages match', () => {
  const script = fs.readFileSync(path.join(__dirname, '..', '..', 'scripts', 'build-pulumi.sh'), 'utf8');
  expect(script).toContain(`PULUMI_VERSION=${PULUMI_VERSION}`);
  expect(script).toContain(`PULUMI_KUBERNETES_VERSION=${PULUMI_KUBERNETES_VERSION}`);
  const installed = (name: string) => JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  expect(`v${installed('@pulumi/kubernetes')}`).toBe(PULUMI_KUBERNETES_VERSION);
  expect(`v${installed('@pulumi/pulumi')}`).toBe(PULUMI_VERSION);
});

describeEngine('tenant stacks on the real Pulumi engine', () => {
  let cluster: ClusterHandle;
  let kubeconfig: string;
  let pulumiCommand: PulumiCommand;
  let envVars: Record<string, string>;
  let backendUrl: string;

  const kubectl = async (...args: string[]) => {
    const result = await cluster.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  const kubectlJson = async (...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json'));

  /** The tenant's stack running the example tenant program, with `program` around it when given. */
  const examplePrograms = (tenant: FleetTenant) => () => tenantStack(tenant, pulumi.secret(kubeconfig), skipIngressAwait);
  const stackOf = (tenant: FleetTenant, program: () => object = examplePrograms(tenant)): Promise<Stack> =>
    LocalWorkspace.createOrSelectStack({ projectName: PROJECT, stackName: tenant.name, program: async () => program() },
      { pulumiCommand, envVars, projectSettings: { name: PROJECT, runtime: 'nodejs', backend: { url: backendUrl } } });

  /** What a preview would do to each resource that changes: `<op> <resource name>`. */
  const previewOps = async (stack: Stack): Promise<string[]> => {
    const ops: string[] = [];
    const preview = await stack.preview({
      onEvent: (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m && m.op !== 'same') ops.push(`${m.op} ${m.urn.split('::').pop()}`);
      },
    });
    // the engine's own count agrees: every resource not listed is 'same' (a replacement's create and delete steps count once, as 'replace')
    const steps = ops.filter((op) => !/^(create-replacement|delete-replaced) /.test(op)).length;
    expect(Object.entries(preview.changeSummary).filter(([op]) => op !== 'same').reduce((sum, [, n]) => sum + (n ?? 0), 0)).toBe(steps);
    return ops.sort();
  };

  beforeAll(async () => {
    cluster = await startDevCluster({ nodes: 2 });
    kubeconfig = fs.readFileSync(cluster.kubeconfig, 'utf8');
    await applyCrds(cluster, crds!);
    await cluster.kubectl(['apply', '-f', '-'], { input: storage(6) });
    // the large plan's node pool: one labelled and tainted node
    await kubectl('label', 'node', 'kwok-node-1', 'node.kubernetes.io/pool=large');
    await kubectl('taint', 'node', 'kwok-node-1', 'pool=large:NoSchedule');
    const home = tempDir('saasplane-pulumi-home-');
    backendUrl = `file://${tempDir('saasplane-pulumi-state-')}`;
    envVars = {
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: backendUrl,
      PULUMI_CONFIG_PASSPHRASE: 'engine-test',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
    };
    pulumiCommand = await PulumiCommand.get({ root: installation!.root });
    expect(pulumiCommand.version?.format()).toBe(PULUMI_VERSION.slice(1));
    await installPlugins(installation!.root, { [installation!.pluginSpec]: installation!.kubernetesPlugin }, envVars);
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  const acme: FleetTenant = { name: 'acme', plan: 'small', parameters: { replicaCount: 2, ingress: { host: 'acme.shop.example.com' } } };

  test('up creates the namespace, guardrails, access and chart objects, labelled and placed, all through the explicit provider', async () => {
    const stack = await stackOf(acme);
    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    expect(up.outputs.namespace.value).toBe('shop-acme');
    expect(up.outputs.consumerServiceAccount.value).toBe('acme-users');

    const ns = await kubectlJson('get', 'namespace', 'shop-acme');
    expect(ns.metadata.labels).toMatchObject({
      'saasplane.io/offering': 'shop', 'saasplane.io/tenant': 'acme', 'saasplane.io/plan': 'small', 'pod-security.kubernetes.io/enforce': 'restricted',
    });
    const names = async (kind: string) => (await kubectlJson('get', kind, '-n', 'shop-acme')).items.map((i: any) => i.metadata.name).sort();
    expect(await names('resourcequota')).toEqual(['tenant-quota']);
    expect(await names('limitrange')).toEqual(['tenant-defaults']);
    expect(await names('networkpolicy')).toEqual(expect.arrayContaining(['default-deny', 'allow-same-namespace', 'allow-dns']));
    expect(await names('rolebinding')).toEqual(expect.arrayContaining(['saasplane-provider', 'acme-users']));
    expect(await names('serviceaccount')).toEqual(expect.arrayContaining(['acme-users']));
    expect(await names('servicemonitor')).toHaveLength(1);
    const web = await kubectlJson('get', 'deployment', 'acme-web', '-n', 'shop-acme');
    expect(web.metadata.labels).toMatchObject({ 'saasplane.io/tenant': 'acme', 'saasplane.io/plan': 'small' });
    expect(web.spec.template.metadata.labels).toMatchObject({ 'saasplane.io/tenant': 'acme' });
    expect(web.status.availableReplicas).toBe(2);
    // placement: the small plan runs on the default pool, never on the tainted large one
    const pods = (await kubectlJson('get', 'pods', '-n', 'shop-acme')).items;
    expect(pods.length).toBe(3);
    expect(new Set(pods.map((p: any) => p.spec.nodeName))).toEqual(new Set(['kwok-node-0']));

    const state = await stack.exportStack();
    const kubernetes = state.deployment.resources.filter((r: any) => r.custom && r.type.startsWith('kubernetes:'));
    expect(kubernetes.length).toBeGreaterThan(15);
    expect(new Set(kubernetes.map((r: any) => r.provider.split('::')[3]))).toEqual(new Set(['cluster']));
    // the database's claim is planned as a resource of its own and, with the namespace that holds it,
    // retained on delete: no destroy or replacement deletes the data
    const retained = kubernetes.filter((r: any) => r.retainOnDelete).map((r: any) => `${r.type} ${r.urn.split('::').pop()}`);
    expect(retained.sort()).toEqual(['kubernetes:core/v1:Namespace acme:shop-acme', 'kubernetes:core/v1:PersistentVolumeClaim acme:data-acme-db-0']);
  });

  test('a preview with no change reports no change', async () => {
    expect(await previewOps(await stackOf(acme))).toEqual([]);
  });

  test('a parameter change previews exactly the objects it changes, and applies', async () => {
    const fewer = { ...acme, parameters: { ...acme.parameters, replicaCount: 1 } };
    const stack = await stackOf(fewer);
    expect(await previewOps(stack)).toEqual(['update acme:acme-web']);
    expect((await stack.up()).summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await kubectlJson('get', 'deployment', 'acme-web', '-n', 'shop-acme')).status.availableReplicas).toBe(1);
  });

  test('a plan change resizes the database claim in place (issue 12: it kept 2Gi under a 20Gi template) and replaces the StatefulSet', async () => {
    const claimBefore = await kubectlJson('get', 'pvc', 'data-acme-db-0', '-n', 'shop-acme');
    const large = { ...acme, plan: 'large' };
    const stack = await stackOf(large);
    const ops = await previewOps(stack);
    expect(ops).toContain('replace acme:acme-db');
    expect(ops).toContain('update acme:tenant-quota');
    expect(ops).toContain('update acme:data-acme-db-0');
    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    const db = await kubectlJson('get', 'statefulset', 'acme-db', '-n', 'shop-acme');
    expect(db.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(db.spec.template.spec.nodeSelector).toEqual({ 'node.kubernetes.io/pool': 'large' });
    expect(db.status.readyReplicas).toBe(1);
    // the new StatefulSet adopted the planned claim, resized in place: the same claim and volume
    const claims = (await kubectlJson('get', 'pvc', '-n', 'shop-acme')).items;
    expect(claims.map((c: any) => [c.metadata.name, c.metadata.uid, c.spec.volumeName, c.status.phase, c.spec.resources.requests.storage]))
      .toEqual([['data-acme-db-0', claimBefore.metadata.uid, claimBefore.spec.volumeName, 'Bound', '20Gi']]);
    expect((await kubectlJson('get', 'namespace', 'shop-acme')).metadata.labels['saasplane.io/plan']).toBe('large');
    expect(await previewOps(stack)).toEqual([]);
  });

  test('destroy removes every object but the tenant\'s data: its namespace and claim stay, the claim bound', async () => {
    const stack = await stackOf({ ...acme, plan: 'large' });
    const claimBefore = await kubectlJson('get', 'pvc', 'data-acme-db-0', '-n', 'shop-acme');
    const destroyed = await stack.destroy();
    expect(destroyed.summary.result).toBe('succeeded');
    expect((await stack.exportStack()).deployment.resources ?? []).toEqual([]);
    expect((await cluster.kubectl(['get', 'deployment', 'acme-web', '-n', 'shop-acme'])).stderr).toContain('NotFound');
    const claim = await kubectlJson('get', 'pvc', 'data-acme-db-0', '-n', 'shop-acme');
    expect([claim.metadata.uid, claim.status.phase]).toEqual([claimBefore.metadata.uid, 'Bound']);
    // deleting the data is a deliberate act (or removeWithData: true on the tenant)
    await cluster.kubectl(['delete', 'namespace', 'shop-acme', '--wait=false']);
  });

  /** `saasplane fleet ...` in this process (its stacks run in worker processes); exit code and output. */
  const fleetCli = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(['fleet', ...args, '--kubeconfig', cluster.kubeconfig, '--backend', backendUrl],
      { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: { ...process.env, ...envVars } });
    return { code, stdout, stderr };
  };

  test('the invariant transform refuses a violating resource on the real engine, before anything is created', async () => {
    const tenants = path.join(tempDir(), 'tenants.yaml');
    fs.writeFileSync(tenants, 'tenants:\n  - { name: rogue, plan: any }\n');
    const { code, stdout } = await fleetCli('up', '--program', path.join(FIXTURES, 'rogue-fleet.ts'), '--tenants', tenants, '--state', path.join(tempDir(), 'state.json'));
    expect(code).toBe(1);
    expect(stdout).toContain('kubernetes:rbac.authorization.k8s.io/v1:ClusterRole "everything" refused by saasplane-rbac-wildcard: '
      + 'ClusterRole "everything" rule 0 grants resources "*": it covers whatever the API server adds later; fix: list the resources the role needs');
    expect((await cluster.kubectl(['get', 'clusterrole', 'everything'])).stderr).toContain('NotFound');
  });

  test('the fleet isolates a failing stack, resumes only it, and a re-run skips what did not change', async () => {
    const dir = tempDir();
    const statePath = path.join(dir, 'fleet.json');
    const tenantsFile = path.join(dir, 'tenants.yaml');
    const tenants: FleetTenant[] = [
      { name: 'initech', plan: 'small', parameters: { ingress: { host: 'initech.shop.example.com' } } },
      { name: 'hooli', plan: 'gold' },
      { name: 'umbrella', plan: 'small', parameters: { ingress: { host: 'umbrella.shop.example.com' } } },
    ];
    fs.writeFileSync(tenantsFile, JSON.stringify({ tenants }));
    const first = await fleetCli('up', '--program', path.join(FIXTURES, 'fleet.ts'), '--tenants', tenantsFile, '--state', statePath, '--concurrency', '2');
    expect(first.code).toBe(1);
    const rows = first.stdout.split('\n').slice(1, 4).map((line) => line.split(/\s{2,}/).slice(0, 2));
    expect(rows).toEqual([['initech', 'succeeded'], ['hooli', 'failed'], ['umbrella', 'succeeded']]);
    expect(first.stdout).toMatch(/initech +succeeded +\d+ create/);
    expect(first.stdout).toContain('up: 2 of 3 stacks succeeded');
    expect(first.stdout).toContain('hooli: ');
    expect(first.stdout).toContain('plan "gold" does not exist: choose one of "small", "large"');
    expect(first.stderr).toMatch(/\[3\/3\] \w+: /);

    const options = {
      module: path.join(FIXTURES, 'fleet.ts'),
      backendUrl,
      pulumiRoot: installation!.root,
      envVars,
      statePath,
      concurrency: 2,
      kubeconfig,
    };
    const fixed = tenants.map((t) => (t.name === 'hooli' ? { ...t, plan: 'small', parameters: { ingress: { host: 'hooli.shop.example.com' } } } : t));
    const second = await runFleet('up', { ...options, tenants: fixed });
    expect(second.results.map((r) => [r.tenant, r.status])).toEqual([['initech', 'skipped'], ['hooli', 'succeeded'], ['umbrella', 'skipped']]);
    for (const t of fixed) {
      expect((await kubectlJson('get', 'deployment', `${t.name}-web`, '-n', `shop-${t.name}`)).status.availableReplicas).toBe(1);
    }

    const destroyed = await runFleet('destroy', { ...options, tenants: fixed });
    expect(destroyed.results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // what remains is each tenant's data: its namespace and claims, no workload
    const kept = (await kubectlJson('get', 'namespaces', '-l', 'saasplane.io/offering=shop')).items.map((n: any) => n.metadata.name)
      .filter((n: string) => n !== 'shop-acme');
    expect(kept.sort()).toEqual(fixed.map((t) => `shop-${t.name}`).sort());
    for (const ns of kept) {
      expect((await kubectlJson('get', 'deployments,statefulsets', '-n', ns)).items).toEqual([]);
      expect((await kubectlJson('get', 'pvc', '-n', ns)).items.length).toBeGreaterThan(0);
    }
  });
});
