// Internal: the tenant's chart as a Pulumi resource, and the transform that adapts every object
// the chart produces to the tenant (namespace, labels, node placement, guards), using the same
// core function as the cdk8s front-end.
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { adaptChartObjects, ChartSource, ChartSourceKind, KubeObject, TenantPlacement, Values } from '../core';

/** How a tenant's chart is deployed. */
export enum ChartDeployment {
  /**
   * `kubernetes.helm.v4.Chart`: Pulumi renders the chart and owns each object, so `pulumi preview
   * --diff` shows per-object diffs and saasplane's transform adapts every object.
   */
  CHART = 'helm.v4.Chart',
  /**
   * `kubernetes.helm.v3.Release`: a real Helm release (visible to `helm list`, hooks run). Helm owns
   * the objects: saasplane checks the chart's output before registering, and sets the namespace, but
   * cannot relabel or place the release's objects.
   */
  RELEASE = 'helm.v3.Release',
}

/** What a chart resource needs from the tenant. */
export interface TenantChartRequest {
  readonly source: ChartSource;
  readonly releaseName: string;
  readonly namespace: string;
  readonly values: Values;
  readonly placement: TenantPlacement;
  readonly deployment: ChartDeployment;
}

/**
 * A Pulumi resource transform that adapts each Kubernetes object of a chart to the tenant; a
 * cluster-scoped object, host path, node port or foreign storage class fails the deployment with
 * the same message as the cdk8s front-end.
 */
export function tenantTransform(placement: TenantPlacement): pulumi.ResourceTransform {
  return (args) => {
    const props = args.props as Partial<KubeObject>;
    if (!args.custom || !args.type.startsWith('kubernetes:') || !props.apiVersion || !props.kind) {
      return undefined;
    }
    const object = { ...props, metadata: props.metadata ?? {} } as KubeObject;
    const adapted = adaptChartObjects([{ object }], placement);
    if (adapted.problems.length > 0) {
      throw new pulumi.RunError(`tenant namespace ${placement.namespace}: ${adapted.problems.join('; ')}`);
    }
    return { props: adapted.objects[0] as unknown as pulumi.Inputs, opts: args.opts };
  };
}

/** Registers the chart (a v4 Chart by default, or a v3 Release) for one tenant. */
export function registerChart(name: string, request: TenantChartRequest, opts: pulumi.ComponentResourceOptions): pulumi.Resource {
  const source = request.source;
  const chart = chartArgument(source);
  const repositoryOpts = source.kind === ChartSourceKind.REPOSITORY ? { repo: source.location } : undefined;
  if (request.deployment === ChartDeployment.RELEASE) {
    return new k8s.helm.v3.Release(name, {
      name: request.releaseName,
      namespace: request.namespace,
      createNamespace: false,
      chart,
      version: source.version,
      repositoryOpts,
      values: request.values,
    }, opts);
  }
  return new k8s.helm.v4.Chart(name, {
    name: request.releaseName,
    namespace: request.namespace,
    chart,
    version: source.version,
    repositoryOpts,
    values: request.values,
  }, { ...opts, transforms: [...(opts.transforms ?? []), tenantTransform(request.placement)] });
}

/**
 * The `chart` argument: local charts relative to the program's directory (stack state must not
 * depend on where the project is checked out), otherwise the chart name or OCI reference.
 */
function chartArgument(source: ChartSource): string {
  switch (source.kind) {
    case ChartSourceKind.REPOSITORY: return source.chart!;
    case ChartSourceKind.OCI: return source.location;
    default: {
      const relative = path.relative(process.cwd(), source.location).split(path.sep).join('/');
      return relative.startsWith('.') ? relative : `./${relative}`;
    }
  }
}
