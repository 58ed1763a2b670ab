// The Pulumi components under mocks: types, names, inputs, parents, providers and secrecy.
// The harness installs the mocks: it comes first.
// eslint-disable-next-line import/order
import { dependenciesOf, ofType, recorded, registrations, reset, settle, valueOf } from './harness';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { shop } from '../../examples/offering';
import { notes } from '../../examples/rollout/app';
import { ChartSource, ChartSourceKind, mergeValues, ObjectGroup, resolveTenant, TenantState } from '../../src/core';
import { ChartDeployment, ConsumerAccess, ProviderAccess, SaaSOffering, TenantInstance } from '../../src/pulumi';
import { registerRelease } from '../../src/pulumi/chart';

beforeEach(reset);

describe('a tenant stack (TenantInstance given the offering spec)', () => {
  async function tenantStack() {
    const tenant = new TenantInstance('acme', {
      offering: shop, plan: 'large', parameters: { replicaCount: 2, theme: 'dark' },
    }, recorded);
    const users = new ConsumerAccess('acme-users', { tenant });
    const urns = await settle();
    return { tenant, users, urns };
  }

  test('registers the tenant objects with saasplane type tokens and names derived from the resource name', async () => {
    await tenantStack();
    const names = registrations.map((r) => `${r.type} ${r.name}`);
    expect(names).toEqual(expect.arrayContaining([
      'saasplane:index:TenantInstance acme',
      'kubernetes:core/v1:Namespace acme:shop-acme',
      'kubernetes:core/v1:ResourceQuota acme:tenant-quota',
      'kubernetes:core/v1:LimitRange acme:tenant-defaults',
      'kubernetes:networking.k8s.io/v1:NetworkPolicy acme:default-deny',
      'kubernetes:apps/v1:Deployment acme:acme-web',
      'kubernetes:apps/v1:StatefulSet acme:acme-db',
      'kubernetes:core/v1:Service acme:acme-web',
      'kubernetes:networking.k8s.io/v1:Ingress acme:acme',
      'kubernetes:networking.k8s.io/v1:NetworkPolicy acme:allow-dns',
      'kubernetes:monitoring.coreos.com/v1:ServiceMonitor acme:app',
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding acme:saasplane-provider',
      'saasplane:index:ConsumerAccess acme-users',
      'kubernetes:core/v1:ServiceAccount acme-users:acme-users',
      'kubernetes:rbac.authorization.k8s.io/v1:Role acme-users:acme-users',
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding acme-users:acme-users',
    ]));
  });

  test('neither needs nor creates offering-level resources', async () => {
    await tenantStack();
    const types = new Set(registrations.map((r) => r.type));
    for (const type of [
      'saasplane:index:SaaSOffering', 'saasplane:index:ProviderAccess', 'kubernetes:monitoring.coreos.com/v1:PrometheusRule',
      'kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy', 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole',
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding',
    ]) {
      expect(types).not.toContain(type);
    }
  });

  test('registers exactly the planned chart objects, rendered once with the merged values; no Helm resource, no transform', async () => {
    const { tenant } = await tenantStack();
    expect(registrations.filter((r) => r.type.startsWith('kubernetes:helm.sh/'))).toEqual([]);
    const app = tenant.planned.filter((p) => p.group === ObjectGroup.APP);
    expect(app.map((p) => p.object.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Ingress', 'Service', 'Service', 'StatefulSet']);
    for (const { object } of app) {
      const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['core', object.apiVersion];
      const [registered] = registrations.filter((r) => r.type === `kubernetes:${group}/${version}:${object.kind}` && r.name === `acme:${object.metadata.name}`);
      expect(registered.inputs).toEqual(JSON.parse(JSON.stringify(object)));
    }
    const [deployment] = ofType('kubernetes:apps/v1:Deployment');
    expect(deployment.inputs.metadata.labels).toMatchObject({ 'saasplane.io/tenant': 'acme', 'saasplane.io/plan': 'large' });
    expect(tenant.resolved.values).toEqual(mergeValues(shop.values!, shop.plans.large.values!, { replicaCount: 2, theme: 'dark' }));
  });

  test('applies the plan in waves: namespace, guardrails, access, chart objects, monitor', async () => {
    await tenantStack();
    expect(dependenciesOf('acme:shop-acme')).toEqual([]);
    expect(dependenciesOf('acme:tenant-quota')).toEqual(['acme:shop-acme']);
    // the database's claim comes after the guardrails, and the chart's objects after the claim (the StatefulSet adopts it)
    expect(dependenciesOf('acme:data-acme-db-0')).toEqual(expect.arrayContaining(['acme:allow-dns', 'acme:default-deny', 'acme:tenant-defaults', 'acme:tenant-quota']));
    expect(dependenciesOf('acme:acme-web')).toEqual(['acme:data-acme-db-0']);
    expect(dependenciesOf('acme:acme-db')).toEqual(['acme:data-acme-db-0']);
    expect(dependenciesOf('acme:app')).toEqual(expect.arrayContaining(['acme:acme-web', 'acme:acme-db', 'acme:acme-config']));
    expect(dependenciesOf('acme:saasplane-provider')).toContain('acme:tenant-quota');
    expect(dependenciesOf('acme-users:acme-users')).toContain('acme:tenant-quota');
  });

  test('parents every child to its component', async () => {
    const { urns } = await tenantStack();
    // a mock URN carries the parent's type: <parent type>$<type>::<name>
    const tenantChildren = urns.filter((u) => /::acme:/.test(u));
    expect(tenantChildren.length).toBeGreaterThan(8);
    for (const urn of tenantChildren) {
      expect(urn).toMatch(/::saasplane:index:TenantInstance\$kubernetes:[^:]+:[^:]+::acme:/);
    }
    expect(urns).toContain('urn:pulumi:acme::saasplane::saasplane:index:TenantInstance$saasplane:index:ConsumerAccess::acme-users');
    const consumerChildren = urns.filter((u) => /::acme-users:/.test(u));
    expect(consumerChildren).toHaveLength(3);
    for (const urn of consumerChildren) {
      expect(urn).toMatch(/::saasplane:index:ConsumerAccess\$kubernetes:/);
    }
  });

  test('outputs the namespace, release name, plan and consumer ServiceAccount; the values are secret', async () => {
    const { tenant, users } = await tenantStack();
    expect(await valueOf(tenant.namespace)).toBe('shop-acme');
    expect(await valueOf(tenant.releaseName)).toBe('acme');
    expect(await valueOf(tenant.plan)).toBe('large');
    expect(await valueOf(users.serviceAccountName)).toBe('acme-users');
    expect(await pulumi.isSecret(tenant.namespace)).toBe(false);
    expect(await pulumi.isSecret(tenant.values)).toBe(true);
  });

  test('takes the Kubernetes provider from opts, for every child', async () => {
    const cluster = new k8s.Provider('cluster-b', { kubeconfig: 'unused-under-mocks' });
    new TenantInstance('acme', { offering: shop, plan: 'small' }, { ...recorded, providers: [cluster] });
    await settle();
    const clusterUrn = await valueOf(cluster.urn);
    const kubernetesChildren = registrations.filter((r) => r.type.startsWith('kubernetes:') && r.type !== 'pulumi:providers:kubernetes');
    expect(kubernetesChildren.length).toBeGreaterThan(8);
    for (const child of kubernetesChildren) {
      expect(child.provider).toBe(`${clusterUrn}::cluster-b-id`);
    }
  });

  test('deploys a helm.v3.Release instead, when asked: the chart objects are those of the release, in the same wave', async () => {
    const tenant = new TenantInstance('acme', { offering: shop, plan: 'small', chartDeployment: ChartDeployment.RELEASE }, recorded);
    await settle();
    expect(ofType('kubernetes:apps/v1:Deployment')).toEqual([]);
    expect(tenant.planned.filter((p) => p.group === ObjectGroup.APP)).toEqual([]);
    const [release] = ofType('kubernetes:helm.sh/v3:Release');
    expect(release.inputs).toMatchObject({ name: 'acme', namespace: 'shop-acme', createNamespace: false, chart: path.resolve(__dirname, '..', '..', 'examples', 'charts', 'shop') });
    expect(release.inputs.values).toEqual(mergeValues(shop.values!, shop.plans.small.values!));
    expect(dependenciesOf('acme:chart')).toEqual(['acme:data-acme-db-0']);
    expect(dependenciesOf('acme:data-acme-db-0')).toContain('acme:tenant-quota');
    expect(dependenciesOf('acme:app')).toEqual(['acme:chart']);
  });

  test('binds the provider identities it is given instead of the default one', async () => {
    new TenantInstance('acme', {
      offering: shop, plan: 'small', providers: [{ namespace: 'platform', serviceAccountName: 'deployer' }],
    }, recorded);
    await settle();
    const bindings = ofType('kubernetes:rbac.authorization.k8s.io/v1:RoleBinding');
    expect(bindings.map((b) => b.inputs.subjects)).toEqual([[{ kind: 'ServiceAccount', name: 'deployer', namespace: 'platform' }]]);
  });
});

describe('a suspended tenant stack (the same plan as the GitOps output, under the mocks)', () => {
  test('scales its workloads to zero, sets quota pods 0, keeps its claim, and its consumer keeps only the ServiceAccount', async () => {
    const tenant = new TenantInstance('acme', { offering: shop, plan: 'small', state: TenantState.SUSPENDED }, recorded);
    const users = new ConsumerAccess('acme-users', { tenant });
    await settle();
    expect(ofType('kubernetes:apps/v1:Deployment').map((r) => r.inputs.spec.replicas)).toEqual([0]);
    expect(ofType('kubernetes:apps/v1:StatefulSet').map((r) => r.inputs.spec.replicas)).toEqual([0]);
    expect(ofType('kubernetes:core/v1:ResourceQuota').map((r) => r.inputs.spec.hard.pods)).toEqual(['0']);
    expect(ofType('kubernetes:core/v1:PersistentVolumeClaim').map((r) => r.name)).toEqual(['acme:data-acme-db-0']);
    expect(users.planned.map((p) => p.object.kind)).toEqual(['ServiceAccount']);
    expect(await valueOf(users.serviceAccountName)).toBe('acme-users');
  });
});

test('a tenant deployed as a Helm release cannot be suspended: the release would keep running the chart', () => {
  expect(() => new TenantInstance('acme', { offering: shop, plan: 'small', state: TenantState.SUSPENDED, chartDeployment: ChartDeployment.RELEASE }, recorded))
    .toThrow(/tenant "acme" cannot be suspended[\s\S]*deploy the chart as objects \(chartDeployment: ChartDeployment.OBJECTS\) to suspend or offboard the tenant/);
});

describe('tenant stacks of an offering with a rollout (examples/rollout)', () => {
  test('a tenant of a promoted wave runs the canary chart, one of a later wave the stable one; both carry channel, version and wave', async () => {
    new TenantInstance('internal', { offering: notes(), plan: 'small' }, recorded);
    new TenantInstance('initech', { offering: notes(), plan: 'small', parameters: { theme: 'dark' } }, recorded);
    await settle();
    const deployments = ofType('kubernetes:apps/v1:Deployment').map((r) => [
      r.inputs.metadata.name, r.inputs.metadata.labels['saasplane.io/channel'], r.inputs.metadata.labels['saasplane.io/chart-version'],
      r.inputs.metadata.labels['saasplane.io/wave'], r.inputs.spec.template.spec.containers[0].env.find((e: any) => e.name === 'NOTES_VERSION').value,
    ]);
    expect(deployments).toEqual([['internal-notes', 'canary', '2.0.0', '1', '2.0.0'], ['initech-notes', 'stable', '1.0.0', '2', '1.0.0']]);
  });
});

describe('the Helm release chart argument for each chart source', () => {
  const tenant = resolveTenant({ ...shop, name: 'shop' }, { name: 'acme', plan: 'small' }, { existingTenants: [] });

  test.each([
    [ChartSource.fromRepository({ repo: 'https://charts.example.com', chart: 'shop', version: '1.2.3' }),
      { chart: 'shop', version: '1.2.3', repositoryOpts: { repo: 'https://charts.example.com' } }],
    [ChartSource.fromOci('oci://registry.example.com/charts/shop', '1.2.3'), { chart: 'oci://registry.example.com/charts/shop', version: '1.2.3' }],
    [ChartSource.fromArchive('dist/shop-1.2.3.tgz'), { chart: path.resolve('dist/shop-1.2.3.tgz') }],
  ])('%s', async (source, expected) => {
    expect(source.kind).toBeDefined();
    registerRelease('acme:chart', tenant, source, recorded);
    await settle();
    const [chart] = ofType('kubernetes:helm.sh/v3:Release');
    expect(chart.inputs).toMatchObject(expected);
    if (source.kind !== ChartSourceKind.REPOSITORY) expect(chart.inputs.repositoryOpts).toBeUndefined();
  });
});

test('a local chart is passed by its absolute path, whatever the working directory', async () => {
  const tenant = resolveTenant({ ...shop, name: 'shop' }, { name: 'acme', plan: 'small' }, { existingTenants: [] });
  const source = ChartSource.fromDirectory(path.join(__dirname, '..', '..', 'examples', 'charts', 'shop'));
  const cwd = process.cwd();
  try {
    process.chdir(os.tmpdir());
    registerRelease('acme:chart', tenant, source, recorded);
  } finally {
    process.chdir(cwd);
  }
  await settle();
  const [chart] = ofType('kubernetes:helm.sh/v3:Release');
  expect(chart.inputs.chart).toBe(path.resolve(__dirname, '..', '..', 'examples', 'charts', 'shop'));
  expect(fs.existsSync(path.join(chart.inputs.chart, 'Chart.yaml'))).toBe(true);
});

describe('a single-stack program (SaaSOffering with addTenant and ProviderAccess)', () => {
  test('registers the offering-level objects once and binds the provider in every tenant, also ones added later', async () => {
    const offering = new SaaSOffering('shop', shop, recorded);
    offering.addTenant('acme', { plan: 'small' });
    new ProviderAccess('provider', { offering }, recorded);
    offering.addTenant('globex', { plan: 'large', parameters: { ingress: { host: 'globex.shop.example.com' } } });
    const urns = await settle();
    expect(ofType('kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy').map((r) => r.name).sort())
      .toEqual(['provider:saasplane-shop-provider-namespaces', 'shop:saasplane-shop-namespace-identity', 'shop:saasplane-shop-restart-only', 'shop:saasplane-shop-tenant-guard']);
    expect(ofType('kubernetes:monitoring.coreos.com/v1:PrometheusRule').map((r) => r.name)).toEqual(['shop:saasplane-shop-consumption']);
    const providerBindings = ofType('kubernetes:rbac.authorization.k8s.io/v1:RoleBinding').map((r) => r.inputs.metadata.namespace);
    expect(providerBindings.sort()).toEqual(['shop-acme', 'shop-globex']);
    expect(urns.filter((u) => u.endsWith('TenantInstance::acme'))).toEqual([expect.stringContaining('saasplane:index:SaaSOffering$saasplane:index:TenantInstance::acme')]);
    expect(await valueOf(offering.offeringName)).toBe('shop');
    // a tenant namespace comes after the offering's admission guard, which must judge it
    expect(dependenciesOf('acme:shop-acme')).toEqual(expect.arrayContaining(['shop:saasplane-shop-namespace-identity', 'shop:saasplane-shop-tenant-guard']));
  });
});
