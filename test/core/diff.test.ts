// The object diff behind `saasplane diff`: field paths, grouping per tenant, and each change the
// API server refuses in place or that loses data, with the reason a reviewer reads.
import { DiffObject, diffObjects, fieldChanges, formatDiff, replacementReason, summaryLine } from '../../src/core';

const labels = (tenant?: string) => ({ 'app.kubernetes.io/managed-by': 'saasplane', 'saasplane.io/offering': 'shop', ...(tenant ? { 'saasplane.io/tenant': tenant } : {}) });
const namespace = (tenant: string): DiffObject => ({
  object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `shop-${tenant}`, labels: labels(tenant) } },
  file: `shop/${tenant}/00-namespace.yaml`,
});
/** A chart object without the tenant label: its tenant comes from its namespace. */
const object = (tenant: string, kind: string, name: string, fields: Record<string, unknown> = {}, apiVersion = 'v1'): DiffObject => ({
  object: { apiVersion, kind, metadata: { name, namespace: `shop-${tenant}` }, ...fields },
  file: `shop/${tenant}/30-app.yaml`,
});
const statefulSet = (tenant: string, storage: string, extra: Record<string, unknown> = {}) => object(tenant, 'StatefulSet', `${tenant}-db`, {
  spec: {
    serviceName: `${tenant}-db`,
    replicas: 1,
    selector: { matchLabels: { app: 'db' } },
    template: { spec: { containers: [{ name: 'postgres', image: 'postgres:16' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } }],
    ...extra,
  },
}, 'apps/v1');

describe('diffObjects', () => {
  test('no difference: no groups, and the text says so', () => {
    const tree = [namespace('acme'), statefulSet('acme', '2Gi')];
    const diff = diffObjects(tree, tree.map((e) => ({ ...e, object: structuredClone(e.object) })));
    expect(diff.groups).toEqual([]);
    expect(formatDiff(diff)).toBe('no differences\n');
  });

  test('groups by tenant through the namespace labels, with field paths that name list elements', () => {
    const before = [namespace('acme'), object('acme', 'Deployment', 'web', {
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'shop:1.4.0' }, { name: 'sidecar', image: 'envoy:1' }] } } },
    }, 'apps/v1')];
    const after = [namespace('acme'), object('acme', 'Deployment', 'web', {
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'sidecar', image: 'envoy:1' }, { name: 'web', image: 'shop:1.5.0' }] } } },
    }, 'apps/v1')];
    const diff = diffObjects(before, after);
    expect(diff.groups).toHaveLength(1);
    expect(diff.groups[0]).toMatchObject({ offering: 'shop', tenant: 'acme', added: [], removed: [], destructive: [] });
    // containers are matched by name, and their order (they start in order) is a change of its own
    expect(diff.groups[0].changed[0].fields).toEqual([
      { path: 'spec.replicas', before: 2, after: 3 },
      { path: 'spec.template.spec.containers[name=web].image', before: 'shop:1.4.0', after: 'shop:1.5.0' },
      { path: 'spec.template.spec.containers[order]', before: ['web', 'sidecar'], after: ['sidecar', 'web'] },
    ]);
    expect(formatDiff(diff)).toContain('      spec.template.spec.containers[name=web].image: "shop:1.4.0" → "shop:1.5.0"');
    expect(summaryLine(diff.summary)).toBe('1 tenant changed: 1 object changed, 0 added, 0 removed');
  });

  test('keys that are not identifiers are quoted; fields added or removed show (none)', () => {
    const fields = fieldChanges(
      { metadata: { labels: { 'saasplane.io/plan': 'small' }, annotations: { gone: 'x' } } },
      { metadata: { labels: { 'saasplane.io/plan': 'large' }, finalizers: ['a'] } },
    );
    expect(fields).toEqual([
      { path: 'metadata.labels["saasplane.io/plan"]', before: 'small', after: 'large' },
      { path: 'metadata.annotations', before: { gone: 'x' } },
      { path: 'metadata.finalizers', after: ['a'] },
    ]);
  });

  test('a version bump of the same kind is a change, not a removal and an addition', () => {
    const before = [namespace('acme'), object('acme', 'HorizontalPodAutoscaler', 'web', { spec: { maxReplicas: 3 } }, 'autoscaling/v2beta2')];
    const after = [namespace('acme'), object('acme', 'HorizontalPodAutoscaler', 'web', { spec: { maxReplicas: 3 } }, 'autoscaling/v2')];
    const diff = diffObjects(before, after);
    expect(diff.summary).toMatchObject({ added: 0, removed: 0, changed: 1 });
    expect(diff.groups[0].changed[0].fields).toEqual([{ path: 'apiVersion', before: 'autoscaling/v2beta2', after: 'autoscaling/v2' }]);
  });

  test('Secret data is never shown, not even as a digest: only that it changed, was added or removed', () => {
    const secret = (password: string) => object('acme', 'Secret', 'db', { data: { password: Buffer.from(password).toString('base64') } });
    const diff = diffObjects([namespace('acme'), secret('hunter2')], [namespace('acme'), secret('correct horse')]);
    const text = formatDiff(diff) + JSON.stringify(diff);
    expect(text).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(text).not.toContain(Buffer.from('correct horse').toString('base64'));
    expect(diff.groups[0].changed[0].fields).toEqual([{ path: 'data.password', before: '(sensitive)', after: '(sensitive)' }]);
    const whole = diffObjects([namespace('acme'), object('acme', 'Secret', 'db', { type: 'Opaque' })],
      [namespace('acme'), object('acme', 'Secret', 'db', { type: 'Opaque', stringData: { 'tls.key': 'hunter2' } })]);
    expect(whole.groups[0].changed[0].fields).toEqual([{ path: 'stringData', after: '(sensitive)' }]);
    expect(JSON.stringify(whole) + formatDiff(whole)).not.toContain('hunter2');
  });

  test('a removed tenant, its namespace, its claims and its StatefulSet are called out as destructive', () => {
    const claim = object('initech', 'PersistentVolumeClaim', 'uploads', { spec: { resources: { requests: { storage: '1Gi' } } } });
    const before = [namespace('acme'), namespace('initech'), statefulSet('initech', '2Gi'), claim];
    const diff = diffObjects(before, [namespace('acme')]);
    const group = diff.groups.find((g) => g.tenant === 'initech')!;
    expect(group.removed.map((r) => r.kind)).toEqual(['Namespace', 'PersistentVolumeClaim', 'StatefulSet']);
    expect(group.destructive.map((d) => d.reason)).toEqual([
      'tenant initech of offering shop is removed: its namespace, claims and data go with it; offboard it first',
      'removing the namespace deletes every object in it, claims and their data included',
      'removing the StatefulSet stops its pods; the claims of its templates (data) are left behind, used by nothing',
      'removing the claim deletes its volume and data in shop-initech when the volume\'s reclaim policy is Delete',
    ]);
    expect(diff.summary).toEqual({ tenantsChanged: 1, added: 0, changed: 0, removed: 3, destructive: 4 });
    expect(formatDiff(diff)).toMatch(/^tenant shop\/initech\n {2}! tenant initech of offering shop is removed/);
  });

  test('a claim template resized forces a replacement and says existing claims keep their size', () => {
    const diff = diffObjects([namespace('acme'), statefulSet('acme', '2Gi')], [namespace('acme'), statefulSet('acme', '20Gi')]);
    const change = diff.groups[0].changed[0];
    expect(change.fields).toEqual([{ path: 'spec.volumeClaimTemplates[name=data].spec.resources.requests.storage', before: '2Gi', after: '20Gi' }]);
    expect(change.replacement).toMatch(/^StatefulSet fields spec\.volumeClaimTemplates\[name=data\]\.spec\.resources\.requests\.storage cannot change in place/);
    expect(change.replacement).toMatch(/--cascade=orphan .*the template never changes existing claims: saasplane plans each claim/);
    expect(diff.summary.destructive).toBe(1);
  });

  test('StatefulSet fields the API server lets change (replicas, template) are not destructive', () => {
    const diff = diffObjects([namespace('acme'), statefulSet('acme', '2Gi')], [namespace('acme'), statefulSet('acme', '2Gi', {
      replicas: 3, template: { spec: { containers: [{ name: 'postgres', image: 'postgres:17' }] } }, minReadySeconds: 5,
    })]);
    expect(diff.groups[0].changed[0].replacement).toBeUndefined();
    expect(diff.summary.destructive).toBe(0);
  });

  test.each([
    ['Deployment selector', { kind: 'Deployment', spec: { selector: { matchLabels: { a: '1' } } } }, { kind: 'Deployment', spec: { selector: { matchLabels: { a: '2' } } } },
      /^Deployment spec\.selector is immutable/],
    ['RoleBinding roleRef', { kind: 'RoleBinding', roleRef: { name: 'view' } }, { kind: 'RoleBinding', roleRef: { name: 'edit' } }, /^RoleBinding roleRef is immutable/],
    ['immutable ConfigMap data', { kind: 'ConfigMap', immutable: true, data: { a: '1' } }, { kind: 'ConfigMap', immutable: true, data: { a: '2' } },
      /^ConfigMap is immutable: its data\.a cannot change/],
    ['Service clusterIP', { kind: 'Service', spec: { clusterIP: '10.0.0.1' } }, { kind: 'Service', spec: { clusterIP: '10.0.0.2' } }, /^Service spec\.clusterIP is immutable/],
    ['claim storage class', { kind: 'PersistentVolumeClaim', spec: { storageClassName: 'a' } }, { kind: 'PersistentVolumeClaim', spec: { storageClassName: 'b' } },
      /^PersistentVolumeClaim fields spec\.storageClassName are immutable/],
    ['Service made headless', { kind: 'Service', spec: { type: 'ClusterIP' } }, { kind: 'Service', spec: { type: 'ClusterIP', clusterIP: 'None' } },
      /^Service spec\.clusterIP is immutable once allocated \(allocated → None\)/],
    ['Secret type', { kind: 'Secret', type: 'Opaque' }, { kind: 'Secret', type: 'kubernetes.io/tls' }, /^Secret type is immutable/],
    ['claim shrink', { kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage: '20Gi' } } } },
      { kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage: '2Gi' } } } }, /^PersistentVolumeClaim storage cannot shrink \(20Gi → 2Gi\)/],
  ])('%s cannot change in place', (_name, before, after, reason) => {
    expect(replacementReason(before, after, fieldChanges(before, after))).toMatch(reason);
  });

  test.each([
    ['claim growth', { kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage: '2Gi' } } } },
      { kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage: '20Gi' } } } }],
    ['mutable ConfigMap data', { kind: 'ConfigMap', data: { a: '1' } }, { kind: 'ConfigMap', data: { a: '2' } }],
    ['Service type', { kind: 'Service', spec: { type: 'ClusterIP' } }, { kind: 'Service', spec: { type: 'NodePort' } }],
    ['Service to ExternalName', { kind: 'Service', spec: { clusterIP: '10.0.0.1' } }, { kind: 'Service', spec: { type: 'ExternalName', externalName: 'db.example.com' } }],
  ])('%s changes in place', (_name, before, after) => {
    expect(replacementReason(before, after, fieldChanges(before, after))).toBeUndefined();
  });

  test('offering-level objects group as shared; filters keep the offerings and tenants asked for', () => {
    const shared = (value: string): DiffObject => ({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'catalog', namespace: 'shop-system', labels: labels() }, data: { v: value } } });
    const before = [namespace('acme'), namespace('globex'), shared('1'), object('acme', 'ConfigMap', 'c', { data: { v: '1' } }), object('globex', 'ConfigMap', 'c', { data: { v: '1' } })];
    const after = [namespace('acme'), namespace('globex'), shared('2'), object('acme', 'ConfigMap', 'c', { data: { v: '2' } }), object('globex', 'ConfigMap', 'c', { data: { v: '2' } })];
    const all = diffObjects(before, after);
    expect(all.groups.map((g) => [g.offering, g.tenant])).toEqual([['shop', undefined], ['shop', 'acme'], ['shop', 'globex']]);
    expect(all.summary).toMatchObject({ tenantsChanged: 2, changed: 3 });
    expect(formatDiff(all)).toContain('offering shop (shared objects)\n');
    expect(diffObjects(before, after, { tenants: ['globex'] }).groups.map((g) => g.tenant)).toEqual(['globex']);
    expect(diffObjects(before, after, { offerings: ['other'] }).groups).toEqual([]);
  });

  test('an object the API server refuses is listed as destructive with the server\'s reason', () => {
    const added = { ...object('acme', 'ServiceMonitor', 'app', {}, 'monitoring.coreos.com/v1'), refused: 'the cluster does not serve ServiceMonitor' };
    const diff = diffObjects([namespace('acme')], [namespace('acme'), added]);
    expect(diff.groups[0].destructive).toEqual([{ object: expect.objectContaining({ kind: 'ServiceMonitor' }), reason: 'the cluster does not serve ServiceMonitor' }]);
  });

  test('a long value is shown where the two sides start to differ, and different long changes are not merged', () => {
    const conf = (port: number) => `server {\n  listen ${port};\n  ${'location / { root /usr/share/nginx/html; }\n  '.repeat(4)}}`;
    const config = (port: number, name: string) => object('acme', 'ConfigMap', name, { data: { 'default.conf': conf(port) } });
    const before = [namespace('acme'), ...['a', 'b', 'c', 'd'].map((n) => config(8080, n))];
    const after = [namespace('acme'), config(9090, 'a'), config(9090, 'b'), config(9090, 'c'), config(9191, 'd')];
    const text = formatDiff(diffObjects(before, after));
    expect(text).not.toContain('  ~ 4 objects');
    expect(text).toContain('listen 8080');
    expect(text).toContain('listen 9191');
    expect(text.match(/listen 9090/g)).toHaveLength(3);
  });

  test('the same object twice in a tree is an error that names both files', () => {
    const twice = [namespace('acme'), object('acme', 'ConfigMap', 'c'), { ...object('acme', 'ConfigMap', 'c'), file: 'shop/acme/50-extra.yaml' }];
    expect(() => diffObjects(twice, [])).toThrow('ConfigMap. "shop-acme/c" is in shop/acme/30-app.yaml and again in shop/acme/50-extra.yaml');
  });

  test('a removed CustomResourceDefinition is destructive; keys named like Object members are fields like any other', () => {
    const crd: DiffObject = { object: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } } };
    expect(diffObjects([crd], []).groups[0].destructive[0].reason).toBe('removing the CustomResourceDefinition deletes every object of its kind in the cluster');
    expect(fieldChanges({ data: {} }, { data: { constructor: 'x' } })).toEqual([{ path: 'data.constructor', after: 'x' }]);
    expect(fieldChanges({ data: { toString: 'x' } }, { data: {} })).toEqual([{ path: 'data.toString', before: 'x' }]);
  });

  test('an object the API server accepted (a --live dry run) is not judged by the offline rules', () => {
    const before = statefulSet('acme', '2Gi');
    const after = { ...statefulSet('acme', '20Gi'), accepted: true };
    expect(diffObjects([namespace('acme'), before], [namespace('acme'), after]).summary.destructive).toBe(0);
  });
});
