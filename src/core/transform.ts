// The provider's object transform and the checks on what it returns: it may change an object,
// never its identity nor the metadata that keeps tenants isolated.
import { SaaSplaneError, throwIfProblems } from './errors';
import { KubeObject, objectIdentity } from './kube';
import { isReservedMetadataKey } from './names';
import type { PlannedObject } from './plan';
import { jsonCopy } from './values';

/**
 * A provider's last word on each planned object: return a changed copy (or change `object` and
 * return nothing). It sees a tenant's chart objects as rendered, before saasplane adapts and checks
 * them (so the guards, the Ingress host claims and the plan-fit check judge what it returns), and
 * every other object once planned; in both front-ends. It may not change an object's API group,
 * kind, name or namespace, the labels and annotations saasplane reserves, nor a Namespace's
 * labels and annotations.
 */
export type ObjectTransform = (object: KubeObject, planned: PlannedObject) => KubeObject | void;

/** Runs `transform` on each entry, on a copy; throws one error listing everything it may not change. */
export function applyTransform(entries: readonly PlannedObject[], transform: ObjectTransform): PlannedObject[] {
  const problems: string[] = [];
  const result = entries.map((entry) => {
    const before = jsonCopy(entry.object);
    const copy = jsonCopy(entry.object);
    let returned: KubeObject | void;
    try {
      returned = transform(copy, { ...entry, object: copy });
    } catch (e) {
      throw new SaaSplaneError(`the object transform failed on ${describe(before)}`, [`${e instanceof Error ? e.message : String(e)}: fix the transform`]);
    }
    const after = returned ?? copy;
    problems.push(...transformProblems(after, before));
    return { ...entry, object: after };
  });
  throwIfProblems('the object transform returned objects saasplane cannot use', problems);
  return result;
}

function describe(object: KubeObject): string {
  return objectIdentity(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
}

/** What a transform may not change: the object's identity, and the metadata that keeps tenants isolated. */
function transformProblems(after: KubeObject, before: KubeObject): string[] {
  if (!after || typeof after !== 'object' || typeof after.apiVersion !== 'string' || typeof after.kind !== 'string'
    || !after.metadata || typeof after.metadata !== 'object') {
    return [`it returned ${JSON.stringify(after)} for ${describe(before)}: return the object (changed) or nothing`];
  }
  const problems: string[] = [];
  if (describe(after) !== describe(before)) {
    problems.push(`it turned ${describe(before)} into ${describe(after)}: a transform may not change an object's API group, kind, name or namespace; `
      + 'add an object to the construct instead');
  }
  if (before.kind === 'Namespace' && JSON.stringify([after.metadata.labels, after.metadata.annotations])
    !== JSON.stringify([before.metadata.labels, before.metadata.annotations])) {
    problems.push(`it changed the labels or annotations of ${describe(before)}: the namespace guard admits saasplane's own only; leave them as they are`);
    return problems;
  }
  for (const field of ['labels', 'annotations'] as const) {
    const was = before.metadata[field] ?? {};
    const now = (after.metadata[field] ?? {}) as Record<string, string>;
    const keys = new Set([...Object.keys(was), ...Object.keys(now)].filter(isReservedMetadataKey));
    for (const key of keys) {
      if (was[key] !== now[key]) {
        problems.push(`it changed the ${field === 'labels' ? 'label' : 'annotation'} "${key}" of ${describe(before)} from ${JSON.stringify(was[key])} to `
          + `${JSON.stringify(now[key])}: saasplane sets it to keep tenants isolated; leave it as it is`);
      }
    }
  }
  return problems;
}
