// Bad input: the Pulumi components raise the same errors as the cdk8s constructs, before any
// resource is registered; as a pulumi.ResourceError when a resource (the offering, the tenant)
// already exists to name.
// eslint-disable-next-line import/order
import { recorded, registrations, reset, settle } from './harness';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { shop } from '../../examples/offering';
import * as cdk8s from '../../src/constructs';
import { ChartSource, OfferingSpec, SaaSplaneError, TenantSpec } from '../../src/core';
import * as saasPulumi from '../../src/pulumi';
import { FIXTURE_CHARTS, tempDir } from '../constructs/fixtures';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** The error the cdk8s front-end raises for this offering and these tenants (the last one is bad) at synthesis, at the latest. */
function cdk8sError(offering: OfferingSpec, tenants: TenantSpec[]): Error {
  return errorOf(() => {
    const app = new cdk8s.SaaSApp({ outdir: tempDir() });
    const o = new cdk8s.SaaSOffering(app, offering.name, offering);
    for (const { name, ...options } of tenants) o.addTenant(name, options);
    app.synthFiles();
  });
}

beforeEach(reset);

const CASES: Array<[string, Partial<OfferingSpec>, TenantSpec, RegExp]> = [
  ['tenant name is not a DNS label', {}, { name: 'Acme_1', plan: 'small' }, /is not a valid DNS label/],
  ['tenant name exceeds the namespace budget', {}, { name: 'a'.repeat(59), plan: 'small' }, /must fit in 63/],
  ['unknown plan', {}, { name: 'acme', plan: 'gold' }, /choose one of "small", "large"/],
  ['parameter outside the allowlist', {}, { name: 'acme', plan: 'small', parameters: { image: { tag: 'evil' } } }, /parameter "image.tag"/],
  ['value violating values.schema.json', {}, { name: 'acme', plan: 'small', parameters: { theme: 'pink' } }, /theme = "pink" violates/],
  ['several problems at once', {}, { name: 'Bad_Name', plan: 'gold', parameters: { secret: 1 } }, /3 problems/],
  ['cluster-scoped object in the chart', { chart: ChartSource.fromDirectory(path.join(FIXTURE_CHARTS, 'cluster-scoped')) },
    { name: 'acme', plan: 'small' }, /cluster-scoped ClusterRole "acme-reader"/],
  ['helm failure', { chart: ChartSource.fromDirectory(path.join(FIXTURE_CHARTS, 'broken')) },
    { name: 'acme', plan: 'small' }, /value 'greeting' is required by the broken chart/],
];

describe.each(CASES)('%s', (_title, overrides, tenant, pattern) => {
  const offering: OfferingSpec = { ...shop, ...overrides };

  test('a tenant stack throws the cdk8s error before registering anything', async () => {
    const expected = cdk8sError(offering, [tenant]);
    expect(expected.message).toMatch(pattern);
    const { name, ...options } = tenant;
    const error = errorOf(() => new saasPulumi.TenantInstance(name, { offering, ...options }, recorded));
    expect(error).toBeInstanceOf(SaaSplaneError);
    expect(error.message).toBe(expected.message);
    await settle();
    expect(registrations).toEqual([]);
  });

  test('addTenant on an offering throws it as a ResourceError of the offering, registering no tenant resource', async () => {
    const expected = cdk8sError(offering, [tenant]);
    const component = new saasPulumi.SaaSOffering(offering.name, offering, recorded);
    const { name, ...options } = tenant;
    const error = errorOf(() => component.addTenant(name, options));
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error.message).toBe(expected.message);
    expect((error as pulumi.ResourceError).resource).toBe(component);
    await settle();
    expect(registrations.filter((r) => r.type === 'saasplane:index:TenantInstance' || r.name.startsWith(`${name}:`))).toEqual([]);
  });
});

