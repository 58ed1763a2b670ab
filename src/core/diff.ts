// What changes between two sets of Kubernetes objects (the GitOps output before and after a code
// change, or the live cluster and what an apply would make of it): objects added, removed and
// changed field by field, grouped per offering and tenant, with the changes that lose data or that
// the API server refuses in place (immutable fields) called out. Pure: callers read the objects.
import { throwIfProblems } from './errors';
import { CLUSTER_SCOPED_KINDS, objectIdentity } from './kube';
import { LABEL_OFFERING, LABEL_TENANT } from './names';
import { parseQuantity } from './quantity';
import { isPlainObject } from './values';

/** One object of a side of the comparison, and the file it came from (relative to its folder). */
export interface DiffObject {
  readonly object: Record<string, any>;
  readonly file?: string;
  /** On the new side: why the API server refuses this object (`diff --live`); it is listed as destructive. */
  readonly refused?: string;
  /** On the new side: what a reviewer should know that is not a refusal (a quota the output itself raises). */
  readonly note?: string;
  /** On the new side: the API server accepted it (a dry run): the offline replacement rules are not applied. */
  readonly accepted?: boolean;
}

/** How a person finds an object: `apps/v1 Deployment shop-acme/acme-web`. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The file holding it (the new one when it moved). */
  readonly file?: string;
}

/** One field that differs. `before` absent: the field is new; `after` absent: it goes. Secret data is shown as a digest. */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** An object on both sides that differs. */
export interface ObjectChange {
  readonly object: ObjectRef;
  readonly fields: readonly FieldChange[];
  /** Set when the change cannot be applied in place: why, and what it takes. */
  readonly replacement?: string;
}

/** A change that loses data or needs a replacement. */
export interface DestructiveChange {
  readonly object?: ObjectRef;
  readonly reason: string;
}

/** The differences of one tenant (or an offering's shared objects, `tenant` absent; or objects of no offering). */
export interface GroupDiff {
  readonly offering?: string;
  readonly tenant?: string;
  readonly added: readonly ObjectRef[];
  readonly removed: readonly ObjectRef[];
  readonly changed: readonly ObjectChange[];
  readonly destructive: readonly DestructiveChange[];
  /** Notes on objects that are neither refused nor destructive. */
  readonly notes: readonly DestructiveChange[];
}

export interface DiffSummary {
  readonly tenantsChanged: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly destructive: number;
}

export interface TreeDiff {
  /** Groups with at least one difference, by offering then tenant (shared objects first). */
  readonly groups: readonly GroupDiff[];
  readonly summary: DiffSummary;
}

/** Which groups to keep. */
export interface DiffFilter {
  readonly offerings?: readonly string[];
  readonly tenants?: readonly string[];
}

