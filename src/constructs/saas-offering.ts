import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ChartRenderer, defaultRenderer, loadChart, LoadedChart, OfferingMembers, OfferingSpec, planAdmissionGuard, planOfferingNamespace, planRecordingRules, plainSpec, providerNamespace, throwIfProblems, validateOffering } from '../core';
import { emitObjects } from './emit';
import { appClaims, assertFreeId } from './name-claims';
import { placeInFile, SHARED_FILES, SHARED_FOLDER } from './output-layout';
import type { ProviderAccess } from './provider-access';
import { TenantInstance, TenantOptions } from './tenant-instance';

/**
 * Properties of a {@link SaaSOffering}: the core's {@link OfferingSpec} (chart, values,
 * consumerParameters, plans, podSecurity, network, storageClasses, metrics, license, ...), with
 * the name defaulting to the construct id and a pluggable chart renderer.
 */
export interface SaaSOfferingProps extends Omit<OfferingSpec, 'name'> {
  /**
   * Offering name: a DNS label of at most 30 characters that prefixes every tenant namespace.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Renders the chart for each tenant. Wrap it to add caching or pre-rendering.
   * @default - `helm template` (HelmRenderer) behind the render cache on disk (DiskRenderCache), or without it when `SAASPLANE_CACHE=off`
   */
  readonly renderer?: ChartRenderer;
}

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
  private readonly members = new OfferingMembers<TenantInstance, ProviderAccess>((provider, tenant) => provider._bindTenant(tenant));

  constructor(scope: Construct, id: string, props: SaaSOfferingProps) {
    // everything that can fail runs before super(): a failed offering leaves nothing in the tree
    const { renderer, name, ...rest } = props;
    validateOffering({ ...rest, name: name ?? id });
    const spec = plainSpec({ ...rest, name: name ?? id });
    assertFreeId(scope, id, 'offering');
    const chart = loadChart(props.chart);
    const owner = `offering "${spec.name}" (construct ${[scope.node.path, id].filter(Boolean).join('/')})`;
    const names = [`namespace "${providerNamespace(spec.name)}"`];
    throwIfProblems(`${owner} cannot be added`, appClaims(scope).conflicts(names, owner));

    super(scope, id, { disableResourceNameHashes: true });
    appClaims(scope).claim(names, owner);
    this.offeringName = spec.name;
    this.spec = spec;
    this.chart = chart;
    this.renderer = renderer ?? defaultRenderer();

    const namespace = new Construct(this, 'Namespace');
    placeInFile(namespace, this.sharedFile(SHARED_FILES.namespace));
    emitObjects(namespace, [planOfferingNamespace(this.spec)]);
    const shared = new Construct(this, 'Shared');
    placeInFile(shared, this.sharedFile(SHARED_FILES.sharedObjects));
    emitObjects(shared, (props.sharedObjects ?? []).map((o) => ({ ...o })));
    const admission = new Construct(this, 'Admission');
    placeInFile(admission, this.sharedFile(SHARED_FILES.admission));
    emitObjects(admission, planAdmissionGuard(this.spec));
    const monitoring = new Construct(this, 'Monitoring');
    placeInFile(monitoring, this.sharedFile(SHARED_FILES.monitoring));
    emitObjects(monitoring, [planRecordingRules(this.spec)]);
    placeInFile(this, this.sharedFile(SHARED_FILES.extra));
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

  /** Path of a file in this offering's `_shared` folder, relative to the outdir. */
  public sharedFile(file: string): string {
    return `${this.offeringName}/${SHARED_FOLDER}/${file}`;
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
