import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, Validation } from 'kubernetes-types/admissionregistration/v1';
import { findObject, offeringSpec } from './fixtures';
import type { KubeObject } from '../../src/core/kube';
import { OfferingSpec, PodSecurityLevel } from '../../src/core/model';
import { CONSUMPTION_SERIES, planAdmissionGuard, planOfferingNamespace, planRecordingRules, recordingRuleGroups, RESTARTED_AT } from '../../src/core/plan-offering';
import { quotaRuleGroups } from '../../src/core/quota-rules';

type Policy = ValidatingAdmissionPolicy & KubeObject;

function guard(overrides: Partial<OfferingSpec> = {}, name = 'saasplane-shop-tenant-guard') {
  const objects = planAdmissionGuard(offeringSpec(overrides));
  return {
    policy: findObject<Policy>(objects, 'ValidatingAdmissionPolicy', name),
    binding: findObject<ValidatingAdmissionPolicyBinding & KubeObject>(objects, 'ValidatingAdmissionPolicyBinding', name),
  };
}

function validationsAbout(policy: Policy, word: string): Validation[] {
  return (policy.spec?.validations ?? []).filter((v) => v.message?.includes(word));
}

describe('planAdmissionGuard', () => {
  it('is three policies, each bound with Deny under its own name, labelled with the offering', () => {
    const objects = planAdmissionGuard(offeringSpec());
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ValidatingAdmissionPolicy/saasplane-shop-tenant-guard', 'ValidatingAdmissionPolicyBinding/saasplane-shop-tenant-guard',
      'ValidatingAdmissionPolicy/saasplane-shop-restart-only', 'ValidatingAdmissionPolicyBinding/saasplane-shop-restart-only',
      'ValidatingAdmissionPolicy/saasplane-shop-namespace-identity', 'ValidatingAdmissionPolicyBinding/saasplane-shop-namespace-identity',
    ]);
    for (const object of objects) {
      expect(object.metadata.labels).toEqual({ 'saasplane.io/offering': 'shop', 'app.kubernetes.io/managed-by': 'saasplane' });
      if (object.kind === 'ValidatingAdmissionPolicy') {
        expect((object as Policy).spec?.failurePolicy).toBe('Fail');
      } else {
        expect(object.spec).toEqual({ policyName: object.metadata.name, validationActions: ['Deny'] });
      }
    }
  });

  it('applies to the namespaces of the offering only, fails closed and is bound with Deny', () => {
    const { policy, binding } = guard();
    expect(policy.metadata.name).toBe('saasplane-shop-tenant-guard');
    expect(policy.spec?.failurePolicy).toBe('Fail');
    expect(policy.spec?.matchConstraints?.namespaceSelector).toEqual({ matchLabels: { 'saasplane.io/offering': 'shop' } });
    expect(binding.spec).toEqual({ policyName: 'saasplane-shop-tenant-guard', validationActions: ['Deny'] });
  });

  it('matches Services, claims, Secrets, Ingresses, disruption budgets and every workload kind on create and update', () => {
    const rules = guard().policy.spec?.matchConstraints?.resourceRules ?? [];
    expect(rules.map((r) => [r.apiGroups, (r as { resources?: string[] }).resources])).toEqual([
      [[''], ['pods', 'services', 'persistentvolumeclaims', 'replicationcontrollers', 'secrets']],
      [['apps'], ['deployments', 'statefulsets', 'daemonsets', 'replicasets']],
      [['batch'], ['jobs', 'cronjobs']],
      [['networking.k8s.io'], ['ingresses']],
      [['policy'], ['poddisruptionbudgets']],
    ]);
    for (const rule of rules) {
      expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
    }
  });

  it('forbids ExternalName, NodePort and LoadBalancer Services by default', () => {
    const [service] = validationsAbout(guard().policy, 'Services of type');
    expect(service.expression).toBe("object.kind != 'Service' || !has(object.spec.type) || !(object.spec.type in ['ExternalName', 'NodePort', 'LoadBalancer'])");
    expect(service.message).toBe('offering "shop" does not allow Services of type ExternalName, NodePort, LoadBalancer');
  });

  it('forbids only what the offering does not allow, and always ExternalName', () => {
    const [noLb] = validationsAbout(guard({ allowNodePorts: true }).policy, 'Services of type');
    expect(noLb.expression).toContain("['ExternalName', 'LoadBalancer']");
    expect(noLb.expression).not.toContain('NodePort');
    const [noNp] = validationsAbout(guard({ allowLoadBalancers: true }).policy, 'Services of type');
    expect(noNp.expression).toContain("['ExternalName', 'NodePort']");
    const [both] = validationsAbout(guard({ allowNodePorts: true, allowLoadBalancers: true }).policy, 'Services of type');
    expect(both.expression).toContain("in ['ExternalName'])");
    expect(both.message).toBe('offering "shop" does not allow Services of type ExternalName');
  });

  it('forbids Services with externalIPs', () => {
    expect(validationsAbout(guard({ allowNodePorts: true, allowLoadBalancers: true }).policy, 'externalIPs')).toEqual([{
      expression: "object.kind != 'Service' || !has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
      message: 'offering "shop" does not allow Services with externalIPs (CVE-2020-8554)',
    }]);
  });

  it('forbids Secrets holding a non-expiring ServiceAccount token', () => {
    const [token] = validationsAbout(guard().policy, 'service-account-token');
    expect(token.expression).toBe("object.kind != 'Secret' || !has(object.type) || object.type != 'kubernetes.io/service-account-token'");
    expect(token.message).toContain('offering "shop" does not allow Secrets of type kubernetes.io/service-account-token');
  });

  it.each([
    ['by default', {}],
    ['when the offering asks for it', { alwaysPullImages: true }],
  ])('requires imagePullPolicy Always on every container and init container %s', (_, overrides) => {
    const [pull] = validationsAbout(guard(overrides).policy, 'imagePullPolicy');
    expect(pull.expression).toBe("object.kind in ['Service', 'PersistentVolumeClaim', 'Secret', 'Ingress', 'PodDisruptionBudget'] || "
      + '((has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + variables.podSpec.containers)'
      + ".all(c, has(c.imagePullPolicy) && c.imagePullPolicy == 'Always')");
    expect(pull.message).toBe('offering "shop" requires imagePullPolicy: Always on every container, so that no tenant runs an image another pulled (MTB CC-DI-1)');
  });

  it('does not require image pulls when the offering turns them off', () => {
    expect(validationsAbout(guard({ alwaysPullImages: false }).policy, 'imagePullPolicy')).toEqual([]);
  });

  it('allows Ingress rules only with a host inside the offering domains, and no default backend', () => {
    const [hosts] = validationsAbout(guard({ ingressDomains: ['shop.example.com', 'shop.example.org'] }).policy, 'Ingress');
    expect(hosts.expression).toBe("object.kind != 'Ingress' || (!has(object.spec.defaultBackend) && has(object.spec.rules) && object.spec.rules.all(r, has(r.host) "
      + "&& (!r.host.startsWith('*') && (r.host in ['shop.example.com', 'shop.example.org'] || ['shop.example.com', 'shop.example.org'].exists(d, r.host.endsWith('.' + d))))))");
    expect(hosts.message).toBe('offering "shop" allows Ingress rules only for hosts in shop.example.com, shop.example.org, each rule with a host');
  });

  it('allows no Ingress when the offering declares no domains', () => {
    const [hosts] = validationsAbout(guard().policy, 'Ingress');
    expect(hosts.expression).toContain("(r.host in [] || [].exists(d, r.host.endsWith('.' + d)))");
    expect(hosts.message).toBe('offering "shop" declares no ingressDomains: no Ingress may route to its tenants');
  });

  it('reads no pod spec from Services, claims, Secrets and Ingresses', () => {
    const podSpec = guard().policy.spec?.variables?.find((v) => v.name === 'podSpec');
    expect(podSpec?.expression).toMatch(/^object\.kind in \['Service', 'PersistentVolumeClaim', 'Secret', 'Ingress', 'PodDisruptionBudget'\] \? \{\} : /);
    const [hostPath] = validationsAbout(guard().policy, 'hostPath');
    expect(hostPath.expression).toMatch(/^object\.kind in \['Service', 'PersistentVolumeClaim', 'Secret', 'Ingress', 'PodDisruptionBudget'\] \|\| /);
  });

  it('always forbids hostPath volumes', () => {
    for (const overrides of [{}, { allowNodePorts: true, allowLoadBalancers: true }]) {
      const [hostPath] = validationsAbout(guard(overrides).policy, 'hostPath');
      expect(hostPath.expression).toContain('!has(v.hostPath)');
    }
  });

  it('lists the storage classes when the offering declares them', () => {
    const [storage] = validationsAbout(guard({ storageClasses: ['standard', 'fast'] }).policy, 'storage classes');
    expect(storage.expression).toContain("object.kind != 'PersistentVolumeClaim'");
    expect(storage.expression).toContain("['standard', 'fast']");
    expect(storage.message).toContain('standard, fast');
  });

  it('has no storage class rule when the offering declares none', () => {
    expect(validationsAbout(guard().policy, 'storage classes')).toEqual([]);
    expect(validationsAbout(guard({ storageClasses: [] }).policy, 'storage classes')).toEqual([]);
  });

  describe('restart-only guard', () => {
    const { policy } = guard({}, 'saasplane-shop-restart-only');

    it('applies to updates of Deployments, StatefulSets and DaemonSets of the offering', () => {
      expect(policy.spec?.matchConstraints?.namespaceSelector).toEqual({ matchLabels: { 'saasplane.io/offering': 'shop' } });
      expect(policy.spec?.matchConstraints?.resourceRules).toEqual([
        { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets'] },
      ]);
    });

    it('applies only to callers without update rights on the workload', () => {
      expect(policy.spec?.matchConditions).toEqual([{
        name: 'cannot-update',
        expression: "!authorizer.group('apps').resource(request.resource.resource).namespace(request.namespace).name(request.name).check('update').allowed()",
      }]);
    });

    it('lets such callers change only the restartedAt annotation of the pod template', () => {
      expect(RESTARTED_AT).toBe('kubectl.kubernetes.io/restartedAt');
      const [only] = policy.spec?.validations ?? [];
      expect(policy.spec?.validations).toHaveLength(1);
      for (const fragment of [
        'object.spec.template.spec == oldObject.spec.template.spec',
        // every spec field but the template, for all three kinds (deny by default: ownerReferences, paused, ordinals, retention...)
        ...['replicas', 'selector', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds', 'volumeClaimTemplates',
          'serviceName', 'podManagementPolicy', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'ordinals'].map((f) => `object.spec.?${f} == oldObject.spec.?${f}`),
        ...['labels', 'annotations', 'ownerReferences', 'finalizers'].map((f) => `object.metadata.?${f} == oldObject.metadata.?${f}`),
        'object.spec.template.metadata.?labels == oldObject.spec.template.metadata.?labels',
        'object.spec.template.metadata.?finalizers == oldObject.spec.template.metadata.?finalizers',
        "variables.annotations.all(k, k == 'kubectl.kubernetes.io/restartedAt' || (k in variables.oldAnnotations && variables.oldAnnotations[k] == variables.annotations[k]))",
        "variables.oldAnnotations.all(k, k == 'kubectl.kubernetes.io/restartedAt' || k in variables.annotations)",
      ]) {
        expect(only.expression).toContain(fragment);
      }
      expect(only.message).toBe('in offering "shop", a caller without update rights on workloads may only restart them (kubectl rollout restart): '
        + "only the pod template's kubectl.kubernetes.io/restartedAt annotation may change");
      expect(policy.spec?.variables?.map((v) => v.name)).toEqual(['annotations', 'oldAnnotations']);
    });
  });

  describe('namespace identity guard', () => {
    const { policy } = guard({}, 'saasplane-shop-namespace-identity');

    it('applies to every namespace created or updated with, or updated from, the offering label', () => {
      expect(policy.spec?.matchConstraints).toEqual({
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['namespaces'] }],
      });
      expect(policy.spec?.matchConditions).toEqual([{
        name: 'of-this-offering',
        expression: "(has(object.metadata.labels) && object.metadata.labels['saasplane.io/offering'] == 'shop')"
          + " || (oldObject != null && has(oldObject.metadata.labels) && oldObject.metadata.labels['saasplane.io/offering'] == 'shop')",
      }]);
    });

    it('keeps the offering and tenant labels, and names a tenant namespace after its tenant label', () => {
      const [labels, name] = policy.spec?.validations ?? [];
      expect(policy.spec?.validations).toHaveLength(2);
      expect(labels.expression).toContain("variables.labels['saasplane.io/offering'] == variables.oldLabels['saasplane.io/offering']");
      expect(labels.expression).toContain("('saasplane.io/tenant' in variables.labels) == ('saasplane.io/tenant' in variables.oldLabels)");
      expect(labels.expression).toMatch(/^oldObject == null \|\| /);
      expect(labels.message).toBe('the saasplane.io/offering and saasplane.io/tenant labels of a namespace of offering "shop" never change');
      expect(name.expression).toBe("!('saasplane.io/tenant' in variables.labels) || object.metadata.name == 'shop-' + variables.labels['saasplane.io/tenant']");
      expect(name.message).toBe('a tenant namespace of offering "shop" must be named "shop-<tenant>" after its saasplane.io/tenant label');
    });
  });

  it('finds the pod spec of pods, cron jobs and other workloads', () => {
    const podSpec = guard().policy.spec?.variables?.find((v) => v.name === 'podSpec');
    expect(podSpec?.expression).toContain("object.kind == 'Pod' ? object.spec");
    expect(podSpec?.expression).toContain('object.spec.jobTemplate.spec.template.spec');
    expect(podSpec?.expression).toContain('object.spec.template.spec');
  });
});