/** Compares `before` with `after`. Objects are matched by identity (API group, kind, namespace, name), so a version bump is a change. */
export function diffObjects(before: readonly DiffObject[], after: readonly DiffObject[], filter: DiffFilter = {}): TreeDiff {
  const old = byIdentity(before);
  const current = byIdentity(after);
  const owners = namespaceOwners([...before, ...after]);
  const groups = new Map<string, MutableGroup>();
  const groupOf = (o: Record<string, any>) => {
    const owner = ownerOf(o, owners);
    const key = `${owner.offering ?? ''}/${owner.tenant ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { ...owner, added: [], removed: [], changed: [], destructive: [], notes: [] };
      groups.set(key, group);
    }
    return group;
  };
  for (const [id, entry] of current) {
    const previous = old.get(id);
    if (!previous) {
      const group = groupOf(entry.object);
      group.added.push(refOf(entry));
      if (entry.refused) group.destructive.push({ object: refOf(entry), reason: entry.refused });
      if (entry.note) group.notes.push({ object: refOf(entry), reason: entry.note });
      continue;
    }
    const fields = fieldChanges(previous.object, entry.object);
    if (fields.length === 0 && !entry.refused && !entry.note) continue;
    const group = groupOf(entry.object);
    const ref = refOf(entry);
    const rule = entry.accepted ? undefined : replacementReason(previous.object, entry.object, fields);
    const replacement = rule ?? entry.refused;
    group.changed.push({ object: ref, fields, ...(replacement ? { replacement } : {}) });
    // the server's own refusal (diff --live) is shown next to the rule's advice
    for (const reason of [rule, entry.refused]) if (reason) group.destructive.push({ object: ref, reason });
    if (entry.note) group.notes.push({ object: ref, reason: entry.note });
  }
  for (const [id, entry] of old) {
    if (current.has(id)) continue;
    const group = groupOf(entry.object);
    const ref = refOf(entry);
    group.removed.push(ref);
    const loss = removalLoss(entry.object);
    if (loss) group.destructive.push({ object: ref, reason: loss });
  }
  // a tenant whose every object goes: say so once, above the objects
  for (const group of groups.values()) {
    const tenantGone = group.tenant !== undefined && ![...current.values()].some((e) => sameOwner(ownerOf(e.object, owners), group));
    if (tenantGone && group.removed.length > 0) {
      group.destructive.unshift({ reason: `tenant ${group.tenant} of offering ${group.offering} is removed: its namespace, claims and data go with it; offboard it first` });
    }
  }
  const kept = [...groups.values()]
    .filter((g) => (!filter.offerings?.length || (g.offering !== undefined && filter.offerings.includes(g.offering)))
      && (!filter.tenants?.length || (g.tenant !== undefined && filter.tenants.includes(g.tenant))))
    .filter((g) => g.added.length + g.removed.length + g.changed.length > 0)
    .sort((a, b) => compareText(a.offering ?? '\uffff', b.offering ?? '\uffff') || compareText(a.tenant ?? '', b.tenant ?? ''));
  for (const g of kept) {
    g.added.sort(compareRefs);
    g.removed.sort(compareRefs);
    g.changed.sort((a, b) => compareRefs(a.object, b.object));
  }
  return {
    groups: kept,
    summary: {
      tenantsChanged: kept.filter((g) => g.tenant !== undefined).length,
      added: sum(kept, (g) => g.added.length),
      changed: sum(kept, (g) => g.changed.length),
      removed: sum(kept, (g) => g.removed.length),
      destructive: sum(kept, (g) => g.destructive.length),
    },
  };
}

/** `3 tenants changed: 7 objects changed, 2 added, 0 removed` (and the destructive count when there is one). */
export function summaryLine(summary: DiffSummary): string {
  const { tenantsChanged: t, added, changed, removed, destructive } = summary;
  const tenants = `${t} tenant${t === 1 ? '' : 's'} changed`;
  const objects = `${changed} object${changed === 1 ? '' : 's'} changed, ${added} added, ${removed} removed`;
  return `${tenants}: ${objects}${destructive ? `; ${destructive} destructive` : ''}`;
}

/** The diff for a person: a block per tenant, `+` added, `-` removed, `~` changed with its fields, `!` destructive. */
export function formatDiff(diff: TreeDiff): string {
  const lines: string[] = [];
  for (const group of diff.groups) {
    const title = group.offering === undefined ? 'objects of no offering' : group.tenant === undefined
      ? `offering ${group.offering} (shared objects)` : `tenant ${group.offering}/${group.tenant}`;
    lines.push(title);
    for (const d of group.destructive) lines.push(d.object ? `  ! ${refText(d.object)}\n      ${d.reason}` : `  ! ${d.reason}`);
    for (const n of group.notes) lines.push(`  note ${n.object ? refText(n.object) : ''}\n      ${n.reason}`);
    for (const ref of group.added) lines.push(`  + ${refText(ref)}`);
    for (const ref of group.removed) lines.push(`  - ${refText(ref)}`);
    // a change shared by many objects (a plan label) is told once, not under each object
    const counts = new Map<string, { n: number; text: string }>();
    for (const change of group.changed) {
      for (const f of change.fields) counts.set(fieldKey(f), { n: (counts.get(fieldKey(f))?.n ?? 0) + 1, text: fieldText(f) });
    }
    const common = new Set([...counts].filter(([, c]) => c.n >= COMMON_CHANGE_OBJECTS).map(([key]) => key));
    for (const key of common) lines.push(`  ~ ${counts.get(key)!.n} objects: ${counts.get(key)!.text}`);
    for (const change of group.changed) {
      lines.push(`  ~ ${refText(change.object)}`);
      for (const f of change.fields) if (!common.has(fieldKey(f))) lines.push(`      ${fieldText(f)}`);
    }
    lines.push('');
  }
  lines.push(diff.groups.length === 0 ? 'no differences' : summaryLine(diff.summary));
  return `${lines.join('\n')}\n`;
}

/** A field change on this many changed objects of a tenant or more is shown once for all of them. */
const COMMON_CHANGE_OBJECTS = 4;

function fieldText(f: FieldChange): string {
  const [was, is] = [JSON.stringify(f.before) ?? '', JSON.stringify(f.after) ?? ''];
  let from = 0;
  while (from < was.length && was[from] === is[from]) from += 1;
  return `${f.path}: ${'before' in f ? valueText(f.before, from) : '(none)'} → ${'after' in f ? valueText(f.after, from) : '(none)'}`;
}

/** What makes two field changes the same change: the path and both full values. */
function fieldKey(f: FieldChange): string {
  return JSON.stringify([f.path, 'before' in f ? f.before : null, 'after' in f ? f.after : null]);
}

export function refText(ref: ObjectRef): string {
  const where = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  return `${ref.apiVersion} ${ref.kind} ${where}${ref.file ? `  (${ref.file})` : ''}`;
}

// --- field-level differences

/** The fields that differ, as paths (`spec.template.spec.containers[name=web].image`); lists of scalars compare whole. */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(before, after, '', changes);
  const secret = isPlainObject(after) && after.kind === 'Secret' && (after.apiVersion === 'v1');
  return secret ? changes.map(redactSecretField) : changes;
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const child = joinPath(path, key);
      if (!Object.prototype.hasOwnProperty.call(after, key)) out.push({ path: child, before: before[key] });
      else if (!Object.prototype.hasOwnProperty.call(before, key)) out.push({ path: child, after: after[key] });
      else walk(before[key], after[key], child, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (namedElements(before) && namedElements(after)) {
      const old = new Map(before.map((e) => [elementName(e)!, e]));
      const current = new Map(after.map((e) => [elementName(e)!, e]));
      for (const name of new Set([...old.keys(), ...current.keys()])) {
        const child = `${path}[name=${name}]`;
        if (!current.has(name)) out.push({ path: child, before: old.get(name) });
        else if (!old.has(name)) out.push({ path: child, after: current.get(name) });
        else walk(old.get(name), current.get(name), child, out);
      }
      // order matters too (containers start in order, env may refer to earlier entries)
      const kept = (names: string[], other: Map<string, unknown>) => names.filter((n) => other.has(n));
      const was = kept([...old.keys()], current);
      const is = kept([...current.keys()], old);
      if (was.some((n, i) => n !== is[i])) out.push({ path: `${path}[order]`, before: was, after: is });
      return;
    }
    if (before.length === after.length && before.every((e) => isPlainObject(e) || Array.isArray(e))) {
      before.forEach((e, i) => walk(e, after[i], `${path}[${i}]`, out));
      return;
    }
  }
  if (!deepEqual(before, after)) out.push({ path: path || '.', before, after });
}

/** Lists of objects each with a distinct name (containers, ports, env; claim templates by metadata.name) are matched by name. */
function namedElements(list: unknown[]): boolean {
  const names = list.map(elementName);
  return list.length > 0 && names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

/** The name a list element is matched by: `name`, else `metadata.name`. */
export function elementName(element: unknown): string | undefined {
  if (!isPlainObject(element)) return undefined;
  if (typeof element.name === 'string') return element.name;
  return isPlainObject(element.metadata) && typeof element.metadata.name === 'string' ? element.metadata.name : undefined;
}

function joinPath(path: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return segment.startsWith('[') || path === '' ? `${path}${segment}` : `${path}.${segment}`;
}

/** A Secret's values are never shown, not even as a digest (a short hash of a weak password can be guessed). */
function redactSecretField(change: FieldChange): FieldChange {
  if (!/^(data|stringData)(\.|\[|$)/.test(change.path)) return change;
  return {
    path: change.path,
    ...('before' in change ? { before: '(sensitive)' } : {}),
    ...('after' in change ? { after: '(sensitive)' } : {}),
  };
}

// --- what cannot change in place, and what loses data

/** StatefulSet spec fields the API server lets an update change (Kubernetes 1.34); any other forces a replacement. */
export const STATEFULSET_MUTABLE: ReadonlySet<string> = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);

/** Why the API server would refuse `after` as an update of `before`, with what it takes; undefined when it accepts it. */
export function replacementReason(before: Record<string, any>, after: Record<string, any>, fields: readonly FieldChange[]): string | undefined {
  const changed = (prefix: string) => fields.filter((f) => f.path === prefix || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[`));
  const paths = (list: readonly FieldChange[]) => [...new Set(list.map((f) => f.path))].join(', ');
  const { kind } = after;
  if (kind === 'StatefulSet') {
    const fixed = fields.filter((f) => f.path.startsWith('spec.') && !STATEFULSET_MUTABLE.has(f.path.slice(5).split(/[.[]/)[0]));
    if (fixed.length === 0) return undefined;
    const claims = changed('spec.volumeClaimTemplates').length > 0
      ? '; the template never changes existing claims: saasplane plans each claim as an object of its own (25-claims.yaml), which resizes them' : '';
    return `StatefulSet fields ${paths(fixed)} cannot change in place: the API server refuses the update; `
      + `delete it with --cascade=orphan (pods and claims stay) and apply again${claims}`;
  }
  if (['Deployment', 'ReplicaSet', 'DaemonSet'].includes(kind) && changed('spec.selector').length > 0) {
    return `${kind} spec.selector is immutable: the update is refused; delete the ${kind} and apply again (its pods restart)`;
  }
  if (kind === 'Job') {
    const fixed = [...changed('spec.selector'), ...changed('spec.template'), ...changed('spec.completionMode')];
    if (fixed.length > 0) return `Job fields ${paths(fixed)} are immutable: delete the Job and apply again (it runs again)`;
  }
  if (kind === 'Service' && before.spec?.type !== 'ExternalName' && after.spec?.type !== 'ExternalName') {
    // an unset address is allocated by the server: setting one (None for headless, or a fixed one) changes it
    const first = (spec: any) => spec?.clusterIP ?? spec?.clusterIPs?.[0];
    if (first(after.spec) !== undefined && first(after.spec) !== first(before.spec)) {
      return `Service spec.clusterIP is immutable once allocated (${first(before.spec) ?? 'allocated'} → ${first(after.spec)}): delete the Service and apply again (clients see a new address)`;
    }
  }
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    if (changed('roleRef').length > 0) return `${kind} roleRef is immutable: delete the binding and apply again`;
  }
  if (kind === 'Secret' && changed('type').length > 0) return 'Secret type is immutable: delete the Secret and apply again, or create one under a new name';
  if ((kind === 'ConfigMap' || kind === 'Secret') && before.immutable === true) {
    const data = [...changed('data'), ...changed('binaryData'), ...changed('stringData'), ...changed('immutable')];
    if (data.length > 0) return `${kind} is immutable: its ${paths(data)} cannot change; create one under a new name`;
  }
  if (kind === 'PersistentVolumeClaim') return claimReplacement(before, after, fields);
  return undefined;
}

