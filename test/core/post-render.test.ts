import type { RenderedObject } from '../../src/core/helm';
import type { KubeObject } from '../../src/core/kube';
import { adaptChartObjects, CLUSTER_SCOPED_KINDS, TenantPlacement } from '../../src/core/post-render';

const LABELS = { 'saasplane.io/offering': 'shop', 'saasplane.io/tenant': 'acme', 'saasplane.io/plan': 'small', 'app.kubernetes.io/managed-by': 'saasplane' };
const POD_LABELS = { 'saasplane.io/offering': 'shop', 'saasplane.io/tenant': 'acme' };
const TOLERATION = { key: 'pool', operator: 'Equal', value: 'tenants', effect: 'NoSchedule' };

function placement(overrides: Partial<TenantPlacement> = {}): TenantPlacement {
  return {
    namespace: 'shop-acme',
    labels: LABELS,
    podLabels: POD_LABELS,
    nodeSelector: { pool: 'tenants' },
    tolerations: [TOLERATION],
    storageClasses: [],
    allowNodePorts: false,
    allowLoadBalancers: false,
    ...overrides,
  };
}

function rendered(object: Record<string, unknown>, template = 'shop/templates/x.yaml'): RenderedObject {
  return { object: object as KubeObject, template };
}

function podSpec() {
  return { containers: [{ name: 'app', image: 'nginx' }], tolerations: [{ key: 'own', operator: 'Exists' }] };
}

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { 'app': 'web', 'saasplane.io/tenant': 'forged' } },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec() },
    },
  };
}

function statefulSet(claimSpec: Record<string, unknown> = { accessModes: ['ReadWriteOnce'] }) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      selector: { matchLabels: { app: 'db' } },
      serviceName: 'db',
      template: { metadata: { labels: { app: 'db' } }, spec: podSpec() },
      volumeClaimTemplates: [{ metadata: { name: 'data', labels: { app: 'db' } }, spec: claimSpec }],
    },
  };
}

function cronJob() {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'backup' },
    spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'OnFailure' } } } } },
  };
}

function pod() {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', labels: { app: 'debug' } }, spec: podSpec() };
}

function service(type?: string) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ...(type ? { type } : {}), ports: [{ port: 80 }] } };
}

function claim(storageClassName?: string | null) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], ...(storageClassName !== undefined ? { storageClassName } : {}) },
  };
}

function adaptOne(object: Record<string, unknown>, where: Partial<TenantPlacement> = {}) {
  const result = adaptChartObjects([rendered(object)], placement(where));
  return { object: result.objects[0] as any, problems: result.problems };
}

