import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  ChartRenderer, defaultRenderer, GROUP_WAVES, KubeObject, loadChannelCharts, NameClaims, ObjectGroup, objectIdentity, ObjectTransform, OfferingSpec,
  plainSpec, PlannedObject, plannedIdentities, planProviderInTenant, planTenant, PROVIDER_BINDING_NAME, ProviderAccessOptions, providerIdentity,
  providerNamespace, renderTenantChart, ResolvedTenant, resolveTenant, tenantHosts, TenantOptions, TenantState, throwIfProblems, validateOffering,
  Values,
} from '../core';
import { ChartDeployment, registerRelease } from './chart';
import { isClaim, validated, WaveRegistrar } from './emit';
import type { ProviderAccess } from './provider-access';
import type { SaaSOffering } from './saas-offering';

/** A provider identity bound in a tenant stack's namespace: where its ServiceAccount is. */
export type ProviderBinding = Omit<ProviderAccessOptions, 'createNamespace'>;

/** The core's {@link TenantOptions}, and how the chart is deployed. */
export interface PulumiTenantOptions extends TenantOptions {
  /** How the chart is deployed. @default ChartDeployment.OBJECTS */
  readonly chartDeployment?: ChartDeployment;
}

/**
 * Arguments of a {@link TenantInstance}. Plan and parameters are plain values, not Inputs: they
 * decide which objects exist, so they are validated before any resource is registered.
 */
export interface TenantInstanceArgs extends PulumiTenantOptions {
  /**
   * The offering: the `SaaSOffering` component in a single-stack program, or the offering's spec
   * in a tenant stack (which then neither needs nor creates the offering-level resources).
   */
  readonly offering: SaaSOffering | OfferingSpec;
  /** Tenant name (DNS label); the namespace is `<offering>-<tenant>`. @default - the resource name */
  readonly name?: string;
  /**
   * Provider identities bound in the tenant namespace, for tenant stacks. With a `SaaSOffering`
   * component, its `ProviderAccess` resources are bound instead.
   * @default - the offering's default ProviderAccess identity, `<offering>-system/provider`
   */
  readonly providers?: ProviderBinding[];
  /** Renders the chart, for tenant stacks (a `SaaSOffering` component's own renderer is used otherwise). @default - as SaaSOffering */
  readonly renderer?: ChartRenderer;
  /** The provider's transform of every planned object, for tenant stacks (a `SaaSOffering` component's own is used otherwise). @default - none */
  readonly transform?: ObjectTransform;
  /**
   * Delete the tenant's data with it. By default the claims, and the namespace of a tenant with
   * claims (deleting a namespace deletes its claims), are retained on delete: `pulumi destroy` or
   * removing the tenant from the program keeps its data; offboard it (state) to say so in code.
   * @default false
   */
  readonly removeWithData?: boolean;
}

/**
 * One tenant's dedicated instance: its namespace, quota, limit range, network policies, the
 * chart's objects and its monitor, each a resource named `<name>:<metadata.name>` and applied in
 * the plan's waves. Invalid input throws one error listing every problem of the tenant before any
 * resource is registered.
 */
export class TenantInstance extends pulumi.ComponentResource {
  /** The tenant namespace, `<offering>-<tenant>`, known once it exists. */
  public readonly namespace: pulumi.Output<string>;
  /** Helm release name. */
  public readonly releaseName: pulumi.Output<string>;
  /** Plan name. */
  public readonly plan: pulumi.Output<string>;
  /** The merged chart values: secret, since values commonly carry credentials. */
  public readonly values: pulumi.Output<pulumi.UnwrappedObject<Values>>;
  /** Tenant name. */
  public readonly tenantName: string;
  /** The validated, resolved tenant the core planned from. */
  public readonly resolved: ResolvedTenant;
  /** The tenant's planned objects: namespace, guardrails, chart objects (unless deployed as a Helm release) and monitor. */
  public readonly planned: readonly PlannedObject[];
  /** @internal the API server objects planned in the tenant namespace so far, by identity: each may be planned once */
  public readonly _objects = new NameClaims();
  /** @internal the tenant's resources by wave, for access identities added later */
  public readonly _waves: WaveRegistrar;
  /** @internal the transform of every object planned for this tenant */
  public readonly _transform?: ObjectTransform;
  /** Name prefix of children that live in the tenant namespace. */
  private readonly childPrefix: string;

