import type { RenderedObject } from '../../src/core/helm';
import { CLUSTER_SCOPED_KINDS, KubeObject } from '../../src/core/kube';
import { adaptChartObjects, ingressHosts, TenantPlacement } from '../../src/core/post-render';

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
    alwaysPullImages: true,
    ingressDomains: ['shop.example.com'],
    ingressAnnotations: [],
    priorityClassNames: [],
    ...overrides,
  };
}

function rendered(object: Record<string, unknown>, template = 'shop/templates/x.yaml'): RenderedObject {
  return { object: object as KubeObject, template };
}

function podSpec() {
  return { containers: [{ name: 'app', image: 'nginx' }], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] };
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
      expect(specOf(object).tolerations).toEqual([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, TOLERATION]);
    });

    it('lets the plan nodeSelector win over a chart nodeSelector with the same key', () => {
      const dep = deployment();
      (dep.spec.template.spec as Record<string, unknown>).nodeSelector = { pool: 'anything', zone: 'a' };
      expect(adaptOne(dep).object.spec.template.spec.nodeSelector).toEqual({ pool: 'tenants', zone: 'a' });
    });

    it('leaves pods alone when the plan has no placement and images need not be pulled', () => {
      const { object } = adaptOne(deployment(), { nodeSelector: {}, tolerations: [], alwaysPullImages: false });
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

    it('fails when a generic ephemeral volume claims a storage class that is not allowed, and sets the first allowed one where it names none', () => {
      const ephemeralPod = (storageClassName?: string) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'worker' },
        spec: {
          containers: [{ name: 'c', image: 'i' }],
          volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }],
        },
      });
      expect(adaptOne(ephemeralPod('premium'), allowed).problems).toEqual([expect.stringContaining('Pod "worker" (from shop/templates/x.yaml) claims storage class "premium"')]);
      expect(adaptOne(ephemeralPod(), allowed).object.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName).toBe('standard');
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

  describe('image pulls', () => {
    function withInit(make: () => any, specOf: (o: any) => any) {
      const o = make();
      specOf(o).initContainers = [{ name: 'migrate', image: 'migrate:1', imagePullPolicy: 'IfNotPresent' }];
      specOf(o).containers[0].imagePullPolicy = 'Never';
      return o;
    }

    it.each([
      ['Deployment', deployment, (o: any) => o.spec.template.spec],
      ['StatefulSet', statefulSet, (o: any) => o.spec.template.spec],
      ['CronJob', cronJob, (o: any) => o.spec.jobTemplate.spec.template.spec],
      ['Pod', pod, (o: any) => o.spec],
    ])('sets imagePullPolicy Always on every container and init container of a %s', (_, make, specOf) => {
      const { object, problems } = adaptOne(withInit(make, specOf));
      expect(problems).toEqual([]);
      expect(specOf(object).containers.map((c: any) => c.imagePullPolicy)).toEqual(['Always']);
      expect(specOf(object).initContainers.map((c: any) => c.imagePullPolicy)).toEqual(['Always']);
    });

    it("keeps the chart's pull policy when the offering does not force pulls", () => {
      const { object } = adaptOne(withInit(deployment, (o) => o.spec.template.spec), { alwaysPullImages: false });
      expect(object.spec.template.spec.containers[0].imagePullPolicy).toBe('Never');
      expect(object.spec.template.spec.initContainers[0].imagePullPolicy).toBe('IfNotPresent');
      expect(adaptOne(deployment(), { alwaysPullImages: false }).object.spec.template.spec.containers[0]).toEqual({ name: 'app', image: 'nginx' });
    });
  });

  describe('Service aliases and external IPs', () => {
    it('fails when a Service is of type ExternalName, even when node ports and load balancers are allowed', () => {
      const externalName = { ...service('ExternalName'), spec: { type: 'ExternalName', externalName: 'db.other-tenant.svc.cluster.local' } };
      const expected = ['Service "web" (from shop/templates/x.yaml) is of type ExternalName: a tenant may not alias names outside its namespace; '
        + 'declare the target as a network dependency of the offering'];
      expect(adaptOne(externalName).problems).toEqual(expected);
      expect(adaptOne(externalName, { allowNodePorts: true, allowLoadBalancers: true }).problems).toEqual(expected);
    });

    it('fails when a Service sets externalIPs, naming them', () => {
      const withIps = { ...service(), spec: { ports: [{ port: 80 }], externalIPs: ['203.0.113.9', '198.51.100.1'] } };
      expect(adaptOne(withIps).problems).toEqual([
        'Service "web" (from shop/templates/x.yaml) sets externalIPs ["203.0.113.9","198.51.100.1"]: a tenant could intercept traffic to those addresses '
          + '(CVE-2020-8554); remove them and route through the ingress',
      ]);
    });

    it('fails twice when a NodePort Service also sets externalIPs', () => {
      const both = { ...service(), spec: { type: 'NodePort', ports: [{ port: 80 }], externalIPs: ['203.0.113.9'] } };
      const { problems } = adaptOne(both);
      expect(problems).toHaveLength(2);
      expect(problems[0]).toContain('is of type NodePort');
      expect(problems[1]).toContain('sets externalIPs ["203.0.113.9"]');
    });

    it('accepts an empty externalIPs list', () => {
      expect(adaptOne({ ...service(), spec: { ports: [{ port: 80 }], externalIPs: [] } }).problems).toEqual([]);
    });
  });

  describe('NetworkPolicies of the chart', () => {
    const WIDENS = 'NetworkPolicy "np" (from shop/templates/x.yaml) opens traffic to or from outside the tenant namespace (a rule without peers, '
      + "a namespaceSelector or an ipBlock): policies add up, so this would widen the tenant's isolation; "
      + 'declare the path as a network dependency of the offering instead, or limit the rule to pod selectors';

    function networkPolicy(spec: Record<string, unknown>) {
      return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: { matchLabels: { app: 'db' } }, ...spec } };
    }

    it('accepts policies whose rules name only pods of the namespace, and policies without rules', () => {
      expect(adaptOne(networkPolicy({
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      })).problems).toEqual([]);
      expect(adaptOne(networkPolicy({ policyTypes: ['Ingress'] })).problems).toEqual([]);
      expect(adaptOne(networkPolicy({ policyTypes: ['Ingress'], ingress: [] })).problems).toEqual([]);
    });

    it.each([
      ['an ingress rule has no from (every source)', { ingress: [{ ports: [{ port: 5432 }] }] }],
      ['an ingress rule has an empty from', { ingress: [{ from: [] }] }],
      ['an egress rule has no to (every destination)', { egress: [{ ports: [{ port: 443 }] }] }],
      ['a peer has a namespaceSelector', { ingress: [{ from: [{ namespaceSelector: {} }] }] }],
      ['a peer has a namespaceSelector beside its podSelector', { ingress: [{ from: [{ podSelector: {}, namespaceSelector: { matchLabels: { team: 'x' } } }] }] }],
      ['a peer has an ipBlock', { egress: [{ to: [{ podSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }] }] }],
    ])('fails when %s', (_, spec) => {
      expect(adaptOne(networkPolicy(spec)).problems).toEqual([WIDENS]);
    });

    it('reports one problem per policy, however many rules widen it', () => {
      expect(adaptOne(networkPolicy({ ingress: [{}, { from: [{ namespaceSelector: {} }] }], egress: [{}] })).problems).toEqual([WIDENS]);
    });
  });

  describe('RoleBindings of the chart', () => {
    function roleBinding(roleRef: Record<string, unknown>, subjects: unknown[]) {
      return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef, subjects };
    }
    const ROLE = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'app' };
    const WHERE = 'RoleBinding "rb" (from shop/templates/x.yaml)';
    const ONLY_SERVICE_ACCOUNTS = ": a tenant's chart may grant only to ServiceAccounts of the tenant namespace; use ConsumerAccess for people";

    it('accepts a Role of the chart bound to ServiceAccounts of the tenant namespace, with or without the namespace', () => {
      expect(adaptOne(roleBinding(ROLE, [
        { kind: 'ServiceAccount', name: 'app' },
        { kind: 'ServiceAccount', name: 'worker', namespace: 'shop-acme' },
      ])).problems).toEqual([]);
    });

    it.each(['cluster-admin', 'edit'])('fails when the chart binds the ClusterRole %s', (name) => {
      expect(adaptOne(roleBinding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, [{ kind: 'ServiceAccount', name: 'app' }])).problems).toEqual([
        `${WHERE} binds the ClusterRole "${name}": a tenant's chart may bind only Roles it renders itself; write a Role with the rules the application needs`,
      ]);
    });

    it('fails when the roleRef has no kind', () => {
      expect(adaptOne(roleBinding({ name: 'x' }, [])).problems).toEqual([expect.stringContaining(`${WHERE} binds the unknown "x"`)]);
    });

    it.each([
      ['a User', { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice@example.com' }, 'User "alice@example.com"'],
      ['a Group', { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }, 'Group "system:authenticated"'],
      ['a ServiceAccount of another namespace', { kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }, 'ServiceAccount "default" of namespace "kube-system"'],
      ['a ServiceAccount of another tenant', { kind: 'ServiceAccount', name: 'app', namespace: 'shop-globex' }, 'ServiceAccount "app" of namespace "shop-globex"'],
    ])('fails when the chart grants to %s', (_, subject, named) => {
      expect(adaptOne(roleBinding(ROLE, [{ kind: 'ServiceAccount', name: 'app' }, subject])).problems).toEqual([`${WHERE} grants to ${named}${ONLY_SERVICE_ACCOUNTS}`]);
    });

    it('lists the roleRef and every foreign subject', () => {
      const { problems } = adaptOne(roleBinding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, [
        { kind: 'User', name: 'alice' },
        { kind: 'ServiceAccount', name: 'app' },
        { kind: 'Group', name: 'ops' },
      ]));
      expect(problems).toEqual([
        expect.stringContaining('binds the ClusterRole "cluster-admin"'),
        `${WHERE} grants to User "alice"${ONLY_SERVICE_ACCOUNTS}`,
        `${WHERE} grants to Group "ops"${ONLY_SERVICE_ACCOUNTS}`,
      ]);
    });
  });

  describe('Ingress hosts', () => {
    const WHERE = 'Ingress "web" (from shop/templates/x.yaml)';
    const ANY_HOST = `${WHERE} routes requests for any host: it would take other tenants' traffic on its ingress class; give every rule a host and no defaultBackend`;
    const backend = { service: { name: 'web', port: { name: 'http' } } };

    function ingress(spec: Record<string, unknown>) {
      return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec };
    }
    function routing(...hosts: Array<string | undefined>) {
      return ingress({ rules: hosts.map((host) => ({ ...(host === undefined ? {} : { host }), http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } })) });
    }

    it('accepts hosts that are a domain of the offering or a name under one', () => {
      expect(adaptOne(routing('acme.shop.example.com', 'shop.example.com', 'a.b.shop.example.com')).problems).toEqual([]);
      expect(adaptOne(routing('acme.other.example.org'), { ingressDomains: ['shop.example.com', 'other.example.org'] }).problems).toEqual([]);
    });

    it('fails when a host only ends with the domain text, without a dot before it', () => {
      expect(adaptOne(routing('evilshop.example.com')).problems).toEqual([
        `${WHERE} serves host "evilshop.example.com", outside the offering's domains "shop.example.com": choose a host such as "<tenant>.shop.example.com"`,
      ]);
    });

    it('fails when a host is outside the domains, listing them', () => {
      expect(adaptOne(routing('acme.example.net'), { ingressDomains: ['shop.example.com', 'shop.example.org'] }).problems).toEqual([
        `${WHERE} serves host "acme.example.net", outside the offering's domains "shop.example.com", "shop.example.org": choose a host such as "<tenant>.shop.example.com"`,
      ]);
    });

    it('fails when a TLS host is outside the domains', () => {
      const spec = { tls: [{ hosts: ['acme.shop.example.com', 'bank.example.net'], secretName: 'tls' }], rules: [{ host: 'acme.shop.example.com', http: { paths: [] } }] };
      expect(adaptOne(ingress(spec)).problems).toEqual([expect.stringContaining(`${WHERE} serves host "bank.example.net", outside the offering's domains`)]);
    });

    it('fails when the offering declares no domains, suggesting the parent domain of the host', () => {
      expect(adaptOne(routing('acme.shop.example.com'), { ingressDomains: [] }).problems).toEqual([
        `${WHERE} serves host "acme.shop.example.com", but the offering declares no ingressDomains: set ingressDomains on the offering (e.g. ["shop.example.com"])`,
      ]);
      expect(adaptOne(routing('localhost'), { ingressDomains: [] }).problems).toEqual([expect.stringContaining('(e.g. ["localhost"])')]);
    });

    it('fails when a rule has no host', () => {
      expect(adaptOne(routing('acme.shop.example.com', undefined)).problems).toEqual([ANY_HOST]);
    });

    it('fails when the Ingress has a defaultBackend', () => {
      expect(adaptOne(ingress({ defaultBackend: backend })).problems).toEqual([ANY_HOST]);
      expect(adaptOne(ingress({ defaultBackend: backend, rules: [{ host: 'acme.shop.example.com' }] })).problems).toEqual([ANY_HOST]);
    });

    it('fails when a host is a wildcard under the domain (bug: accepted, and it catches every other tenant\'s host)', () => {
      // isInDomain("*.shop.example.com", "shop.example.com") is true, so a wildcard rule passes the
      // post-render guard (and the admission guard's endsWith), and OfferingMembers/NameClaims compare
      // hosts as strings: one tenant's "*.shop.example.com" would serve every host no other tenant claims.
      expect(adaptOne(routing('*.shop.example.com')).problems).toHaveLength(1);
    });
  });

  describe('ingressHosts', () => {
    it('lists the rule hosts, then the TLS hosts, once each', () => {
      const object = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web' },
        spec: {
          tls: [{ hosts: ['b.shop.example.com', 'a.shop.example.com'] }, { secretName: 'no-hosts' }],
          rules: [{ host: 'a.shop.example.com' }, {}, { host: '' }, { host: 'c.shop.example.com' }],
        },
      } as KubeObject;
      expect(ingressHosts(object)).toEqual(['a.shop.example.com', 'c.shop.example.com', 'b.shop.example.com']);
    });

    it('is empty for an Ingress without spec and for other kinds', () => {
      expect(ingressHosts({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x' } })).toEqual([]);
      expect(ingressHosts({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { rules: [{ host: 'a.b' }] } })).toEqual([]);
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

describe('adaptChartObjects: scheduling and claims stay within the plan', () => {
  const deploymentWith = (extra: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { metadata: {}, spec: { containers: [{ name: 'app', image: 'nginx' }], ...extra } } },
  });
  it.each([
    [{ tolerations: [{ operator: 'Exists' }] }, /tolerates \{"operator":"Exists"\}: a tenant's pods may tolerate only their plan's taints/],
    [{ tolerations: [{ key: 'pool', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }, /tolerates .*"value":"gpu"/],
    [{ nodeName: 'node-1' }, /pins its pods to node "node-1": remove nodeName/],
    [{ schedulerName: 'my-scheduler' }, /uses the scheduler "my-scheduler"/],
    [{ priorityClassName: 'system-node-critical' }, /priority class "system-node-critical": it could preempt other tenants' pods/],
    [{ priorityClassName: 'platform-high' }, /priority class "platform-high": .* declare it in the offering's priorityClassNames/],
    [{ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }] }, /tolerates .*unschedulable/],
    [{ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }] }, /tolerates .*not-ready/],
  ])('fails when a pod template sets %j', (extra, message) => {
    const result = adaptChartObjects([rendered(deploymentWith(extra))], placement());
    expect(result.problems).toEqual([expect.stringMatching(message)]);
  });

  it('accepts the plan\'s own tolerations, the 300 s node condition ones Kubernetes adds, and declared priority classes', () => {
    const plan = { key: 'pool', operator: 'Equal', value: 'large', effect: 'NoSchedule' };
    const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
    const result = adaptChartObjects([rendered(deploymentWith({ tolerations: [plan, unreachable], priorityClassName: 'tenant-high' }))],
      placement({ tolerations: [plan], priorityClassNames: ['tenant-high'] }));
    expect(result.problems).toEqual([]);
  });

  it.each([
    [{ volumeName: 'archived-pv' }, /picks a PersistentVolume \(volumeName "archived-pv"\)/],
    [{ selector: { matchLabels: { 'saasplane.io/tenant': 'globex' } } }, /picks a PersistentVolume \(a volume selector\)/],
    [{ dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'data', namespace: 'shop-globex' } }, /picks a PersistentVolume \(a data source in another namespace\)/],
  ])('fails when a claim picks its volume: %j', (extra, message) => {
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { storageClassName: 'standard', ...extra } };
    expect(adaptChartObjects([rendered(pvc)], placement()).problems).toEqual([expect.stringMatching(message)]);
  });

  it('fails when an Ingress sets an undeclared ingress controller annotation or another IngressClass', () => {
    const ingress = (annotations: Record<string, string>, className?: string) => rendered({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', annotations },
      spec: { ...(className ? { ingressClassName: className } : {}), rules: [{ host: 'acme.shop.example.com' }] },
    });
    const where = placement({ ingressDomains: ['shop.example.com'], ingressAnnotations: ['nginx.ingress.kubernetes.io/rewrite-target'], ingressClassName: 'nginx' });
    expect(adaptChartObjects([ingress({ 'nginx.ingress.kubernetes.io/server-alias': 'login.bank.example' }, 'nginx')], where).problems)
      .toEqual([expect.stringMatching(/sets the ingress controller annotation "nginx.ingress.kubernetes.io\/server-alias"/)]);
    expect(adaptChartObjects([ingress({ 'nginx.ingress.kubernetes.io/rewrite-target': '/', 'team': 'web' }, 'internal-admin')], where).problems)
      .toEqual([expect.stringMatching(/uses the IngressClass "internal-admin": the offering allows only "nginx"/)]);
    expect(adaptChartObjects([ingress({ 'nginx.ingress.kubernetes.io/rewrite-target': '/' }, 'nginx')], where).problems).toEqual([]);
  });

  it('fails when an Ingress sets a configuration snippet', () => {
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/server-snippet': 'location / { proxy_pass http://169.254.169.254; }' } },
      spec: { rules: [{ host: 'acme.shop.example.com' }] },
    };
    expect(adaptChartObjects([rendered(ingress)], placement({ ingressDomains: ['shop.example.com'] })).problems)
      .toEqual([expect.stringMatching(/sets the ingress controller annotation "nginx.ingress.kubernetes.io\/server-snippet"/)]);
  });

  it.each([[{ maxUnavailable: 0 }], [{ maxUnavailable: '0%' }], [{ minAvailable: '100%' }]])('fails when a PodDisruptionBudget allows no eviction: %j', (spec) => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { selector: {}, ...spec } };
    expect(adaptChartObjects([rendered(pdb)], placement()).problems).toEqual([expect.stringMatching(/PodDisruptionBudget "web" .* allows no eviction/)]);
    expect(adaptChartObjects([rendered({ ...pdb, spec: { selector: {}, maxUnavailable: 1 } })], placement()).problems).toEqual([]);
  });
});