function claimReplacement(before: Record<string, any>, after: Record<string, any>, fields: readonly FieldChange[]): string | undefined {
  const size = 'spec.resources.requests.storage';
  const fixed = fields.filter((f) => f.path.startsWith('spec.') && f.path !== size && !f.path.startsWith('spec.volumeAttributesClassName'));
  if (fixed.length > 0) {
    return `PersistentVolumeClaim fields ${fixed.map((f) => f.path).join(', ')} are immutable: a new claim means a new, empty volume; migrate the data`;
  }
  const was = before.spec?.resources?.requests?.storage;
  const is = after.spec?.resources?.requests?.storage;
  if (was !== undefined && is !== undefined && quantity(String(is)) < quantity(String(was))) {
    return `PersistentVolumeClaim storage cannot shrink (${was} → ${is}): the API server refuses a size below the volume's capacity; keep ${was} or migrate the data to a smaller claim`;
  }
  return undefined;
}

function quantity(text: string): number {
  return parseQuantity(text) ?? Number.NaN;
}

/** What removing `object` loses; undefined when nothing is lost. */
export function removalLoss(object: Record<string, any>): string | undefined {
  const where = object.metadata?.namespace ? ` in ${object.metadata.namespace}` : '';
  switch (object.kind) {
    case 'PersistentVolumeClaim':
      return `removing the claim deletes its volume and data${where} when the volume's reclaim policy is Delete`;
    case 'StatefulSet': {
      const templates = (object.spec?.volumeClaimTemplates ?? []) as Array<{ metadata?: { name?: string } }>;
      if (templates.length === 0) return undefined;
      const names = templates.map((t) => t.metadata?.name).join(', ');
      const retain = object.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? 'deleted with it' : 'left behind, used by nothing';
      return `removing the StatefulSet stops its pods; the claims of its templates (${names}) are ${retain}`;
    }
    case 'Namespace':
      return 'removing the namespace deletes every object in it, claims and their data included';
    case 'CustomResourceDefinition':
      return 'removing the CustomResourceDefinition deletes every object of its kind in the cluster';
    default:
      return undefined;
  }
}

