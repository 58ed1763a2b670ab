// A plan change on the dev cluster (kwok nodes, so the database runs and its claim binds), through
// the GitOps output. Found on the real Pulumi engine (issue 12): a StatefulSet's claim template
// never changes the claims it made, so a tenant moved to a plan with larger storage kept its 2Gi
// claim under a 20Gi template. saasplane now plans each StatefulSet claim as an object of its own,
// applied before the StatefulSet: a plan change resizes the claim in place where the storage class
// allows expansion, and the API server refuses it, with its reason, where it does not or when it
// would shrink.
import * as fs from 'fs';
import * as path from 'path';
import { applyCrds, storage } from './fixtures';
import { shop } from '../../examples/offering';
import { ClusterHandle, CliIo, main, missingTools, prometheusOperatorCrds, startDevCluster } from '../../src/cli';
import { ConsumerAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
import { TenantState } from '../../src/core';
import { tempDir } from '../constructs/fixtures';

const TOOLS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kubectl'] as const;
const missing = missingTools(TOOLS);
const crds = prometheusOperatorCrds();
if (missing.length > 0 || !crds) {
  const why = `${missing.map((m) => m.tool).join(', ')}${crds ? '' : ' prometheus-operator CRDs'} missing: run bash scripts/build-control-plane.sh`;
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPING the plan change tests: ${why}`);
}
const describeCluster = missing.length > 0 || !crds ? describe.skip : describe;

describeCluster('a plan change on the dev cluster', () => {
  let cluster: ClusterHandle;
  const work = tempDir('saasplane-plan-change-');
  const kubectl = async (...args: string[]) => {
    const result = await cluster.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json'));
  /** The example's tenants acme and initech on the given plans (initech in `state`, with its users' access), synthesized into a folder of their own. */
  const synth = (name: string, plans: { acme: string; initech: string }, state?: TenantState) => {
    const outdir = path.join(work, name);
    const app = new SaaSApp({ outdir });
    const offering = new SaaSOffering(app, 'shop', shop);
    offering.addTenant('acme', { plan: plans.acme, parameters: { replicaCount: 1, ingress: { host: 'acme.shop.example.com' } } });
    const initech = offering.addTenant('initech', { plan: plans.initech, state, parameters: { replicaCount: 1, ingress: { host: 'initech.shop.example.com' } } });
    new ConsumerAccess(app, 'initech-users', { tenant: initech });
    app.synth();
    return outdir;
  };
  const apply = async (outdir: string) => {
    for (const tenant of fs.readdirSync(path.join(outdir, 'shop'))) await kubectl('apply', '-f', path.join(outdir, 'shop', tenant, '00-namespace.yaml'));
    return cluster.kubectl(['apply', '-R', '-f', outdir]);
  };
  const claim = (ns: string, name: string) => json('-n', ns, 'get', 'pvc', name);
  let small: string;

  beforeAll(async () => {
    cluster = await startDevCluster({ nodes: 2 });
    await applyCrds(cluster, crds!);
    await cluster.kubectl(['apply', '-f', '-'], { input: storage() });
    await kubectl('label', 'node', 'kwok-node-1', 'node.kubernetes.io/pool=large');
    await kubectl('taint', 'node', 'kwok-node-1', 'pool=large:NoSchedule');
    small = synth('small', { acme: 'small', initech: 'small' });
    const applied = await apply(small);
    expect(applied.stderr).toBe('');
    await kubectl('-n', 'shop-acme', 'rollout', 'status', 'statefulset/acme-db', '--timeout=120s');
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the planned claim is created before the StatefulSet, which adopts it by name; it carries the keep annotations', async () => {
    const data = await claim('shop-acme', 'data-acme-db-0');
    expect([data.status.phase, data.spec.resources.requests.storage, data.metadata.ownerReferences]).toEqual(['Bound', '2Gi', undefined]);
    expect(data.metadata.annotations).toMatchObject({
      'helm.sh/resource-policy': 'keep',
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      'saasplane.io/claim-of': 'acme-db',
    });
    const pod = await json('-n', 'shop-acme', 'get', 'pod', 'acme-db-0');
    expect(pod.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe('data-acme-db-0');
    expect((await json('-n', 'shop-acme', 'get', 'pvc')).items).toHaveLength(1);
  });

  test('small → large resizes the existing claim in place (same claim, same volume) and the StatefulSet, recreated as diff says, adopts it', async () => {
    const before = await claim('shop-acme', 'data-acme-db-0');
    const large = synth('large', { acme: 'large', initech: 'small' });
    // what the diff of the live cluster says before anything is applied
    let stdout = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: () => undefined, env: {} };
    expect(await main(['diff', '--live', '--new', large, '--outdir', small, '--kubeconfig', cluster.kubeconfig, '--tenant', 'acme', '-o', 'json'], io)).toBe(1);
    const acme = JSON.parse(stdout).groups[0];
    const claimChange = acme.changed.find((c: any) => c.object.kind === 'PersistentVolumeClaim');
    expect(claimChange).toEqual({
      object: expect.objectContaining({ name: 'data-acme-db-0', file: 'shop/acme/25-claims.yaml' }),
      fields: expect.arrayContaining([{ path: 'spec.resources.requests.storage', before: '2Gi', after: '20Gi' }]),
    });
    // each dry run sees the namespace as it is (plan small, 5Gi of storage); the output changes both first
    const notes = Object.fromEntries(acme.notes.map((n: any) => [n.object.name, n.reason]));
    expect(notes['data-acme-db-0']).toMatch(/^the namespace's current quota refuses it \(.*exceeded quota: tenant-quota.*\); the output's ResourceQuota, applied before it, decides$/);
    expect(notes['acme-web']).toMatch(/^admission refuses the apply: .*'saasplane-shop-tenant-guard'.* denied request: offering "shop" allows only its plan's tolerations.*; the output changes this namespace's labels or quota before it/);
    // the template change is refused whatever the order: the rule's advice and the server's own words
    expect(acme.destructive.map((d: any) => [d.object.kind, d.reason.slice(0, 40)])).toEqual([
      ['StatefulSet', 'StatefulSet fields spec.volumeClaimTempl'], ['StatefulSet', 'the API server refuses the apply: Statef'],
    ]);

    // kubectl apply: the claim is resized; the StatefulSet's new template is refused in place
    const applied = await apply(large);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toMatch(/The StatefulSet "acme-db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);
    const resized = await claim('shop-acme', 'data-acme-db-0');
    expect([resized.metadata.uid, resized.spec.volumeName, resized.status.phase, resized.spec.resources.requests.storage])
      .toEqual([before.metadata.uid, before.spec.volumeName, 'Bound', '20Gi']);
    // the namespace is on the large plan now, its database pod still placed as small: it can still be
    // updated (labelled, or orphaned by the garbage collector below), never given another toleration
    await kubectl('-n', 'shop-acme', 'label', 'pod', 'acme-db-0', 'checked=yes');
    const tolerate = await cluster.kubectl(['-n', 'shop-acme', 'patch', 'pod', 'acme-db-0', '--type=json',
      '-p', '[{"op":"add","path":"/spec/tolerations/-","value":{"key":"other-tenant","operator":"Exists"}}]']);
    expect([tolerate.code, tolerate.stderr]).toEqual([1, expect.stringContaining('\'saasplane-shop-tenant-guard\' denied request: offering "shop" keeps pods on their plan\'s nodes')]);
    // the replacement the diff describes: orphan the pods and claims, apply again
    await kubectl('-n', 'shop-acme', 'delete', 'statefulset/acme-db', '--cascade=orphan', '--timeout=60s');
    expect((await apply(large)).code).toBe(0);
    await kubectl('-n', 'shop-acme', 'rollout', 'status', 'statefulset/acme-db', '--timeout=120s');
    const db = await json('-n', 'shop-acme', 'get', 'statefulset', 'acme-db');
    expect(db.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect((await claim('shop-acme', 'data-acme-db-0')).metadata.uid).toBe(before.metadata.uid);
    expect((await json('-n', 'shop-acme', 'get', 'pvc')).items).toHaveLength(1);
  }, 180_000);

  test('shrinking a claim (large → small) is refused by the API server, and the claim keeps its size', async () => {
    const applied = await cluster.kubectl(['apply', '-f', path.join(small, 'shop', 'acme', '25-claims.yaml')]);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toMatch(/PersistentVolumeClaim "data-acme-db-0" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status\.capacity/);
    expect((await claim('shop-acme', 'data-acme-db-0')).spec.resources.requests.storage).toBe('20Gi');
  });

  test('a storage class that does not allow expansion: the resize is refused with the reason, and the claim keeps its size', async () => {
    await kubectl('patch', 'storageclass', 'standard', '--type=merge', '-p', '{"allowVolumeExpansion":false}');
    try {
      const large = synth('initech-large', { acme: 'large', initech: 'large' });
      const applied = await cluster.kubectl(['apply', '-f', path.join(large, 'shop', 'initech', '25-claims.yaml')]);
      expect(applied.code).not.toBe(0);
      expect(applied.stderr).toMatch(/only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
      expect((await claim('shop-initech', 'data-initech-db-0')).spec.resources.requests.storage).toBe('2Gi');
    } finally {
      await kubectl('patch', 'storageclass', 'standard', '--type=merge', '-p', '{"allowVolumeExpansion":true}');
    }
  });

  describe('a tenant suspended and resumed', () => {
    const canList = async () => (await cluster.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'shop-initech', '--as', 'system:serviceaccount:shop-initech:initech-users'])).stdout.trim();
    const running = async () => (await json('-n', 'shop-initech', 'get', 'pods')).items.filter((p: any) => !p.metadata.deletionTimestamp).length;
    /** kubectl apply with pruning of what the output no longer holds (as a GitOps tool's prune), Roles and RoleBindings included. */
    const applyPruning = async (outdir: string) => kubectl('apply', '-R', '-f', outdir, '--prune', '-l', 'saasplane.io/offering=shop',
      '--prune-allowlist=rbac.authorization.k8s.io/v1/Role', '--prune-allowlist=rbac.authorization.k8s.io/v1/RoleBinding');
    const waitFor = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 120; i += 1) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`timed out waiting for ${what}`);
    };

    test('suspended: no pod runs, the consumer has no rights, the claim stays bound; resumed: Available again on the same claim', async () => {
      await applyPruning(synth('initech-active', { acme: 'large', initech: 'small' }));
      await kubectl('-n', 'shop-initech', 'rollout', 'status', 'deployment/initech-web', '--timeout=120s');
      await kubectl('-n', 'shop-initech', 'rollout', 'status', 'statefulset/initech-db', '--timeout=120s');
      expect(await canList()).toBe('yes');
      const claimBefore = await claim('shop-initech', 'data-initech-db-0');

      await applyPruning(synth('initech-suspended', { acme: 'large', initech: 'small' }, TenantState.SUSPENDED));
      await waitFor('the pods of shop-initech to go', async () => (await running()) === 0);
      expect(await canList()).toBe('no');
      expect((await json('get', 'namespace', 'shop-initech')).metadata.labels['saasplane.io/state']).toBe('suspended');
      expect((await json('-n', 'shop-initech', 'get', 'resourcequota', 'tenant-quota')).spec.hard.pods).toBe('0');
      const suspendedClaim = await claim('shop-initech', 'data-initech-db-0');
      expect([suspendedClaim.metadata.uid, suspendedClaim.status.phase]).toEqual([claimBefore.metadata.uid, 'Bound']);

      await applyPruning(synth('initech-resumed', { acme: 'large', initech: 'small' }));
      await kubectl('-n', 'shop-initech', 'rollout', 'status', 'deployment/initech-web', '--timeout=120s');
      await kubectl('-n', 'shop-initech', 'rollout', 'status', 'statefulset/initech-db', '--timeout=120s');
      expect((await json('-n', 'shop-initech', 'get', 'deployment', 'initech-web')).status.availableReplicas).toBe(1);
      expect(await canList()).toBe('yes');
      const pod = await json('-n', 'shop-initech', 'get', 'pod', 'initech-db-0');
      expect(pod.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe('data-initech-db-0');
      expect((await claim('shop-initech', 'data-initech-db-0')).metadata.uid).toBe(claimBefore.metadata.uid);
    }, 300_000);
  });
});
