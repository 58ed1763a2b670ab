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
import { ClusterHandle, CliIo, KWOK_CONTAINER_LOG, main, missingTools, prometheusOperatorCrds, startDevCluster } from '../../src/cli';
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
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
    const deleteAfter = state === TenantState.OFFBOARDED ? '2027-03-31' : undefined;
    const outdir = path.join(work, name);
    const app = new SaaSApp({ outdir });
    const offering = new SaaSOffering(app, 'shop', shop);
    offering.addTenant('acme', { plan: plans.acme, parameters: { replicaCount: 1, ingress: { host: 'acme.shop.example.com' } } });
    const initech = offering.addTenant('initech', { plan: plans.initech, state, deleteAfter, parameters: { replicaCount: 1, ingress: { host: 'initech.shop.example.com' } } });
    new ConsumerAccess(app, 'initech-users', { tenant: initech });
    new ProviderAccess(app, 'provider', { offering });
    app.synth();
    return outdir;
  };
  const apply = async (outdir: string) => {
    for (const tenant of fs.readdirSync(path.join(outdir, 'shop'))) await kubectl('apply', '-f', path.join(outdir, 'shop', tenant, '00-namespace.yaml'));
    return cluster.kubectl(['apply', '-R', '-f', outdir]);
  };
  const claim = (ns: string, name: string) => json('-n', ns, 'get', 'pvc', name);
  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 120; i += 1) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
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

    test('suspended: no pod runs, the consumer has no rights, the claim stays bound; resumed: Available again on the same claim', async () => {
      await applyPruning(synth('initech-active', { acme: 'large', initech: 'small' }));
      await kubectl('-n', 'shop-initech', 'rollout', 'status', 'deployment/initech-web', '--timeout=120s');
      await kubectl('-n', 'shop-initech', 'rollout', 'status', 'statefulset/initech-db', '--timeout=120s');
      expect(await canList()).toBe('yes');
      const claimBefore = await claim('shop-initech', 'data-initech-db-0');

      const suspended = synth('initech-suspended', { acme: 'large', initech: 'small' }, TenantState.SUSPENDED);
      // the provider (a Pulumi fleet with its identity, a GitOps tool running as it) may suspend a tenant
      const namespaceFile = path.join(suspended, 'shop', 'initech', '00-namespace.yaml');
      const asProvider = await cluster.kubectl(['apply', '--dry-run=server', '-f', namespaceFile, '--as', 'system:serviceaccount:shop-system:provider']);
      expect([asProvider.code, asProvider.stderr]).toEqual([0, '']);
      for (const [label, refusal] of [
        ['saasplane.io/state=bogus', 'may only label a namespace saasplane.io/state=suspended or offboarded'],
        ['example.com/team=a', 'may change no namespace label but saasplane.io/plan and saasplane.io/state'],
      ]) {
        const relabel = await cluster.kubectl(['label', '--overwrite', '--dry-run=server', 'namespace', 'shop-initech', label, '--as', 'system:serviceaccount:shop-system:provider']);
        expect([relabel.code, relabel.stderr]).toEqual([1, expect.stringContaining(refusal)]);
      }
      // and offboard one: its namespace carries the retention annotations (dry run: the tenant stays)
      const offboarded = synth('initech-offboarded', { acme: 'large', initech: 'small' }, TenantState.OFFBOARDED);
      const offboardAsProvider = await cluster.kubectl(['apply', '--dry-run=server', '-f', path.join(offboarded, 'shop', 'initech', '00-namespace.yaml'),
        '--as', 'system:serviceaccount:shop-system:provider']);
      expect([offboardAsProvider.code, offboardAsProvider.stderr]).toEqual([0, '']);
      await applyPruning(suspended);
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

  describe('saasplane status', () => {
    const status = async (...args: string[]) => {
      let [stdout, stderr] = ['', ''];
      const code = await main(['status', '--offering', 'shop', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
      return { code, stdout, stderr };
    };

    test('healthy tenants; then a Deployment scaled past its quota is degraded, with the quota refusal the API server gave', async () => {
      const healthy = await status('--kubeconfig', cluster.kubeconfig, '-o', 'json');
      const tenants = JSON.parse(healthy.stdout);
      expect(tenants.map((t: any) => [t.tenant, t.plan, t.state, t.status, t.problems])).toEqual([
        ['acme', 'large', 'active', 'healthy', []], ['initech', 'small', 'active', 'healthy', []],
      ]);
      expect([healthy.code, healthy.stderr]).toEqual([0, '']);
      expect(tenants[1]).toMatchObject({
        namespace: 'shop-initech',
        chart: expect.stringMatching(/^shop-\d/),
        workloads: [{ kind: 'Deployment', name: 'initech-web', ready: 1, desired: 1 }, { kind: 'StatefulSet', name: 'initech-db', ready: 1, desired: 1 }],
        quota: expect.arrayContaining([{ resource: 'pods', used: '2', hard: '10' }]),
        lastChange: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });

      await kubectl('-n', 'shop-initech', 'scale', 'deployment/initech-web', '--replicas=12');
      let degraded = await status('--kubeconfig', cluster.kubeconfig, '--tenant', 'initech');
      await waitFor('a quota refusal in the status', async () => {
        degraded = await status('--kubeconfig', cluster.kubeconfig, '--tenant', 'initech');
        return degraded.stdout.includes('exceeded quota');
      });
      expect(degraded.code).toBe(1);
      const [header, row, ...problems] = degraded.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^TENANT +PLAN +STATE +CHART +STATUS +READY +QUOTA \(used\/hard\) +LAST CHANGE$/);
      expect(row).toMatch(/^initech +small +active +shop-\S+ +DEGRADED +\d+\/13 +pods \d+\/10, cpu \S+\/1, memory \S+\/2Gi, storage 2Gi\/5Gi +\d{4}-/);
      expect(problems).toEqual(expect.arrayContaining([
        expect.stringMatching(/^ {2}! Deployment initech-web: \d+\/12 ready$/),
        expect.stringMatching(/^ {2}! ReplicaSet initech-web-\w+: FailedCreate: .*exceeded quota: tenant-quota/),
      ]));
      // recovered: the refusal events are still there (for an hour), the status is healthy again
      await kubectl('-n', 'shop-initech', 'scale', 'deployment/initech-web', '--replicas=1');
      await kubectl('-n', 'shop-initech', 'rollout', 'status', 'deployment/initech-web', '--timeout=60s');
      const recovered = await status('--kubeconfig', cluster.kubeconfig, '--tenant', 'initech', '-o', 'json');
      expect([recovered.code, JSON.parse(recovered.stdout)[0].problems]).toEqual([0, []]);
    }, 120_000);

    test('a tenant\'s own users see their tenant and no other; a missing tenant and a missing listing right are clear errors', async () => {
      const kubeconfig = path.join(work, 'initech-users.kubeconfig');
      const issued = await main(['kubeconfig', '--offering', 'shop', '--tenant', 'initech', '--kubeconfig', cluster.kubeconfig, '--out', kubeconfig],
        { stdout: () => undefined, stderr: () => undefined, env: {} });
      expect(issued).toBe(0);
      const own = await status('--kubeconfig', kubeconfig, '--tenant', 'initech', '-o', 'json');
      expect([own.code, own.stderr]).toEqual([0, '']);
      expect(JSON.parse(own.stdout)[0]).toMatchObject({ tenant: 'initech', plan: 'small', status: 'healthy', workloads: [{ ready: 1 }, { ready: 1 }] });
      const other = await status('--kubeconfig', kubeconfig, '--tenant', 'acme');
      expect([other.code, other.stdout]).toEqual([2, '']);
      expect(other.stderr).toMatch(/^saasplane status: no access to tenant "acme" of offering "shop": these credentials may not read its resource quotas in shop-acme \(.*forbidden.*\); use the provider's kubeconfig/);
      const listing = await status('--kubeconfig', kubeconfig);
      expect([listing.code, listing.stderr]).toEqual([2, expect.stringContaining('these credentials may not list namespaces, which finding every tenant of offering "shop" on the cluster needs: name the tenants with --tenant T')]);
      const absent = await status('--kubeconfig', cluster.kubeconfig, '--tenant', 'globex');
      expect([absent.code, absent.stderr]).toEqual([2, expect.stringContaining('tenant "globex" of offering "shop" does not exist on this cluster (no namespace shop-globex')]);
      // with the GitOps output's tenants, one the cluster lacks is a finding
      const outdir = path.join(work, 'with-globex');
      const app = new SaaSApp({ outdir });
      const offering = new SaaSOffering(app, 'shop', shop);
      for (const tenant of ['acme', 'globex']) offering.addTenant(tenant, { plan: 'small', parameters: { ingress: { host: `${tenant}.shop.example.com` } } });
      app.synth();
      // as the provider, who may not list namespaces: the tenants come from the output
      const provider = path.join(work, 'provider.kubeconfig');
      expect(await main(['kubeconfig', '--offering', 'shop', '--provider', '--kubeconfig', cluster.kubeconfig, '--out', provider],
        { stdout: () => undefined, stderr: () => undefined, env: {} })).toBe(0);
      expect((await status('--kubeconfig', provider)).stderr).toContain('these credentials may not list namespaces');
      const fromOutput = await status('--kubeconfig', provider, '--outdir', outdir, '-o', 'json');
      expect([fromOutput.code, fromOutput.stderr]).toEqual([1, '']);
      expect(JSON.parse(fromOutput.stdout).map((t: any) => [t.tenant, t.status, t.problems])).toEqual([
        ['acme', 'healthy', []], ['globex', 'missing', ['not readable with these credentials in shop-globex: not applied yet, or not theirs: apply the output']],
      ]);
      const asAdmin = await status('--kubeconfig', cluster.kubeconfig, '--outdir', outdir, '-o', 'json');
      expect(JSON.parse(asAdmin.stdout)[1].problems).toEqual(['not on the cluster (no namespace shop-globex): apply the output']);
    }, 120_000);
  });

  describe('saasplane resources, url and logs', () => {
    const cli = async (...args: string[]) => {
      let [stdout, stderr] = ['', ''];
      const code = await main([...args, '--offering', 'shop'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
      return { code, stdout, stderr };
    };
    let users: string;
    beforeAll(async () => {
      users = path.join(work, 'initech-users-ops.kubeconfig');
      expect(await main(['kubeconfig', '--offering', 'shop', '--tenant', 'initech', '--kubeconfig', cluster.kubeconfig, '--out', users],
        { stdout: () => undefined, stderr: () => undefined, env: {} })).toBe(0);
    });

    test('resources: every object of the instance, who made it, metadata only, and the kinds these credentials may not list', async () => {
      const { code, stdout } = await cli('resources', '--tenant', 'initech', '--kubeconfig', users, '-o', 'json');
      expect(code).toBe(0);
      const listed = JSON.parse(stdout);
      const by = Object.fromEntries(listed.objects.map((o: any) => [`${o.kind}/${o.name}`, o.by]));
      expect(by).toMatchObject({
        'Deployment/initech-web': 'saasplane',
        'ResourceQuota/tenant-quota': 'saasplane',
        'PersistentVolumeClaim/data-initech-db-0': 'saasplane',
        'Pod/initech-db-0': 'StatefulSet initech-db',
      });
      expect(Object.values(by).every((v) => /^(saasplane|cluster|[A-Za-z]+ [a-z0-9.-]+)$/.test(String(v)))).toBe(true);
      expect(Object.entries(by).filter(([k]) => k.startsWith('ReplicaSet/')).map(([, v]) => v)).toContain('Deployment initech-web');
      expect(listed.objects.every((o: any) => Object.keys(o).every((k) => ['apiVersion', 'kind', 'name', 'created', 'by'].includes(k)))).toBe(true);
      expect(listed.unreadable).toContain('secrets');
      const table = await cli('resources', '--tenant', 'initech', '--kubeconfig', users);
      expect(table.stdout).toMatch(/^KIND +NAME +CREATED +BY\n/);
      expect(table.stdout).toMatch(/\nnot readable with these credentials: .*secrets/);
    }, 60_000);

    test('url: the Ingress hosts; logs: each container through the API server and kwok\'s kubelet endpoint (verified TLS); clear errors', async () => {
      expect(await cli('url', '--tenant', 'initech', '--kubeconfig', users)).toEqual({ code: 0, stdout: 'http://initech.shop.example.com/\n', stderr: '' });
      const logs = await cli('logs', '--tenant', 'initech', '--kubeconfig', users, '--container', 'nginx', '--tail', '5');
      expect([logs.code, logs.stderr]).toEqual([0, '']);
      expect(logs.stdout).toMatch(new RegExp(`^\\[initech-web-[a-z0-9]+-[a-z0-9]+/nginx\\] ${KWOK_CONTAINER_LOG}\n$`));
      const all = await cli('logs', '--tenant', 'initech', '--kubeconfig', users);
      expect(all.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\[[^/]+\/([^\]]+)\].*/, '$1')).sort()).toEqual(['metrics', 'nginx', 'postgres']);
      const noPod = await cli('logs', '--tenant', 'initech', '--kubeconfig', users, '--pod', 'acme-web-0');
      expect([noPod.code, noPod.stderr]).toEqual([2, expect.stringMatching(/pod "acme-web-0" is not a pod of tenant "initech": choose one of initech-/)]);
      const noContainer = await cli('logs', '--tenant', 'initech', '--kubeconfig', users, '--container', 'redis');
      expect([noContainer.code, noContainer.stderr]).toEqual([2, expect.stringContaining('no pod of tenant "initech" has a container "redis"')]);
      const other = await cli('logs', '--tenant', 'acme', '--kubeconfig', users);
      expect([other.code, other.stderr]).toEqual([2, expect.stringContaining('no access to tenant "acme" of offering "shop"')]);
      expect((await cli('url', '--tenant', 'globex', '--kubeconfig', cluster.kubeconfig)).stderr).toContain('tenant "globex" of offering "shop" does not exist on this cluster');
    }, 60_000);
  });
});
