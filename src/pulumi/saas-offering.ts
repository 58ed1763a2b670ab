import * as pulumi from '@pulumi/pulumi';
import { loadChart, LoadedChart, OfferingMembers, OfferingSpec, planAdmissionGuard, planOfferingNamespace, planRecordingRules, plainSpec, validateOffering } from '../core';
import { registerObjects } from './emit';
import type { ProviderAccess } from './provider-access';
import { TenantInstance, TenantOptions } from './tenant-instance';

/**
 * Arguments of a {@link SaaSOffering}: the core's {@link OfferingSpec}, the same object the
 * cdk8s front-end and the tenant stacks use, with the name defaulting to the resource name.
 */
export interface SaaSOfferingArgs extends Omit<OfferingSpec, 'name'> {
  /** Offering name: a DNS label of at most 30 characters. @default - the resource name */
  readonly name?: string;
}

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
  /** The chart, fetched and read. */
  public readonly chart: LoadedChart;
  /** @internal the offering's namespace `<offering>-system` */
  public readonly _namespace: pulumi.CustomResource;
  private readonly members = new OfferingMembers<TenantInstance, ProviderAccess>((provider, tenant) => tenant._bindProvider(provider.identity));

  constructor(name: string, args: SaaSOfferingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    validateOffering({ ...args, name: args.name ?? name });
    const spec: OfferingSpec = plainSpec({ ...args, name: args.name ?? name });
    const chart = loadChart(spec.chart);
    super('saasplane:index:SaaSOffering', name, {}, opts);
    this.spec = spec;
    this.chart = chart;
    const children = { parent: this };
    [this._namespace] = registerObjects(name, [planOfferingNamespace(spec)], children);
    registerObjects(name, (spec.sharedObjects ?? []).map((o) => ({ ...o })), children);
    registerObjects(name, planAdmissionGuard(spec), children);
    registerObjects(name, [planRecordingRules(spec)], { parent: this, dependsOn: [this._namespace] });
    this.offeringName = pulumi.output(spec.name);
    this.registerOutputs({ offeringName: this.offeringName });
  }

  /** Adds a tenant instance (single-stack use); its resource name and tenant name are `name`. */
  public addTenant(name: string, options: TenantOptions, opts: pulumi.ComponentResourceOptions = {}): TenantInstance {
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

  /** @internal the provider access of this offering already holding the ServiceAccount `namespace/serviceAccount` */
  public _providerFor(namespace: string, serviceAccount: string): ProviderAccess | undefined {
    return this.members.providers.find((p) => p.identity.namespace === namespace && p.identity.serviceAccount === serviceAccount);
  }

  /** @internal called by ProviderAccess */
  public _registerProvider(provider: ProviderAccess): void {
    this.members.addProvider(provider);
  }
}
