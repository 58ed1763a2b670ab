// Offering-level objects: the admission guard on every tenant namespace of the offering and
// the recording rules that turn cluster metrics into per-tenant consumption.
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, Validation } from 'kubernetes-types/admissionregistration/v1';
import { admissionRule, KubeObject } from './kube';
import { OfferingSpec, PodSecurityLevel } from './model';
import { LABEL_OFFERING, LABEL_PLAN, LABEL_STATE, LABEL_TENANT, offeringLabels, providerNamespace, PSA_ENFORCE } from './names';
import { quotaRuleGroups } from './quota-rules';

type Named<T> = T & KubeObject;

/** CEL for the pod spec of any workload kind the guard matches. */
const POD_SPEC = "object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec";
/** The pod spec fields the tenant guard judges (placement, priority, volumes). */
const JUDGED_POD_FIELDS = ['nodeSelector', 'tolerations', 'nodeName', 'schedulerName', 'priorityClassName', 'volumes'];
/** Kinds the tenant guard matches that carry no pod spec. */
const NOT_PODS = "['Service', 'PersistentVolumeClaim', 'Secret', 'Ingress', 'PodDisruptionBudget']";

const quoted = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

function policyWithBinding(name: string, offering: string, spec: ValidatingAdmissionPolicy['spec']): KubeObject[] {
  const labels = offeringLabels(offering);
  const policy: Named<ValidatingAdmissionPolicy> = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name, labels }, spec };
  const binding: Named<ValidatingAdmissionPolicyBinding> = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, labels },
    spec: { policyName: name, validationActions: ['Deny'] },
  };
  return [policy, binding];
}

/**
 * The offering's admission policies, for every identity (GitOps tools, the provider, consumers):
 * - the tenant guard on the offering's tenant namespaces, so that what the chart (or anyone with
 *   access) creates later stays within the offering's rules: no NodePort or LoadBalancer Services
 *   unless allowed, no externalIPs or ExternalName, no hostPath volumes, claims only on allowed
 *   storage classes, images always pulled, Ingress hosts inside the offering's domains, and no
 *   Secrets that would hold a non-expiring ServiceAccount token;
 * - the restart guard: a caller without `update` on a workload (a consumer, who has `patch` for
 *   `kubectl rollout restart`) may change only the pod template's restart annotation;
 * - the namespace identity guard: a namespace's offering and tenant labels never change, and a
 *   tenant namespace is named `<offering>-<tenant>`, so that offerings cannot take over each
 *   other's namespaces.
 */
