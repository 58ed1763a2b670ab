// The one tagged plan: every object saasplane plans for an offering, its provider identities, its
// tenants and their consumers, each with its group, its apply wave and its owner. The cdk8s
// front-end, the Pulumi front-end and the bench emit these lists as they are: group and owner
// pick the file through the output layout, the wave gives the apply order (`dependsOn`).
import { planDashboard } from './dashboard';
import { KubeObject, objectIdentity } from './kube';
import { protectData, retained, suspendedObjects } from './lifecycle';
import { OfferingSpec, TenantState } from './model';
import { ResolvedTenant } from './offering';
import { ConsumerIdentity, planConsumerAccess, planProviderBinding, planProviderShared, ProviderIdentity } from './plan-access';
import { planStatefulSetClaims } from './plan-claims';
import { planAdmissionGuard, planOfferingNamespace, planRecordingRules } from './plan-offering';
import { planTenantObjects } from './plan-tenant';
import { applyTransform, ObjectTransform } from './transform';
import { jsonCopy } from './values';

/** What a planned object is for. */
export enum ObjectGroup {
  /** The offering's or the tenant's namespace. */
  NAMESPACE = 'namespace',
  /** The offering's `sharedObjects`. */
  SHARED = 'shared',
  /** The admission policies that guard the offering's namespaces. */
  ADMISSION = 'admission',
  /** A tenant's ResourceQuota, LimitRange and NetworkPolicies. */
  GUARDRAILS = 'guardrails',
  /** A provider identity: its ServiceAccount and roles, or its RoleBinding in a tenant namespace. */
  PROVIDER_ACCESS = 'provider-access',
  /** A consumer identity of a tenant. */
  CONSUMER_ACCESS = 'consumer-access',
  /** The claims of a tenant's StatefulSets, applied before them so that a plan change resizes them. */
  CLAIMS = 'claims',
  /** The tenant's chart objects, adapted. */
  APP = 'app',
  /** The recording rules, or a tenant's ServiceMonitor/PodMonitor. */
  MONITORING = 'monitoring',
  /** Objects a user added to a saasplane construct. */
  EXTRA = 'extra',
}

/**
 * The apply wave of each group: an object is applied after every object of its owner's lower
 * waves (a namespace before what lives in it, guardrails before the workloads they limit).
 */
export const GROUP_WAVES: Readonly<Record<ObjectGroup, number>> = {
  [ObjectGroup.NAMESPACE]: 0,
  [ObjectGroup.SHARED]: 5,
  [ObjectGroup.ADMISSION]: 10,
  [ObjectGroup.GUARDRAILS]: 10,
  [ObjectGroup.PROVIDER_ACCESS]: 20,
  [ObjectGroup.CONSUMER_ACCESS]: 20,
  [ObjectGroup.CLAIMS]: 25,
  [ObjectGroup.APP]: 30,
  [ObjectGroup.MONITORING]: 40,
  [ObjectGroup.EXTRA]: 50,
};

/** Who a planned object belongs to: the offering, one of its tenants, and the access identity (by id) when it is one's. */
export interface PlanOwner {
  readonly offering: string;
  /** Set for every object in a tenant namespace. */
  readonly tenant?: string;
  /** The construct id / resource name of the ProviderAccess or ConsumerAccess. */
  readonly access?: string;
}

/** One object of the plan, with what the emitters need. */
export interface PlannedObject<T extends KubeObject = KubeObject> {
  readonly object: T;
  readonly group: ObjectGroup;
  readonly wave: number;
  readonly owner: PlanOwner;
}

/** The objects of an offering itself: its namespace, shared objects, admission guard, recording and alerting rules, and dashboard. */
export function planOffering(spec: OfferingSpec, transform?: ObjectTransform): PlannedObject[] {
  const owner = { offering: spec.name };
  return finish([
    ...tag(ObjectGroup.NAMESPACE, owner, [planOfferingNamespace(spec)]),
    // a copy: the objects are the user's own data
    ...tag(ObjectGroup.SHARED, owner, (spec.sharedObjects ?? []).map((o) => jsonCopy(o) as KubeObject)),
    ...tag(ObjectGroup.ADMISSION, owner, planAdmissionGuard(spec)),
    ...tag(ObjectGroup.MONITORING, owner, [planRecordingRules(spec), planDashboard(spec)]),
  ], spec.labels, spec.annotations, transform);
}

/** The offering-wide objects of a provider identity: its ServiceAccount, roles, binding and namespace guard. */
export function planProvider(
  spec: OfferingSpec, accessId: string, identity: ProviderIdentity, createNamespace: boolean, transform?: ObjectTransform,
): PlannedObject[] {
  const objects = planProviderShared(identity, createNamespace, spec.podSecurity, Object.keys(spec.plans));
  return finish(tag(ObjectGroup.PROVIDER_ACCESS, { offering: spec.name, access: accessId }, objects), spec.labels, spec.annotations, transform);
}

/**
 * A tenant's own objects: namespace, guardrails, its chart objects (adapted, and transformed by
 * `renderTenantCharts` already) and its monitor.
 */
