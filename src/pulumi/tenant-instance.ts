import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  ChartRenderer, defaultRenderer, DependencySpec, loadChart, NameClaims, objectIdentity, OfferingSpec, plainSpec, planProviderBinding,
  planTenantObjects, PROVIDER_BINDING_NAME, ProviderIdentity, providerIdentity, providerNamespace, renderTenantChart, ResolvedTenant,
  resolveTenant, tenantHosts, tenantPlacement, throwIfProblems, validateOffering, Values,
} from '../core';
import { ChartDeployment, registerChart } from './chart';
import { registerObjects, validated } from './emit';
import type { SaaSOffering } from './saas-offering';

/** A provider identity whose ClusterRole is bound in the tenant namespace. */
export interface ProviderBinding {
  /** Namespace of the provider's ServiceAccount. @default "<offering>-system" */
  readonly namespace?: string;
  /** Name of the provider's ServiceAccount. @default "provider" */
  readonly serviceAccountName?: string;
}

/** Options of {@link SaaSOffering.addTenant}. */
export interface TenantOptions {
  /** Name of one of the offering's plans. */
  readonly plan: string;
  /** Values the tenant chose, only at the offering's `consumerParameters` paths. @default - none */
  readonly parameters?: Values;
  /** Helm release name. @default - the tenant name */
  readonly releaseName?: string;
  /** Dependencies of this tenant only, on top of the offering's. @default - none */
  readonly dependencies?: DependencySpec[];
  /** How the chart is deployed. @default ChartDeployment.CHART */
  readonly chartDeployment?: ChartDeployment;
  /**
   * Renders the chart once before anything is registered, so that a cluster-scoped object, host
   * path or node port fails the program up front (and is checked for a v3 Release at all); `false`
   * skips it. @default - `helm template` through HelmRenderer
   */
  readonly renderer?: ChartRenderer | false;
}

/**
 * Arguments of a {@link TenantInstance}. Plan and parameters are plain values, not Inputs: they
 * decide which objects exist, so they are validated before any resource is registered.
 */
export interface TenantInstanceArgs extends TenantOptions {
  /**
   * The offering: the `SaaSOffering` component in a single-stack program, or the offering's spec
   * in a tenant stack (which then neither needs nor creates the offering-level resources).
   */
  readonly offering: SaaSOffering | OfferingSpec;
  /** Tenant name (DNS label); the namespace is `<offering>-<tenant>`. @default - the resource name */
  readonly tenantName?: string;
  /**
   * Provider identities bound in the tenant namespace, for tenant stacks. With a `SaaSOffering`
   * component, its `ProviderAccess` resources are bound instead.
   * @default - the offering's default ProviderAccess identity, `<offering>-system/provider`
   */
  readonly providers?: ProviderBinding[];
}

/**
 * One tenant's dedicated instance: its namespace, quota, limit range, network policies, the
 * chart deployed for it and its monitor. Invalid input throws one error listing every problem of
 * the tenant before any resource is registered.
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
  /** Name prefix and options of children that live in the tenant namespace. */
  private readonly childPrefix: string;
  /** @internal the API server objects planned in the tenant namespace so far, by identity: each may be planned once */
  public readonly _objects = new NameClaims();
  /** @internal options of children in the tenant namespace: parent, and created after the namespace */
  public readonly _inNamespace: pulumi.CustomResourceOptions;

  constructor(name: string, args: TenantInstanceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const component = isOfferingComponent(args.offering) ? args.offering : undefined;
    const { resolved, chart, chartObjects, hosts } = validated(component, () => {
      if (!component) {
        validateOffering(args.offering as OfferingSpec);
      }
      const spec = component ? component.spec : plainSpec(args.offering as OfferingSpec);
      const loaded = component ? component.chart : loadChart(spec.chart);
      const tenant = resolveTenant(spec, { ...args, name: args.tenantName ?? name }, {
        chart: loaded, existingTenants: component ? component.tenantNames : [],
      });
      const rendered = args.renderer === false ? [] : renderTenantChart(tenant, loaded, args.renderer ?? defaultRenderer());
      const served = tenantHosts(rendered);
      throwIfProblems(`tenant "${tenant.name}" of offering "${spec.name}" cannot be added`, component?._hostProblems(tenant.name, served) ?? []);
      return { resolved: tenant, chart: loaded, chartObjects: rendered, hosts: served };
    });

    super('saasplane:index:TenantInstance', name, {}, { ...opts, parent: opts.parent ?? component });
    this.tenantName = resolved.name;
    this.resolved = resolved;
    this.childPrefix = name;

    // without a local render the ingress controller and Prometheus policies cannot be derived: they stay closed
    const planned = planTenantObjects(resolved, chartObjects);
    const own = [planned.namespace, ...planned.guardrails, ...planned.monitoring, ...chartObjects];
    this._objects.claim([...own.map((o) => objectIdentity(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)),
      objectIdentity('rbac.authorization.k8s.io/v1', 'RoleBinding', resolved.namespace, PROVIDER_BINDING_NAME)], `tenant "${resolved.name}"`);
    const [namespace] = registerObjects(name, [planned.namespace], { parent: this }) as [k8s.core.v1.Namespace];
    this._inNamespace = { parent: this, dependsOn: [namespace] };
    const guardrails = registerObjects(name, planned.guardrails, this._inNamespace);
    const release = registerChart(`${name}:chart`, {
      source: chart.source,
      releaseName: resolved.releaseName,
      namespace: resolved.namespace,
      values: resolved.values,
      placement: tenantPlacement(resolved),
      deployment: args.chartDeployment ?? ChartDeployment.CHART,
    }, { parent: this, dependsOn: [namespace, ...guardrails] });
    registerObjects(name, planned.monitoring, { parent: this, dependsOn: [release] });
    if (component) {
      component._registerTenant(this, hosts);
    } else {
      for (const provider of args.providers ?? [{}]) {
        const ns = provider.namespace ?? providerNamespace(resolved.offering.name);
        this._bindProvider(providerIdentity(resolved.offering.name, ns, provider.serviceAccountName));
      }
    }

    this.namespace = namespace.metadata.name;
    this.releaseName = pulumi.output(resolved.releaseName);
    this.plan = pulumi.output(resolved.planName);
    this.values = pulumi.secret(resolved.values);
    this.registerOutputs({ namespace: this.namespace, releaseName: this.releaseName, plan: this.plan, values: this.values });
  }

  /** @internal binds a provider identity's ClusterRole in the tenant namespace */
  public _bindProvider(identity: ProviderIdentity): void {
    registerObjects(this.childPrefix, [planProviderBinding(identity, this.resolved)], this._inNamespace);
  }
}

function isOfferingComponent(offering: SaaSOffering | OfferingSpec): offering is SaaSOffering {
  return pulumi.ComponentResource.isInstance(offering);
}
