// RBAC and admission objects of the provider's and the consumers' identities.
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1';
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import { SaaSplaneError, throwIfProblems } from './errors';
import { admissionRule, KubeObject } from './kube';
import { ANNOTATION_DELETE_AFTER, ANNOTATION_RETENTION } from './lifecycle';
import { PodSecurityLevel, TenantState } from './model';
import { dnsLabelProblem, LABEL_ACCESS, PROVIDER_BINDING_NAME, providerNamespace, LABEL_OFFERING, LABEL_PLAN, LABEL_STATE, LABEL_TENANT, offeringLabels, PSA_ENFORCE } from './names';
import type { ResolvedTenant } from './offering';
import { POD_SECURITY_VERSION } from './plan-tenant';

type Named<T> = T & KubeObject;

const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * What the provider may do inside each tenant namespace: deploy and operate the chart's workloads,
 * read the tenant's guardrails (quota, limit range, network policies, RBAC) without changing them.
 * Explicit resources and verbs: no `*`, nothing cluster-wide.
 */
export const PROVIDER_TENANT_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'serviceaccounts', 'persistentvolumeclaims', 'pods'], verbs: WRITE },
  // the tenant's guardrails and access are the offering's (applied from its GitOps repository), not the provider's to change
  { apiGroups: [''], resources: ['pods/log', 'events', 'endpoints', 'resourcequotas', 'limitranges'], verbs: READ },
  { apiGroups: [''], resources: ['pods/portforward', 'pods/exec'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs: WRITE },
  { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  // a disruption budget can stall node drains for everyone: the chart's come from the GitOps repository
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: READ },
  // the scrape config is the offering's: a provider-written monitor could scrape other namespaces or forge the consumption labels
  { apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors', 'podmonitors'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  // bound in the tenant namespace, this reaches that Namespace object only: no listing of the
  // cluster's namespaces, no change to any other (labels are guarded by the admission policy)
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'update', 'patch', 'delete'] },
];

/**
 * What a tenant's own users may do in their namespace: look, read logs, port-forward and
 * restart workloads (`kubectl rollout restart` patches the workload; the offering's admission
 * guard lets a patch without `update` rights change only the restart annotation). No secrets, no
 * writes to quota, limit ranges, network policies or RBAC.
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

/** The labels a tenant namespace carries (saasplane's and Kubernetes' own name label). */
const NAMESPACE_LABELS = [
  LABEL_OFFERING, LABEL_TENANT, LABEL_PLAN, LABEL_STATE, 'app.kubernetes.io/managed-by', PSA_ENFORCE, `${PSA_ENFORCE}-version`,
  'pod-security.kubernetes.io/audit', 'pod-security.kubernetes.io/warn', 'kubernetes.io/metadata.name',
];

/** Names of the provider's objects for one offering. */
export interface ProviderIdentity {
  readonly offering: string;
  /** Namespace of the provider's ServiceAccount. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** ClusterRole bound in each tenant namespace. */
  readonly tenantRole: string;
  /** ClusterRole (and its ClusterRoleBinding) to create tenant namespaces. */
  readonly namespacesRole: string;
  /** ValidatingAdmissionPolicy (and its binding) limiting what the identity does to namespaces. */
  readonly namespaceGuard: string;
  /** RoleBinding of `tenantRole` in each tenant namespace. */
  readonly tenantBinding: string;
}

/** Throws when a provider access `accessId` would get an invalid namespace or ServiceAccount name. */
export function validateProviderAccess(accessId: string, namespace: string, serviceAccount: string): void {
  throwIfProblems(`provider access "${accessId}" is invalid`, [
    dnsLabelProblem('namespace', namespace, 63),
    dnsLabelProblem('serviceAccountName', serviceAccount, 63),
  ].filter((p): p is string => p !== undefined));
}

/**
 * Throws when the offering already has a provider access (`existing`, named `existingName`) for the
 * ServiceAccount `namespace/serviceAccount`: the roles, bindings and admission policy are named
 * after the identity, so two would own the same objects.
 */
export function assertProviderIdentityFree(
  offering: string, accessId: string, namespace: string, serviceAccount: string, existing: { readonly name: string } | undefined,
): void {
  throwIfProblems(`provider access "${accessId}" cannot be added`, existing ? [
    `offering "${offering}" already has the provider access "${existing.name}" for the ServiceAccount ${namespace}/${serviceAccount}: `
    + 'use it, or give this one another serviceAccountName or namespace',
  ] : []);
}

/** The provider access among `providers` that holds the ServiceAccount `namespace/serviceAccount`, if any. */
export function providerHolding<P extends { readonly identity: ProviderIdentity }>(
  providers: readonly P[], namespace: string, serviceAccount: string,
): P | undefined {
  return providers.find((p) => p.identity.namespace === namespace && p.identity.serviceAccount === serviceAccount);
}

