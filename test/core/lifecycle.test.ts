// A tenant's lifecycle in the plan: suspended runs nothing and keeps its data, offboarded keeps
// only its namespace, guardrails and claims (annotated with the date they may go), and bad
// states or dates are refused with the fix.
import { captureError, offeringSpec, resolved } from './fixtures';
import { KubeObject, ObjectGroup, planConsumer, planTenant, TenantState } from '../../src/core';

const chart: KubeObject[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop-acme' }, spec: { replicas: 3, template: { spec: { containers: [] } } } },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'shop-acme' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'db' } },
      template: { spec: { containers: [] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'standard', resources: { requests: { storage: '2Gi' } } } }],
    },
  },
  {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'shop-acme' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: {} } } } },
  },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'shop-acme' }, spec: { template: { spec: { nodeSelector: { pool: 'a' }, containers: [] } } } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', namespace: 'shop-acme' }, data: { a: '1' } },
];

const offering = offeringSpec({ plans: { small: { quota: { cpu: '2', memory: '4Gi', storage: '10Gi', pods: 10 } } } });
const plan = (state?: TenantState, deleteAfter?: string) => planTenant(resolved(offering, { state, deleteAfter }), chart);
const find = (planned: ReturnType<typeof plan>, kind: string, name?: string) =>
  planned.find((p) => p.object.kind === kind && (!name || p.object.metadata.name === name))?.object as any;

