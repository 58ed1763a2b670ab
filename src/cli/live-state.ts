// The two sides of `saasplane diff --live`, the way `kubectl diff --server-side` builds them: the
// object as it is in the cluster, and what the API server would make of it if the output were
// applied (a server-side apply dry run: defaults, admission and conflicts included, nothing
// stored). Fields that only the server fills in on write are left out of both sides.
import { CommandError } from './command';
import { ApiResources } from './discovery';
import { KubeClient, responseMessage } from './kube-client';
import { DiffObject, elementName, fieldChanges, isPlainObject, LABEL_MANAGED_BY, LABEL_OFFERING, MANAGED_BY, objectIdentity } from '../core';

export interface LiveComparison {
  /** Objects as they are in the cluster: each output object that exists, and saasplane's objects the output no longer holds. */
  readonly live: DiffObject[];
  /** What applying the output would leave: the dry-run results; for a refused object, the live one with the output's fields over it. */
  readonly applied: DiffObject[];
}

export interface LiveOptions {
  readonly client: KubeClient;
  /** The objects of the output. */
  readonly desired: readonly DiffObject[];
  /** The output before the change: its kinds and offerings are looked at too, for objects the output no longer holds. */
  readonly former?: readonly DiffObject[];
  /** The field manager of the dry-run apply: the one that applies the output for real. */
  readonly fieldManager: string;
  /** Requests at once. @default 8 */
  readonly concurrency?: number;
}

/** Reads the cluster and dry-runs the output against it. Namespaced objects without a namespace are compared in `default`. */
export async function compareWithCluster(options: LiveOptions): Promise<LiveComparison> {
  const { client, fieldManager } = options;
  const resources = new ApiResources(client);
  const live: DiffObject[] = [];
  const applied: DiffObject[] = [];
  const desired: DiffObject[] = [];
  const admissionRefused = new Set<number>();
  for (const entry of options.desired) {
    const resource = await resources.find(entry.object.apiVersion, entry.object.kind);
    desired.push(resource?.namespaced && !entry.object.metadata?.namespace
      ? { ...entry, object: { ...entry.object, metadata: { ...entry.object.metadata, namespace: 'default' } } } : entry);
  }
  await eachLimited(desired, options.concurrency ?? 8, async (entry) => {
    const { apiVersion, kind, metadata } = entry.object;
    const resource = await resources.find(apiVersion, kind);
    if (!resource) {
      applied.push({ ...entry, refused: `the cluster does not serve ${kind} of ${apiVersion}: install its CustomResourceDefinition first` });
      return;
    }
    const what = `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
    const path = ApiResources.path(resource, metadata.namespace, metadata.name);
    const current = await client.get(path);
    if (current.status !== 200 && current.status !== 404) throw new CommandError(`reading ${what}: ${responseMessage(current)}`);
    if (current.status === 200) live.push({ object: serverState(current.body), file: entry.file });
    // sent for new objects too: the server validates and admits a create as it would for real
    const query = `?dryRun=All&fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    const dryRun = await client.patch(`${path}${query}`, JSON.stringify(entry.object), 'apply');
    const message = responseMessage(dryRun);
    const base = current.status === 200 ? serverState(current.body) : {};
    if (dryRun.status === 200 || dryRun.status === 201) {
      applied.push({ object: serverState(dryRun.body), file: entry.file, accepted: true });
    } else if (current.status === 404 && dryRun.status === 404 && /namespaces? "[^"]+" not found/.test(message)) {
      applied.push(entry); // created with its namespace, which the output creates first
    } else if (dryRun.status === 403 && /exceeded quota/.test(message)) {
      // each dry run sees the quota as it is; the output's own ResourceQuota is applied first (10-guardrails)
      applied.push({ object: overlay(base, entry.object) as Record<string, any>, file: entry.file, note: `the namespace's current quota refuses it (${message}); the output's ResourceQuota, applied before it, decides` });
    } else if ([403, 422].includes(dryRun.status) && /denied request|admission webhook|violates PodSecurity/.test(message)) {
      // admission policies answer 422 or 403; their verdict may depend on the namespace as it is now
      admissionRefused.add(applied.length);
      applied.push({ object: overlay(base, entry.object) as Record<string, any>, file: entry.file, refused: `admission refuses the apply: ${message}` });
    } else if ([400, 409, 422].includes(dryRun.status)) {
      applied.push({ object: overlay(base, entry.object) as Record<string, any>, file: entry.file, refused: `the API server refuses the apply: ${message}` });
    } else {
      throw new CommandError(`the dry run of ${what} failed (HTTP ${dryRun.status}): ${message}; a dry run needs the rights of a real apply (patch, create)`);
    }
  });
  const identity = (o: Record<string, any>) => objectIdentity(o.apiVersion, o.kind, o.metadata?.namespace, o.metadata?.name);
  // admission judges an object by its namespace as it is now; the output changes the namespace (its
  // plan label) and its quota first, so such a refusal is a note to check again, not a verdict
  const changing = changingNamespaces(live, applied);
  for (const at of admissionRefused) {
    const entry = applied[at];
    if (changing.has(entry.object.metadata?.namespace)) {
      applied[at] = { object: entry.object, file: entry.file, note: `${entry.refused}; the output changes this namespace's labels or quota before it, which may admit it: check again once they are applied` };
    }
  }
  const known = new Set(desired.map(({ object }) => identity(object)));
  const everything = [...desired, ...options.former ?? []];
  const offerings = [...new Set(everything.map((e) => e.object.metadata?.labels?.[LABEL_OFFERING]).filter((o): o is string => typeof o === 'string'))];
  const kinds = new Map(everything.map(({ object: o }) => [`${o.apiVersion} ${o.kind}`, { apiVersion: o.apiVersion as string, kind: o.kind as string }]));
  if (offerings.length > 0) {
    const selector = encodeURIComponent(`${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_OFFERING} in (${offerings.join(',')})`);
    await eachLimited([...kinds.values()], options.concurrency ?? 8, async ({ apiVersion, kind }) => {
      const resource = await resources.find(apiVersion, kind);
      if (!resource) return;
      // names only: a Secret's data never leaves the cluster for a list of what would be removed
      const list = await client.getMetadata(`${ApiResources.path(resource)}?labelSelector=${selector}`);
      if (list.status !== 200) throw new CommandError(`listing ${resource.resource} labelled for ${offerings.join(', ')}: ${responseMessage(list)}`);
      for (const item of (list.body?.items ?? []) as Array<Record<string, any>>) {
        // objects a controller made from a template carry its labels; they are not the output's
        if (item.metadata?.ownerReferences?.length) continue;
        const object = { apiVersion, kind, metadata: item.metadata };
        if (!known.has(identity(object))) live.push({ object: serverState(object) });
      }
    });
  }
  return { live, applied };
}

