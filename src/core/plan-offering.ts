// Offering-level objects: the admission guard on every tenant namespace of the offering and
// the recording rules that turn cluster metrics into per-tenant consumption.
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, Validation } from 'kubernetes-types/admissionregistration/v1';
import { admissionRule, KubeObject } from './kube';
import type { OfferingSpec } from './model';
import { LABEL_OFFERING, offeringLabels } from './names';

type Named<T> = T & KubeObject;

/** CEL for the pod spec of any workload kind the guard matches. */
const POD_SPEC = "object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec";

/**
 * A ValidatingAdmissionPolicy on the offering's tenant namespaces, so that what the chart (or
 * anyone with access) creates later stays within the offering's rules: no NodePort or
 * LoadBalancer Services unless allowed, no hostPath volumes, claims only on allowed storage classes.
 */
export function planAdmissionGuard(offering: OfferingSpec): KubeObject[] {
  const name = `saasplane-${offering.name}-tenant-guard`;
  const labels = offeringLabels(offering.name);
  const validations: Validation[] = [];
  const forbiddenTypes = [...(offering.allowNodePorts ? [] : ['NodePort']), ...(offering.allowLoadBalancers ? [] : ['LoadBalancer'])];
  if (forbiddenTypes.length > 0) {
    validations.push({
      expression: `object.kind != 'Service' || !has(object.spec.type) || !(object.spec.type in [${forbiddenTypes.map((t) => `'${t}'`).join(', ')}])`,
      message: `offering "${offering.name}" does not allow Services of type ${forbiddenTypes.join(' or ')}`,
    });
  }
  validations.push({
    expression: "object.kind in ['Service', 'PersistentVolumeClaim'] || !has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))",
    message: `offering "${offering.name}" does not allow hostPath volumes`,
  });
  const classes = offering.storageClasses ?? [];
  if (classes.length > 0) {
    validations.push({
      expression: `object.kind != 'PersistentVolumeClaim' || (has(object.spec.storageClassName) && object.spec.storageClassName in [${classes.map((c) => `'${c}'`).join(', ')}])`,
      message: `offering "${offering.name}" allows PersistentVolumeClaims only on storage classes ${classes.join(', ')}`,
    });
  }
  const policy: Named<ValidatingAdmissionPolicy> = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name, labels },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        namespaceSelector: { matchLabels: { [LABEL_OFFERING]: offering.name } },
        resourceRules: [
          admissionRule('', ['pods', 'services', 'persistentvolumeclaims', 'replicationcontrollers'], ['CREATE', 'UPDATE']),
          admissionRule('apps', ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], ['CREATE', 'UPDATE']),
          admissionRule('batch', ['jobs', 'cronjobs'], ['CREATE', 'UPDATE']),
        ],
      },
      variables: [{ name: 'podSpec', expression: `object.kind in ['Service', 'PersistentVolumeClaim'] ? {} : ${POD_SPEC}` }],
      validations,
    },
  };
  const binding: Named<ValidatingAdmissionPolicyBinding> = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, labels },
    spec: { policyName: name, validationActions: ['Deny'] },
  };
  return [policy, binding];
}

/** One recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** A group of recording rules. */
export interface RecordingRuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: RecordingRule[];
}

/** Names of the per-tenant consumption series. */
export const CONSUMPTION_SERIES = {
  info: 'saasplane:tenant_info',
  cpu: 'saasplane:tenant_cpu_usage_cores:rate5m',
  memory: 'saasplane:tenant_memory_working_set_bytes',
  storage: 'saasplane:tenant_storage_requested_bytes',
  networkReceive: 'saasplane:tenant_network_receive_bytes:rate5m',
  networkTransmit: 'saasplane:tenant_network_transmit_bytes:rate5m',
} as const;

/**
 * Recording rules computing per-tenant CPU, memory, storage and network consumption, labelled
 * offering/tenant/plan. Tenant identity comes from kube-state-metrics' `kube_namespace_labels`
 * (run it with `--metric-labels-allowlist=namespaces=[saasplane.io/offering,saasplane.io/tenant,saasplane.io/plan]`),
 * so the rules do not grow with the number of tenants.
 */
export function recordingRuleGroups(offering: OfferingSpec): RecordingRuleGroup[] {
  const o = offering.name;
  const relabel = (expr: string, label: string) => `label_replace(${expr}, "${label}", "$1", "label_saasplane_io_${label}", "(.*)")`;
  const labelled = relabel(relabel(relabel(`kube_namespace_labels{label_saasplane_io_offering="${o}"}`, 'offering'), 'tenant'), 'plan');
  // one info series per namespace, even while kube-state-metrics replicas disagree (e.g. during a
  // plan change): a duplicate would make every join below fail for all tenants of the offering
  const info = `topk by (namespace) (1, max by (namespace, offering, tenant, plan) (${labelled}))`;
  const perTenant = (expr: string) => `sum by (namespace) (${expr}) * on (namespace) group_left (offering, tenant, plan) ${CONSUMPTION_SERIES.info}{offering="${o}"}`;
  return [{
    name: `saasplane-${o}-consumption`,
    interval: '1m',
    rules: [
      { record: CONSUMPTION_SERIES.info, expr: info },
      { record: CONSUMPTION_SERIES.cpu, expr: perTenant('rate(container_cpu_usage_seconds_total{container!="", image!=""}[5m])') },
      { record: CONSUMPTION_SERIES.memory, expr: perTenant('container_memory_working_set_bytes{container!="", image!=""}') },
      { record: CONSUMPTION_SERIES.storage, expr: perTenant('kube_persistentvolumeclaim_resource_requests_storage_bytes') },
      { record: CONSUMPTION_SERIES.networkReceive, expr: perTenant('rate(container_network_receive_bytes_total[5m])') },
      { record: CONSUMPTION_SERIES.networkTransmit, expr: perTenant('rate(container_network_transmit_bytes_total[5m])') },
    ],
  }];
}

/** The PrometheusRule holding the offering's recording rules. */
export function planRecordingRules(offering: OfferingSpec): KubeObject {
  const monitoring = offering.monitoring ?? {};
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: `saasplane-${offering.name}-consumption`,
      namespace: monitoring.prometheusNamespace ?? 'monitoring',
      labels: { ...offeringLabels(offering.name), ...monitoring.ruleLabels },
    },
    spec: { groups: recordingRuleGroups(offering) },
  };
}
