import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { PlannedObject, ResolvedTenant, resolveTenant, TenantOptions, TenantSpec, throwIfProblems } from '../core';
import { emitPlanned, findApiObject, ownObjectsUnder } from './emit';
import { appClaims, assertFreeId } from './name-claims';
import type { SaaSOffering } from './saas-offering';

export type { TenantOptions } from '../core';

/** Properties of a {@link TenantInstance}: the core's {@link TenantOptions}, shared with the Pulumi front-end. */
export interface TenantInstanceProps extends TenantOptions {
  /** The offering this tenant subscribes to. */
  readonly offering: SaaSOffering;
  /** Tenant name (DNS label); the namespace is `<offering>-<tenant>`. @default - the construct id */
  readonly name?: string;
}

/**
 * One tenant's dedicated instance: its namespace, quota, limit range, network policies, the
 * chart rendered for it and its monitor, synthesized into `<outdir>/<offering>/<tenant>/` by the
 * default layout. Its construct ids are `<tenant>/<Group>/<Kind>.<name>`: `Namespace`,
 * `Guardrails`, `App` (the chart's objects), `Monitoring` and `ProviderAccess.<id>`.
 *
 * Invalid input (plan, parameters, names, the values schema) throws one error listing every
 * problem of the tenant, before anything is added. The chart is rendered later, with every other
 * tenant of the offering as one batch: at synthesis, or when `planned` is first read. A tenant
 * whose chart refuses its values or breaks a guard then fails the synthesis, which names every
 * failing tenant at once.
 */
export class TenantInstance extends Chart {
  /** The offering. */
  public readonly offering: SaaSOffering;
  /** Tenant name. */
  public readonly tenantName: string;
  /** Plan name. */
  public readonly plan: string;
  /** The tenant namespace, `<offering>-<tenant>`. */
  public readonly namespaceName: string;
  /** Helm release name. */
  public readonly releaseName: string;
  /** The validated, resolved tenant the core planned from. */
  public readonly resolved: ResolvedTenant;
  /** The tenant as declared (an upgrade preview resolves it again, against another chart). */
  public readonly spec: TenantSpec;
  /** @internal the Ingress hosts of the objects emitted */
  public _hosts: readonly string[] = [];
  private plannedObjects?: readonly PlannedObject[];
  private emittedGroups: IConstruct[] = [];

  constructor(scope: Construct, id: string, props: TenantInstanceProps) {
    const { offering, ...options } = props;
    const spec: TenantSpec = { ...options, name: props.name ?? id };
    const resolved = resolveTenant(offering.spec, spec, {
      charts: offering.charts,
      existingTenants: offering.tenantNames,
    });
    // after the tenant checks, which name a duplicate tenant better than its construct id would
    assertFreeId(scope, id, 'tenant');
    const owner = `tenant "${resolved.name}" of offering "${offering.offeringName}"`;
    const names = [`namespace "${resolved.namespace}"`];
    const claims = appClaims(scope);
    throwIfProblems(`${owner} cannot be added`, claims.conflicts(names, owner));

    super(scope, id, { namespace: resolved.namespace, disableResourceNameHashes: true });
    claims.claim(names, owner);
    this.offering = offering;
    this.resolved = resolved;
    this.spec = spec;
    this.tenantName = resolved.name;
    this.plan = resolved.planName;
    this.namespaceName = resolved.namespace;
    this.releaseName = resolved.releaseName;
    ownObjectsUnder(this, { offering: offering.offeringName, tenant: resolved.name });
    offering._registerTenant(this);
  }

  /**
   * The tenant's planned objects, as emitted: namespace, guardrails, chart objects and monitor
   * (access identities are their own constructs'). Reading it renders the offering's pending
   * tenants; it throws this tenant's error when its chart cannot be used.
   */
  public get planned(): readonly PlannedObject[] {
    const failure = this.offering._renderPending(this).get(this);
    if (failure) {
      throw failure;
    }
    return this.plannedObjects!;
  }

  /** @internal emits the tenant's planned objects once its chart is rendered */
  public _emit(planned: readonly PlannedObject[], hosts: readonly string[]): void {
    const before = new Set(this.node.children);
    this.plannedObjects = planned;
    this._hosts = hosts;
    emitPlanned(this, planned, true);
    this.emittedGroups = this.node.children.filter((c) => !before.has(c));
  }

  /**
   * @internal the group constructs that hold the planned objects, when the emission created each
   * of them (no construct of the user's shares their ids): SaaSApp may then write and let go of them
   */
  public get _releasable(): readonly IConstruct[] | undefined {
    const groups = new Set(this.emittedGroups);
    const objects = this.emittedGroups.flatMap((g) => g.node.children);
    return objects.length === this.plannedObjects?.length && objects.every((o) => groups.has(o.node.scope!)) ? this.emittedGroups : undefined;
  }

  /** @internal true while the tenant's planned objects are in the tree */
  public get _emitted(): boolean {
    return this.plannedObjects !== undefined;
  }

  /** @internal removes the emitted objects from the tree (see SaaSOffering._release) */
  public _forget(): void {
    for (const group of this.emittedGroups) {
      this.node.tryRemoveChild(group.node.id);
    }
    this.emittedGroups = [];
    this.plannedObjects = undefined;
  }

  /** The chart's objects as cdk8s synthesizes them (`Testing.synth`), rendered first when they are not in the tree. */
  public toJson(): any[] {
    void this.planned;
    return super.toJson();
  }

  /** The ApiObject of `kind`/`name` in this chart, chart objects included (an escape hatch for JSON patches), if any. */
  public apiObjectFor(kind: string, name: string): ApiObject | undefined {
    return this.planned && findApiObject(this, kind, name);
  }
}