/** Namespaces whose Namespace object or ResourceQuota the output changes. */
function changingNamespaces(live: readonly DiffObject[], applied: readonly DiffObject[]): Set<string> {
  const decisive = (o: Record<string, any>) => (o.kind === 'Namespace' && o.apiVersion === 'v1') || (o.kind === 'ResourceQuota' && o.apiVersion === 'v1');
  const namespaceOf = (o: Record<string, any>) => (o.kind === 'Namespace' ? o.metadata?.name : o.metadata?.namespace);
  const before = new Map(live.filter((e) => decisive(e.object)).map((e) => [`${e.object.kind} ${namespaceOf(e.object)} ${e.object.metadata?.name}`, e.object]));
  const changing = new Set<string>();
  for (const { object } of applied) {
    if (!decisive(object)) continue;
    const was = before.get(`${object.kind} ${namespaceOf(object)} ${object.metadata?.name}`);
    if (!was || fieldChanges(was, object).length > 0) changing.add(namespaceOf(object));
  }
  return changing;
}

/** The fields a person compares: without status, managed fields and what the server sets on every write. */
export function serverState(object: Record<string, any>): Record<string, any> {
  const { status: _status, ...rest } = object;
  const metadata = { ...(rest.metadata ?? {}) };
  for (const field of ['managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid', 'selfLink']) delete metadata[field];
  if (metadata.annotations) {
    const annotations = { ...metadata.annotations };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    delete annotations['deployment.kubernetes.io/revision'];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    else metadata.annotations = annotations;
  }
  return { ...rest, metadata };
}

/** `top` over `base`: maps merge key by key, lists of named elements element by element, everything else is replaced. */
function overlay(base: unknown, top: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(top) && [...base, ...top].every((e) => elementName(e) !== undefined)) {
    const old = new Map(base.map((e) => [elementName(e), e]));
    return top.map((e) => overlay(old.get(elementName(e)), e));
  }
  if (!isPlainObject(base) || !isPlainObject(top)) return top;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) merged[key] = overlay(base[key], value);
  return merged;
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