describe('tenant lifecycle', () => {
  test('active (the default): everything runs; no state label', () => {
    const planned = plan();
    expect(find(planned, 'Deployment').spec.replicas).toBe(3);
    expect(find(planned, 'ResourceQuota').spec.hard.pods).toBe('10');
    expect(find(planned, 'Namespace').metadata.labels['saasplane.io/state']).toBeUndefined();
  });

  test('suspended: workloads at zero, jobs suspended, the DaemonSet on no node, quota pods 0, claims and configuration kept', () => {
    const planned = plan(TenantState.SUSPENDED);
    expect(find(planned, 'Deployment').spec.replicas).toBe(0);
    expect(find(planned, 'StatefulSet').spec.replicas).toBe(0);
    expect(find(planned, 'CronJob').spec.suspend).toBe(true);
    expect(find(planned, 'DaemonSet').spec.template.spec.nodeSelector).toEqual({ 'pool': 'a', 'saasplane.io/state': 'suspended' });
    expect(find(planned, 'ResourceQuota').spec.hard.pods).toBe('0');
    expect(find(planned, 'ConfigMap').data).toEqual({ a: '1' });
    expect(find(planned, 'Namespace').metadata.labels['saasplane.io/state']).toBe('suspended');
    // both replicas' claims stay planned although the StatefulSet runs none
    expect(planned.filter((p) => p.group === ObjectGroup.CLAIMS).map((p) => p.object.metadata.name)).toEqual(['data-db-0', 'data-db-1']);
    // the input is not changed: resuming plans the same objects as before
    expect(chart[0].spec).toEqual({ replicas: 3, template: { spec: { containers: [] } } });
  });

  test('offboarded: no application objects (the example has no claim of its own) or monitor; namespace, guardrails and claims kept with the date they may be deleted', () => {
    const planned = plan(TenantState.OFFBOARDED, '2027-03-31');
    expect(planned.filter((p) => p.group === ObjectGroup.APP || p.group === ObjectGroup.MONITORING)).toEqual([]);
    expect(find(planned, 'ResourceQuota').spec.hard.pods).toBe('0');
    expect(find(planned, 'NetworkPolicy', 'default-deny')).toBeDefined();
    for (const kept of [find(planned, 'Namespace'), ...planned.filter((p) => p.group === ObjectGroup.CLAIMS).map((p) => p.object)]) {
      expect(kept.metadata.annotations).toMatchObject({ 'saasplane.io/retention': 'offboarded', 'saasplane.io/delete-after': '2027-03-31' });
    }
    expect(planned.filter((p) => p.group === ObjectGroup.CLAIMS)).toHaveLength(2);
    expect(find(planned, 'Namespace').metadata.labels['saasplane.io/state']).toBe('offboarded');
  });

  describe('the data is protected in every state (review of issue 12)', () => {
    // a chart that declares a claim of its own, a StatefulSet whose controller would delete its claims, and a bare Pod
    const risky: KubeObject[] = [
      ...chart.map((o) => (o.kind === 'StatefulSet' ? { ...o, spec: { ...(o.spec as object), persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } } } : o)),
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'uploads', namespace: 'shop-acme' }, spec: { resources: { requests: { storage: '1Gi' } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'one-off', namespace: 'shop-acme' }, spec: { containers: [] } },
    ];
    const planRisky = (state?: TenantState, deleteAfter?: string) => planTenant(resolved(offering, { state, deleteAfter }), risky);

    test.each([[undefined], [TenantState.SUSPENDED]])('%s: the StatefulSet retains its claims; the chart\'s claim carries the keep annotations', (state) => {
      const planned = planRisky(state);
      expect(find(planned, 'StatefulSet').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(find(planned, 'PersistentVolumeClaim', 'uploads').metadata.annotations).toMatchObject({
        'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      });
    });

    test('suspended: a bare Pod, which nothing scales to zero, is left out', () => {
      expect(find(planRisky(TenantState.SUSPENDED), 'Pod', 'one-off')).toBeUndefined();
      expect(find(planRisky(), 'Pod', 'one-off')).toBeDefined();
    });

    test('offboarded: the chart\'s own claim stays, kept and dated; nothing else of the chart', () => {
      const planned = planRisky(TenantState.OFFBOARDED, '2027-03-31');
      expect(planned.filter((p) => p.group === ObjectGroup.APP).map((p) => `${p.object.kind}/${p.object.metadata.name}`)).toEqual(['PersistentVolumeClaim/uploads']);
      expect(find(planned, 'PersistentVolumeClaim', 'uploads').metadata.annotations).toMatchObject({
        'helm.sh/resource-policy': 'keep', 'saasplane.io/retention': 'offboarded', 'saasplane.io/delete-after': '2027-03-31',
      });
    });
  });

  test('a suspended or offboarded tenant\'s consumer keeps its ServiceAccount and loses its rights', () => {
    const kinds = (state?: TenantState, deleteAfter?: string) => planConsumer(resolved(offering, { state, deleteAfter }), 'users', { name: 'users' }).map((p) => p.object.kind);
    expect(kinds()).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
    expect(kinds(TenantState.SUSPENDED)).toEqual(['ServiceAccount']);
    expect(kinds(TenantState.OFFBOARDED, '2027-01-01')).toEqual(['ServiceAccount']);
  });

  test.each([
    [{ state: 'paused' }, 'state "paused" is not a tenant state: use one of "active", "suspended", "offboarded"'],
    [{ state: 'offboarded' }, 'an offboarded tenant needs deleteAfter, the date its namespace and claims may be deleted (YYYY-MM-DD): set it, e.g. deleteAfter: "2027-03-31"'],
    [{ state: 'offboarded', deleteAfter: '2027-02-30' }, 'deleteAfter "2027-02-30" is not a date: write it as YYYY-MM-DD, e.g. "2027-03-31"'],
    [{ state: 'offboarded', deleteAfter: '31.03.2027' }, 'deleteAfter "31.03.2027" is not a date: write it as YYYY-MM-DD, e.g. "2027-03-31"'],
    [{ deleteAfter: '2027-03-31' }, 'deleteAfter is set but the tenant is active: set state: "offboarded" with it, or remove deleteAfter'],
  ])('%j is refused with the fix', (spec, message) => {
    expect(captureError(() => resolved(offering, spec as any)).problems).toEqual([message]);
  });
});