describe('errors that need the offering or earlier tenants', () => {
  test.each([
    ['duplicate tenant', {}, /tenant "acme" already exists in offering "shop"/],
    ['over maxTenants', { maxTenants: 1 }, /license allows at most 1 tenants and 1 exist/],
  ])('%s', async (_title, overrides, pattern) => {
    const offering: OfferingSpec = { ...shop, ...overrides };
    const second = _title === 'duplicate tenant' ? 'acme' : 'globex';
    const expected = cdk8sError(offering, [{ name: 'acme', plan: 'small' }, { name: second, plan: 'small' }]);
    expect(expected.message).toMatch(pattern);
    const component = new saasPulumi.SaaSOffering('shop', offering, recorded);
    component.addTenant('acme', { plan: 'small' });
    const error = errorOf(() => component.addTenant(second, { plan: 'small' }));
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error.message).toBe(expected.message);
    await settle();
  });

  test.each([
    ['unparseable quantity', { plans: { small: { quota: { cpu: 'two', memory: '4GB' } } } }, /quota.cpu "two" is not a Kubernetes quantity/],
    ['expired offering', { expires: '2020-01-01' }, /license expired on 2020-01-01/],
    ['chart not found', { chart: ChartSource.fromDirectory('/nonexistent/chart') }, /chart not found: chart directory \/nonexistent\/chart/],
  ])('%s fails the offering and every tenant stack alike', async (_title, overrides, pattern) => {
    const offering: OfferingSpec = { ...shop, ...overrides };
    const expected = cdk8sError(offering, []);
    expect(expected.message).toMatch(pattern);
    expect(errorOf(() => new saasPulumi.SaaSOffering('shop', offering, recorded)).message).toBe(expected.message);
    expect(errorOf(() => new saasPulumi.TenantInstance('acme', { offering, plan: 'small' }, recorded)).message).toBe(expected.message);
    await settle();
    expect(registrations).toEqual([]);
  });

  test('helm missing says how to install it', () => {
    const saved = process.env.HELM_BINARY;
    process.env.HELM_BINARY = '/nonexistent/helm';
    try {
      expect(() => new saasPulumi.TenantInstance('acme', { offering: shop, plan: 'small' }, recorded))
        .toThrow(/"\/nonexistent\/helm" is not an executable: install it with `go install helm.sh\/helm\/v3\/cmd\/helm@v3.21.4`/);
    } finally {
      if (saved === undefined) delete process.env.HELM_BINARY; else process.env.HELM_BINARY = saved;
    }
  });

  test('an invalid consumer access is a ResourceError of its tenant', async () => {
    const tenant = new saasPulumi.TenantInstance('acme', { offering: shop, plan: 'small' }, recorded);
    const error = errorOf(() => new saasPulumi.ConsumerAccess('Acme Users', { tenant }));
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error.message).toMatch(/consumer access "Acme Users" is invalid: name "Acme Users" is not a valid DNS label/);
    await settle();
  });

  test('a second provider access for the same ServiceAccount is a ResourceError of the offering (issue 10)', async () => {
    const offering = new saasPulumi.SaaSOffering('shop', shop, recorded);
    new saasPulumi.ProviderAccess('provider', { offering }, recorded);
    new saasPulumi.ProviderAccess('ci', { offering, serviceAccountName: 'deployer' }, recorded);
    const error = errorOf(() => new saasPulumi.ProviderAccess('again', { offering }, recorded));
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error.message).toBe('provider access "again" cannot be added: offering "shop" already has the provider access "provider" for the ServiceAccount '
      + 'shop-system/provider: use it, or give this one another serviceAccountName or namespace');
    await settle();
  });

  test('a consumer access that would be the same objects as another one is a ResourceError of its tenant (issue 9)', async () => {
    const tenant = new saasPulumi.TenantInstance('acme', { offering: shop, plan: 'small' }, recorded);
    new saasPulumi.ConsumerAccess('users', { tenant, name: 'team' });
    const error = errorOf(() => new saasPulumi.ConsumerAccess('admins', { tenant, name: 'team' }));
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error.message).toBe('consumer access "admins" cannot be added: 3 problems:\n'
      + ['ServiceAccount. "shop-acme/team"', 'Role.rbac.authorization.k8s.io "shop-acme/team"', 'RoleBinding.rbac.authorization.k8s.io "shop-acme/team"']
        .map((o) => `  - ${o} is already used by consumer access "users": applied, one would replace the other; give the consumer access another name`).join('\n'));
    await settle();
  });
});