/** Throws when a consumer access `accessId` would get an invalid ServiceAccount, Role and RoleBinding name. */
export function validateConsumerAccess(accessId: string, name: string, users: readonly unknown[] = [], groups: readonly unknown[] = []): void {
  const subjects = [...users.map((u) => ['users', u] as const), ...groups.map((g) => ['groups', g] as const)]
    .filter(([, value]) => typeof value !== 'string' || value.trim() === '')
    .map(([field, value]) => `${field} entry ${JSON.stringify(value) ?? String(value)} is ${typeof value === 'string' ? 'empty' : 'not a string'}: `
      + `name the ${field === 'users' ? 'user' : 'group'} of the cluster's authenticator, or leave it out`);
  const reserved = typeof name === 'string' && name.startsWith(RESERVED_ACCESS_PREFIX)
    ? `name ${JSON.stringify(name)} starts with "${RESERVED_ACCESS_PREFIX}", which saasplane keeps for its own objects in the tenant namespace (the provider's RoleBinding): choose another name`
    : undefined;
  throwIfProblems(`consumer access "${accessId}" is invalid`, [dnsLabelProblem('name', name, 63), reserved, ...subjects]
    .filter((p): p is string => p !== undefined));
}

/** Names of objects saasplane puts into tenant namespaces for itself start with this. */
export const RESERVED_ACCESS_PREFIX = 'saasplane-';

const ACCESS_ID = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Throws when an access id cannot name a file of the output (`20-provider-<id>.yaml`): it must be
 * one path segment of at most 63 letters, digits, '-', '_' and '.'.
 */
export function validateAccessFileId(what: string, accessId: unknown): void {
  if (typeof accessId === 'string' && accessId.length <= 63 && ACCESS_ID.test(accessId)) {
    return;
  }
  throw new SaaSplaneError(`${what} ${JSON.stringify(accessId)} is invalid`, [`the id ${JSON.stringify(accessId)} names the access' file in the output: use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (no '/')`]);
}

/**
 * The provider identity's names for an offering. The default identity (ServiceAccount `provider`
 * in `<offering>-system`) has the offering's names; any other adds `.<namespace>.<serviceAccount>`
 * (both DNS labels, so the suffix reads one way), so that several identities never share an object.
 */
export function providerIdentity(offering: string, namespace: string, serviceAccount = 'provider'): ProviderIdentity {
  const suffix = namespace === providerNamespace(offering) && serviceAccount === 'provider' ? '' : `.${namespace}.${serviceAccount}`;
  return {
    offering,
    namespace,
    serviceAccount,
    tenantRole: `saasplane:${offering}:provider-tenant${suffix}`,
    namespacesRole: `saasplane:${offering}:provider-namespaces${suffix}`,
    namespaceGuard: `saasplane-${offering}-provider-namespaces${suffix}`,
    tenantBinding: `${PROVIDER_BINDING_NAME}${suffix}`,
  };
}

/**
 * The provider's offering-level objects: its ServiceAccount (and namespace when asked), the tenant
 * ClusterRole, the right to create namespaces, and the admission policy that limits what the
 * identity does to namespaces: create only `<offering>-<tenant>` tenant namespaces with the
 * offering's Pod Security level, change no label but its own `saasplane.io/plan`.
 */