// --- grouping

interface MutableGroup extends Owner {
  added: ObjectRef[];
  removed: ObjectRef[];
  changed: ObjectChange[];
  destructive: DestructiveChange[];
  notes: DestructiveChange[];
}

interface Owner {
  offering?: string;
  tenant?: string;
}

/** Offering and tenant of each namespace, from the saasplane labels of the Namespace objects. */
function namespaceOwners(objects: readonly DiffObject[]): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  for (const { object } of objects) {
    if (object.kind !== 'Namespace' || object.apiVersion !== 'v1') continue;
    const labels = object.metadata?.labels ?? {};
    if (typeof labels[LABEL_OFFERING] === 'string') owners.set(object.metadata.name, { offering: labels[LABEL_OFFERING], tenant: labels[LABEL_TENANT] });
  }
  return owners;
}

function ownerOf(object: Record<string, any>, owners: Map<string, Owner>): Owner {
  const labels = object.metadata?.labels ?? {};
  const offering = typeof labels[LABEL_OFFERING] === 'string' ? labels[LABEL_OFFERING] as string : undefined;
  const tenant = typeof labels[LABEL_TENANT] === 'string' ? labels[LABEL_TENANT] as string : undefined;
  if (offering && tenant) return { offering, tenant };
  const namespace = object.kind === 'Namespace' ? object.metadata?.name : object.metadata?.namespace;
  const byNamespace = typeof namespace === 'string' ? owners.get(namespace) : undefined;
  if (byNamespace) return byNamespace;
  return offering ? { offering } : {};
}

