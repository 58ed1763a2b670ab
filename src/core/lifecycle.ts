// A tenant's lifecycle: active, suspended (nothing runs, data kept) or offboarded (the application
// gone, namespace and claims kept until a date). What each state does to the planned objects is
// here, so that both front-ends suspend and offboard the same way.
import type { KubeObject } from './kube';
import { TenantState } from './model';
import { LABEL_STATE } from './names';
import { KEEP_ANNOTATIONS } from './plan-claims';
import { isPlainObject, jsonCopy } from './values';

/** On an offboarded tenant's namespace and claims: the date (YYYY-MM-DD) after which they may be deleted. */
export const ANNOTATION_DELETE_AFTER = 'saasplane.io/delete-after';
/** On an offboarded tenant's namespace and claims: why they are kept. */
export const ANNOTATION_RETENTION = 'saasplane.io/retention';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Problems of a tenant's `state` and `deleteAfter`, each naming the value and the fix. */
export function lifecycleProblems(state: unknown, deleteAfter: unknown): string[] {
  const states = Object.values(TenantState) as string[];
  if (state !== undefined && !states.includes(state as string)) {
    return [`state ${JSON.stringify(state)} is not a tenant state: use one of ${states.map((s) => `"${s}"`).join(', ')}`];
  }
  if (state === TenantState.OFFBOARDED) {
    if (deleteAfter === undefined) {
      return ['an offboarded tenant needs deleteAfter, the date its namespace and claims may be deleted (YYYY-MM-DD): set it, e.g. deleteAfter: "2027-03-31"'];
    }
    const match = typeof deleteAfter === 'string' ? ISO_DATE.exec(deleteAfter) : null;
    const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
    if (!date || date.toISOString().slice(0, 10) !== deleteAfter) {
      return [`deleteAfter ${JSON.stringify(deleteAfter)} is not a date: write it as YYYY-MM-DD, e.g. "2027-03-31"`];
    }
  } else if (deleteAfter !== undefined) {
    return [`deleteAfter is set but the tenant is ${state ?? TenantState.ACTIVE}: set state: "offboarded" with it, or remove deleteAfter`];
  }
  return [];
}

/**
 * The chart objects of a suspended tenant: every workload scaled to zero (Deployments,
 * StatefulSets, ReplicaSets, ReplicationControllers), every Job and CronJob suspended, every
 * DaemonSet kept off all nodes, and bare Pods left out (nothing scales them).
 * Configuration, Services and Ingresses stay, so that resuming brings the same instance back.
 */
export function suspendedObjects(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((object) => object.kind !== 'Pod').map((object) => {
    if (!isPlainObject(object.spec)) return object;
    switch (object.kind) {
      case 'Deployment': case 'StatefulSet': case 'ReplicaSet': case 'ReplicationController':
        return { ...object, spec: { ...object.spec, replicas: 0 } };
      case 'Job': case 'CronJob':
        return { ...object, spec: { ...object.spec, suspend: true } };
      case 'DaemonSet': {
        // a DaemonSet cannot scale: it selects no node while suspended
        const copy = jsonCopy(object) as KubeObject & { spec: { template: { spec: { nodeSelector?: Record<string, string> } } } };
        copy.spec.template.spec.nodeSelector = { ...copy.spec.template.spec.nodeSelector, [LABEL_STATE]: TenantState.SUSPENDED };
        return copy;
      }
      default:
        return object;
    }
  });
}

/**
 * A tenant's chart objects with its data protected in every state: the chart's own claims carry
 * the keep annotations (Helm, Argo CD and Flux never prune them), and no StatefulSet lets its
 * controller delete claims (`persistentVolumeClaimRetentionPolicy` Retain, whatever the chart
 * says: with Delete, scaling to zero for a suspension, or removing the StatefulSet when
 * offboarding, would delete the data).
 */
export function protectData(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((object) => {
    if (object.kind === 'PersistentVolumeClaim') {
      return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, ...KEEP_ANNOTATIONS } } };
    }
    if (object.kind === 'StatefulSet' && isPlainObject(object.spec)) {
      return { ...object, spec: { ...object.spec, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } } };
    }
    return object;
  });
}

/** An offboarded tenant's namespace or claim, annotated with why it is kept and until when. */
export function retained(object: KubeObject, deleteAfter: string): KubeObject {
  const copy = jsonCopy(object);
  copy.metadata.annotations = { ...copy.metadata.annotations, [ANNOTATION_RETENTION]: 'offboarded', [ANNOTATION_DELETE_AFTER]: deleteAfter };
  return copy;
}
