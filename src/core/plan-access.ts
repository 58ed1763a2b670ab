// RBAC and admission objects of the provider's and the consumers' identities.
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1';
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import { throwIfProblems } from './errors';
import { admissionRule, KubeObject } from './kube';
import { PodSecurityLevel } from './model';
import { dnsLabelProblem, LABEL_OFFERING, offeringLabels } from './names';
import type { ResolvedTenant } from './offering';

type Named<T> = T & KubeObject;

const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * What the provider may do inside each tenant namespace: deploy and operate the chart and the
 * tenant's guardrails. Explicit resources and verbs: no `*`, nothing cluster-wide.
 */
export const PROVIDER_TENANT_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'serviceaccounts', 'persistentvolumeclaims', 'pods', 'resourcequotas', 'limitranges'], verbs: WRITE },
  { apiGroups: [''], resources: ['pods/log', 'events', 'endpoints'], verbs: READ },
  { apiGroups: [''], resources: ['pods/portforward', 'pods/exec'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs: WRITE },
  { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: WRITE },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: WRITE },
  { apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors', 'podmonitors'], verbs: WRITE },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
];

/**
 * What a tenant's own users may do in their namespace: look, read logs, port-forward and
 * restart workloads (`kubectl rollout restart` patches the workload). No secrets, no writes to
 * quota, limit ranges, network policies or RBAC.
 */
export const CONSUMER_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'endpoints', 'events', 'configmaps', 'persistentvolumeclaims', 'resourcequotas', 'limitranges'], verbs: READ },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets', 'daemonsets'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['patch'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
];

/** Names of the provider's objects for one offering. */
export interface ProviderIdentity {
  readonly offering: string;
  /** Namespace of the provider's ServiceAccount. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** ClusterRole bound in each tenant namespace. */
  readonly tenantRole: string;
}

/** Throws when a provider access `accessId` would get an invalid namespace or ServiceAccount name. */
export function validateProviderAccess(accessId: string, namespace: string, serviceAccount: string): void {
  throwIfProblems(`provider access "${accessId}" is invalid`, [
    dnsLabelProblem('namespace', namespace, 63),
    dnsLabelProblem('serviceAccountName', serviceAccount, 63),
  ].filter((p): p is string => p !== undefined));
}

/** Throws when a consumer access `accessId` would get an invalid ServiceAccount, Role and RoleBinding name. */
export function validateConsumerAccess(accessId: string, name: string): void {
  throwIfProblems(`consumer access "${accessId}" is invalid`, [dnsLabelProblem('name', name, 63)].filter((p): p is string => p !== undefined));
}

/** The provider identity's names for an offering. */
export function providerIdentity(offering: string, namespace: string, serviceAccount = 'provider'): ProviderIdentity {
  return { offering, namespace, serviceAccount, tenantRole: `saasplane:${offering}:provider-tenant` };
}

/** The provider's offering-level objects: namespace, ServiceAccount, roles, and the namespace guard. */
export function planProviderShared(identity: ProviderIdentity, createNamespace: boolean): KubeObject[] {
  const labels = offeringLabels(identity.offering);
  const namespacesRole = `saasplane:${identity.offering}:provider-namespaces`;
  const subject: Subject = { kind: 'ServiceAccount', name: identity.serviceAccount, namespace: identity.namespace };
  const username = `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`;
  const guardName = `saasplane-${identity.offering}-provider-namespaces`;
  const carriesLabel = (o: string) => `has(${o}.metadata.labels) && '${LABEL_OFFERING}' in ${o}.metadata.labels && ${o}.metadata.labels['${LABEL_OFFERING}'] == '${identity.offering}'`;
  const objects: KubeObject[] = [];
  if (createNamespace) {
    const ns: Named<Namespace> = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: identity.namespace, labels: { ...labels, 'pod-security.kubernetes.io/enforce': PodSecurityLevel.RESTRICTED } },
    };
    objects.push(ns);
  }
  const sa: Named<ServiceAccount> = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: identity.serviceAccount, namespace: identity.namespace, labels },
    automountServiceAccountToken: false,
  };
  const tenantRole: Named<ClusterRole> = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: identity.tenantRole, labels },
    rules: PROVIDER_TENANT_RULES.map((r) => ({ ...r })),
  };
  const nsRole: Named<ClusterRole> = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: namespacesRole, labels },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
  };
  const nsBinding: Named<ClusterRoleBinding> = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: namespacesRole, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: namespacesRole },
    subjects: [subject],
  };
  const guard: Named<ValidatingAdmissionPolicy> = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: guardName, labels },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [admissionRule('', ['namespaces'], ['CREATE', 'UPDATE', 'DELETE'])] },
      matchConditions: [{ name: 'is-provider', expression: `request.userInfo.username == '${username}'` }],
      validations: [
        {
          expression: `request.operation == 'DELETE' || (${carriesLabel('object')})`,
          message: `the provider of offering "${identity.offering}" may only create namespaces labelled ${LABEL_OFFERING}=${identity.offering}`,
        },
        {
          expression: `request.operation == 'CREATE' || (${carriesLabel('oldObject')})`,
          message: `the provider of offering "${identity.offering}" may only change or delete namespaces labelled ${LABEL_OFFERING}=${identity.offering}`,
        },
      ],
    },
  };
  const guardBinding: Named<ValidatingAdmissionPolicyBinding> = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: guardName, labels },
    spec: { policyName: guardName, validationActions: ['Deny'] },
  };
  objects.push(sa, tenantRole, nsRole, nsBinding, guard, guardBinding);
  return objects;
}

/** The RoleBinding that lets the provider into one tenant namespace. */
export function planProviderBinding(identity: ProviderIdentity, tenant: ResolvedTenant): Named<RoleBinding> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'saasplane-provider', namespace: tenant.namespace, labels: offeringLabels(identity.offering) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: identity.tenantRole },
    subjects: [{ kind: 'ServiceAccount', name: identity.serviceAccount, namespace: identity.namespace }],
  };
}

/** Options of a consumer identity. */
export interface ConsumerIdentity {
  /** Name of the ServiceAccount, Role and RoleBinding. */
  readonly name: string;
  /** Users of the cluster's authenticator bound as well. */
  readonly users?: readonly string[];
  /** Groups of the cluster's authenticator bound as well. */
  readonly groups?: readonly string[];
}

/** ServiceAccount, Role and RoleBinding of a tenant's users, all inside the tenant namespace. */
export function planConsumerAccess(tenant: ResolvedTenant, identity: ConsumerIdentity): KubeObject[] {
  const metadata = { name: identity.name, namespace: tenant.namespace, labels: offeringLabels(tenant.offering.name) };
  const sa: Named<ServiceAccount> = { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false };
  const role: Named<Role> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: CONSUMER_RULES.map((r) => ({ ...r })),
  };
  const binding: Named<RoleBinding> = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: identity.name },
    subjects: [
      { kind: 'ServiceAccount', name: identity.name, namespace: tenant.namespace },
      ...(identity.users ?? []).map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })),
      ...(identity.groups ?? []).map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
    ],
  };
  return [sa, role, binding];
}