export function planAdmissionGuard(offering: OfferingSpec): KubeObject[] {
  const o = offering.name;
  const validations: Validation[] = [];
  const forbiddenTypes = ['ExternalName', ...(offering.allowNodePorts ? [] : ['NodePort']), ...(offering.allowLoadBalancers ? [] : ['LoadBalancer'])];
  validations.push({
    expression: `object.kind != 'Service' || !has(object.spec.type) || !(object.spec.type in ${quoted(forbiddenTypes)})`,
    message: `offering "${o}" does not allow Services of type ${forbiddenTypes.join(', ')}`,
  }, {
    expression: "object.kind != 'Service' || !has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
    message: `offering "${o}" does not allow Services with externalIPs (CVE-2020-8554)`,
  }, {
    expression: "object.kind != 'Secret' || !has(object.type) || object.type != 'kubernetes.io/service-account-token'",
    message: `offering "${o}" does not allow Secrets of type kubernetes.io/service-account-token (tokens without expiry): request short-lived tokens with the TokenRequest API (saasplane kubeconfig)`,
  }, {
    expression: `object.kind in ${NOT_PODS} || !has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))`,
    message: `offering "${o}" does not allow hostPath volumes`,
  });
  if (offering.alwaysPullImages ?? true) {
    validations.push({
      expression: `object.kind in ${NOT_PODS} || ((has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + variables.podSpec.containers)`
        + ".all(c, has(c.imagePullPolicy) && c.imagePullPolicy == 'Always')",
      message: `offering "${o}" requires imagePullPolicy: Always on every container, so that no tenant runs an image another pulled (MTB CC-DI-1)`,
    });
  }
  const classes = offering.storageClasses ?? [];
  if (classes.length > 0) {
    validations.push({
      expression: `object.kind != 'PersistentVolumeClaim' || (has(object.spec.storageClassName) && object.spec.storageClassName in ${quoted(classes)})`,
      message: `offering "${o}" allows PersistentVolumeClaims only on storage classes ${classes.join(', ')}`,
    });
  }
  const domains = offering.ingressDomains ?? [];
  const inDomains = (host: string) => `(!${host}.startsWith('*') && (${host} in ${quoted(domains)} || ${quoted(domains)}.exists(d, ${host}.endsWith('.' + d))))`;
  validations.push({
    expression: `object.kind != 'Ingress' || (!has(object.spec.defaultBackend) && has(object.spec.rules) && object.spec.rules.all(r, has(r.host) && ${inDomains('r.host')}))`,
    message: domains.length > 0
      ? `offering "${o}" allows Ingress rules only for hosts in ${domains.join(', ')}, each rule with a host`
      : `offering "${o}" declares no ingressDomains: no Ingress may route to its tenants`,
  });
  validations.push({
    expression: `object.kind != 'Ingress' || !has(object.spec.tls) || object.spec.tls.all(t, !has(t.hosts) || t.hosts.all(h, ${inDomains('h')}))`,
    message: `offering "${o}" allows Ingress TLS hosts only in ${domains.join(', ') || 'its ingressDomains (none declared)'}`,
  }, {
    expression: `object.kind != 'Ingress' || object.metadata.?annotations.orValue({}).all(k, !k.split('/')[0].contains('ingress') || k in ${quoted(offering.ingressAnnotations ?? [])})`,
    message: `offering "${o}" allows only these ingress controller annotations: ${(offering.ingressAnnotations ?? []).join(', ') || 'none'} `
      + '(others configure the shared controller: aliases, auth URLs, mirrors, snippets); declare them in ingressAnnotations',
  }, {
    expression: "object.kind != 'PersistentVolumeClaim' || request.operation != 'CREATE' || (!has(object.spec.volumeName) && !has(object.spec.selector) "
      + '&& object.spec.?dataSourceRef.?namespace.orValue(\'\') == \'\')',
    message: `offering "${o}" does not allow claims that pick a PersistentVolume (volumeName, selector) or another namespace's data source: they could bind another tenant's volume`,
  });
  if (offering.ingressClassName) {
    validations.push({
      expression: `object.kind != 'Ingress' || object.spec.?ingressClassName.orValue('') == '${offering.ingressClassName}'`,
      message: `offering "${o}" allows only the IngressClass ${offering.ingressClassName}`,
    });
  }
  validations.push({
    // a budget that allows no eviction stalls every drain of the shared nodes
    expression: "object.kind != 'PodDisruptionBudget' || (!(string(object.spec.?maxUnavailable.orValue(1)) in ['0', '0%']) "
      + "&& string(object.spec.?minAvailable.orValue(0)) != '100%')",
    message: `offering "${o}" does not allow PodDisruptionBudgets that forbid every eviction (maxUnavailable 0, minAvailable 100%): they would stall node drains for every tenant`,
  });
  validations.push(...placementValidations(offering));
  const inOffering = { matchLabels: { [LABEL_OFFERING]: o } };
  const annotations = (obj: string) => `has(${obj}.spec.template.metadata) && has(${obj}.spec.template.metadata.annotations) ? ${obj}.spec.template.metadata.annotations : {}`;
  const labelsOf = (obj: string) => `has(${obj}.metadata.labels) ? ${obj}.metadata.labels : {}`;
  return [
    ...policyWithBinding(`saasplane-${o}-tenant-guard`, o, {
      failurePolicy: 'Fail',
      matchConstraints: {
        namespaceSelector: inOffering,
        resourceRules: [
          admissionRule('', ['pods', 'services', 'persistentvolumeclaims', 'replicationcontrollers', 'secrets'], ['CREATE', 'UPDATE']),
          admissionRule('apps', ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], ['CREATE', 'UPDATE']),
          admissionRule('batch', ['jobs', 'cronjobs'], ['CREATE', 'UPDATE']),
          admissionRule('networking.k8s.io', ['ingresses'], ['CREATE', 'UPDATE']),
          admissionRule('policy', ['poddisruptionbudgets'], ['CREATE', 'UPDATE']),
        ],
      },
      variables: [
        { name: 'podSpec', expression: `object.kind in ${NOT_PODS} ? {} : ${POD_SPEC}` },
        // an update that leaves the judged pod fields as they were (the garbage collector orphaning
        // pods, a label) is not judged again: after a plan change, running pods keep the old plan's
        // placement until they are replaced, and must not become impossible to update
        {
          name: 'podFieldsUnchanged',
          expression: `request.operation == 'UPDATE' && !(object.kind in ${NOT_PODS}) && `
            + JUDGED_POD_FIELDS.map((f) => `(${POD_SPEC.replace(/object\./g, 'oldObject.')}).?${f} == variables.podSpec.?${f}`).join(' && '),
        },
        { name: 'plan', expression: `namespaceObject.metadata.?labels.orValue({})[?'${LABEL_PLAN}'].orValue('')` },
      ],
      validations,
    }),
    ...policyWithBinding(`saasplane-${o}-restart-only`, o, {
      failurePolicy: 'Fail',
      matchConstraints: {
        namespaceSelector: inOffering,
        resourceRules: [admissionRule('apps', ['deployments', 'statefulsets', 'daemonsets'], ['UPDATE'])],
      },
      matchConditions: [{
        name: 'cannot-update',
        expression: "!authorizer.group('apps').resource(request.resource.resource).namespace(request.namespace).name(request.name).check('update').allowed()",
      }],
      variables: [
        { name: 'annotations', expression: annotations('object') },
        { name: 'oldAnnotations', expression: annotations('oldObject') },
      ],
      validations: [{
        expression: [
          'object.spec.template.spec == oldObject.spec.template.spec',
          ...WORKLOAD_SPEC_FIELDS.map((f) => `object.spec.?${f} == oldObject.spec.?${f}`),
          ...['labels', 'finalizers', 'generateName', 'name'].map((f) => `object.spec.template.metadata.?${f} == oldObject.spec.template.metadata.?${f}`),
          ...['labels', 'annotations', 'ownerReferences', 'finalizers'].map((f) => `object.metadata.?${f} == oldObject.metadata.?${f}`),
          `variables.annotations.all(k, k == '${RESTARTED_AT}' || (k in variables.oldAnnotations && variables.oldAnnotations[k] == variables.annotations[k]))`,
          `variables.oldAnnotations.all(k, k == '${RESTARTED_AT}' || k in variables.annotations)`,
        ].join(' && '),
        message: `in offering "${o}", a caller without update rights on workloads may only restart them (kubectl rollout restart): only the pod template's ${RESTARTED_AT} annotation may change`,
      }],
    }),
    ...policyWithBinding(`saasplane-${o}-namespace-identity`, o, {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [admissionRule('', ['namespaces'], ['CREATE', 'UPDATE'])] },
      matchConditions: [{
        name: 'of-this-offering',
        expression: `(has(object.metadata.labels) && object.metadata.labels['${LABEL_OFFERING}'] == '${o}')`
          + ` || (oldObject != null && has(oldObject.metadata.labels) && oldObject.metadata.labels['${LABEL_OFFERING}'] == '${o}')`,
      }],
      variables: [
        { name: 'labels', expression: labelsOf('object') },
        { name: 'oldLabels', expression: `oldObject == null ? {} : (${labelsOf('oldObject')})` },
      ],
      validations: [
        {
          expression: `oldObject == null || (variables.labels['${LABEL_OFFERING}'] == variables.oldLabels['${LABEL_OFFERING}']`
            + ` && ('${LABEL_TENANT}' in variables.labels) == ('${LABEL_TENANT}' in variables.oldLabels)`
            + ` && (!('${LABEL_TENANT}' in variables.labels) || variables.labels['${LABEL_TENANT}'] == variables.oldLabels['${LABEL_TENANT}']))`,
          message: `the ${LABEL_OFFERING} and ${LABEL_TENANT} labels of a namespace of offering "${o}" never change`,
        },
        {
          expression: `!('${LABEL_TENANT}' in variables.labels) || object.metadata.name == '${o}-' + variables.labels['${LABEL_TENANT}']`,
          message: `a tenant namespace of offering "${o}" must be named "${o}-<tenant>" after its ${LABEL_TENANT} label`,
        },
      ],
    }),
  ];
}

