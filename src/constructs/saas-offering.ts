import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ChannelCharts, ChartRenderer, defaultRenderer, loadChannelCharts, ObjectTransform, OfferingMembers, OfferingOptions, OfferingSpec, PlannedObject,
  planOffering, planTenant, plainSpec, providerNamespace, renderTenantCharts, SaaSplaneError, TenantChartOutcome, tenantHosts, TenantOptions,
  throwIfProblems, UpgradePlan, planUpgrade, validateOffering,
} from '../core';
import { emitPlanned, findApiObject, ownObjectsUnder } from './emit';
import { appClaims, assertFreeId } from './name-claims';
import type { ProviderAccess } from './provider-access';
import { TenantInstance } from './tenant-instance';

const offerings = new WeakSet<SaaSOffering>();

/** Properties of a {@link SaaSOffering}: the core's {@link OfferingOptions}, shared with the Pulumi front-end. */
export type SaaSOfferingProps = OfferingOptions;

/**
 * A Helm chart offered as a service: plans, the parameters tenants may set, and the
 * offering-level objects (its namespace `<offering>-system`, shared objects, the admission
 * policies of its namespaces and the consumption recording rules), synthesized into
 * `<outdir>/<offering>/_shared/`.
 */
export class SaaSOffering extends Chart {
  /** True when `x` is a SaaSOffering (`instanceof` is any Chart: cdk8s' Chart defines Symbol.hasInstance). */
  public static isSaaSOffering(x: unknown): x is SaaSOffering {
    return offerings.has(x as SaaSOffering);
  }

  /** Offering name. */
  public readonly offeringName: string;
  /** The validated spec both front-ends share. */
  public readonly spec: OfferingSpec;
  /** The chart of each channel, fetched and read. */
  public readonly charts: ChannelCharts;
  /** The renderer tenants use. */
  public readonly renderer: ChartRenderer;
  /** The provider's transform of every planned object, if any. */
  public readonly transform?: ObjectTransform;
  /** The offering's own planned objects, as emitted (construct ids `<Group>/<Kind>.<name>`, e.g. `Admission/ValidatingAdmissionPolicy.shop-tenant-namespaces`). */
  public readonly planned: readonly PlannedObject[];
  private readonly members = new OfferingMembers<TenantInstance, ProviderAccess>((provider, tenant) => provider._bindTenant(tenant));
  /** Tenants whose chart is not rendered yet, in the order they were added. */
  private readonly pending: TenantInstance[] = [];
  /** Tenants whose chart could not be used, with their error. */
  private readonly failures = new Map<TenantInstance, SaaSplaneError>();
  /** Tenants SaaSApp wrote and let go of (see `_release`): rendered again, alone, when read. */
  private readonly released = new Set<TenantInstance>();

  constructor(scope: Construct, id: string, props: SaaSOfferingProps) {
    // everything that can fail runs before super(): a failed offering leaves nothing in the tree
    const { renderer, transform, name, ...rest } = props;
    validateOffering({ ...rest, name: name ?? id });
    const spec = plainSpec({ ...rest, name: name ?? id });
    assertFreeId(scope, id, 'offering');
    const charts = loadChannelCharts(spec);
    const owner = `offering "${spec.name}" (construct ${[scope.node.path, id].filter(Boolean).join('/')})`;
    const names = [`namespace "${providerNamespace(spec.name)}"`];
    throwIfProblems(`${owner} cannot be added`, appClaims(scope).conflicts(names, owner));
    const planned = planOffering(spec, transform);

    super(scope, id, { disableResourceNameHashes: true });
    appClaims(scope).claim(names, owner);
    this.offeringName = spec.name;
    this.spec = spec;
    this.charts = charts;
    this.renderer = renderer ?? defaultRenderer();
    this.transform = transform;
    this.planned = planned;
    offerings.add(this);
    ownObjectsUnder(this, { offering: spec.name });
    emitPlanned(this, planned, true);
    // the stock cdk8s App validates before it synthesizes: render there (SaaSApp renders first, itself)
    this.node.addValidation({ validate: () => [...this._renderPending().values()].map((e) => e.message) });
  }

  /** The ApiObject of `kind`/`name` in this chart (an escape hatch for JSON patches), if any. */
  public apiObjectFor(kind: string, name: string): ApiObject | undefined {
    return findApiObject(this, kind, name);
  }

