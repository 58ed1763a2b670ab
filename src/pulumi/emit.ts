// Internal: registers the core's planned objects as @pulumi/kubernetes resources, and turns
// saasplane's validation errors into Pulumi errors.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { KubeObject, SaaSplaneError } from '../core';

type KubernetesResourceClass = new (name: string, args: object, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** API groups of built-in kinds that do not end in `.k8s.io`. */
const UNSUFFIXED_BUILTIN_GROUPS: ReadonlySet<string> = new Set(['core', 'apps', 'batch', 'autoscaling', 'policy']);

/**
 * The typed class of a built-in kind (`rbac.authorization.k8s.io/v1` Role is `k8s.rbac.v1.Role`),
 * so that previews show the kind's own schema; undefined for custom resources.
 */
function typedClass(apiVersion: string, kind: string): KubernetesResourceClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  if (!UNSUFFIXED_BUILTIN_GROUPS.has(group) && !group.endsWith('.k8s.io')) {
    return undefined;
  }
  const module = (k8s as unknown as Record<string, Record<string, Record<string, unknown>> | undefined>)[group.split('.')[0]];
  const candidate = module?.[version]?.[kind];
  return typeof candidate === 'function' ? candidate as KubernetesResourceClass : undefined;
}

/**
 * Registers each object as a child resource named `<prefix>:<metadata.name>`; built-in kinds use
 * their typed class, others (ServiceMonitor, PrometheusRule, ...) a CustomResource.
 */
export function registerObjects(prefix: string, objects: readonly KubeObject[], opts: pulumi.CustomResourceOptions): pulumi.CustomResource[] {
  return objects.map((object) => {
    const name = `${prefix}:${object.metadata.name}`;
    const Typed = typedClass(object.apiVersion, object.kind);
    return Typed ? new Typed(name, object, opts) : new k8s.apiextensions.CustomResource(name, object, opts);
  });
}

/**
 * Runs saasplane validation; its error is rethrown as a `pulumi.ResourceError` on `resource`
 * when there is one (so the CLI names the resource), else as it is. Nothing is registered by `validate`.
 */
export function validated<T>(resource: pulumi.Resource | undefined, validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (resource && e instanceof SaaSplaneError) {
      throw new pulumi.ResourceError(e.message, resource, true);
    }
    throw e;
  }
}