export function planTenant(tenant: ResolvedTenant, chartObjects: readonly KubeObject[], transform?: ObjectTransform): PlannedObject[] {
  const owner = { offering: tenant.offering.name, tenant: tenant.name };
  // an offboarded tenant keeps its namespace, guardrails and claims; a suspended one runs nothing
  const offboarded = tenant.state === TenantState.OFFBOARDED;
  const data = protectData(chartObjects);
  // offboarded, the chart's own claims stay (with the retention annotations); nothing else of it
  const app = offboarded ? data.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => retained(o, tenant.deleteAfter!))
    : tenant.state === TenantState.SUSPENDED ? suspendedObjects(data) : data;
  const planned = planTenantObjects(tenant, offboarded ? [] : app);
  // claims come from the chart as it runs when active: suspending or offboarding keeps every one
  const claims = planStatefulSetClaims(chartObjects);
  const keep = (objects: KubeObject[]) => (offboarded ? objects.map((o) => retained(o, tenant.deleteAfter!)) : objects);
  return finish([
    ...tag(ObjectGroup.NAMESPACE, owner, keep([planned.namespace])),
    ...tag(ObjectGroup.GUARDRAILS, owner, planned.guardrails),
    ...tag(ObjectGroup.CLAIMS, owner, keep(claims)),
    ...tag(ObjectGroup.APP, owner, app),
    ...tag(ObjectGroup.MONITORING, owner, offboarded ? [] : planned.monitoring),
  ], tenant.labels, tenant.annotations, transform, ObjectGroup.APP);
}

/** The RoleBinding of a provider identity in a tenant namespace. */
export function planProviderInTenant(
  identity: ProviderIdentity, accessId: string, tenant: ResolvedTenant, transform?: ObjectTransform,
): PlannedObject[] {
  const owner = { offering: tenant.offering.name, tenant: tenant.name, access: accessId };
  return finish(tag(ObjectGroup.PROVIDER_ACCESS, owner, [planProviderBinding(identity, tenant)]), tenant.labels, tenant.annotations, transform);
}

/**
 * A consumer identity of a tenant: ServiceAccount, Role and RoleBinding. A suspended or offboarded
 * tenant's consumer keeps its ServiceAccount and loses its rights (no Role, no RoleBinding).
 */
export function planConsumer(tenant: ResolvedTenant, accessId: string, identity: ConsumerIdentity, transform?: ObjectTransform): PlannedObject[] {
  const owner = { offering: tenant.offering.name, tenant: tenant.name, access: accessId };
  const objects = planConsumerAccess(tenant, identity).filter((o) => tenant.state === TenantState.ACTIVE || o.kind === 'ServiceAccount');
  return finish(tag(ObjectGroup.CONSUMER_ACCESS, owner, objects), tenant.labels, tenant.annotations, transform);
}

/** The API server identities of planned objects (each may be planned once). */
export function plannedIdentities(planned: readonly PlannedObject[]): string[] {
  return planned.map(({ object: o }) => objectIdentity(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name));
}

function tag(group: ObjectGroup, owner: PlanOwner, objects: readonly KubeObject[]): PlannedObject[] {
  // a namespace comes first whatever group it belongs to (a provider identity's own namespace)
  return objects.map((object) => ({ object, group, wave: GROUP_WAVES[object.kind === 'Namespace' ? ObjectGroup.NAMESPACE : group], owner }));
}

/**
 * Kinds that get no extra labels or annotations: the namespace guard admits namespaces with
 * saasplane's labels only, and a bare Pod's labels decide which network policies select it.
 */
const NO_EXTRA_METADATA: ReadonlySet<string> = new Set(['Namespace', 'Pod']);

/**
 * Adds the extra labels and annotations (an object's own keep their values: a chart's selector
 * labels stay as they are), then runs the provider's transform on every entry not of the group
 * `transformedBefore` (a tenant's chart objects, transformed before they were adapted and checked).
 */
function finish(
  planned: PlannedObject[], labels: Readonly<Record<string, string>> = {}, annotations: Readonly<Record<string, string>> = {},
  transform?: ObjectTransform, transformedBefore?: ObjectGroup,
): PlannedObject[] {
  const extraLabels = Object.keys(labels).length > 0;
  const extraAnnotations = Object.keys(annotations).length > 0;
  const withMetadata = !extraLabels && !extraAnnotations ? planned : planned.map((entry) => {
    const { object } = entry;
    if (NO_EXTRA_METADATA.has(object.kind)) return entry;
    // a new object and metadata: planned objects may be shared (rendered charts are cached)
    return {
      ...entry,
      object: {
        ...object,
        metadata: {
          ...object.metadata,
          ...(extraLabels ? { labels: { ...labels, ...object.metadata.labels } } : {}),
          ...(extraAnnotations ? { annotations: { ...annotations, ...object.metadata.annotations } } : {}),
        },
      },
    };
  });
  if (!transform) {
    return withMetadata;
  }
  const transformed = applyTransform(withMetadata.filter((e) => e.group !== transformedBefore), transform);
  let next = 0;
  return withMetadata.map((e) => (e.group === transformedBefore ? e : transformed[next++]));
}
