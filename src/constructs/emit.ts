// Internal: emits the core's tagged plan as cdk8s ApiObjects, as they are (generated typed
// classes re-map fields and dropped the ones they did not know, such as a numeric targetPort),
// and remembers each object's tags for SaaSApp and its output layout.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { CLUSTER_SCOPED_KINDS, ObjectGroup, PlannedObject, PlanOwner } from '../core';

const tags = new WeakMap<IConstruct, PlannedObject>();
const owners = new WeakMap<IConstruct, { owner: PlanOwner; group: ObjectGroup }>();

/** Construct ids of the groups under a SaaSOffering or TenantInstance (documented in the README). */
const GROUP_IDS: Partial<Record<ObjectGroup, string>> = {
  [ObjectGroup.NAMESPACE]: 'Namespace',
  [ObjectGroup.SHARED]: 'Shared',
  [ObjectGroup.ADMISSION]: 'Admission',
  [ObjectGroup.GUARDRAILS]: 'Guardrails',
  [ObjectGroup.APP]: 'App',
  [ObjectGroup.MONITORING]: 'Monitoring',
};

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
    const apiObject = new ApiObject(parent, id, object);
    // cdk8s gives every object of a namespaced chart the chart's namespace, cluster-scoped ones too.
    if (CLUSTER_SCOPED_KINDS.has(object.kind) && !object.metadata.namespace && Chart.of(parent).namespace) {
      apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    tags.set(apiObject, entry);
    return apiObject;
  });
}

function groupScope(scope: Construct, entry: PlannedObject): Construct {
  const id = GROUP_IDS[entry.group] ?? `ProviderAccess.${entry.owner.access}`;
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