describe('recording rules', () => {
  const [group] = recordingRuleGroups(offeringSpec());
  const byRecord = new Map(group.rules.map((r) => [r.record, r.expr]));

  it('is one group per offering, evaluated every minute', () => {
    expect(recordingRuleGroups(offeringSpec())).toHaveLength(1);
    expect(group.name).toBe('saasplane-shop-consumption');
    expect(group.interval).toBe('1m');
  });

  it('covers cpu, memory, storage and network, plus the tenant info series', () => {
    expect([...byRecord.keys()].sort()).toEqual(Object.values(CONSUMPTION_SERIES).sort());
    expect(byRecord.get(CONSUMPTION_SERIES.cpu)).toContain('container_cpu_usage_seconds_total');
    expect(byRecord.get(CONSUMPTION_SERIES.memory)).toContain('container_memory_working_set_bytes');
    expect(byRecord.get(CONSUMPTION_SERIES.storage)).toContain('kube_persistentvolumeclaim_resource_requests_storage_bytes');
    expect(byRecord.get(CONSUMPTION_SERIES.networkReceive)).toContain('container_network_receive_bytes_total');
    expect(byRecord.get(CONSUMPTION_SERIES.networkTransmit)).toContain('container_network_transmit_bytes_total');
  });

  it('labels every consumption series with offering, tenant and plan through group_left', () => {
    for (const [record, expr] of byRecord) {
      if (record === CONSUMPTION_SERIES.info) continue;
      expect(expr).toContain('sum by (namespace)');
      expect(expr).toContain('* on (namespace) group_left (offering, tenant, plan)');
      expect(expr).toContain(`${CONSUMPTION_SERIES.info}{offering="shop"}`);
    }
  });

  it('derives the info series from the namespace labels of the offering only, one series per namespace', () => {
    const info = byRecord.get(CONSUMPTION_SERIES.info)!;
    expect(info).toContain('kube_namespace_labels{label_saasplane_io_offering="shop"}');
    for (const label of ['offering', 'tenant', 'plan']) {
      expect(info).toContain(`"${label}", "$1", "label_saasplane_io_${label}"`);
    }
    expect(info).toMatch(/^topk by \(namespace\) \(1, /);
  });

  it('does not mention other offerings', () => {
    const [other] = recordingRuleGroups(offeringSpec({ name: 'blog' }));
    for (const rule of other.rules) {
      expect(rule.expr).not.toContain('"shop"');
    }
  });

  it("puts the rules in a PrometheusRule in the offering's own namespace with the rule labels", () => {
    const rule = planRecordingRules(offeringSpec()) as KubeObject & { spec: { groups: unknown } };
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.metadata.name).toBe('saasplane-shop-consumption');
    expect(rule.metadata.namespace).toBe('shop-system');
    expect(rule.spec.groups).toEqual([...recordingRuleGroups(offeringSpec()), ...quotaRuleGroups(offeringSpec())]);
    const custom = planRecordingRules(offeringSpec({ monitoring: { prometheusNamespace: 'obs', ruleLabels: { release: 'kps' } } }));
    expect(custom.metadata.namespace).toBe('shop-system');
    expect(custom.metadata.labels).toEqual({ 'saasplane.io/offering': 'shop', 'app.kubernetes.io/managed-by': 'saasplane', 'release': 'kps' });
  });
});

describe('planOfferingNamespace', () => {
  it('is the restricted namespace <offering>-system, labelled with the offering', () => {
    expect(planOfferingNamespace(offeringSpec({ name: 'blog', podSecurity: PodSecurityLevel.BASELINE }))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'blog-system',
        labels: { 'app.kubernetes.io/managed-by': 'saasplane', 'saasplane.io/offering': 'blog', 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    });
  });
});
