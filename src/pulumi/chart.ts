// Internal: the tenant's chart as a real Helm release, the alternative to registering the
// planned chart objects one by one.
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ChartSource, ChartSourceKind, ResolvedTenant } from '../core';

/** How a tenant's chart is deployed. */
export enum ChartDeployment {
  /**
   * The objects saasplane planned: the chart rendered once through the offering's renderer (and
   * its cache), adapted to the tenant, each object its own resource, exactly what the cdk8s
   * front-end writes. `pulumi preview --diff` shows per-object diffs.
   */
  OBJECTS = 'objects',
  /**
   * `kubernetes.helm.v3.Release`: a real Helm release (visible to `helm list`, hooks run). Helm
   * renders and owns the objects: saasplane checks its own rendering before registering and sets
   * the namespace, but the release's objects are not adapted (labels, placement, image pull
   * policy) and the provider's transform does not apply to them.
   */
  RELEASE = 'helm.v3.Release',
}

/** Registers the tenant's chart as a Helm release. */
export function registerRelease(name: string, tenant: ResolvedTenant, source: ChartSource, opts: pulumi.CustomResourceOptions): pulumi.Resource {
  return new k8s.helm.v3.Release(name, {
    name: tenant.releaseName,
    namespace: tenant.namespace,
    createNamespace: false,
    chart: chartArgument(source),
    version: source.version,
    repositoryOpts: source.kind === ChartSourceKind.REPOSITORY ? { repo: source.location } : undefined,
    values: tenant.values,
  }, opts);
}

/**
 * The `chart` argument: a local chart by its absolute path (the provider does not run in the
 * program's working directory: with Automation API inline programs it runs in the workspace's
 * own folder, so a relative path would name another chart or none); otherwise the chart name or
 * OCI reference. Moving a checkout therefore shows the Release's `chart` as changed.
 */
function chartArgument(source: ChartSource): string {
  switch (source.kind) {
    case ChartSourceKind.REPOSITORY: return source.chart!;
    case ChartSourceKind.OCI: return source.location;
    default: return path.resolve(source.location);
  }
}
