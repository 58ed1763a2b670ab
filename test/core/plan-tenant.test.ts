import type { LimitRange, Namespace, ResourceQuota } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { findObject, offeringSpec, resolved } from './fixtures';
import { MetricsKind, OfferingSpec, PodSecurityLevel } from '../../src/core/model';
import { planTenantObjects, tenantPlacement } from '../../src/core/plan-tenant';

function plan(offering: OfferingSpec = offeringSpec(), tenant: { name?: string; plan?: string } = {}) {
  return planTenantObjects(resolved(offering, tenant));
}

function policies(offering?: OfferingSpec): NetworkPolicy[] {
  return plan(offering).guardrails.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
}

function policy(offering: OfferingSpec | undefined, name: string): NetworkPolicy {
  const found = policies(offering).find((p) => p.metadata?.name === name);
  if (!found) throw new Error(`no NetworkPolicy ${name}`);
  return found;
}

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
    for (const object of plan(offeringSpec({ metrics: { port: 'http' }, network: { dependencies: [{ name: 'db', namespace: 'databases' }] } })).guardrails) {
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
        'requests.storage': '0',
        'persistentvolumeclaims': '10',
        'pods': '20',
        'services': '10',
        'configmaps': '50',
        'secrets': '50',
        'services.nodeports': '0',
        'services.loadbalancers': '0',
      });
    });

    it('uses every quota field the plan sets', () => {
      const offering = offeringSpec({
        plans: {
          custom: {
            quota: { cpu: '1', cpuLimit: '2', memory: '1Gi', memoryLimit: '3Gi', storage: '20Gi', pods: 5, services: 3, persistentVolumeClaims: 2, configMaps: 7, secrets: 8 },
          },
        },
      });
      expect(quotaOf(offering, 'custom')).toEqual({
        'requests.cpu': '1',
        'limits.cpu': '2',
        'requests.memory': '1Gi',
        'limits.memory': '3Gi',
        'requests.storage': '20Gi',
        'persistentvolumeclaims': '2',
        'pods': '5',
        'services': '3',
        'configmaps': '7',
        'secrets': '8',
        'services.nodeports': '0',
        'services.loadbalancers': '0',
      });
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

    it('sets the container defaults', () => {
      expect(limitsOf(offeringSpec())).toEqual([{
        type: 'Container',
        defaultRequest: { cpu: '100m', memory: '128Mi' },
        default: { cpu: '500m', memory: '512Mi' },
      }]);
    });

    it('uses the offering container defaults, field by field', () => {
      expect(limitsOf(offeringSpec({ containerDefaults: { cpuRequest: '50m', memoryLimit: '1Gi' } }))).toEqual([{
        type: 'Container',
        defaultRequest: { cpu: '50m', memory: '128Mi' },
        default: { cpu: '500m', memory: '1Gi' },
      }]);
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

    it('allows ingress from ingress-nginx by default, and from the configured controller namespace', () => {
      expect(policy(undefined, 'allow-ingress-controller').spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }],
      });
      const custom = policy(offeringSpec({ network: { ingressControllerNamespace: { 'kubernetes.io/metadata.name': 'traefik' } } }), 'allow-ingress-controller');
      expect(custom.spec?.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } }] }]);
    });

    it('never opens a rule to everything: every rule names its peers', () => {
      const offering = offeringSpec({
        metrics: { port: 'http' },
        network: { dependencies: [{ name: 'db', namespace: 'databases' }, { name: 'ext', cidr: '0.0.0.0/0' }] },
      });
      for (const p of policies(offering)) {
        for (const rule of p.spec?.ingress ?? []) expect(rule.from?.length).toBeGreaterThan(0);
        for (const rule of p.spec?.egress ?? []) expect(rule.to?.length).toBeGreaterThan(0);
        expect(p.spec?.podSelector).toEqual({});
      }
    });

    it('has the same fixed policies when nothing is declared', () => {
      expect(policies().map((p) => p.metadata?.name)).toEqual(['default-deny', 'allow-same-namespace', 'allow-dns', 'allow-ingress-controller']);
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
      it('allows scraping from the monitoring namespace only when metrics are declared', () => {
        expect(policies().some((p) => p.metadata?.name === 'allow-prometheus-scrape')).toBe(false);
        const scrape = policy(offeringSpec({ metrics: { port: 'http' } }), 'allow-prometheus-scrape');
        expect(scrape.spec).toEqual({
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }],
        });
      });

      it('uses the configured Prometheus namespace or selector', () => {
        const byName = policy(offeringSpec({ metrics: { port: 'http' }, monitoring: { prometheusNamespace: 'obs' } }), 'allow-prometheus-scrape');
        expect(byName.spec?.ingress?.[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'obs' } } }]);
        const bySelector = policy(offeringSpec({ metrics: { port: 'http' }, monitoring: { prometheusNamespaceSelector: { team: 'obs' } } }), 'allow-prometheus-scrape');
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