describe('adaptChartObjects', () => {
  describe('namespace and labels', () => {
    it('forces every object into the tenant namespace, whatever the chart set', () => {
      const result = adaptChartObjects([
        rendered(deployment()),
        rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: {} }),
      ], placement());
      expect(result.problems).toEqual([]);
      expect(result.objects.map((o) => o.metadata.namespace)).toEqual(['shop-acme', 'shop-acme']);
    });

    it('adds the tenant labels to every object, keeping the chart labels and overriding forged ones', () => {
      const { object } = adaptOne(deployment());
      expect(object.metadata.labels).toEqual({ app: 'web', ...LABELS });
    });

    it.each([
      ['Deployment', deployment, (o: any) => o.spec.template],
      ['StatefulSet', statefulSet, (o: any) => o.spec.template],
      ['CronJob', cronJob, (o: any) => o.spec.jobTemplate.spec.template],
    ])('labels the pod template of a %s with the pod labels', (_, make, templateOf) => {
      const { object, problems } = adaptOne(make());
      expect(problems).toEqual([]);
      expect(templateOf(object).metadata.labels).toEqual(expect.objectContaining(POD_LABELS));
    });

    it('keeps the chart labels of a pod template', () => {
      const { object } = adaptOne(deployment());
      expect(object.spec.template.metadata.labels).toEqual({ app: 'web', ...POD_LABELS });
    });

    it('labels a bare Pod with both the object and pod labels', () => {
      const { object } = adaptOne(pod());
      expect(object.metadata.labels).toEqual({ app: 'debug', ...LABELS, ...POD_LABELS });
    });

    it('labels volume claim templates of a StatefulSet', () => {
      const { object } = adaptOne(statefulSet());
      expect(object.spec.volumeClaimTemplates[0].metadata).toEqual({ name: 'data', labels: { app: 'db', ...POD_LABELS } });
    });

    it('does not touch spec.selector (it is immutable on existing workloads)', () => {
      const { object } = adaptOne(deployment());
      expect(object.spec.selector).toEqual({ matchLabels: { app: 'web' } });
      const sts = adaptOne(statefulSet()).object;
      expect(sts.spec.selector).toEqual({ matchLabels: { app: 'db' } });
    });
  });

  describe('node placement', () => {
    it.each([
      ['Deployment', deployment, (o: any) => o.spec.template.spec],
      ['StatefulSet', statefulSet, (o: any) => o.spec.template.spec],
      ['CronJob', cronJob, (o: any) => o.spec.jobTemplate.spec.template.spec],
      ['Pod', pod, (o: any) => o.spec],
    ])('injects the nodeSelector and appends the tolerations on a %s', (_, make, specOf) => {
      const { object } = adaptOne(make());
      expect(specOf(object).nodeSelector).toEqual({ pool: 'tenants' });
      expect(specOf(object).tolerations).toEqual([{ key: 'own', operator: 'Exists' }, TOLERATION]);
    });

    it('lets the plan nodeSelector win over a chart nodeSelector with the same key', () => {
      const dep = deployment();
      (dep.spec.template.spec as Record<string, unknown>).nodeSelector = { pool: 'anything', zone: 'a' };
      expect(adaptOne(dep).object.spec.template.spec.nodeSelector).toEqual({ pool: 'tenants', zone: 'a' });
    });

    it('leaves pods alone when the plan has no placement', () => {
      const { object } = adaptOne(deployment(), { nodeSelector: {}, tolerations: [] });
      expect(object.spec.template.spec).toEqual(podSpec());
    });

    it('does not add pod fields to objects that have no pods', () => {
      const { object } = adaptOne(service());
      expect(object.spec).toEqual(service().spec);
    });
  });

  describe('cluster-scoped objects', () => {
    it.each(['Namespace', 'ClusterRole', 'CustomResourceDefinition', 'ClusterRoleBinding', 'StorageClass'])(
      'fails when the chart renders a %s, naming kind, name and template, and drops it',
      (kind) => {
        const result = adaptChartObjects([
          rendered({ apiVersion: 'v1', kind, metadata: { name: 'sneaky' } }, 'shop/templates/cluster.yaml'),
          rendered(deployment()),
        ], placement());
        expect(result.problems).toHaveLength(1);
        expect(result.problems[0]).toContain(`cluster-scoped ${kind} "sneaky" (from shop/templates/cluster.yaml)`);
        expect(result.problems[0]).toContain('sharedObjects');
        expect(result.objects.map((o) => o.kind)).toEqual(['Deployment']);
      },
    );

    it('names the object without a template when helm printed none', () => {
      const result = adaptChartObjects([{ object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } } }], placement());
      expect(result.problems[0]).toContain('cluster-scoped Namespace "ns":');
    });

    it('lists the common cluster-scoped kinds', () => {
      for (const kind of ['Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
        'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'PriorityClass', 'StorageClass', 'IngressClass']) {
        expect(CLUSTER_SCOPED_KINDS.has(kind)).toBe(true);
      }
      for (const kind of ['Deployment', 'Role', 'RoleBinding', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim']) {
        expect(CLUSTER_SCOPED_KINDS.has(kind)).toBe(false);
      }
    });
  });

  describe('hostPath', () => {
    it.each([
      ['Deployment', () => {
        const o = deployment();
        (o.spec.template.spec as Record<string, unknown>).volumes = [{ name: 'host', hostPath: { path: '/' } }, { name: 'tmp', emptyDir: {} }];
        return o;
      }],
      ['CronJob', () => {
        const o = cronJob();
        (o.spec.jobTemplate.spec.template.spec as Record<string, unknown>).volumes = [{ name: 'host', hostPath: { path: '/var/run' } }];
        return o;
      }],
      ['Pod', () => ({ ...pod(), spec: { ...podSpec(), volumes: [{ name: 'host', hostPath: { path: '/etc' } }] } })],
    ])('fails when a %s mounts a hostPath volume, naming the object and the volume', (kind, make) => {
      const { problems } = adaptOne(make());
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`${kind} "`);
      expect(problems[0]).toContain('hostPath volume "host"');
      expect(problems[0]).toContain('(from shop/templates/x.yaml)');
    });

    it('accepts other volume types', () => {
      const o = deployment();
      (o.spec.template.spec as Record<string, unknown>).volumes = [{ name: 'tmp', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }];
      expect(adaptOne(o).problems).toEqual([]);
    });
  });

  describe('Services', () => {
    it('accepts ClusterIP and headless Services', () => {
      expect(adaptOne(service()).problems).toEqual([]);
      expect(adaptOne(service('ClusterIP')).problems).toEqual([]);
    });

    it('fails when a Service is of type NodePort, unless node ports are allowed', () => {
      const { problems } = adaptOne(service('NodePort'));
      expect(problems).toEqual([expect.stringContaining('Service "web" (from shop/templates/x.yaml) is of type NodePort')]);
      expect(adaptOne(service('NodePort'), { allowNodePorts: true }).problems).toEqual([]);
      expect(adaptOne(service('NodePort'), { allowLoadBalancers: true }).problems).toHaveLength(1);
    });

    it('fails when a Service is of type LoadBalancer, unless load balancers are allowed', () => {
      const { problems } = adaptOne(service('LoadBalancer'));
      expect(problems).toEqual([expect.stringContaining('is of type LoadBalancer')]);
      expect(adaptOne(service('LoadBalancer'), { allowLoadBalancers: true }).problems).toEqual([]);
      expect(adaptOne(service('LoadBalancer'), { allowNodePorts: true }).problems).toHaveLength(1);
    });
  });

  describe('storage classes', () => {
    const allowed = { storageClasses: ['standard', 'fast'] };

    it('fails when a claim names a storage class that is not allowed, listing the allowed ones', () => {
      const { problems } = adaptOne(claim('premium'), allowed);
      expect(problems).toEqual([expect.stringContaining('PersistentVolumeClaim "data" (from shop/templates/x.yaml) claims storage class "premium"')]);
      expect(problems[0]).toContain('"standard", "fast"');
    });

    it('fails when a volume claim template names a storage class that is not allowed', () => {
      const { problems } = adaptOne(statefulSet({ storageClassName: 'premium' }), allowed);
      expect(problems).toEqual([expect.stringContaining('StatefulSet "db"')]);
    });

    it('accepts any allowed class', () => {
      expect(adaptOne(claim('fast'), allowed).object.spec.storageClassName).toBe('fast');
      expect(adaptOne(claim('fast'), allowed).problems).toEqual([]);
    });

    it.each([undefined, null, ''])('sets the first allowed class where the claim names %p', (storageClassName) => {
      const { object, problems } = adaptOne(claim(storageClassName), allowed);
      expect(problems).toEqual([]);
      expect(object.spec.storageClassName).toBe('standard');
    });

    it('sets the first allowed class on volume claim templates and on claims without a spec', () => {
      expect(adaptOne(statefulSet(), allowed).object.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('standard');
      const bare = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'bare' } };
      expect(adaptOne(bare, allowed).object.spec).toEqual({ storageClassName: 'standard' });
    });

    it('accepts any class, and sets none, when the offering lists none', () => {
      expect(adaptOne(claim('premium')).problems).toEqual([]);
      expect(adaptOne(claim()).object.spec.storageClassName).toBeUndefined();
    });

    it('labels claims with the pod labels', () => {
      expect(adaptOne(claim()).object.metadata.labels).toEqual(expect.objectContaining(POD_LABELS));
    });
  });

  it('collects the problems of all objects', () => {
    const result = adaptChartObjects([
      rendered({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } }),
      rendered(service('NodePort')),
      rendered(claim('premium')),
    ], placement({ storageClasses: ['standard'] }));
    expect(result.problems).toHaveLength(3);
  });

  it('does not modify its input, nor share objects with it', () => {
    const input = [rendered(deployment()), rendered(statefulSet()), rendered(cronJob()), rendered(pod()), rendered(claim()), rendered(service('NodePort'))];
    const copy = structuredClone(input);
    const where = placement({ storageClasses: ['standard'] });
    const whereCopy = structuredClone(where);
    const result = adaptChartObjects(input, where);
    expect(input).toEqual(copy);
    expect(where).toEqual(whereCopy);
    result.objects.forEach((o, i) => expect(o).not.toBe(input[i].object));
    (result.objects[0] as any).spec.template.spec.nodeSelector.pool = 'changed';
    expect(where.nodeSelector).toEqual({ pool: 'tenants' });
  });
});
