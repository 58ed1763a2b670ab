// One core, two front-ends: for the same input, the cdk8s constructs write and the Pulumi
// components register exactly the same objects, the tenant's chart objects included, with and
// without the provider's customizations (per-tenant provider values and quota, extra labels and
// annotations, an object transform).
// eslint-disable-next-line import/order
import * as YAML from 'yaml';
import { recorded, registrations, reset, settle } from './harness';
import { shop } from '../../examples/offering';
import * as cdk8s from '../../src/constructs';
import { KubeObject, ObjectTransform, TenantOptions } from '../../src/core';
import * as saasPulumi from '../../src/pulumi';
import { tempDir } from '../constructs/fixtures';

const TENANT = { plan: 'large', parameters: { replicaCount: 2, theme: 'dark', ingress: { host: 'acme.shop.example.com' } } };

/** Every customization a provider has, applied to one offering and tenant. */
const CUSTOM = {
  offering: { labels: { 'example.com/cost-center': 'shop' }, annotations: { 'example.com/owner': 'team-shop' } },
  tenant: {
    ...TENANT,
    providerValues: { database: { existingSecret: 'acme-db-credentials' } },
    quota: { cpu: '6', pods: 30 },
    labels: { 'example.com/customer': 'acme' },
    annotations: { 'example.com/contract': 'C-42' },
  } as TenantOptions,
  transform: ((object) => {
    if (object.kind === 'Deployment') (object.spec as any).revisionHistoryLimit = 3;
    // namespaces keep saasplane's metadata only (the namespace guard admits nothing else)
    if (object.kind !== 'Namespace') object.metadata.annotations = { ...object.metadata.annotations, 'example.com/transformed': 'yes' };
  }) as ObjectTransform,
};

type Options = { offering?: object; tenant?: TenantOptions; transform?: ObjectTransform };

function key(o: KubeObject): string {
  return `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
}

function byKey(objects: KubeObject[]): Map<string, unknown> {
  return new Map(objects.map((o) => [key(o), JSON.parse(JSON.stringify(o))]));
}

function cdk8sObjects(options: Options = {}): KubeObject[] {
  const app = new cdk8s.SaaSApp({ outdir: tempDir() });
  const offering = new cdk8s.SaaSOffering(app, 'shop', { ...shop, ...options.offering, transform: options.transform });
  const acme = offering.addTenant('acme', options.tenant ?? TENANT);
  new cdk8s.ProviderAccess(app, 'provider', { offering });
  new cdk8s.ConsumerAccess(app, 'acme-users', { tenant: acme });
  return [...app.synthFiles().values()].flatMap((content) => YAML.parseAllDocuments(content).map((d) => d.toJS() as KubeObject));
}

async function pulumiObjects(options: Options = {}): Promise<KubeObject[]> {
  const offering = new saasPulumi.SaaSOffering('shop', { ...shop, ...options.offering, transform: options.transform }, recorded);
  const acme = offering.addTenant('acme', options.tenant ?? TENANT);
  new saasPulumi.ProviderAccess('provider', { offering }, recorded);
  new saasPulumi.ConsumerAccess('acme-users', { tenant: acme });
  await settle();
  return registrations.filter((r) => r.custom && r.type.startsWith('kubernetes:')).map((r) => r.inputs as KubeObject);
}

async function expectParity(options: Options = {}): Promise<Map<string, any>> {
  const fromCdk8s = byKey(cdk8sObjects(options));
  const fromPulumi = byKey(await pulumiObjects(options));
  expect([...fromPulumi.keys()].sort()).toEqual([...fromCdk8s.keys()].sort());
  for (const [k, object] of fromCdk8s) {
    expect([k, fromPulumi.get(k)]).toEqual([k, object]);
  }
  return fromCdk8s as Map<string, any>;
}

beforeEach(reset);

test('every object is identical, the chart objects of the real helm rendering included', async () => {
  const objects = await expectParity();
  const kinds = new Set([...objects.keys()].map((k) => k.split(' ')[1]));
  expect([...kinds].sort()).toEqual([
    'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Ingress', 'LimitRange', 'Namespace', 'NetworkPolicy', 'PersistentVolumeClaim', 'PrometheusRule',
    'ResourceQuota', 'Role', 'RoleBinding', 'Service', 'ServiceAccount', 'ServiceMonitor', 'StatefulSet', 'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ]);
  // adapted to the tenant: the plan's node placement reached the pod templates
  const web = objects.get('apps/v1 Deployment shop-acme/acme-web');
  expect(web.spec.template.spec.nodeSelector).toEqual({ 'node.kubernetes.io/pool': 'large' });
  expect(web.spec.template.metadata.labels['saasplane.io/tenant']).toBe('acme');
});

test('the customizations are applied identically by both front-ends', async () => {
  const objects = await expectParity(CUSTOM);
  const quota = objects.get('v1 ResourceQuota shop-acme/tenant-quota');
  expect(quota.spec.hard).toMatchObject({ 'requests.cpu': '6', 'pods': '30', 'requests.memory': shop.plans.large.quota.memory });
  for (const [k, object] of objects) {
    if (object.kind === 'Namespace') {
      expect([k, object.metadata.annotations]).toEqual([k, undefined]);
      continue;
    }
    const tenantOwned = k.includes(' shop-acme/');
    expect([k, object.metadata.labels]).toEqual([k, expect.objectContaining({
      'example.com/cost-center': 'shop', ...(tenantOwned ? { 'example.com/customer': 'acme' } : {}),
    })]);
    expect([k, object.metadata.annotations]).toEqual([k, expect.objectContaining({ 'example.com/owner': 'team-shop', 'example.com/transformed': 'yes' })]);
  }
  expect(objects.get('apps/v1 Deployment shop-acme/acme-web').spec.revisionHistoryLimit).toBe(3);
  // the provider's values reached the chart, over the tenant's parameters
  const db = objects.get('apps/v1 StatefulSet shop-acme/acme-db');
  expect(JSON.stringify(db.spec.template.spec)).toContain('acme-db-credentials');
});