function sameOwner(a: Owner, b: Owner): boolean {
  return a.offering === b.offering && a.tenant === b.tenant;
}

function byIdentity(objects: readonly DiffObject[]): Map<string, DiffObject> {
  const map = new Map<string, DiffObject>();
  const problems: string[] = [];
  for (const entry of objects) {
    const { apiVersion, kind, metadata } = entry.object;
    // objects without a name are told apart by their file
    const id = typeof metadata?.name === 'string' ? objectIdentity(apiVersion, kind, metadata.namespace, metadata.name) : `file ${entry.file}`;
    const first = map.get(id);
    if (first) problems.push(`${id} is in ${first.file ?? 'the cluster'} and again in ${entry.file ?? 'the cluster'}: an apply would keep only one; remove one of them`);
    map.set(id, entry);
  }
  throwIfProblems('the objects cannot be compared', problems);
  return map;
}

function refOf(entry: DiffObject): ObjectRef {
  const { apiVersion, kind, metadata } = entry.object;
  const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? undefined : metadata?.namespace;
  return {
    apiVersion: String(apiVersion),
    kind: String(kind),
    name: String(metadata?.name ?? entry.file),
    ...(namespace ? { namespace } : {}),
    ...(entry.file ? { file: entry.file } : {}),
  };
}

function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return compareText(a.kind, b.kind) || compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum<T>(items: readonly T[], count: (item: T) => number): number {
  return items.reduce((total, item) => total + count(item), 0);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((e, i) => deepEqual(e, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A value on one line, long text cut to 80 characters around `from` (where the two sides start to differ). */
function valueText(value: unknown, from = 0): string {
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= 80) return text;
  const start = Math.max(0, Math.min(from - 30, text.length - 77));
  return `${start > 0 ? '...' : ''}${text.slice(start, start + 77)}...`;
}
