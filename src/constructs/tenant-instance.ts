import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DependencySpec, planTenantObjects, renderTenantChart, ResolvedTenant, resolveTenant, tenantHosts, throwIfProblems, Values } from '../core';
import { emitObjects } from './emit';
import { appClaims, assertFreeId } from './name-claims';
import { placeInFile, TENANT_FILES } from './output-layout';
import type { SaaSOffering } from './saas-offering';

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
}

/** Properties of a {@link TenantInstance}. */
export interface TenantInstanceProps extends TenantOptions {
  /** The offering this tenant subscribes to. */
  readonly offering: SaaSOffering;
  /** Tenant name (DNS label); the namespace is `<offering>-<tenant>`. @default - the construct id */
  readonly name?: string;
}

/**
 * One tenant's dedicated instance: its namespace, quota, limit range, network policies, the
 * chart rendered for it and its monitor, synthesized into `<outdir>/<offering>/<tenant>/`.
 * Invalid input throws one error listing every problem of the tenant, before anything is added.
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

  constructor(scope: Construct, id: string, props: TenantInstanceProps) {
    const offering = props.offering;
    const resolved = resolveTenant(offering.spec, { ...props, name: props.name ?? id }, {
      chart: offering.chart,
      existingTenants: offering.tenantNames,
    });
    const chartObjects = renderTenantChart(resolved, offering.chart, offering.renderer);
    // after the tenant checks, which name a duplicate tenant better than its construct id would
    assertFreeId(scope, id, 'tenant');
    const hosts = tenantHosts(chartObjects);
    const owner = `tenant "${resolved.name}" of offering "${offering.offeringName}"`;
    const names = [`namespace "${resolved.namespace}"`, ...hosts.map((h) => `Ingress host "${h}"`)];
    const claims = appClaims(scope);
    throwIfProblems(`${owner} cannot be added`, claims.conflicts(names, owner));

    super(scope, id, { namespace: resolved.namespace, disableResourceNameHashes: true });
    claims.claim(names, owner);
    this.offering = offering;
    this.resolved = resolved;
    this.tenantName = resolved.name;
    this.plan = resolved.planName;
    this.namespaceName = resolved.namespace;
    this.releaseName = resolved.releaseName;

    const planned = planTenantObjects(resolved, chartObjects);
    this.group('Namespace', TENANT_FILES.namespace, [planned.namespace]);
    this.group('Guardrails', TENANT_FILES.guardrails, planned.guardrails);
    this.group('App', TENANT_FILES.app, chartObjects);
    this.group('Monitoring', TENANT_FILES.monitoring, planned.monitoring);
    placeInFile(this, this.file(TENANT_FILES.extra));
    offering._registerTenant(this);
  }

  /** Path of a file in this tenant's folder, relative to the outdir. */
  public file(name: string): string {
    return `${this.offering.offeringName}/${this.tenantName}/${name}`;
  }

  private group(id: string, file: string, objects: Parameters<typeof emitObjects>[1]): void {
    const scope = new Construct(this, id);
    placeInFile(scope, this.file(file));
    emitObjects(scope, objects);
  }
}