/**
 * Every field of a Deployment, StatefulSet or DaemonSet spec (apps/v1) but `template`: a restart
 * must leave them all as they were (a field a kind does not have compares as absent on both sides).
 */
const WORKLOAD_SPEC_FIELDS = [
  'replicas', 'selector', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds',
  'volumeClaimTemplates', 'serviceName', 'podManagementPolicy', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'ordinals',
];

/**
 * Pods stay on their plan's nodes and below system priority, whoever creates them: the plan's
 * nodeSelector (and dedicated-node label) present, only the plan's tolerations (and the node
 * condition ones Kubernetes adds), no nodeName on creation, no other scheduler, no system-*
 * priority class.
 */
function placementValidations(offering: OfferingSpec): Validation[] {
  const o = offering.name;
  const plans = Object.entries(offering.plans ?? {});
  const selectors = `{${plans.map(([name, plan]) => `'${name}': {${Object.entries(plan.nodeSelector ?? {}).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}`).join(', ')}}`;
  const tolerations = `{${plans.map(([name, plan]) => `'${name}': [${(plan.tolerations ?? []).map((t) =>
    `{'key': '${t.key ?? ''}', 'operator': '${t.operator ?? 'Equal'}', 'value': '${t.value ?? ''}', 'effect': '${t.effect ?? ''}'}`).join(', ')}]`).join(', ')}}`;
  const dedicated = quoted(plans.filter(([, plan]) => plan.dedicatedNodes).map(([name]) => name));
  const pods = `object.kind in ${NOT_PODS} || variables.podFieldsUnchanged || `;
  const selector = 'variables.podSpec.?nodeSelector.orValue({})';
  const sameToleration = (p: string) => `${p}.key == t.?key.orValue('') && ${p}.operator == t.?operator.orValue('Equal') && ${p}.value == t.?value.orValue('') `
    + `&& ${p}.effect == t.?effect.orValue('')`;
  const planNames = quoted(plans.map(([name]) => name));
  return [{
    expression: `${pods}variables.plan in ${planNames}`,
    message: `offering "${o}" admits pods only in namespaces of its plans (${plans.map(([name]) => name).join(', ')}): the namespace's ${LABEL_PLAN} label names none`,
  }, {
    expression: `${pods}(${selectors}[?variables.plan].orValue({}).all(k, k in ${selector} && ${selector}[k] == ${selectors}[variables.plan][k]) `
      + `&& (!(variables.plan in ${dedicated}) || ${selector}[?'${LABEL_TENANT}'].orValue('') == namespaceObject.metadata.name))`,
    message: `offering "${o}" keeps pods on their plan's nodes: the pod's nodeSelector must hold the plan's`,
  }, {
    expression: `${pods}variables.podSpec.?tolerations.orValue([]).all(t, `
      // what Kubernetes adds itself: DefaultTolerationSeconds (not-ready, unreachable, 300 s) and the DaemonSet controller
      + '(t.?key.orValue(\'\') in [\'node.kubernetes.io/not-ready\', \'node.kubernetes.io/unreachable\'] && t.?effect.orValue(\'\') == \'NoExecute\' '
      + '&& t.?tolerationSeconds.orValue(301) <= 300) '
      + `|| (t.?key.orValue('').startsWith('node.kubernetes.io/') && request.userInfo.username == '${DAEMONSET_CONTROLLER}') `
      + `|| ${tolerations}[?variables.plan].orValue([]).exists(p, ${sameToleration('p')}) `
      + `|| (variables.plan in ${dedicated} && t.?key.orValue('') == '${LABEL_TENANT}' && t.?value.orValue('') == namespaceObject.metadata.name))`,
    message: `offering "${o}" allows only its plan's tolerations: a pod may not tolerate its way onto other tenants' or plans' nodes`,
  }, {
    expression: `${pods}(object.kind == 'Pod' && request.operation == 'UPDATE') || !has(variables.podSpec.nodeName)`,
    message: `offering "${o}" does not allow pods pinned to a node (nodeName): the scheduler places them on the plan's nodes`,
  }, {
    expression: `${pods}variables.podSpec.?schedulerName.orValue('default-scheduler') == 'default-scheduler'`,
    message: `offering "${o}" allows only the default scheduler`,
  }, {
    expression: `${pods}!has(variables.podSpec.priorityClassName) || variables.podSpec.priorityClassName in ${quoted(offering.priorityClassNames ?? [])}`,
    message: `offering "${o}" allows the priority classes ${(offering.priorityClassNames ?? []).join(', ') || 'none'}: others (system ones above all) preempt other tenants' pods; `
      + 'declare a class in priorityClassNames',
  }, {
    expression: `${pods}variables.podSpec.?volumes.orValue([]).all(v, (!has(v.image) || v.image.?pullPolicy.orValue('') == 'Always') `
      + '&& (!has(v.projected) || v.projected.?sources.orValue([]).all(s, !has(s.serviceAccountToken) || s.serviceAccountToken.?expirationSeconds.orValue(3600) <= 86400)))',
    message: `offering "${o}" requires image volumes to be pulled Always and projected ServiceAccount tokens to expire within a day`,
  }];
}

/** The DaemonSet controller's identity: it adds node condition tolerations to the pods it creates. */
const DAEMONSET_CONTROLLER = 'system:serviceaccount:kube-system:daemon-set-controller';

/** The annotation `kubectl rollout restart` sets on a pod template. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** The offering's own namespace `<offering>-system`: its rules and, by default, its provider identity. */
export function planOfferingNamespace(offering: OfferingSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: providerNamespace(offering.name), labels: { ...offeringLabels(offering.name), [PSA_ENFORCE]: PodSecurityLevel.RESTRICTED } },
  };
}

