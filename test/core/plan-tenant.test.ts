import type { LimitRange, Namespace, ResourceQuota } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { findObject, offeringSpec, resolved } from './fixtures';
import type { KubeObject } from '../../src/core/kube';
import { MetricsKind, OfferingSpec, PodSecurityLevel } from '../../src/core/model';
import { planTenantObjects, tenantPlacement } from '../../src/core/plan-tenant';
import { quotaHard } from '../../src/core/quota';

function plan(offering: OfferingSpec = offeringSpec(), tenant: { name?: string; plan?: string } = {}, chartObjects: KubeObject[] = []) {
  return planTenantObjects(resolved(offering, tenant), chartObjects);
}

function policies(offering?: OfferingSpec, chartObjects: KubeObject[] = []): NetworkPolicy[] {
  return plan(offering, {}, chartObjects).guardrails.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
}

function policy(offering: OfferingSpec | undefined, name: string, chartObjects: KubeObject[] = []): NetworkPolicy {
  const found = policies(offering, chartObjects).find((p) => p.metadata?.name === name);
  if (!found) throw new Error(`no NetworkPolicy ${name}`);
  return found;
}

function service(name: string, selector: Record<string, string> | undefined, ports: unknown[], labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { ...(selector ? { selector } : {}), ports } };
}

function ingress(name: string, paths: Array<{ path: string; service: string; port: { name?: string; number?: number } }>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name },
    spec: {
      rules: [{
        host: 'acme.shop.example.com',
        http: { paths: paths.map((p) => ({ path: p.path, pathType: 'Prefix', backend: { service: { name: p.service, port: p.port } } })) },
      }],
    },
  };
}

const INSTANCE = { 'app.kubernetes.io/instance': 'acme' };

/** Like the example chart: web (http + metrics) behind the Ingress, a database, and an API routed by port number. */
function exampleChart(): KubeObject[] {
  return [
    service('acme-web', { app: 'web' }, [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9113, targetPort: 'metrics', protocol: 'TCP' },
    ], INSTANCE),
    service('acme-db', { app: 'db' }, [{ name: 'postgres', port: 5432, targetPort: 'postgres' }], INSTANCE),
    service('acme-api', { app: 'api' }, [{ port: 8080 }, { name: 'grpc', port: 9000, targetPort: 9001, protocol: 'TCP' }]),
    ingress('acme', [{ path: '/', service: 'acme-web', port: { name: 'http' } }, { path: '/api', service: 'acme-api', port: { number: 8080 } }]),
  ];
}

const FROM_INGRESS_NGINX = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } };
const FROM_MONITORING = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };

const TENANT_LABELS = {
  'saasplane.io/offering': 'shop',
  'saasplane.io/tenant': 'acme',
  'saasplane.io/plan': 'small',
  'app.kubernetes.io/managed-by': 'saasplane',
};

