// saasplane's invariants on whole outputs: the example's objects break none; each crafted breach
// is found, named and located; the streaming checker refuses a workload at the object that breaks
// the rule, as the Pulumi transform does.
import * as YAML from 'yaml';
import { exampleApp } from '../../examples/cdk8s/app';
import { checkInvariants, InvariantChecker, InvariantRule, KubeObject } from '../../src/core';
import { readTree, tempDir } from '../constructs/fixtures';

function exampleObjects(): KubeObject[] {
  const outdir = tempDir();
  exampleApp(outdir).synth();
  return [...readTree(outdir).values()].flatMap((text) => YAML.parseAllDocuments(text).map((d) => d.toJSON() as KubeObject));
}

const objects = exampleObjects();
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value));
const find = (list: KubeObject[], kind: string, name: string, namespace?: string) =>
  list.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace))!;

test('the example output breaks no invariant', () => {
  expect(objects.length).toBeGreaterThan(60);
  expect(checkInvariants(objects)).toEqual([]);
});

test('a namespace without the offering label is named', () => {
  const stray: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } };
  const [v] = checkInvariants([...objects, stray]);
  expect(v).toMatchObject({ rule: InvariantRule.NAMESPACE_LABELS, object: stray, location: 'metadata.labels' });
  expect(v.message).toBe('Namespace "scratch" has no saasplane.io/offering label: the offering\'s admission guard and the provider\'s access do not cover it');
});

test('a tenant namespace without its default-deny policy is named, with the workloads that would run there', () => {
  const without = copy(objects).filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny' && o.metadata.namespace === 'shop-acme'));
  const found = checkInvariants(without);
  expect(found.map((v) => [v.rule, v.object.kind, v.object.metadata.name])).toEqual([
    [InvariantRule.DEFAULT_DENY, 'Deployment', 'acme-web'],
    [InvariantRule.DEFAULT_DENY, 'StatefulSet', 'acme-db'],
    [InvariantRule.DEFAULT_DENY, 'Namespace', 'shop-acme'],
  ]);
  expect(found[2].message).toBe('tenant namespace "shop-acme" (tenant "acme") without a default-deny NetworkPolicy before it: its pods would accept and send any traffic');
});

test('a weakened default-deny (one ingress rule) does not count as one', () => {
  const weakened = copy(objects);
  (find(weakened, 'NetworkPolicy', 'default-deny', 'shop-globex').spec as any).ingress = [{}];
  expect(checkInvariants(weakened).map((v) => v.object.metadata.namespace ?? v.object.metadata.name)).toEqual(['shop-globex', 'shop-globex', 'shop-globex']);
});

test('wildcards in roles and cluster-admin bindings are named with their field', () => {
  const role: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'ops', namespace: 'shop-acme' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: ['*'], resources: ['deployments/*'], verbs: ['*'] }],
  } as KubeObject;
  const binding: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'root' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [],
  } as KubeObject;
  expect(checkInvariants([...objects, role, binding]).map((v) => `${v.rule} ${v.location}: ${v.message}`)).toEqual([
    'saasplane-rbac-wildcard rules[1].verbs: Role "shop-acme/ops" rule 1 grants verbs "*": it covers whatever the API server adds later',
    'saasplane-rbac-wildcard rules[1].resources: Role "shop-acme/ops" rule 1 grants resources "*": it covers whatever the API server adds later',
    'saasplane-rbac-wildcard rules[1].apiGroups: Role "shop-acme/ops" rule 1 grants apiGroups "*": it covers whatever the API server adds later',
    'saasplane-rbac-wildcard roleRef: ClusterRoleBinding "root" binds cluster-admin, which grants every verb on every resource',
  ]);
});

test('plan fit is judged per namespace on the whole, with the plan named, as the core judges a plan', () => {
  const grown = copy(objects);
  (find(grown, 'Deployment', 'acme-web').spec as any).replicas = 9;
  const found = checkInvariants(grown);
  expect(found.map((v) => [v.rule, v.object.kind, v.object.metadata.namespace, v.location])).toEqual([
    [InvariantRule.PLAN_FIT, 'ResourceQuota', 'shop-acme', 'spec.hard'],
    [InvariantRule.PLAN_FIT, 'ResourceQuota', 'shop-acme', 'spec.hard'],
    [InvariantRule.PLAN_FIT, 'ResourceQuota', 'shop-acme', 'spec.hard'],
    [InvariantRule.PLAN_FIT, 'ResourceQuota', 'shop-acme', 'spec.hard'],
  ]);
  expect(found[0].message).toBe('plan "small" cannot hold the chart: limits.cpu 4100m needed (Deployment "acme-web": 12 pods incl. 3 surge for rolling updates × 300m, '
    + 'StatefulSet "acme-db": 1 pod × 500m) but the quota allows 2; raise the plan\'s quota or lower the chart\'s replicas or limits in the plan\'s values');
  expect(found.map((v) => v.message.split(' ')[6])).toEqual(['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods']);
});

test('the streaming checker refuses the workload that overflows the quota, and the one before any default-deny', () => {
  const checker = new InvariantChecker();
  const acme = copy(objects).filter((o) => o.metadata.namespace === 'shop-acme' || o.metadata.name === 'shop-acme');
  const namespace = acme.find((o) => o.kind === 'Namespace')!;
  const ordered = [namespace, ...acme.filter((o) => o !== namespace && o.kind !== 'NetworkPolicy'), ...acme.filter((o) => o.kind === 'NetworkPolicy')];
  (find(ordered, 'Deployment', 'acme-web').spec as any).replicas = 9;
  const refused = ordered.map((o) => [o.kind, checker.add(o).map((v) => (v.rule === InvariantRule.PLAN_FIT ? v.message.split(' ')[6] : v.rule))] as const)
    .filter(([, found]) => found.length > 0);
  expect(refused).toEqual([
    ['Deployment', [InvariantRule.DEFAULT_DENY, 'limits.cpu', 'limits.ephemeral-storage', 'pods']],
    // the database's limits push limits.memory over: reported with the object that did it, and only that key
    ['StatefulSet', [InvariantRule.DEFAULT_DENY, 'limits.memory']],
  ]);
});

test('quota keys cpu and memory count as their requests', () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'saasplane.io/offering': 'o' } } };
  const quota: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'x' }, spec: { hard: { cpu: '1' } } };
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'x' },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '2' } } }] },
  };
  expect(checkInvariants([ns, quota, pod]).map((v) => v.message)).toEqual([
    'the ResourceQuota "x/q" cannot hold the chart: requests.cpu 2 needed (Pod "p": 1 pod × 2) but the quota allows 1; raise the plan\'s quota or lower the chart\'s replicas or requests in the plan\'s values',
  ]);
});

test('a second quota, a count/ alias and a "*/scale" resource are each checked', () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'saasplane.io/offering': 'o' } } };
  const quotas: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'a', namespace: 'x' }, spec: { hard: { 'requests.cpu': '10' } } },
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'b', namespace: 'x' }, spec: { hard: { 'count/services': '1' } } },
  ];
  const service = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'x' } });
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'x' }, rules: [{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['get'] }] } as KubeObject;
  expect(checkInvariants([ns, ...quotas, service('s1'), service('s2'), role]).map((v) => `${v.rule} ${v.object.metadata.name}`)).toEqual([
    'saasplane-rbac-wildcard r',
    'saasplane-plan-fit b',
  ]);
});