/** One recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  /** Labels added to every recorded series. */
  readonly labels?: Record<string, string>;
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

/** The window of the recorded rates: a rate recorded at t is the average over the 5 minutes before t. */
export const RATE_WINDOW_SECONDS = 300;
const RATE_WINDOW = `${RATE_WINDOW_SECONDS / 60}m`;

/** Seconds between two evaluations of the consumption rules: each recorded sample stands for this long. */
export const CONSUMPTION_INTERVAL_SECONDS = 60;

/**
 * The plans' prices as series, one per plan and rate (`price` is the PriceSpec field, e.g.
 * "perCpuCoreHour"; `currency` its currency): chargeback reads the price in force at the time of the
 * consumption, so a price change applies from the moment its rules are loaded.
 */
export const PLAN_PRICE_SERIES = 'saasplane:plan_price';

/** The rates of a PriceSpec, in the order reports show them. */
export const PRICE_RATES = ['monthly', 'perCpuCoreHour', 'perMemoryGiBHour', 'perStorageGiBMonth'] as const;

/** The namespace labels kube-state-metrics must export for the rules (its `--metric-labels-allowlist`). */
export const KSM_NAMESPACE_LABELS = [LABEL_OFFERING, LABEL_TENANT, LABEL_PLAN, LABEL_STATE] as const;

