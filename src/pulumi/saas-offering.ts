import * as pulumi from '@pulumi/pulumi';
import {
  ChannelCharts, ChartRenderer, defaultRenderer, loadChannelCharts, ObjectTransform, OfferingMembers, OfferingOptions, OfferingSpec, PlannedObject,
  planOffering, plainSpec, validateOffering,
} from '../core';
import { WaveRegistrar } from './emit';
import type { ProviderAccess } from './provider-access';
import { PulumiTenantOptions, TenantInstance } from './tenant-instance';

/**
 * Arguments of a {@link SaaSOffering}: the core's {@link OfferingOptions}, the same the cdk8s
 * front-end takes, with the name defaulting to the resource name.
 */
export type SaaSOfferingArgs = OfferingOptions;

/**
 * A Helm chart offered as a service, in the provider's stack: the offering-level objects (shared
 * objects, the admission guard of its tenant namespaces, the consumption recording rules).
 * Tenants live in their own stacks (`TenantInstance` given the offering's spec) or, in a
 * single-stack program, are added with `addTenant`.
 */
export class SaaSOffering extends pulumi.ComponentResource {
  /** Offering name. */
  public readonly offeringName: pulumi.Output<string>;
  /** The validated spec both front-ends share. */
  public readonly spec: OfferingSpec;
  /** The chart of each channel, fetched and read. */
  public readonly charts: ChannelCharts;
  /** The renderer tenants use. */
  public readonly renderer: ChartRenderer;
  /** The provider's transform of every planned object, if any. */
  public readonly transform?: ObjectTransform;
  /** The offering's own planned objects, as registered (resources named `<name>:<metadata.name>`). */
  public readonly planned: readonly PlannedObject[];
  /** @internal the offering's resources by wave: provider identities come after its admission guard */
  public readonly _waves: WaveRegistrar;
  private readonly members = new OfferingMembers<TenantInstance, ProviderAccess>((provider, tenant) => tenant._bindProvider(provider));

  constructor(name: string, args: SaaSOfferingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const { renderer, transform, ...rest } = args;
    validateOffering({ ...rest, name: rest.name ?? name });
    const spec: OfferingSpec = plainSpec({ ...rest, name: rest.name ?? name });
    const charts = loadChannelCharts(spec);
    const planned = planOffering(spec, transform);
    super('saasplane:index:SaaSOffering', name, {}, opts);
    this.spec = spec;
    this.charts = charts;
    this.renderer = renderer ?? defaultRenderer();
    this.transform = transform;
    this.planned = planned;
    this._waves = new WaveRegistrar({ parent: this });
    this._waves.register(name, planned);
    this.offeringName = pulumi.output(spec.name);
    this.registerOutputs({ offeringName: this.offeringName });
  }

  /** Adds a tenant instance (single-stack use); its resource name and tenant name are `name`. */
  public addTenant(name: string, options: PulumiTenantOptions, opts: pulumi.ComponentResourceOptions = {}): TenantInstance {
    return new TenantInstance(name, { ...options, offering: this }, { parent: this, ...opts });
  }

  /** Names of the tenants added to this offering in this program. */
  public get tenantNames(): ReadonlySet<string> {
    return this.members.tenantNames;
  }

  /** The tenants added in this program, in order. */
  public get tenants(): readonly TenantInstance[] {
    return this.members.tenants;
  }

  /** @internal problems when another tenant of this offering serves one of `hosts` */
  public _hostProblems(tenantName: string, hosts: readonly string[]): string[] {
    return this.members.hostProblems(tenantName, hosts);
  }

  /** @internal called by TenantInstance once it is valid */
  public _registerTenant(tenant: TenantInstance, hosts: readonly string[]): void {
    this.members.addTenant(tenant, tenant.tenantName, hosts);
  }

  /** The provider identities added in this program. */
  public get providers(): readonly ProviderAccess[] {
    return this.members.providers;
  }

  /** @internal called by ProviderAccess */
  public _registerProvider(provider: ProviderAccess): void {
    this.members.addProvider(provider);
  }
}