describe('planTenantObjects', () => {
  describe('namespace', () => {
    it('labels the namespace with offering, tenant, plan and managed-by', () => {
      const ns = plan().namespace as Namespace;
      expect(ns.metadata?.name).toBe('shop-acme');
      expect(ns.metadata?.labels).toEqual(expect.objectContaining(TENANT_LABELS));
    });

    it('enforces the restricted Pod Security level by default', () => {
      const labels = plan().namespace.metadata.labels!;
      expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(labels['pod-security.kubernetes.io/audit']).toBe('restricted');
      expect(labels['pod-security.kubernetes.io/warn']).toBe('restricted');
      expect(labels['pod-security.kubernetes.io/enforce-version']).toBeDefined();
    });

    it('enforces the level the offering sets', () => {
      const labels = plan(offeringSpec({ podSecurity: PodSecurityLevel.BASELINE })).namespace.metadata.labels!;
      expect(labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
      expect(labels['pod-security.kubernetes.io/warn']).toBe('baseline');
    });

    it('carries the plan the tenant is on', () => {
      expect(plan(offeringSpec(), { plan: 'large' }).namespace.metadata.labels!['saasplane.io/plan']).toBe('large');
    });
  });

  it('puts every guardrail in the tenant namespace with the tenant labels', () => {
    const offering = offeringSpec({ metrics: { port: 'metrics' }, network: { dependencies: [{ name: 'db', namespace: 'databases' }] } });
    const { guardrails } = plan(offering, {}, exampleChart());
    expect(guardrails).toHaveLength(9);
    for (const object of guardrails) {
      expect(object.metadata.namespace).toBe('shop-acme');
      expect(object.metadata.labels).toEqual(TENANT_LABELS);
    }
  });

  describe('ResourceQuota', () => {
    const quotaOf = (offering: OfferingSpec, planName = 'small') =>
      findObject<ResourceQuota>(plan(offering, { plan: planName }).guardrails, 'ResourceQuota').spec!.hard;

    it('takes requests from the plan and defaults everything else', () => {
      expect(quotaOf(offeringSpec())).toEqual({
        'requests.cpu': '2',
        'limits.cpu': '2',
        'requests.memory': '4Gi',
        'limits.memory': '4Gi',
        'requests.ephemeral-storage': '10Gi',
        'limits.ephemeral-storage': '10Gi',
        'requests.storage': '0',
        'persistentvolumeclaims': '10',
        'pods': '20',
        'services': '10',
        'configmaps': '50',
        'secrets': '50',
        'replicationcontrollers': '0',
        'count/replicasets.apps': '100',
        'count/deployments.apps': '50',
        'count/statefulsets.apps': '50',
        'count/daemonsets.apps': '50',
        'count/jobs.batch': '50',
        'count/cronjobs.batch': '50',
        'count/ingresses.networking.k8s.io': '50',
        'count/serviceaccounts': '50',
        'count/poddisruptionbudgets.policy': '50',
        'count/horizontalpodautoscalers.autoscaling': '50',
        'resourcequotas': '1',
        'services.nodeports': '0',
        'services.loadbalancers': '0',
      });
    });

    it('uses every quota field the plan sets', () => {
      const offering = offeringSpec({
        plans: {
          custom: {
            quota: {
              cpu: '1',
              cpuLimit: '2',
              memory: '1Gi',
              memoryLimit: '3Gi',
              storage: '20Gi',
              ephemeralStorage: '4Gi',
              pods: 5,
              services: 3,
              persistentVolumeClaims: 2,
              configMaps: 7,
              secrets: 8,
              replicaSets: 12,
              objectsPerKind: 7,
              replicationControllers: 1,
            },
          },
        },
      });
      expect(quotaOf(offering, 'custom')).toEqual({
        'requests.cpu': '1',
        'limits.cpu': '2',
        'requests.memory': '1Gi',
        'limits.memory': '3Gi',
        'requests.ephemeral-storage': '4Gi',
        'limits.ephemeral-storage': '4Gi',
        'requests.storage': '20Gi',
        'persistentvolumeclaims': '2',
        'pods': '5',
        'services': '3',
        'configmaps': '7',
        'secrets': '8',
        'replicationcontrollers': '1',
        'count/replicasets.apps': '12',
        'count/deployments.apps': '7',
        'count/statefulsets.apps': '7',
        'count/daemonsets.apps': '7',
        'count/jobs.batch': '7',
        'count/cronjobs.batch': '7',
        'count/ingresses.networking.k8s.io': '7',
        'count/serviceaccounts': '7',
        'count/poddisruptionbudgets.policy': '7',
        'count/horizontalpodautoscalers.autoscaling': '7',
        'resourcequotas': '1',
        'services.nodeports': '0',
        'services.loadbalancers': '0',
      });
    });

    it('is quotaHard of the tenant, which the plan fit check compares against', () => {
      const offering = offeringSpec({ allowNodePorts: true });
      expect(quotaOf(offering, 'large')).toEqual(quotaHard(resolved(offering, { plan: 'large' })));
      expect(quotaHard(resolved(offering, { plan: 'large' }))['requests.storage']).toBe('100Gi');
    });

    it('holds one ResourceQuota per namespace: a second one is refused by the quota itself', () => {
      expect(quotaOf(offeringSpec())!.resourcequotas).toBe('1');
      expect(plan().guardrails.filter((o) => o.kind === 'ResourceQuota')).toHaveLength(1);
    });

    it('allows node ports and load balancers up to the service count only when the offering allows them', () => {
      const offering = offeringSpec({
        allowNodePorts: true,
        allowLoadBalancers: true,
        plans: { small: { quota: { cpu: '1', memory: '1Gi', services: 4 } } },
      });
      const hard = quotaOf(offering);
      expect(hard!['services.nodeports']).toBe('4');
      expect(hard!['services.loadbalancers']).toBe('4');
      expect(quotaOf(offeringSpec({ allowLoadBalancers: true }))!['services.nodeports']).toBe('0');
    });
  });

  describe('LimitRange', () => {
    const limitsOf = (offering: OfferingSpec) => findObject<LimitRange>(plan(offering).guardrails, 'LimitRange').spec?.limits;

    it('sets the container defaults, ephemeral storage included', () => {
      expect(limitsOf(offeringSpec())).toEqual([{
        type: 'Container',
        defaultRequest: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '100Mi' },
        default: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '1Gi' },
      }]);
    });

    it('uses the offering container defaults, field by field', () => {
      expect(limitsOf(offeringSpec({ containerDefaults: { cpuRequest: '50m', memoryLimit: '1Gi', ephemeralStorageLimit: '2Gi' } }))).toEqual([{
        type: 'Container',
        defaultRequest: { 'cpu': '50m', 'memory': '128Mi', 'ephemeral-storage': '100Mi' },
        default: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '2Gi' },
      }]);
      expect(limitsOf(offeringSpec({ containerDefaults: { ephemeralStorageRequest: '50Mi' } }))![0].defaultRequest).toEqual({
        'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '50Mi',
      });
    });
  });

  describe('NetworkPolicies', () => {
    it('denies all ingress and egress by default, with no rules', () => {
      const deny = policy(undefined, 'default-deny');
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    it('allows traffic inside the namespace only', () => {
      expect(policy(undefined, 'allow-same-namespace').spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      });
    });

    it('allows DNS egress only to kube-dns in kube-system on port 53 UDP and TCP', () => {
      const dns = policy(undefined, 'allow-dns');
      expect(dns.spec?.policyTypes).toEqual(['Egress']);
      expect(dns.spec?.ingress).toBeUndefined();
      expect(dns.spec?.egress).toEqual([{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }]);
    });

    it('uses the configured DNS namespace and pods', () => {
      const dns = policy(offeringSpec({ network: { dnsNamespace: { dns: 'yes' }, dnsPods: { app: 'coredns' } } }), 'allow-dns');
      expect(dns.spec?.egress?.[0].to).toEqual([{ namespaceSelector: { matchLabels: { dns: 'yes' } }, podSelector: { matchLabels: { app: 'coredns' } } }]);
    });

    it('never opens a rule to everything: every rule names its peers, every opening from outside names pods and ports', () => {
      const offering = offeringSpec({
        metrics: { port: 'metrics' },
        network: { dependencies: [{ name: 'db', namespace: 'databases' }, { name: 'ext', cidr: '0.0.0.0/0' }] },
      });
      const all = policies(offering, exampleChart());
      expect(all.map((p) => p.metadata?.name)).toEqual([
        'default-deny', 'allow-same-namespace', 'allow-dns', 'allow-ingress-controller-acme-api', 'allow-ingress-controller-acme-web',
        'allow-prometheus-scrape-acme-web', 'allow-egress-db', 'allow-egress-ext',
      ]);
      for (const p of all) {
        for (const rule of p.spec?.ingress ?? []) expect(rule.from?.length).toBeGreaterThan(0);
        for (const rule of p.spec?.egress ?? []) expect(rule.to?.length).toBeGreaterThan(0);
        if (p.metadata?.name?.startsWith('allow-ingress-controller-') || p.metadata?.name?.startsWith('allow-prometheus-scrape-')) {
          expect(Object.keys(p.spec?.podSelector.matchLabels ?? {}).length).toBeGreaterThan(0);
          expect(p.spec?.ingress?.[0].ports?.length).toBeGreaterThan(0);
        } else {
          expect(p.spec?.podSelector).toEqual({});
        }
      }
    });

    it('has the same fixed policies when nothing is declared', () => {
      expect(policies().map((p) => p.metadata?.name)).toEqual(['default-deny', 'allow-same-namespace', 'allow-dns']);
    });

    describe('ingress controller', () => {
      it('lets the controller in to nothing when there are no chart objects', () => {
        expect(policies(offeringSpec({ metrics: { port: 'metrics' } })).map((p) => p.metadata?.name)).toEqual(['default-deny', 'allow-same-namespace', 'allow-dns']);
      });

      it("lets ingress-nginx in to the pods of each Service an Ingress routes to, on the Service port's target port", () => {
        expect(policy(undefined, 'allow-ingress-controller-acme-web', exampleChart()).spec).toEqual({
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [FROM_INGRESS_NGINX], ports: [{ protocol: 'TCP', port: 'http' }] }],
        });
      });

      it('uses the port number, and TCP, when the routed Service port has no target port or protocol', () => {
        expect(policy(undefined, 'allow-ingress-controller-acme-api', exampleChart()).spec).toEqual({
          podSelector: { matchLabels: { app: 'api' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [FROM_INGRESS_NGINX], ports: [{ protocol: 'TCP', port: 8080 }] }],
        });
      });

      it('opens no Service that no Ingress routes to', () => {
        const names = policies(undefined, exampleChart()).map((p) => p.metadata?.name);
        expect(names.filter((n) => n?.startsWith('allow-ingress-controller'))).toEqual(['allow-ingress-controller-acme-api', 'allow-ingress-controller-acme-web']);
      });

      it('uses the configured controller namespace', () => {
        const offering = offeringSpec({ network: { ingressControllerNamespace: { 'kubernetes.io/metadata.name': 'traefik' } } });
        expect(policy(offering, 'allow-ingress-controller-acme-web', exampleChart()).spec?.ingress?.[0].from).toEqual([
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } },
        ]);
      });
    });

    describe('dependencies', () => {
      const offering = offeringSpec({
        network: {
          dependencies: [
            { name: 'db', namespace: 'databases', podSelector: { app: 'postgres' }, ports: [{ port: 5432 }] },
            { name: 'cache', namespace: 'caches' },
            { name: 'payments', cidr: '203.0.113.0/24', except: ['203.0.113.7/32'], ports: [{ port: 443, protocol: 'TCP' }, { port: 4500, protocol: 'UDP' }] },
            { name: 'api', cidr: '198.51.100.0/24', except: [] },
          ],
        },
      });

      it('creates one egress policy per dependency', () => {
        const names = policies(offering).map((p) => p.metadata?.name).filter((n) => n?.startsWith('allow-egress-'));
        expect(names).toEqual(['allow-egress-db', 'allow-egress-cache', 'allow-egress-payments', 'allow-egress-api']);
        for (const name of names) {
          expect(policy(offering, name!).spec?.policyTypes).toEqual(['Egress']);
          expect(policy(offering, name!).spec?.egress).toHaveLength(1);
        }
      });

      it('selects a namespace dependency by kubernetes.io/metadata.name, with its pods and ports', () => {
        expect(policy(offering, 'allow-egress-db').spec?.egress).toEqual([{
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'databases' } }, podSelector: { matchLabels: { app: 'postgres' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        }]);
        expect(policy(offering, 'allow-egress-cache').spec?.egress).toEqual([{
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'caches' } } }],
        }]);
      });

      it('turns a cidr dependency into an ipBlock, keeping its exceptions and protocols', () => {
        expect(policy(offering, 'allow-egress-payments').spec?.egress).toEqual([{
          to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.7/32'] } }],
          ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 4500 }],
        }]);
        expect(policy(offering, 'allow-egress-api').spec?.egress).toEqual([{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }] }]);
      });

      it("adds the tenant's own dependencies after the offering's", () => {
        const tenant = resolved(offering, { dependencies: [{ name: 'crm', cidr: '192.0.2.0/24' }] });
        const names = planTenantObjects(tenant).guardrails.map((o) => o.metadata.name).filter((n) => n.startsWith('allow-egress-'));
        expect(names.at(-1)).toBe('allow-egress-crm');
      });
    });

    describe('metrics', () => {
      const scrapePolicies = (offering?: OfferingSpec, objects: KubeObject[] = exampleChart()) =>
        policies(offering, objects).filter((p) => p.metadata?.name?.startsWith('allow-prometheus-scrape'));

      it('lets Prometheus in only when metrics are declared', () => {
        expect(scrapePolicies()).toEqual([]);
      });

      it('lets Prometheus in to nothing when there are no chart objects', () => {
        expect(scrapePolicies(offeringSpec({ metrics: { port: 'metrics' } }), [])).toEqual([]);
      });

      it('lets the monitoring namespace in to the pods of each release Service with the metrics port, on that port only', () => {
        const scrape = scrapePolicies(offeringSpec({ metrics: { port: 'metrics' } }));
        expect(scrape.map((p) => p.metadata?.name)).toEqual(['allow-prometheus-scrape-acme-web']);
        expect(scrape[0].spec).toEqual({
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [FROM_MONITORING], ports: [{ protocol: 'TCP', port: 'metrics' }] }],
        });
      });

      it('selects the Services by the metrics selector, not the release', () => {
        const objects = [...exampleChart(), service('exporter', { app: 'exporter' }, [{ name: 'prom', port: 9100, targetPort: 9100 }], { scrape: 'yes' })];
        const scrape = scrapePolicies(offeringSpec({ metrics: { port: 'prom', selector: { scrape: 'yes' } } }), objects);
        expect(scrape.map((p) => p.metadata?.name)).toEqual(['allow-prometheus-scrape-exporter']);
        expect(scrape[0].spec?.ingress).toEqual([{ from: [FROM_MONITORING], ports: [{ protocol: 'TCP', port: 9100 }] }]);
      });

      it('lets Prometheus in to the selected pods on the named port for a PodMonitor', () => {
        const podMonitor = (selector?: Record<string, string>) => offeringSpec({ metrics: { kind: MetricsKind.POD_MONITOR, port: 'metrics', ...(selector ? { selector } : {}) } });
        const webPods: KubeObject = {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'acme-web' }, spec: { template: { metadata: { labels: { app: 'web', ...INSTANCE } } } },
        };
        expect(scrapePolicies(podMonitor({ app: 'web' }))).toEqual([]); // no pods match: nothing opens
        const [scrape] = scrapePolicies(podMonitor({ app: 'web' }), [...exampleChart(), webPods]);
        expect(scrape.metadata?.name).toBe('allow-prometheus-scrape-metrics');
        expect(scrape.spec).toEqual({
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [FROM_MONITORING], ports: [{ protocol: 'TCP', port: 'metrics' }] }],
        });
        expect(scrapePolicies(podMonitor(), [...exampleChart(), webPods])[0].spec?.podSelector).toEqual({ matchLabels: INSTANCE });
      });

      it('uses the configured Prometheus namespace or selector', () => {
        const byName = policy(offeringSpec({ metrics: { port: 'metrics' }, monitoring: { prometheusNamespace: 'obs' } }), 'allow-prometheus-scrape-acme-web', exampleChart());
        expect(byName.spec?.ingress?.[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'obs' } } }]);
        const bySelector = policy(offeringSpec({ metrics: { port: 'metrics' }, monitoring: { prometheusNamespaceSelector: { team: 'obs' } } }),
          'allow-prometheus-scrape-acme-web', exampleChart());
        expect(bySelector.spec?.ingress?.[0].from).toEqual([{ namespaceSelector: { matchLabels: { team: 'obs' } } }]);
      });
    });
  });

  describe('monitor', () => {
    it('emits no monitor without metrics', () => {
      expect(plan().monitoring).toEqual([]);
    });

    it('emits a ServiceMonitor by default, scoped to the tenant namespace and release, relabelled with offering, tenant and plan', () => {
      const [monitor] = plan(offeringSpec({ metrics: { port: 'http' } })).monitoring as any[];
      expect(monitor.kind).toBe('ServiceMonitor');
      expect(monitor.metadata.namespace).toBe('shop-acme');
      expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['shop-acme'] });
      expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'acme' } });
      const [endpoint] = monitor.spec.endpoints;
      expect(endpoint).toEqual(expect.objectContaining({ port: 'http', path: '/metrics', interval: '30s' }));
      expect(endpoint.relabelings).toEqual([
        { action: 'replace', targetLabel: 'saasplane_offering', replacement: 'shop' },
        { action: 'replace', targetLabel: 'saasplane_tenant', replacement: 'acme' },
        { action: 'replace', targetLabel: 'saasplane_plan', replacement: 'small' },
      ]);
    });

    it('emits a PodMonitor when asked, with the configured selector, path and interval', () => {
      const [monitor] = plan(offeringSpec({ metrics: { kind: MetricsKind.POD_MONITOR, port: 'metrics', path: '/m', interval: '10s', selector: { app: 'web' } } })).monitoring as any[];
      expect(monitor.kind).toBe('PodMonitor');
      expect(monitor.spec.selector).toEqual({ matchLabels: { app: 'web' } });
      expect(monitor.spec.podMetricsEndpoints[0]).toEqual(expect.objectContaining({ port: 'metrics', path: '/m', interval: '10s' }));
    });
  });
});

