// The claims a tenant's StatefulSets make, planned as objects of their own. A StatefulSet makes a
// claim `<template>-<statefulset>-<ordinal>` from its volumeClaimTemplates once, and never changes
// it: a plan with larger storage changes the template (which the API server refuses in place) and
// leaves every existing claim at its old size. Planned claims are applied before the StatefulSet,
// which adopts them by name, and a plan change then resizes them in place (where the storage class
// allows expansion; the API server refuses the change, with its reason, where it does not).
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { KubeObject } from './kube';
import { isPlainObject, jsonCopy } from './values';

/** Marks a planned claim with the StatefulSet that uses it; its storage is counted once, through the template. */
export const ANNOTATION_CLAIM_OF = 'saasplane.io/claim-of';

/**
 * Stops deletion when the object leaves the output or its owner goes: Helm (`resource-policy`),
 * Argo CD (`sync-options`) and Flux (`prune`). A tenant's data outlives its workloads.
 */
export const KEEP_ANNOTATIONS: Readonly<Record<string, string>> = {
  'helm.sh/resource-policy': 'keep',
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

type StatefulSetSpec = {
  replicas?: number;
  ordinals?: { start?: number };
  selector?: { matchLabels?: Record<string, string> };
  volumeClaimTemplates?: Template[];
};
type Template = { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: PersistentVolumeClaim['spec'] };

/** The claims of every StatefulSet among `objects` (adapted chart objects), one per template and ordinal. */
export function planStatefulSetClaims(objects: readonly KubeObject[]): KubeObject[] {
  const claims: KubeObject[] = [];
  for (const object of objects) {
    if (object.kind !== 'StatefulSet' || !isPlainObject(object.spec)) continue;
    const spec = object.spec as StatefulSetSpec;
    const replicas = spec.replicas ?? 1;
    const start = spec.ordinals?.start ?? 0;
    for (const template of spec.volumeClaimTemplates ?? []) {
      const templateName = template.metadata?.name;
      if (!templateName) continue;
      for (let ordinal = start; ordinal < start + replicas; ordinal += 1) {
        claims.push({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: `${templateName}-${object.metadata.name}-${ordinal}`,
            namespace: object.metadata.namespace,
            // the labels the StatefulSet controller gives the claims it makes
            labels: { ...template.metadata?.labels, ...spec.selector?.matchLabels },
            annotations: { ...template.metadata?.annotations, ...KEEP_ANNOTATIONS, [ANNOTATION_CLAIM_OF]: object.metadata.name },
          },
          spec: jsonCopy(template.spec ?? {}),
        });
      }
    }
  }
  return claims;
}
