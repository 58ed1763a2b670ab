import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ChartRenderer, defaultRenderer, loadChart, LoadedChart, ObjectTransform, OfferingMembers, OfferingOptions, OfferingSpec, PlannedObject,
  planOffering, plainSpec, providerNamespace, TenantOptions, throwIfProblems, validateOffering,
} from '../core';
import { emitPlanned, findApiObject, ownObjectsUnder } from './emit';
import { appClaims, assertFreeId } from './name-claims';
import type { ProviderAccess } from './provider-access';
import { TenantInstance } from './tenant-instance';

/** Properties of a {@link SaaSOffering}: the core's {@link OfferingOptions}, shared with the Pulumi front-end. */
export type SaaSOfferingProps = OfferingOptions;

/**
 * A Helm chart offered as a service: plans, the parameters tenants may set, and the
 * offering-level objects (its namespace `<offering>-system`, shared objects, the admission
 * policies of its namespaces and the consumption recording rules), synthesized into
 * `<outdir>/<offering>/_shared/`.
 */
export class SaaSOffering extends Chart {
  /** Offering name. */
  public readonly offeringName: string;
  /** The validated spec both front-ends share. */
  public readonly spec: OfferingSpec;
  /** The chart, fetched and read. */
  public readonly chart: LoadedChart;
  /** The renderer tenants use. */
  public readonly renderer: ChartRenderer;
  /** The provider's transform of every planned object, if any. */
  public readonly transform?: ObjectTransform;
  /** The offering's own planned objects, as emitted (construct ids `<Group>/<Kind>.<name>`, e.g. `Admission/ValidatingAdmissionPolicy.shop-tenant-namespaces`). */
  public readonly planned: readonly PlannedObject[];
  private readonly members = new OfferingMembers<TenantInstance, ProviderAccess>((provider, tenant) => provider._bindTenant(tenant));

  constructor(scope: Construct, id: string, props: SaaSOfferingProps) {
    // everything that can fail runs before super(): a failed offering leaves nothing in the tree
    const { renderer, transform, name, ...rest } = props;
    validateOffering({ ...rest, name: name ?? id });
    const spec = plainSpec({ ...rest, name: name ?? id });
    assertFreeId(scope, id, 'offering');
    const chart = loadChart(props.chart);
    const owner = `offering "${spec.name}" (construct ${[scope.node.path, id].filter(Boolean).join('/')})`;
    const names = [`namespace "${providerNamespace(spec.name)}"`];
    throwIfProblems(`${owner} cannot be added`, appClaims(scope).conflicts(names, owner));
    const planned = planOffering(spec, transform);

    super(scope, id, { disableResourceNameHashes: true });
    appClaims(scope).claim(names, owner);
    this.offeringName = spec.name;
    this.spec = spec;
    this.chart = chart;
    this.renderer = renderer ?? defaultRenderer();
    this.transform = transform;
    this.planned = planned;
    ownObjectsUnder(this, { offering: spec.name });
    emitPlanned(this, planned, true);
  }

  /** The ApiObject of `kind`/`name` in this chart (an escape hatch for JSON patches), if any. */
  public apiObjectFor(kind: string, name: string): ApiObject | undefined {
    return findApiObject(this, kind, name);
  }

  /** Adds a tenant instance; its construct id is the tenant name. */
  public addTenant(name: string, options: TenantOptions): TenantInstance {
    return new TenantInstance(this, name, { ...options, offering: this });
  }

  /** Names of the offering's tenants. */
  public get tenantNames(): ReadonlySet<string> {
    return this.members.tenantNames;
  }

  /** The offering's tenants, in the order they were added. */
  public get tenants(): readonly TenantInstance[] {
    return this.members.tenants;
  }

  /** The provider identities of this offering. */
  public get providers(): readonly ProviderAccess[] {
    return this.members.providers;
  }

  /** @internal called by TenantInstance once it is valid (its namespace and hosts are claimed app-wide) */
  public _registerTenant(tenant: TenantInstance): void {
    this.members.addTenant(tenant, tenant.tenantName);
  }

  /** @internal called by ProviderAccess */
  public _registerProvider(provider: ProviderAccess): void {
    this.members.addProvider(provider);
  }
}
