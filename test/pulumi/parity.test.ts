// One core, two front-ends: for the same input, the cdk8s constructs and the Pulumi components
// produce the same non-chart objects, and the Pulumi chart transform adapts the chart's objects
// exactly as the cdk8s TenantInstance does.
// eslint-disable-next-line import/order
import * as YAML from 'yaml';
import { recorded, registrations, reset, settle, transforms } from './harness';
import { shop } from '../../examples/offering';
import * as cdk8s from '../../src/constructs';
import { HelmRenderer, KubeObject, loadChart, resolveTenant } from '../../src/core';
import * as saasPulumi from '../../src/pulumi';
import { tempDir } from '../constructs/fixtures';

const TENANT = { plan: 'large', parameters: { replicaCount: 2, theme: 'dark', ingress: { host: 'acme.shop.example.com' } } };

function key(o: KubeObject): string {
  return `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
}

function byKey(objects: KubeObject[]): Map<string, unknown> {
  return new Map(objects.map((o) => [key(o), JSON.parse(JSON.stringify(o))]));
}

/** cdk8s output, split into chart objects (30-app.yaml) and the rest. */
function cdk8sObjects(): { chart: KubeObject[]; other: KubeObject[] } {
  const app = new cdk8s.SaaSApp({ outdir: tempDir() });
  const offering = new cdk8s.SaaSOffering(app, 'shop', shop);
  const acme = offering.addTenant('acme', TENANT);
  new cdk8s.ProviderAccess(app, 'provider', { offering });
  new cdk8s.ConsumerAccess(app, 'acme-users', { tenant: acme });
  const chart: KubeObject[] = [];
  const other: KubeObject[] = [];
  for (const [file, content] of app.synthFiles()) {
    const objects = YAML.parseAllDocuments(content).map((d) => d.toJS() as KubeObject);
    (file.endsWith('30-app.yaml') ? chart : other).push(...objects);
  }
  return { chart, other };
}

async function pulumiObjects(): Promise<KubeObject[]> {
  const offering = new saasPulumi.SaaSOffering('shop', shop, recorded);
  // rendered locally, as by default: the ingress controller and scrape policies follow the chart's routes
  const acme = offering.addTenant('acme', TENANT);
  new saasPulumi.ProviderAccess('provider', { offering }, recorded);
  new saasPulumi.ConsumerAccess('acme-users', { tenant: acme });
  await settle();
  return registrations
    .filter((r) => r.custom && r.type.startsWith('kubernetes:') && !r.type.startsWith('kubernetes:helm.sh/'))
    .map((r) => r.inputs as KubeObject);
}

beforeEach(reset);

test('Namespace, ResourceQuota, LimitRange, NetworkPolicies, RBAC, admission and monitoring objects are identical', async () => {
  const fromCdk8s = byKey(cdk8sObjects().other);
  const fromPulumi = byKey(await pulumiObjects());
  expect([...fromPulumi.keys()].sort()).toEqual([...fromCdk8s.keys()].sort());
  const kinds = new Set([...fromCdk8s.keys()].map((k) => k.split(' ')[1]));
  expect([...kinds].sort()).toEqual([
    'ClusterRole', 'ClusterRoleBinding', 'LimitRange', 'Namespace', 'NetworkPolicy', 'PrometheusRule', 'ResourceQuota', 'Role',
    'RoleBinding', 'ServiceAccount', 'ServiceMonitor', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  ]);
  for (const [k, object] of fromCdk8s) {
    expect([k, fromPulumi.get(k)]).toEqual([k, object]);
  }
});

test('the chart transform adapts every object of the real helm rendering as the cdk8s front-end does', async () => {
  const { chart: fromCdk8s } = cdk8sObjects();
  const offering = new saasPulumi.SaaSOffering('shop', shop, recorded);
  offering.addTenant('acme', { ...TENANT, renderer: false });
  await settle();
  expect(transforms).toHaveLength(1);
  const tenant = resolveTenant({ ...shop }, { name: 'acme', ...TENANT }, { existingTenants: [] });
  const rendered = new HelmRenderer().render({
    chart: loadChart(shop.chart), releaseName: 'acme', namespace: 'shop-acme', values: tenant.values, kubeVersion: '1.34.0',
  });
  const adapted: KubeObject[] = [];
  for (const { object } of rendered) {
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['core', object.apiVersion];
    const result = await transforms[0]({ custom: true, type: `kubernetes:${group}/${version}:${object.kind}`, name: `acme:chart:${object.metadata.name}`, props: object, opts: {} });
    adapted.push(result!.props as KubeObject);
  }
  expect(adapted.length).toBeGreaterThan(5);
  expect(byKey(adapted)).toEqual(byKey(fromCdk8s));
  // the plan's node placement reached the pod templates
  const web = adapted.find((o) => o.kind === 'Deployment') as any;
  expect(web.spec.template.spec.nodeSelector).toEqual({ 'node.kubernetes.io/pool': 'large' });
  expect(web.spec.template.metadata.labels['saasplane.io/tenant']).toBe('acme');
});

test('the chart transform leaves components and non-Kubernetes resources alone', async () => {
  new saasPulumi.TenantInstance('acme', { offering: shop, plan: 'small', renderer: false }, recorded);
  await settle();
  const props = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } };
  expect(await transforms[0]({ custom: false, type: 'kubernetes:helm.sh/v4:Chart', name: 'c', props, opts: {} })).toBeUndefined();
  expect(await transforms[0]({ custom: true, type: 'random:index:RandomPassword', name: 'p', props: { length: 12 }, opts: {} })).toBeUndefined();
});

test('the chart transform fails on a cluster-scoped object, naming kind and name', async () => {
  new saasPulumi.TenantInstance('acme', { offering: shop, plan: 'small', renderer: false }, recorded);
  await settle();
  const props = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'shop-admin' } };
  expect(() => transforms[0]({ custom: true, type: 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole', name: 'r', props, opts: {} }))
    .toThrow(/cluster-scoped ClusterRole "shop-admin"/);
});