  constructor(name: string, args: TenantInstanceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const component = isOfferingComponent(args.offering) ? args.offering : undefined;
    const deployment = args.chartDeployment ?? ChartDeployment.OBJECTS;
    const { resolved, chart, planned, hosts, transform, renderedClaims } = validated(component, () => {
      if (deployment === ChartDeployment.RELEASE && args.state !== undefined && args.state !== TenantState.ACTIVE) {
        throwIfProblems(`tenant "${args.name ?? name}" cannot be ${args.state}`, [
          'a Helm release runs the chart as it is: deploy the chart as objects (chartDeployment: ChartDeployment.OBJECTS) to suspend or offboard the tenant',
        ]);
      }
      if (component && (args.renderer || args.transform)) {
        throwIfProblems(`tenant "${args.name ?? name}" cannot be added`, ['renderer and transform are set on the SaaSOffering component: remove them from the tenant']);
      }
      if (!component) {
        validateOffering(args.offering as OfferingSpec);
      }
      const spec = component ? component.spec : plainSpec(args.offering as OfferingSpec);
      const charts = component ? component.charts : loadChannelCharts(spec);
      const tenant = resolveTenant(spec, { ...tenantSpecOf(args), name: args.name ?? name }, {
        charts, existingTenants: component ? component.tenantNames : [],
      });
      const loaded = charts[tenant.release.channel];
      const tenantTransform = component?.transform ?? args.transform;
      const rendered = renderTenantChart(tenant, charts, component?.renderer ?? args.renderer ?? defaultRenderer(), tenantTransform);
      const served = tenantHosts(rendered);
      throwIfProblems(`tenant "${tenant.name}" of offering "${spec.name}" cannot be added`, component?._hostProblems(tenant.name, served) ?? []);
      return {
        resolved: tenant,
        chart: loaded,
        planned: planTenant(tenant, rendered, tenantTransform),
        hosts: served,
        transform: tenantTransform,
        // a release owns the chart's objects: its claims count for the namespace's retention
        renderedClaims: rendered.some((o) => isClaim(o) || (o.kind === 'StatefulSet' && ((o.spec as any)?.volumeClaimTemplates ?? []).length > 0)),
      };
    });

    super('saasplane:index:TenantInstance', name, {}, { ...opts, parent: opts.parent ?? component });
    this.tenantName = resolved.name;
    this.resolved = resolved;
    this.childPrefix = name;
    this._transform = transform;
    // in a single-stack program the offering's admission guard exists before any tenant namespace
    this._waves = new WaveRegistrar({ parent: this }, component ? [...component._waves.at(GROUP_WAVES[ObjectGroup.ADMISSION])] : []);

    // a Helm release renders and owns the chart's objects itself
    const release = deployment === ChartDeployment.RELEASE;
    this.planned = release ? planned.filter((p) => p.group !== ObjectGroup.APP) : planned;
    this._objects.claim([...plannedIdentities(planned),
      objectIdentity('rbac.authorization.k8s.io/v1', 'RoleBinding', resolved.namespace, PROVIDER_BINDING_NAME)], `tenant "${resolved.name}"`);
    const appWave = GROUP_WAVES[ObjectGroup.APP];
    // the data outlives the stack unless removeWithData: the claims, and the namespace holding them
    const holdsData = planned.some((p) => isClaim(p.object)) || (release && renderedClaims);
    const retained = (object: KubeObject) => !args.removeWithData && (isClaim(object) || (object.kind === 'Namespace' && holdsData));
    const early = this._waves.register(name, this.planned.filter((p) => p.wave < appWave), undefined, retained);
    const namespace = early[0] as k8s.core.v1.Namespace;
    if (release) {
      this._waves.add(appWave, registerRelease(`${name}:chart`, resolved, chart.source, this._waves.optionsAt(appWave)));
    }
    this._waves.register(name, this.planned.filter((p) => p.wave >= appWave), undefined, retained);
    if (component) {
      component._registerTenant(this, hosts);
    } else {
      for (const provider of args.providers ?? [{}]) {
        const ns = provider.namespace ?? providerNamespace(resolved.offering.name);
        this.bindProvider(providerIdentity(resolved.offering.name, ns, provider.serviceAccountName), 'provider');
      }
    }

    this.namespace = namespace.metadata.name;
    this.releaseName = pulumi.output(resolved.releaseName);
    this.plan = pulumi.output(resolved.planName);
    this.values = pulumi.secret(resolved.values);
    this.registerOutputs({ namespace: this.namespace, releaseName: this.releaseName, plan: this.plan, values: this.values });
  }

  /** @internal binds a ProviderAccess's ClusterRole in the tenant namespace */
  public _bindProvider(provider: ProviderAccess): void {
    this.bindProvider(provider.identity, provider.accessName);
  }

  private bindProvider(identity: ProviderAccess['identity'], accessId: string): void {
    this._waves.register(this.childPrefix, planProviderInTenant(identity, accessId, this.resolved, this._transform));
  }
}

/** The tenant's own options, without the front-end's. */
function tenantSpecOf(args: TenantInstanceArgs): TenantOptions {
  const { offering: _o, providers: _p, chartDeployment: _d, renderer: _r, transform: _t, name: _n, removeWithData: _w, ...options } = args;
  return options;
}

function isOfferingComponent(offering: SaaSOffering | OfferingSpec): offering is SaaSOffering {
  return pulumi.ComponentResource.isInstance(offering);
}