/**
 * The tenant identity to join a namespace's series with (labels offering, tenant, plan; value 1):
 * the freshest info series per namespace. Right after a plan change the old one is still within
 * the lookback wherever Prometheus wrote no staleness marker (a restart, backfilled history), and
 * two of them would fail the join for every tenant of the offering.
 */
export function tenantIdentity(offering: string): string {
  return `(topk by (namespace) (1, timestamp(${CONSUMPTION_SERIES.info}{offering="${offering}"})) > bool 0)`;
}

/**
 * Recording rules computing per-tenant CPU, memory, storage and network consumption, labelled
 * offering/tenant/plan, and the plans' prices. Tenant identity comes from kube-state-metrics'
 * `kube_namespace_labels` (run it with
 * `--metric-labels-allowlist=namespaces=[saasplane.io/offering,saasplane.io/tenant,saasplane.io/plan,saasplane.io/state]`),
 * so the rules do not grow with the number of tenants.
 */
export function recordingRuleGroups(offering: OfferingSpec): RecordingRuleGroup[] {
  const o = offering.name;
  const relabel = (expr: string, label: string) => `label_replace(${expr}, "${label}", "$1", "label_saasplane_io_${label}", "(.*)")`;
  // timestamp(): the sample's time, so that the freshest label set of a namespace wins
  const labelled = relabel(relabel(relabel(relabel(`timestamp(kube_namespace_labels{label_saasplane_io_offering="${o}"})`, 'offering'), 'tenant'), 'plan'), 'state');
  // one info series per namespace, the freshest, even while kube-state-metrics replicas disagree
  // (e.g. during a plan change): a duplicate would make every join below fail for all tenants
  const info = `topk by (namespace) (1, max by (namespace, offering, tenant, plan, state) (${labelled})) > bool 0`;
  // `max by` the series' identity first: replicas of kube-state-metrics, or of Prometheus writing
  // into one store, report the same object, and a sum would count it once per replica
  const perTenant = (expr: string, identity: string) => `sum by (namespace) (max by (namespace, ${identity}) (${expr}))`
    + ` * on (namespace) group_left (offering, tenant, plan) ${tenantIdentity(o)}`;
  const container = 'pod, container';
  // one rule per plan, a series per rate: each rule is a block per 2 hours when backfilled
  const prices: RecordingRule[] = Object.entries(offering.plans).flatMap(([plan, { price }]) => (price ? [{
    record: PLAN_PRICE_SERIES,
    expr: PRICE_RATES.map((rate) => `label_replace(vector(${price[rate] ?? 0}), "price", "${rate}", "", "")`).join(' or '),
    labels: { offering: o, plan, currency: price.currency },
  }] : []));
  return [{
    name: `saasplane-${o}-consumption`,
    interval: `${CONSUMPTION_INTERVAL_SECONDS / 60}m`,
    rules: [
      { record: CONSUMPTION_SERIES.info, expr: info },
      { record: CONSUMPTION_SERIES.cpu, expr: perTenant(`rate(container_cpu_usage_seconds_total{container!="", image!=""}[${RATE_WINDOW}])`, container) },
      { record: CONSUMPTION_SERIES.memory, expr: perTenant('container_memory_working_set_bytes{container!="", image!=""}', container) },
      { record: CONSUMPTION_SERIES.storage, expr: perTenant('kube_persistentvolumeclaim_resource_requests_storage_bytes', 'persistentvolumeclaim') },
      { record: CONSUMPTION_SERIES.networkReceive, expr: perTenant(`rate(container_network_receive_bytes_total[${RATE_WINDOW}])`, 'pod, interface') },
      { record: CONSUMPTION_SERIES.networkTransmit, expr: perTenant(`rate(container_network_transmit_bytes_total[${RATE_WINDOW}])`, 'pod, interface') },
      ...prices,
    ],
  }];
}

/** The PrometheusRule holding the offering's consumption and quota rules. */
export function planRecordingRules(offering: OfferingSpec): KubeObject {
  const monitoring = offering.monitoring ?? {};
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: `saasplane-${offering.name}-consumption`,
      // the offering's own namespace: Prometheus' ruleNamespaceSelector must select it
      namespace: providerNamespace(offering.name),
      labels: { ...offeringLabels(offering.name), ...monitoring.ruleLabels },
    },
    spec: { groups: [...recordingRuleGroups(offering), ...quotaRuleGroups(offering)] },
  };
}
