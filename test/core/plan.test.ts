// The tagged plan: every object with its group, wave and owner, and the provider's customizations
// (per-tenant provider values and quota, extra labels and annotations, the object transform).
import { captureError, offeringSpec, resolved } from './fixtures';
import { shop } from '../../examples/offering';
import { CachingRenderer, HelmRenderer, loadChart } from '../../src/core/helm';
import { KubeObject } from '../../src/core/kube';
import { resolveTenant, validateOffering } from '../../src/core/offering';
import { GROUP_WAVES, ObjectGroup, planConsumer, PlannedObject, planOffering, planProvider, planProviderInTenant, planTenant } from '../../src/core/plan';
import { providerIdentity } from '../../src/core/plan-access';
import { renderTenantChart, renderTenantCharts } from '../../src/core/plan-tenant';

const NOW = new Date('2026-11-30T00:00:00Z');
const identity = providerIdentity('shop', 'shop-system');

function summary(planned: readonly PlannedObject[]): string[] {
  return planned.map((p) => `${p.wave} ${p.group} ${p.owner.tenant ?? '-'} ${p.owner.access ?? '-'} ${p.object.kind}/${p.object.metadata.name}`);
}

const deployment: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'acme-web', namespace: 'shop-acme', labels: { 'saasplane.io/tenant': 'acme' } }, spec: {},
};

describe('the tagged plan', () => {
  test('tags each object of the offering, its identities, a tenant and its consumer with group, wave and owner', () => {
    const spec = offeringSpec();
    const tenant = resolved(spec);
    expect(summary(planOffering(spec))).toEqual([
      '0 namespace - - Namespace/shop-system',
      '10 admission - - ValidatingAdmissionPolicy/saasplane-shop-tenant-guard',
      '10 admission - - ValidatingAdmissionPolicyBinding/saasplane-shop-tenant-guard',
      '10 admission - - ValidatingAdmissionPolicy/saasplane-shop-restart-only',
      '10 admission - - ValidatingAdmissionPolicyBinding/saasplane-shop-restart-only',
      '10 admission - - ValidatingAdmissionPolicy/saasplane-shop-namespace-identity',
      '10 admission - - ValidatingAdmissionPolicyBinding/saasplane-shop-namespace-identity',
      '40 monitoring - - PrometheusRule/saasplane-shop-consumption',
      '40 monitoring - - ConfigMap/saasplane-shop-dashboard',
    ]);
    expect(new Set(planProvider(spec, 'ops', identity, false).map((p) => `${p.group} ${p.wave} ${p.owner.access}`))).toEqual(new Set(['provider-access 20 ops']));
    expect(summary(planTenant(tenant, [deployment]))).toEqual([
      '0 namespace acme - Namespace/shop-acme',
      '10 guardrails acme - ResourceQuota/tenant-quota',
      '10 guardrails acme - LimitRange/tenant-defaults',
      '10 guardrails acme - NetworkPolicy/default-deny',
      '10 guardrails acme - NetworkPolicy/allow-same-namespace',
      '10 guardrails acme - NetworkPolicy/allow-dns',
      '30 app acme - Deployment/acme-web',
    ]);
    expect(summary(planProviderInTenant(identity, 'ops', tenant))).toEqual(['20 provider-access acme ops RoleBinding/saasplane-provider']);
    expect(summary(planConsumer(tenant, 'users', { name: 'team' }))).toEqual([
      '20 consumer-access acme users ServiceAccount/team', '20 consumer-access acme users Role/team', '20 consumer-access acme users RoleBinding/team',
    ]);
  });

  test('waves order every group: a namespace first, guardrails before the chart, the monitor last', () => {
    const order = Object.values(ObjectGroup).sort((a, b) => GROUP_WAVES[a] - GROUP_WAVES[b]);
    expect(order.indexOf(ObjectGroup.NAMESPACE)).toBe(0);
    expect(GROUP_WAVES[ObjectGroup.GUARDRAILS]).toBeLessThan(GROUP_WAVES[ObjectGroup.APP]);
    expect(GROUP_WAVES[ObjectGroup.CONSUMER_ACCESS]).toBeLessThan(GROUP_WAVES[ObjectGroup.APP]);
    expect(GROUP_WAVES[ObjectGroup.APP]).toBeLessThan(GROUP_WAVES[ObjectGroup.MONITORING]);
  });
});

