// Invariants of what a tenant synthesizes, on Testing.synth output, with the example chart
// rendered by the real helm.
import { Testing } from 'cdk8s';
import { exampleOffering, hosted, ofKind } from './fixtures';
import { ConsumerAccess, Dependency, PodSecurityLevel, ProviderAccess, TenantInstance } from '../../src/constructs';

const POD_KINDS = ['Deployment', 'StatefulSet'];

describe('TenantInstance', () => {
  const { app, offering } = exampleOffering();
  const acme = offering.addTenant('acme', { plan: 'small', parameters: { replicaCount: 2, theme: 'dark', ingress: { host: 'acme.shop.example.com' } } });
  const globex = offering.addTenant('globex', hosted('globex', { plan: 'large' }));
  const acmeManifests = Testing.synth(acme);
  const globexManifests = Testing.synth(globex);

  test('puts every namespaced object in the tenant namespace', () => {
    for (const m of acmeManifests.filter((o) => o.kind !== 'Namespace')) {
      expect([m.kind, m.metadata.namespace]).toEqual([m.kind, 'shop-acme']);
    }
    for (const m of globexManifests.filter((o) => o.kind !== 'Namespace')) {
      expect(m.metadata.namespace).toBe('shop-globex');
    }
  });

  test('creates the namespace with tenant labels and the restricted pod security level', () => {
    const [ns] = ofKind(acmeManifests, 'Namespace');
    expect(ns.metadata.name).toBe('shop-acme');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels).toMatchObject({
      'saasplane.io/offering': 'shop',
      'saasplane.io/tenant': 'acme',
      'saasplane.io/plan': 'small',
      'app.kubernetes.io/managed-by': 'saasplane',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  test('labels every object and every pod template with the tenant', () => {
    for (const m of acmeManifests) {
      expect(m.metadata.labels?.['saasplane.io/tenant']).toBe('acme');
    }
    const workloads = acmeManifests.filter((m) => POD_KINDS.includes(m.kind));
    expect(workloads.map((w) => w.kind).sort()).toEqual(['Deployment', 'StatefulSet']);
    for (const w of workloads) {
      expect(w.spec.template.metadata.labels).toMatchObject({ 'saasplane.io/offering': 'shop', 'saasplane.io/tenant': 'acme' });
      // selectors stay as the chart wrote them (immutable on Deployments)
      expect(Object.keys(w.spec.selector.matchLabels).some((k) => k.startsWith('saasplane.io/'))).toBe(false);
    }
  });

  test('renders the chart with tenant parameters over plan and offering values', () => {
    const [web] = ofKind(acmeManifests, 'Deployment');
    expect(web.spec.replicas).toBe(2);
    const [ingress] = ofKind(acmeManifests, 'Ingress');
    expect(ingress.spec.rules[0].host).toBe('acme.shop.example.com');
    const [config] = ofKind(acmeManifests, 'ConfigMap');
    expect(config.data['index.html']).toContain('theme <strong>dark</strong>');
    const [db] = ofKind(globexManifests, 'StatefulSet');
    expect(db.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi'); // plan "large" values
    expect(db.spec.template.spec.containers[0].env.find((e: any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef.name)
      .toBe('shop-db-credentials'); // offering values
  });

  test('derives the quota and limit range from the plan', () => {
    const [quota] = ofKind(acmeManifests, 'ResourceQuota');
    expect(quota.spec.hard).toMatchObject({
      'requests.cpu': '1',
      'limits.cpu': '2',
      'requests.memory': '2Gi',
      'limits.memory': '2Gi',
      'requests.ephemeral-storage': '10Gi',
      'limits.ephemeral-storage': '10Gi',
      'requests.storage': '5Gi',
      'pods': '10',
      'replicationcontrollers': '0',
      'resourcequotas': '1',
      'count/replicasets.apps': '100',
      'services.nodeports': '0',
      'services.loadbalancers': '0',
    });
    const [limits] = ofKind(acmeManifests, 'LimitRange');
    expect(limits.spec.limits[0]).toMatchObject({
      type: 'Container',
      defaultRequest: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '100Mi' },
      default: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '1Gi' },
    });
    expect(ofKind(globexManifests, 'ResourceQuota')[0].spec.hard['requests.cpu']).toBe('4');
  });

  test('denies all traffic by default and allows only the declared paths', () => {
    const policies = ofKind(acmeManifests, 'NetworkPolicy');
    const byName = Object.fromEntries(policies.map((p) => [p.metadata.name, p.spec]));
    expect(Object.keys(byName).sort()).toEqual([
      'allow-dns', 'allow-egress-payments-api', 'allow-ingress-controller-acme-web', 'allow-prometheus-scrape-acme-web', 'allow-same-namespace', 'default-deny',
    ]);
    expect(byName['default-deny']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(byName['allow-dns'].egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
    // the ingress controller reaches only the web pods the Ingress routes to, on the routed port; Prometheus only the metrics port
    const web = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'web' };
    expect(byName['allow-ingress-controller-acme-web']).toEqual({
      podSelector: { matchLabels: web },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
    });
    expect(byName['allow-prometheus-scrape-acme-web']).toEqual({
      podSelector: { matchLabels: web },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 'metrics' }] }],
    });
    expect(byName['allow-egress-payments-api'].egress[0]).toEqual({ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    for (const spec of Object.values(byName) as any[]) {
      for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
        for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
          expect(peer).not.toEqual({ namespaceSelector: {} }); // never "every namespace"
        }
      }
    }
  });

  test('injects the plan node placement into pod specs', () => {
    for (const w of globexManifests.filter((m) => POD_KINDS.includes(m.kind))) {
      expect(w.spec.template.spec.nodeSelector).toMatchObject({ 'node.kubernetes.io/pool': 'large' });
      expect(w.spec.template.spec.tolerations).toContainEqual({ key: 'pool', operator: 'Equal', value: 'large', effect: 'NoSchedule' });
    }
    for (const w of acmeManifests.filter((m) => POD_KINDS.includes(m.kind))) {
      expect(w.spec.template.spec.nodeSelector).toBeUndefined();
    }
  });

  test('keeps claims on the storage classes the offering allows', () => {
    const [db] = ofKind(acmeManifests, 'StatefulSet');
    expect(db.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('standard');
    expect(db.spec.volumeClaimTemplates[0].metadata.labels['saasplane.io/tenant']).toBe('acme');
  });

  test('adds a ServiceMonitor for the declared metrics endpoint', () => {
    const [monitor] = ofKind(acmeManifests, 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'acme' });
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['shop-acme'] });
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect(monitor.spec.endpoints[0].relabelings.map((r: any) => [r.targetLabel, r.replacement]))
      .toEqual([['saasplane_offering', 'shop'], ['saasplane_tenant', 'acme'], ['saasplane_plan', 'small']]);
  });

  test('binds the provider in every tenant namespace, including tenants added later', () => {
    const provider = new ProviderAccess(app, 'provider', { offering });
    const initech = offering.addTenant('initech', hosted('initech', { plan: 'small' }));
    for (const tenant of [acme, globex, initech]) {
      const [binding] = ofKind(Testing.synth(tenant), 'RoleBinding');
      expect(binding.metadata.namespace).toBe(tenant.namespaceName);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: provider.identity.tenantRole });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'provider', namespace: 'shop-system' }]);
    }
  });

  test('provider access has no wildcard and no cluster-wide write except namespaces', () => {
    const { app: app2, offering: offering2 } = exampleOffering();
    const manifests = Testing.synth(new ProviderAccess(app2, 'provider', { offering: offering2 }));
    for (const role of ofKind(manifests, 'ClusterRole')) {
      for (const rule of role.rules) {
        expect([...rule.verbs, ...rule.resources, ...rule.apiGroups]).not.toContain('*');
      }
    }
    const clusterBindings = ofKind(manifests, 'ClusterRoleBinding');
    expect(clusterBindings).toHaveLength(1);
    const boundRole = ofKind(manifests, 'ClusterRole').find((r) => r.metadata.name === clusterBindings[0].roleRef.name);
    // cluster-wide the provider may only create namespaces: no listing, no change to namespaces it is not bound in
    expect(boundRole.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['create'] }]);
    const [policy] = ofKind(manifests, 'ValidatingAdmissionPolicy');
    expect(policy.spec.matchConditions[0].expression).toContain("'system:serviceaccount:shop-system:provider'");
    expect(policy.spec.validations.map((v: any) => v.expression).join(' ')).toContain("['saasplane.io/offering'] == 'shop'");
    expect(policy.spec.validations.map((v: any) => v.expression).join(' ')).toContain("['pod-security.kubernetes.io/enforce'] == 'restricted'");
    expect(ofKind(manifests, 'ValidatingAdmissionPolicyBinding')[0].spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
  });

  test('consumer access stays in the tenant namespace and cannot change guardrails', () => {
    const manifests = Testing.synth(new ConsumerAccess(app, 'acme-users', { tenant: acme, groups: ['acme-admins'] }));
    expect(manifests.map((m) => m.kind).sort()).toEqual(['Role', 'RoleBinding', 'ServiceAccount']);
    for (const m of manifests) expect(m.metadata.namespace).toBe('shop-acme');
    const [role] = ofKind(manifests, 'Role');
    const writes = ['create', 'update', 'patch', 'delete', 'deletecollection'];
    for (const rule of role.rules) {
      expect(rule.resources).not.toContain('secrets');
      if (rule.resources.some((r: string) => ['resourcequotas', 'limitranges', 'networkpolicies', 'roles', 'rolebindings'].includes(r))) {
        expect(rule.verbs.filter((v: string) => writes.includes(v))).toEqual([]);
      }
    }
    const can = (resource: string, verb: string) => role.rules.some((r: any) => r.resources.includes(resource) && r.verbs.includes(verb));
    expect([can('pods', 'list'), can('pods/log', 'get'), can('pods/portforward', 'create'), can('deployments', 'patch'), can('events', 'list')])
      .toEqual([true, true, true, true, true]);
    const [binding] = ofKind(manifests, 'RoleBinding');
    expect(binding.subjects).toContainEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'acme-admins' });
  });

  test('offering objects: admission guard and recording rules', () => {
    const manifests = Testing.synth(offering);
    expect(ofKind(manifests, 'Namespace').map((n) => n.metadata.name)).toEqual(['shop-system']);
    expect(ofKind(manifests, 'ValidatingAdmissionPolicy').map((p) => p.metadata.name))
      .toEqual(['saasplane-shop-tenant-guard', 'saasplane-shop-restart-only', 'saasplane-shop-namespace-identity']);
    const [guard] = ofKind(manifests, 'ValidatingAdmissionPolicy');
    expect(guard.spec.matchConstraints.namespaceSelector).toEqual({ matchLabels: { 'saasplane.io/offering': 'shop' } });
    const expressions = guard.spec.validations.map((v: any) => v.expression).join('\n');
    expect(expressions).toContain("'ExternalName', 'NodePort', 'LoadBalancer'");
    expect(expressions).toContain('externalIPs');
    expect(expressions).toContain("'kubernetes.io/service-account-token'");
    expect(expressions).toContain("c.imagePullPolicy == 'Always'");
    expect(expressions).toContain("['shop.example.com']");
    expect(expressions).toContain('hostPath');
    expect(expressions).toContain("['standard']");
    const [rule] = ofKind(manifests, 'PrometheusRule');
    expect(rule.metadata.namespace).toBe('shop-system');
    const records = rule.spec.groups[0].rules.map((r: any) => r.record);
    expect(records).toEqual(expect.arrayContaining([
      'saasplane:tenant_cpu_usage_cores:rate5m', 'saasplane:tenant_memory_working_set_bytes',
      'saasplane:tenant_storage_requested_bytes', 'saasplane:tenant_network_receive_bytes:rate5m',
    ]));
    expect(typeof rule.spec.groups[0].rules[1].expr).toBe('string');
  });

  test('settings are configurable: pod security, dedicated nodes, ingress controller, dependencies', () => {
    const { offering: custom } = exampleOffering({
      podSecurity: PodSecurityLevel.BASELINE,
      network: { ingressControllerNamespace: { team: 'edge' }, dependencies: [Dependency.toNamespace('billing', 'billing', { podSelector: { app: 'api' }, ports: [{ port: 8443 }] })] },
      plans: { dedicated: { quota: { cpu: '2', memory: '4Gi', storage: '10Gi' }, dedicatedNodes: true } },
    });
    const tenant = new TenantInstance(custom, 'hooli', { offering: custom, ...hosted('hooli', { plan: 'dedicated' }) });
    const manifests = Testing.synth(tenant);
    expect(ofKind(manifests, 'Namespace')[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    const policies = Object.fromEntries(ofKind(manifests, 'NetworkPolicy').map((p) => [p.metadata.name, p.spec]));
    expect(policies['allow-ingress-controller-hooli-web'].ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ team: 'edge' });
    expect(policies['allow-egress-billing'].egress[0].to[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'billing' } }, podSelector: { matchLabels: { app: 'api' } },
    });
    const [web] = ofKind(manifests, 'Deployment');
    expect(web.spec.template.spec.nodeSelector).toEqual({ 'saasplane.io/tenant': 'shop-hooli' });
    expect(web.spec.template.spec.tolerations).toContainEqual({ key: 'saasplane.io/tenant', operator: 'Equal', value: 'shop-hooli', effect: 'NoSchedule' });
  });
});
