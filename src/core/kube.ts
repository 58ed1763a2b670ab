// The plain-data shape of a Kubernetes object, as both front-ends emit it.
import type { NamedRuleWithOperations } from 'kubernetes-types/admissionregistration/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';

/** Any Kubernetes object as JSON: apiVersion, kind, metadata with a name, and the rest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/**
 * A rule of an admission policy's matchConstraints. kubernetes-types 1.30 omits `resources`
 * from NamedRuleWithOperations, so rules are built here with the field the API requires.
 */
export function admissionRule(apiGroup: string, resources: string[], operations: string[]): NamedRuleWithOperations {
  const rule = { apiGroups: [apiGroup], apiVersions: ['v1'], operations, resources };
  return rule;
}

/** Built-in kinds that are not namespaced (Kubernetes 1.34). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ClusterTrustBundle',
  'ComponentStatus', 'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'DeviceClass', 'FlowSchema',
  'IngressClass', 'IPAddress', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration', 'Namespace', 'Node', 'PersistentVolume', 'PriorityClass',
  'PriorityLevelConfiguration', 'ResourceSlice', 'RuntimeClass', 'SelfSubjectAccessReview',
  'SelfSubjectReview', 'SelfSubjectRulesReview', 'ServiceCIDR', 'StorageClass', 'StorageVersionMigration',
  'SubjectAccessReview', 'TokenReview', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'VolumeAttachment', 'VolumeAttributesClass',
]);

/**
 * What identifies an object on the API server: API group (not version), kind, namespace (none for
 * cluster-scoped kinds) and name. Two planned objects with one identity would replace each other.
 */
export function objectIdentity(apiVersion: string, kind: string, namespace: string | undefined, name: string | undefined): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return CLUSTER_SCOPED_KINDS.has(kind) ? `${kind}.${group} "${name}"` : `${kind}.${group} "${namespace ?? ''}/${name}"`;
}