describe('customization', () => {
  test('extra labels and annotations land on every object but namespaces and bare pods, without replacing an object\'s own', () => {
    const spec = offeringSpec({ labels: { 'example.com/team': 'shop' }, annotations: { 'example.com/owner': 'a' } });
    const tenant = resolved(spec, { labels: { 'example.com/customer': 'acme', 'example.com/team': 'acme-team' }, annotations: { 'example.com/contract': 'C-1' } });
    const chartLabels = { 'saasplane.io/tenant': 'acme', 'example.com/team': 'the-chart' };
    const chartObject = { ...deployment, metadata: { ...deployment.metadata, labels: chartLabels } };
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'test', namespace: 'shop-acme', labels: { app: 'x' } } };
    for (const { object } of planOffering(spec).filter((p) => p.object.kind !== 'Namespace')) {
      expect(object.metadata.labels).toMatchObject({ 'example.com/team': 'shop' });
      expect(object.metadata.labels).not.toHaveProperty('example.com/customer');
      expect(object.metadata.annotations).toEqual({ 'example.com/owner': 'a' });
    }
    const planned = [...planTenant(tenant, [chartObject, pod]), ...planConsumer(tenant, 'users', { name: 'team' }), ...planProviderInTenant(identity, 'p', tenant)];
    for (const { object } of planned.filter((p) => !['Namespace', 'Pod', 'Deployment'].includes(p.object.kind))) {
      expect(object.metadata.labels).toMatchObject({ 'example.com/team': 'acme-team', 'example.com/customer': 'acme' });
      expect(object.metadata.annotations).toEqual({ 'example.com/owner': 'a', 'example.com/contract': 'C-1' });
    }
    // the namespace guard admits saasplane's labels only; a pod's labels select it; the chart's own label stays
    const namespaces = [...planOffering(spec), ...planned].filter((p) => p.object.kind === 'Namespace');
    for (const { object } of namespaces) {
      expect(Object.keys(object.metadata.labels!).every((k) => k.startsWith('saasplane.io/') || k.startsWith('pod-security') || k === 'app.kubernetes.io/managed-by')).toBe(true);
      expect(object.metadata.annotations).toBeUndefined();
    }
    expect(planned.find((p) => p.object.kind === 'Pod')!.object.metadata.labels).toEqual({ app: 'x' });
    expect(planned.find((p) => p.object.kind === 'Deployment')!.object.metadata.labels).toEqual({ ...chartLabels, 'example.com/customer': 'acme' });
    expect(chartObject.metadata.labels).toEqual(chartLabels);
  });

  test('extra labels or annotations that are invalid or reserved by saasplane are refused, naming the key', () => {
    const error = captureError(() => validateOffering(offeringSpec({
      labels: { 'saasplane.io/tenant': 'x', 'bad key!': 'v' }, annotations: { 'pod-security.kubernetes.io/enforce': 'privileged', 'ok.example.com/n': 3 as never },
    }), NOW));
    expect(error.problems).toEqual(expect.arrayContaining([
      expect.stringContaining('offering labels key "saasplane.io/tenant" is reserved: saasplane sets it to keep tenants isolated'),
      expect.stringContaining('offering labels key "bad key!" is not a label key'),
      expect.stringContaining('offering annotations key "pod-security.kubernetes.io/enforce" is reserved'),
      expect.stringContaining('offering annotations value of "ok.example.com/n" must be a string, not 3'),
    ]));
    expect(captureError(() => resolved(offeringSpec(), { labels: { 'app.kubernetes.io/managed-by': 'me' } })).problems)
      .toEqual([expect.stringContaining('tenant "acme" labels key "app.kubernetes.io/managed-by" is reserved')]);
  });

  test('per-tenant quota overrides replace the plan\'s fields for that tenant only, and are checked like a plan\'s', () => {
    const spec = offeringSpec();
    const tenant = resolved(spec, { quota: { cpu: '3', pods: 7 } });
    const quota = planTenant(tenant, []).find((p) => p.object.kind === 'ResourceQuota')!.object as any;
    expect(quota.spec.hard).toMatchObject({ 'requests.cpu': '3', 'limits.cpu': '3', 'pods': '7', 'requests.memory': '4Gi' });
    expect(spec.plans.small.quota).toEqual({ cpu: '2', memory: '4Gi' });
    expect(captureError(() => resolved(spec, { quota: { cpu: 'lots', cpus: '4', pods: -1 } as never })).problems).toEqual(expect.arrayContaining([
      expect.stringContaining('tenant "acme" quota.cpus is not a quota field'),
      expect.stringMatching(/tenant "acme" quota.cpu "lots"/),
      expect.stringContaining('tenant "acme" quota.pods -1 must be a whole number'),
    ]));
    expect(captureError(() => resolved(spec, { quota: 'big' as never })).problems).toEqual([expect.stringContaining('tenant "acme" quota "big" must be an object')]);
  });

  test('provider values are merged last: the tenant\'s parameters cannot override them; they must be JSON data', () => {
    const spec = offeringSpec({ consumerParameters: ['database.existingSecret', 'theme'] });
    const tenant = resolved(spec, { parameters: { database: { existingSecret: 'mine' }, theme: 'dark' }, providerValues: { database: { existingSecret: 'acme-db' } } });
    expect(tenant.values).toEqual({ database: { existingSecret: 'acme-db' }, theme: 'dark' });
    expect(captureError(() => resolved(spec, { providerValues: { when: new Date() } as never })).problems)
      .toEqual([expect.stringContaining('providerValues')]);
    expect(captureError(() => resolved(spec, { providerValues: [] as never })).problems).toEqual(['providerValues must be an object of Helm values']);
  });

  test('the transform sees each planned object with its tags and may change it, in place or by returning a copy', () => {
    const spec = offeringSpec();
    const seen: string[] = [];
    const planned = planTenant(resolved(spec), [deployment], (object, entry) => {
      seen.push(`${entry.group} ${object.kind}`);
      if (object.kind === 'LimitRange') return { ...object, spec: { limits: [] } };
      if (object.kind === 'ResourceQuota') object.metadata.annotations = { 'example.com/seen': 'yes' };
      return undefined;
    });
    // the chart's objects were transformed before they were adapted and checked (renderTenantCharts)
    expect(seen).not.toContain('app Deployment');
    expect(seen).toContain('guardrails ResourceQuota');
    expect((planned.find((p) => p.object.kind === 'LimitRange')!.object as any).spec).toEqual({ limits: [] });
    expect(planned.find((p) => p.object.kind === 'ResourceQuota')!.object.metadata.annotations).toEqual({ 'example.com/seen': 'yes' });
    expect((deployment as any).spec).toEqual({});
  });

  test('the transform judges chart objects before the guards and host claims: what it returns is checked', () => {
    const chart = loadChart(shop.chart);
    const tenant = resolveTenant({ ...shop, name: 'shop' }, { name: 'acme', plan: 'small', parameters: { ingress: { host: 'acme.shop.example.com' } } }, { existingTenants: [] });
    const renderer = new CachingRenderer(new HelmRenderer());
    const moved = renderTenantCharts([tenant], { stable: chart }, renderer, (object) => {
      if (object.kind === 'Ingress') (object.spec as any).rules[0].host = 'login.example.org';
    });
    expect('error' in moved[0] && moved[0].error.message).toMatch(/serves host "login.example.org", outside the offering's domains/);
    const mounted = renderTenantChart(tenant, { stable: chart }, renderer, (object) => {
      if (object.kind === 'Deployment') (object.spec as any).template.metadata.annotations = { 'example.com/rolled': '1' };
    });
    expect((mounted.find((o) => o.kind === 'Deployment') as any).spec.template.metadata).toMatchObject({
      annotations: { 'example.com/rolled': '1' }, labels: { 'saasplane.io/tenant': 'acme' },
    });
  });

  test('a transform may not rename, move or re-kind an object, nor touch the labels that keep tenants isolated', () => {
    const tenant = resolved(offeringSpec());
    const error = captureError(() => planTenant(tenant, [deployment], (object) => {
      if (object.kind === 'Namespace') object.metadata.labels!['pod-security.kubernetes.io/enforce'] = 'privileged';
      if (object.kind === 'NetworkPolicy' && object.metadata.name === 'allow-dns') object.metadata.namespace = 'kube-system';
      if (object.kind === 'LimitRange') object.metadata.name = 'other';
      if (object.kind === 'ResourceQuota') delete object.metadata.labels!['saasplane.io/tenant'];
    }));
    expect(error.message).toMatch(/^the object transform returned objects saasplane cannot use/);
    expect(error.problems).toEqual([
      expect.stringContaining('changed the labels or annotations of Namespace. "shop-acme": the namespace guard admits saasplane\'s own only'),
      expect.stringContaining('changed the label "saasplane.io/tenant" of ResourceQuota. "shop-acme/tenant-quota" from "acme" to undefined'),
      expect.stringContaining('turned LimitRange. "shop-acme/tenant-defaults" into LimitRange. "shop-acme/other"'),
      expect.stringContaining('turned NetworkPolicy.networking.k8s.io "shop-acme/allow-dns" into NetworkPolicy.networking.k8s.io "kube-system/allow-dns"'),
    ]);
  });

  test('a transform that throws or returns something else than an object is a clear error naming the object', () => {
    const tenant = resolved(offeringSpec());
    expect(captureError(() => planTenant(tenant, [], () => { throw new Error('boom'); })).message)
      .toBe('the object transform failed on Namespace. "shop-acme": boom: fix the transform');
    expect(captureError(() => planTenant(tenant, [], () => 'x' as never)).problems[0])
      .toMatch(/^it returned "x" for Namespace. "shop-acme": return the object \(changed\) or nothing/);
    expect(captureError(() => planTenant(tenant, [], () => ({ metadata: { name: 'x' } }) as never)).problems[0])
      .toMatch(/^it returned \{"metadata":\{"name":"x"\}\} for Namespace. "shop-acme"/);
  });
});
