// Internal: registers the core's tagged plan as @pulumi/kubernetes resources, wave after wave,
// and turns saasplane's validation errors into Pulumi errors.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { KubeObject, PlannedObject, SaaSplaneError } from '../core';

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

/** A PersistentVolumeClaim: a tenant's data. */
export function isClaim(object: KubeObject): boolean {
  return object.kind === 'PersistentVolumeClaim';
}

/**
 * Registers each object as a child resource named `<prefix>:<metadata.name>`; built-in kinds use
 * their typed class, others (ServiceMonitor, PrometheusRule, ...) a CustomResource. Objects
 * `retained` says so (by default claims) are retained on delete: `pulumi destroy`, or a
 * replacement, never deletes a tenant's data.
 */
export function registerObjects(
  prefix: string, objects: readonly KubeObject[], opts: pulumi.CustomResourceOptions, retained: (object: KubeObject) => boolean = isClaim,
): pulumi.CustomResource[] {
  return objects.map((object) => {
    const name = `${prefix}:${object.metadata.name}`;
    const Typed = typedClass(object.apiVersion, object.kind);
    const options = retained(object) ? { ...opts, retainOnDelete: true } : opts;
    return Typed ? new Typed(name, object, options) : new k8s.apiextensions.CustomResource(name, object, options);
  });
}

/**
 * Registers the planned objects of one scope (the offering, or one tenant) in apply order: each
 * object depends on the resources of the highest lower wave registered before it in the scope
 * (guardrails on the namespace, the chart's objects on the guardrails, the monitor on the chart's
 * objects), so `pulumi up` applies them in the order the GitOps output is numbered. Access
 * identities added later depend on the guardrails, not the other way round.
 */
export class WaveRegistrar {
  private readonly byWave = new Map<number, pulumi.Resource[]>();

  /** `opts` are the options of every resource of the scope (its parent); `after`, resources all of them come after. */
  constructor(private readonly opts: pulumi.CustomResourceOptions, private readonly after: readonly pulumi.Resource[] = []) {}

  /** Registers `planned` as resources named `<prefix>:<metadata.name>`, under `parent` when given; `retained` ones are retained on delete. */
  public register(
    prefix: string, planned: readonly PlannedObject[], parent?: pulumi.Resource, retained?: (object: KubeObject) => boolean,
  ): pulumi.CustomResource[] {
    const waves = [...new Set(planned.map((p) => p.wave))].sort((a, b) => a - b);
    const registered: pulumi.CustomResource[] = [];
    for (const wave of waves) {
      const objects = planned.filter((p) => p.wave === wave).map((p) => p.object);
      const resources = registerObjects(prefix, objects, this.optionsAt(wave, parent), retained);
      this.add(wave, ...resources);
      registered.push(...resources);
    }
    return registered;
  }

  /** Options of a resource applied at `wave`: after the resources of the highest lower wave. */
  public optionsAt(wave: number, parent?: pulumi.Resource): pulumi.CustomResourceOptions {
    const lower = [...this.byWave.keys()].filter((w) => w < wave);
    const before = lower.length > 0 ? this.byWave.get(Math.max(...lower))! : [];
    const dependsOn = [...this.after, ...before];
    return { ...this.opts, ...(parent ? { parent } : {}), dependsOn };
  }

  /** Records resources registered by other means (a Helm release) at `wave`. */
  public add(wave: number, ...resources: pulumi.Resource[]): void {
    this.byWave.set(wave, [...this.byWave.get(wave) ?? [], ...resources]);
  }

  /** The resources registered at `wave`. */
  public at(wave: number): readonly pulumi.Resource[] {
    return this.byWave.get(wave) ?? [];
  }
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