  /**
   * The blast radius of the offering's rollout: per wave, each tenant's move to the rollout's
   * channel, resolved and rendered against it (blocked tenants with the reason, objects replaced).
   */
  public upgradePlan(): UpgradePlan {
    const tenants = this.tenants.map((t) => t.spec);
    return planUpgrade({ offering: this.spec, tenants, charts: this.charts, renderer: this.renderer, transform: this.transform });
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

  /** @internal called by TenantInstance once it is valid (its namespace is claimed app-wide); its chart is rendered later */
  public _registerTenant(tenant: TenantInstance): void {
    this.pending.push(tenant);
    this.members.addTenant(tenant, tenant.tenantName);
  }

  /**
   * @internal renders the charts of the tenants added since the last call as one batch, claims
   * their Ingress hosts app-wide (in the order the tenants were added) and emits their objects;
   * `tenant`, when SaaSApp let go of it, is rendered alone. Returns every tenant that failed so
   * far, with its error.
   */
  public _renderPending(tenant?: TenantInstance): ReadonlyMap<TenantInstance, SaaSplaneError> {
    if (tenant && this.released.delete(tenant)) {
      this._renderBatch([tenant]);
    }
    this._renderBatch(this.pending.splice(0));
    return this.failures;
  }

  /**
   * @internal the tenants to synthesize, in the order they were added: those not rendered yet and
   * those a previous synthesis let go of; the caller renders them (`_renderBatch`) or adopts what
   * it wrote for them (`_adoptWritten`), then claims their hosts (`_claimHosts`)
   */
  public _takePending(): TenantInstance[] {
    const taken = this.inAddedOrder([...this.pending.splice(0), ...this.released]);
    this.released.clear();
    return taken;
  }

  /** @internal puts back, in the order tenants were added, those of `tenants` that were neither emitted, let go of nor failed */
  public _returnPending(tenants: readonly TenantInstance[]): void {
    const back = tenants.filter((t) => !this.released.has(t) && !this.failures.has(t) && !t._emitted);
    this.pending.splice(0, this.pending.length, ...this.inAddedOrder([...this.pending, ...back]));
  }

  /** @internal the tenants a previous synthesis let go of are pending again (SaaSApp renders them into the tree) */
  public _reviveReleased(): void {
    this.pending.splice(0, this.pending.length, ...this.inAddedOrder([...this.pending, ...this.released]));
    this.released.clear();
  }

  /**
   * @internal SaaSApp wrote the tenant's objects: they leave the tree, so that a synthesis of
   * thousands of tenants never holds all of them at once, and are rendered again (from the
   * render cache) when the tenant's `planned` or `apiObjectFor` is read
   */
  public _release(tenant: TenantInstance): void {
    tenant._forget();
    this.released.add(tenant);
  }

  /** @internal SaaSApp found what it wrote for the tenant last time, for exactly this input: the tenant stays unrendered until read */
  public _adoptWritten(tenant: TenantInstance): void {
    this.released.add(tenant);
  }

  /**
   * @internal claims the Ingress hosts of tenants rendered or adopted without claiming them, app-wide
   * and in the order the tenants were added, as `_renderBatch` does: a tenant whose host is taken fails
   */
  public _claimHosts(hosts: ReadonlyMap<TenantInstance, readonly string[]>): void {
    for (const tenant of this.tenants.filter((t) => hosts.has(t))) {
      const claim = this.hostClaim(tenant, hosts.get(tenant)!);
      if (claim.conflicts.length > 0) {
        this.failures.set(tenant, new SaaSplaneError(`${claim.owner} cannot be added`, claim.conflicts));
      } else {
        claim.take();
      }
    }
  }

  /** @internal the errors of the tenants that failed, in the order the tenants were added */
  public get _failed(): SaaSplaneError[] {
    return this.tenants.filter((t) => this.failures.has(t)).map((t) => this.failures.get(t)!);
  }

  /**
   * @internal renders the tenants' charts as one batch, claims their Ingress hosts app-wide (in
   * their order; unless `claimHosts` is false: the caller claims them with `_claimHosts`) and
   * emits their objects; returns the tenants emitted (not those that failed)
   */
  public _renderBatch(batch: TenantInstance[], claimHosts = true): TenantInstance[] {
    if (batch.length === 0) {
      return [];
    }
    let outcomes: TenantChartOutcome[];
    try {
      outcomes = renderTenantCharts(batch.map((t) => t.resolved), this.charts, this.renderer, this.transform);
    } catch (e) {
      this.pending.unshift(...batch); // helm missing, a broken chart: the next synthesis tries again
      throw e;
    }
    const emitted: TenantInstance[] = [];
    batch.forEach((tenant, i) => {
      const outcome = outcomes[i];
      try {
        if ('error' in outcome) {
          throw outcome.error;
        }
        const hosts = tenantHosts(outcome.objects);
        const claim = claimHosts ? this.hostClaim(tenant, hosts) : undefined;
        if (claim) throwIfProblems(`${claim.owner} cannot be added`, claim.conflicts);
        const planned = planTenant(tenant.resolved, outcome.objects, this.transform);
        claim?.take();
        tenant._emit(planned, hosts);
        emitted.push(tenant);
      } catch (e) {
        if (!(e instanceof SaaSplaneError)) {
          this.pending.unshift(...batch.slice(i)); // a bug, not bad input: the rest stays pending
          throw e;
        }
        this.failures.set(tenant, e);
      }
    });
    return emitted;
  }

  /** The tenant's claim of its Ingress hosts, app-wide: the hosts other owners hold, and how to take them. */
  private hostClaim(tenant: TenantInstance, hosts: readonly string[]): { owner: string; conflicts: string[]; take: () => void } {
    const claims = appClaims(this);
    const owner = `tenant "${tenant.tenantName}" of offering "${this.offeringName}"`;
    const names = hosts.map((h) => `Ingress host "${h}"`);
    return { owner, conflicts: claims.conflicts(names, owner), take: () => claims.claim(names, owner) };
  }

  /** `tenants`, each once, in the order they were added. */
  private inAddedOrder(tenants: Iterable<TenantInstance>): TenantInstance[] {
    const wanted = new Set(tenants);
    return this.tenants.filter((t) => wanted.has(t));
  }

  /** @internal called by ProviderAccess */
  public _registerProvider(provider: ProviderAccess): void {
    this.members.addProvider(provider);
  }
}