export function planProviderShared(
  identity: ProviderIdentity, createNamespace: boolean, podSecurity: PodSecurityLevel = PodSecurityLevel.RESTRICTED, plans: readonly string[] = [],
): KubeObject[] {
  const labels = offeringLabels(identity.offering);
  const namespacesRole = identity.namespacesRole;
  const subject: Subject = { kind: 'ServiceAccount', name: identity.serviceAccount, namespace: identity.namespace };
  const username = `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`;
  const guardName = identity.namespaceGuard;
  const o = identity.offering;
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
    metadata: { name: identity.serviceAccount, namespace: identity.namespace, labels: { ...labels, [LABEL_ACCESS]: 'provider' } },
    automountServiceAccountToken: false,
  };
  const tenantRole: Named<ClusterRole> = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: identity.tenantRole, labels },
    rules: PROVIDER_TENANT_RULES.map((r) => ({ ...r })),
  };
  // cluster-wide only `create`: reading, changing and deleting a namespace come with the
  // RoleBinding in that tenant namespace
  const nsRole: Named<ClusterRole> = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: namespacesRole, labels },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['create'] }],
  };
  const nsBinding: Named<ClusterRoleBinding> = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: namespacesRole, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: namespacesRole },
    subjects: [subject],
  };
  const label = (key: string) => `variables.labels['${key}']`;
  const MUTABLE = `(k == '${LABEL_PLAN}' || k == '${LABEL_STATE}')`;
  // kubectl's own annotations, and those that mark an offboarded tenant's namespace as kept until a date
  const FREE_ANNOTATION = `(k.startsWith('kubectl.kubernetes.io/') || k in ['${ANNOTATION_RETENTION}', '${ANNOTATION_DELETE_AFTER}'])`;
  const guard: Named<ValidatingAdmissionPolicy> = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: guardName, labels },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [admissionRule('', ['namespaces'], ['CREATE', 'UPDATE', 'DELETE'])] },
      matchConditions: [{ name: 'is-provider', expression: `request.userInfo.username == '${username}'` }],
      variables: [
        { name: 'labels', expression: 'object != null && has(object.metadata.labels) ? object.metadata.labels : {}' },
        { name: 'oldLabels', expression: 'oldObject != null && has(oldObject.metadata.labels) ? oldObject.metadata.labels : {}' },
      ],
      validations: [
        {
          expression: `request.operation != 'CREATE' || (${label(LABEL_OFFERING)} == '${o}' && '${LABEL_TENANT}' in variables.labels `
            + `&& object.metadata.name == '${o}-' + ${label(LABEL_TENANT)} && ${label(LABEL_TENANT)} != 'system' && !${label(LABEL_TENANT)}.endsWith('-system'))`,
          message: `the provider of offering "${o}" may only create tenant namespaces "${o}-<tenant>" labelled ${LABEL_OFFERING}=${o} and ${LABEL_TENANT}=<tenant>`,
        },
        {
          expression: `request.operation != 'CREATE' || (${label(PSA_ENFORCE)} == '${podSecurity}' && ${label(`${PSA_ENFORCE}-version`)} == '${POD_SECURITY_VERSION}')`,
          message: `the provider of offering "${o}" may only create namespaces that enforce Pod Security "${podSecurity}" (labels ${PSA_ENFORCE}=${podSecurity}, ${PSA_ENFORCE}-version=${POD_SECURITY_VERSION})`,
        },
        {
          expression: `request.operation == 'CREATE' || (variables.oldLabels['${LABEL_OFFERING}'] == '${o}' && '${LABEL_TENANT}' in variables.oldLabels)`,
          message: `the provider of offering "${o}" may only change or delete its tenants' namespaces`,
        },
        {
          // the plan and the tenant's state (suspended, offboarded) are the provider's to change
          expression: `request.operation != 'UPDATE' || (variables.labels.all(k, ${MUTABLE} || (k in variables.oldLabels && variables.oldLabels[k] == variables.labels[k])) `
            + `&& variables.oldLabels.all(k, ${MUTABLE} || k in variables.labels))`,
          message: `the provider of offering "${o}" may change no namespace label but ${LABEL_PLAN} and ${LABEL_STATE} (Pod Security and tenant identity labels are fixed)`,
        },
        {
          expression: "request.operation != 'UPDATE' || (object.metadata.?finalizers == oldObject.metadata.?finalizers && object.spec.?finalizers == oldObject.spec.?finalizers "
            + '&& object.metadata.?ownerReferences == oldObject.metadata.?ownerReferences '
            + `&& object.metadata.?annotations.orValue({}).all(k, ${FREE_ANNOTATION} || oldObject.metadata.?annotations.orValue({})[?k] == object.metadata.annotations[?k]) `
            + `&& oldObject.metadata.?annotations.orValue({}).all(k, ${FREE_ANNOTATION} || k in object.metadata.?annotations.orValue({})))`,
          message: `the provider of offering "${o}" may not change a namespace's finalizers, owner references or annotations (but an offboarded tenant's ${ANNOTATION_RETENTION} and ${ANNOTATION_DELETE_AFTER})`,
        },
        {
          // nothing another selector could match (an ingress controller's, Prometheus', a mesh's), no annotations but kubectl's
          expression: `request.operation != 'CREATE' || (variables.labels.all(k, k in ${JSON.stringify(NAMESPACE_LABELS).replace(/"/g, "'")}) `
            + `&& ${label('pod-security.kubernetes.io/audit')} == '${podSecurity}' && ${label('pod-security.kubernetes.io/warn')} == '${podSecurity}' `
            + `&& object.metadata.?annotations.orValue({}).all(k, ${FREE_ANNOTATION}) && !has(object.metadata.ownerReferences))`,
          message: `the provider of offering "${o}" may only create namespaces with saasplane's labels (${NAMESPACE_LABELS.join(', ')}, Pod Security audit and warn "${podSecurity}") and no annotations but an offboarded tenant's ${ANNOTATION_RETENTION} and ${ANNOTATION_DELETE_AFTER}`,
        },
        {
          expression: `!('${LABEL_STATE}' in variables.labels) || ${label(LABEL_STATE)} in ['${TenantState.SUSPENDED}', '${TenantState.OFFBOARDED}']`,
          message: `the provider of offering "${o}" may only label a namespace ${LABEL_STATE}=${TenantState.SUSPENDED} or ${TenantState.OFFBOARDED} (an active tenant has no such label)`,
        },
        ...(plans.length === 0 ? [] : [{
          expression: `request.operation == 'DELETE' || (${label(LABEL_PLAN)} in ${JSON.stringify(plans).replace(/"/g, "'")})`,
          message: `the provider of offering "${o}" may only label namespaces with one of its plans: ${plans.join(', ')}`,
        }]),
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
    metadata: { name: identity.tenantBinding, namespace: tenant.namespace, labels: offeringLabels(identity.offering) },
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
  const sa: Named<ServiceAccount> = {
    apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...metadata, labels: { ...metadata.labels, [LABEL_ACCESS]: 'consumer' } }, automountServiceAccountToken: false,
  };
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
