// Internal: emits the core's tagged plan as cdk8s ApiObjects, as they are (generated typed
// classes re-map fields and dropped the ones they did not know, such as a numeric targetPort),
// and remembers each object's tags for SaaSApp and its output layout.
import { ApiObject, ApiObjectProps, App, Chart, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { CLUSTER_SCOPED_KINDS, ObjectGroup, PlannedObject, PlanOwner, sanitizedYamlDocument, toYaml } from '../core';

const tags = new WeakMap<IConstruct, PlannedObject>();
const owners = new WeakMap<IConstruct, { owner: PlanOwner; group: ObjectGroup }>();

/** Construct ids of the groups under a SaaSOffering or TenantInstance (documented in the README). */
const GROUP_ID: Partial<Record<ObjectGroup, string>> = {
  [ObjectGroup.NAMESPACE]: 'Namespace',
  [ObjectGroup.SHARED]: 'Shared',
  [ObjectGroup.ADMISSION]: 'Admission',
  [ObjectGroup.GUARDRAILS]: 'Guardrails',
  [ObjectGroup.CLAIMS]: 'Claims',
  [ObjectGroup.APP]: 'App',
  [ObjectGroup.MONITORING]: 'Monitoring',
};

/** The construct ids of those groups. */
export const GROUP_IDS: ReadonlySet<string> = new Set(Object.values(GROUP_ID));

/**
 * Emits each planned object as an ApiObject with id `<Kind>.<name>`: under `scope` itself when
 * `inGroups` is false (an access chart), else under a child construct per group (`App`,
 * `Guardrails`, ...; `ProviderAccess.<id>` for a provider's binding in a tenant).
 */
export function emitPlanned(scope: Construct, planned: readonly PlannedObject[], inGroups: boolean): ApiObject[] {
  return planned.map((entry) => {
    const parent = inGroups ? groupScope(scope, entry) : scope;
    const { object } = entry;
    let id = `${object.kind}.${object.metadata.name}`;
    if (parent.node.tryFindChild(id)) {
      id = `${object.apiVersion.replace(/\//g, '.')}.${id}`;
    }
    const apiObject = new PlannedApiObject(parent, id, object);
    tags.set(apiObject, entry);
    return apiObject;
  });
}

/** The PlannedApiObjects. */
const plannedApiObjects = new WeakSet<ApiObject>();

/**
 * The ApiObject of a planned object. Its `toJson()` equals `ApiObject.toJson()` (tested), but when
 * the object holds plain JSON, has no JSON patch and the app only cdk8s' own resolvers, which leave
 * plain JSON as it is, it skips their per-value resolution pass: the bulk of synthesis time at
 * fleet scale. Anything else takes cdk8s' own path.
 */
class PlannedApiObject extends ApiObject {
  /** cdk8s gives every object of a namespaced chart the chart's namespace, cluster-scoped ones too. */
  private readonly dropNamespace: boolean;
  private patched = false;

  constructor(scope: Construct, id: string, private readonly data: ApiObjectProps) {
    super(scope, id, data);
    plannedApiObjects.add(this);
    this.dropNamespace = CLUSTER_SCOPED_KINDS.has(data.kind) && !data.metadata?.namespace && Chart.of(scope).namespace !== undefined;
    if (this.dropNamespace) {
      super.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }

  public addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public toJson(): any {
    const plain = this.plainMetadata();
    if (plain) {
      const { metadata } = plain;
      const json = plainJson({ ...this.data, metadata }, !process.env.CDK8S_DISABLE_SORT);
      if (json !== NOT_PLAIN) {
        // as cdk8s: apiVersion, kind and metadata first
        const { apiVersion, kind, metadata: meta, ...rest } = json as Record<string, unknown>;
        return Object.fromEntries(Object.entries({ apiVersion, kind, metadata: meta, ...rest }).filter(([, v]) => v !== undefined));
      }
    }
    return super.toJson();
  }

  /** The object as one YAML document: `toYaml([this.toJson()])` (tested), written without a sanitized copy when it can. */
  public toYamlDocument(): string {
    const plain = this.plainMetadata();
    if (plain) {
      const { metadata } = plain;
      const sortKeys = !process.env.CDK8S_DISABLE_SORT;
      const { apiVersion, kind, metadata: _, ...rest } = this.data as unknown as Record<string, unknown>;
      const document: Record<string, unknown> = { apiVersion, kind, metadata };
      for (const key of sortKeys ? Object.keys(rest).sort() : Object.keys(rest)) document[key] = rest[key];
      const yaml = sanitizedYamlDocument(document, sortKeys);
      if (yaml !== undefined) return yaml;
    }
    return toYaml([this.toJson()]);
  }

  /** The metadata as cdk8s writes it, when the rest of the object may skip cdk8s' resolution: no JSON patch, only cdk8s' resolvers. */
  private plainMetadata(): { metadata?: Record<string, unknown> } | undefined {
    if (this.patched || !hasOnlyBuiltInResolvers(App.of(this))) return undefined;
    const metadata = this.metadata.toJson();
    if (this.dropNamespace && metadata) delete metadata.namespace;
    return { metadata };
  }
}

/** An object as one YAML document, as `toYaml([object.toJson()])` writes it. */
export function yamlDocumentOf(object: ApiObject): string {
  // (not `instanceof`: cdk8s' Symbol.hasInstance makes it true of every ApiObject)
  return plannedApiObjects.has(object) ? (object as PlannedApiObject).toYamlDocument() : toYaml([object.toJson()]);
}

/** True when `app` has only cdk8s' own resolvers (not subclasses): they leave plain JSON as it is. */
export function hasOnlyBuiltInResolvers(app: App): boolean {
  const builtIn = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];
  return app.resolvers.every((resolver) => builtIn.some((type) => resolver.constructor === type));
}

const NOT_PLAIN = Symbol('not plain JSON');

/**
 * `value` as cdk8s' sanitizer gives it (null and undefined members dropped, keys sorted when asked),
 * or NOT_PLAIN when it holds anything but strings, finite or not numbers, booleans, arrays and
 * plain objects, which cdk8s' resolvers could replace.
 */
function plainJson(value: unknown, sortKeys: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string': case 'number': case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    const items = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue; // a hole stays one, as Array.map leaves it
      const item = plainJson(value[i], sortKeys);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      items[i] = item;
    }
    return items;
  }
  // an own `constructor` or `__proto__` (from JSON.parse) changes what cdk8s makes of the object: left to cdk8s
  const own = (key: string) => Object.prototype.hasOwnProperty.call(value, key);
  if (Object.getPrototypeOf(value) !== Object.prototype || own('constructor') || own('__proto__')) return NOT_PLAIN;
  const keys = Object.keys(value);
  if (sortKeys) keys.sort();
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    const member = plainJson((value as Record<string, unknown>)[key], sortKeys);
    if (member === NOT_PLAIN) return NOT_PLAIN;
    if (member !== undefined) result[key] = member;
  }
  return result;
}

function groupScope(scope: Construct, entry: PlannedObject): Construct {
  const id = GROUP_ID[entry.group] ?? `ProviderAccess.${entry.owner.access}`;
  return (scope.node.tryFindChild(id) as Construct | undefined) ?? new Construct(scope, id);
}

/** The plan entry of an ApiObject saasplane emitted; undefined for objects users added. */
export function plannedOf(object: IConstruct): PlannedObject | undefined {
  return tags.get(object);
}

/**
 * Declares `scope` (a saasplane chart) the owner of objects users add under it: they join `group`
 * (an access identity's own, or the `extra` group of an offering or tenant).
 */
export function ownObjectsUnder(scope: IConstruct, owner: PlanOwner, group = ObjectGroup.EXTRA): void {
  owners.set(scope, { owner, group });
}

/** The owner and group `scope` was declared for, if any. */
export function ownerOf(scope: IConstruct): { owner: PlanOwner; group: ObjectGroup } | undefined {
  return owners.get(scope);
}

/** The ApiObject of `kind`/`name` anywhere under `scope`, if any. */
export function findApiObject(scope: IConstruct, kind: string, name: string): ApiObject | undefined {
  return scope.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === kind && c.name === name);
}
