import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, Validation } from 'kubernetes-types/admissionregistration/v1';
import { findObject, offeringSpec } from './fixtures';
import type { KubeObject } from '../../src/core/kube';
import type { OfferingSpec } from '../../src/core/model';
import { CONSUMPTION_SERIES, planAdmissionGuard, planRecordingRules, recordingRuleGroups } from '../../src/core/plan-offering';

type Policy = ValidatingAdmissionPolicy & KubeObject;

function guard(overrides: Partial<OfferingSpec> = {}) {
  const objects = planAdmissionGuard(offeringSpec(overrides));
  return {
    policy: findObject<Policy>(objects, 'ValidatingAdmissionPolicy'),
    binding: findObject<ValidatingAdmissionPolicyBinding & KubeObject>(objects, 'ValidatingAdmissionPolicyBinding'),
  };
}

function validationsAbout(policy: Policy, word: string): Validation[] {
  return (policy.spec?.validations ?? []).filter((v) => v.message?.includes(word));
}

describe('planAdmissionGuard', () => {
  it('applies to the namespaces of the offering only, fails closed and is bound with Deny', () => {
    const { policy, binding } = guard();
    expect(policy.metadata.name).toBe('saasplane-shop-tenant-guard');
    expect(policy.spec?.failurePolicy).toBe('Fail');
    expect(policy.spec?.matchConstraints?.namespaceSelector).toEqual({ matchLabels: { 'saasplane.io/offering': 'shop' } });
    expect(binding.spec).toEqual({ policyName: 'saasplane-shop-tenant-guard', validationActions: ['Deny'] });
  });

  it('matches Services, claims and every workload kind on create and update', () => {
    const rules = guard().policy.spec?.matchConstraints?.resourceRules ?? [];
    const resources = rules.flatMap((r) => ((r as { resources?: string[] }).resources ?? []));
    expect(resources).toEqual(expect.arrayContaining([
      'pods', 'services', 'persistentvolumeclaims', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs',
    ]));
    for (const rule of rules) {
      expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
    }
  });

  it('forbids NodePort and LoadBalancer Services by default', () => {
    const [service] = validationsAbout(guard().policy, 'Services of type');
    expect(service.expression).toContain("object.kind != 'Service'");
    expect(service.expression).toContain("['NodePort', 'LoadBalancer']");
    expect(service.message).toBe('offering "shop" does not allow Services of type NodePort or LoadBalancer');
  });

  it('forbids only what the offering does not allow', () => {
    const [noLb] = validationsAbout(guard({ allowNodePorts: true }).policy, 'Services of type');
    expect(noLb.expression).toContain("['LoadBalancer']");
    expect(noLb.expression).not.toContain('NodePort');
    const [noNp] = validationsAbout(guard({ allowLoadBalancers: true }).policy, 'Services of type');
    expect(noNp.expression).toContain("['NodePort']");
    expect(validationsAbout(guard({ allowNodePorts: true, allowLoadBalancers: true }).policy, 'Services of type')).toEqual([]);
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

  it('puts the rules in a PrometheusRule in the monitoring namespace with the rule labels', () => {
    const rule = planRecordingRules(offeringSpec()) as KubeObject & { spec: { groups: unknown } };
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.metadata.name).toBe('saasplane-shop-consumption');
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.spec.groups).toEqual(recordingRuleGroups(offeringSpec()));
    const custom = planRecordingRules(offeringSpec({ monitoring: { prometheusNamespace: 'obs', ruleLabels: { release: 'kps' } } }));
    expect(custom.metadata.namespace).toBe('obs');
    expect(custom.metadata.labels).toEqual({ 'saasplane.io/offering': 'shop', 'app.kubernetes.io/managed-by': 'saasplane', 'release': 'kps' });
  });
});