describe('tenantPlacement', () => {
  it('places the tenant in its namespace with the tenant and pod labels and the offering policies', () => {
    const placement = tenantPlacement(resolved(offeringSpec({ storageClasses: ['standard'], allowNodePorts: true })));
    expect(placement.namespace).toBe('shop-acme');
    expect(placement.labels).toEqual(TENANT_LABELS);
    expect(placement.podLabels).toEqual({ 'saasplane.io/offering': 'shop', 'saasplane.io/tenant': 'acme' });
    expect(placement.storageClasses).toEqual(['standard']);
    expect(placement.allowNodePorts).toBe(true);
    expect(placement.allowLoadBalancers).toBe(false);
  });

  it('forces image pulls unless the offering turns them off, and passes the ingress domains', () => {
    expect(tenantPlacement(resolved()).alwaysPullImages).toBe(true);
    expect(tenantPlacement(resolved()).ingressDomains).toEqual([]);
    expect(tenantPlacement(resolved(offeringSpec({ alwaysPullImages: true }))).alwaysPullImages).toBe(true);
    expect(tenantPlacement(resolved(offeringSpec({ alwaysPullImages: false }))).alwaysPullImages).toBe(false);
    expect(tenantPlacement(resolved(offeringSpec({ ingressDomains: ['shop.example.com', 'shop.example.org'] }))).ingressDomains).toEqual(['shop.example.com', 'shop.example.org']);
  });

  it('uses the plan nodeSelector and tolerations', () => {
    const toleration = { key: 'pool', operator: 'Equal', value: 'gold', effect: 'NoSchedule' };
    const offering = offeringSpec({ plans: { small: { quota: { cpu: '1', memory: '1Gi' }, nodeSelector: { pool: 'gold' }, tolerations: [toleration] } } });
    const placement = tenantPlacement(resolved(offering));
    expect(placement.nodeSelector).toEqual({ pool: 'gold' });
    expect(placement.tolerations).toEqual([toleration]);
  });

  it('pins dedicated-node tenants to nodes labelled and tainted with their namespace', () => {
    const offering = offeringSpec({ plans: { small: { quota: { cpu: '1', memory: '1Gi' }, nodeSelector: { pool: 'gold' }, dedicatedNodes: true } } });
    const placement = tenantPlacement(resolved(offering));
    expect(placement.nodeSelector).toEqual({ 'pool': 'gold', 'saasplane.io/tenant': 'shop-acme' });
    expect(placement.tolerations).toEqual([{ key: 'saasplane.io/tenant', operator: 'Equal', value: 'shop-acme', effect: 'NoSchedule' }]);
  });

  it('places nothing when the plan sets nothing', () => {
    const placement = tenantPlacement(resolved());
    expect(placement.nodeSelector).toEqual({});
    expect(placement.tolerations).toEqual([]);
  });
});
