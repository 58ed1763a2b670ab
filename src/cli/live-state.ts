// The two sides of `saasplane diff --live`, the way `kubectl diff --server-side` builds them: the
// object as it is in the cluster, and what the API server would make of it if the output were
// applied (a server-side apply dry run: defaults, admission and conflicts included, nothing
// stored). Fields that only the server fills in on write are left out of both sides.
import { CommandError } from './command';
import { ApiResources } from './discovery';
import { KubeClient, responseMessage } from './kube-client';
import { DiffObject, elementName, isPlainObject, LABEL_MANAGED_BY, LABEL_OFFERING, MANAGED_BY, objectIdentity } from '../core';

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
  /** Kinds (apiVersion, kind) to look for objects that the output no longer holds; the desired kinds are always looked at. */
  readonly formerKinds?: ReadonlyArray<{ apiVersion: string; kind: string }>;
  /** The field manager of the dry-run apply: the one that applies the output for real. */
  readonly fieldManager: string;
  /** Requests at once. @default 8 */
  readonly concurrency?: number;
}

/** Reads the cluster and dry-runs the output against it. */
export async function compareWithCluster(options: LiveOptions): Promise<LiveComparison> {
  const { client, desired, fieldManager } = options;
  const resources = new ApiResources(client);
  const live: DiffObject[] = [];
  const applied: DiffObject[] = [];
  await eachLimited(desired, options.concurrency ?? 8, async (entry) => {
    const { apiVersion, kind, metadata } = entry.object;
    const resource = await resources.find(apiVersion, kind);
    if (!resource) {
      applied.push({ ...entry, refused: `the cluster does not serve ${kind} of ${apiVersion}: install its CustomResourceDefinition first` });
      return;
    }
    const path = ApiResources.path(resource, metadata.namespace, metadata.name);
    const current = await client.get(path);
    if (current.status === 404) {
      applied.push(entry);
      return;
    }
    if (current.status !== 200) throw new CommandError(`reading ${kind} ${metadata.namespace ?? ''}/${metadata.name}: ${responseMessage(current)}`);
    live.push({ object: serverState(current.body), file: entry.file });
    const query = `?dryRun=All&fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    const dryRun = await client.patch(`${path}${query}`, JSON.stringify(entry.object), 'apply');
    if (dryRun.status === 200 || dryRun.status === 201) {
      applied.push({ object: serverState(dryRun.body), file: entry.file });
    } else {
      applied.push({ object: overlay(serverState(current.body), entry.object) as Record<string, any>, file: entry.file, refused: `the API server refuses the apply: ${responseMessage(dryRun)}` });
    }
  });
  const known = new Set(desired.map(({ object: o }) => objectIdentity(o.apiVersion, o.kind, o.metadata?.namespace, o.metadata?.name)));
  const offerings = [...new Set(desired.map((e) => e.object.metadata?.labels?.[LABEL_OFFERING]).filter((o): o is string => typeof o === 'string'))];
  const kinds = new Map([...desired.map((e) => e.object), ...options.formerKinds ?? []].map((k) => [`${k.apiVersion} ${k.kind}`, k]));
  if (offerings.length > 0) {
    const selector = encodeURIComponent(`${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_OFFERING} in (${offerings.join(',')})`);
    await eachLimited([...kinds.values()], options.concurrency ?? 8, async ({ apiVersion, kind }) => {
      const resource = await resources.find(apiVersion, kind);
      if (!resource) return;
      const list = await client.get(`${ApiResources.path(resource)}?labelSelector=${selector}`);
      if (list.status !== 200) throw new CommandError(`listing ${resource.resource}: ${responseMessage(list)}`);
      for (const item of (list.body?.items ?? []) as Array<Record<string, any>>) {
        const object = { apiVersion, kind, ...item };
        // objects a controller made from a template carry its labels; they are not the output's
        if (item.metadata?.ownerReferences?.length) continue;
        if (!known.has(objectIdentity(apiVersion, kind, item.metadata?.namespace, item.metadata?.name))) live.push({ object: serverState(object) });
      }
    });
  }
  return { live, applied };
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
