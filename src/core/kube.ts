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
