// saasplane's invariants as a stack transform: every Kubernetes resource the program registers,
// saasplane's or the program's own, is checked against the resources registered before it, and a
// violating one is refused with the message the cdk8s validation plugin gives.
import * as pulumi from '@pulumi/pulumi';
import { InvariantChecker, InvariantRule, isPlainObject, KubeObject } from '../core';

/** Options of {@link invariantTransform}. */
export interface InvariantTransformOptions {
  /** Rules not to check. */
  readonly skip?: readonly InvariantRule[];
}

/** The fields of a transform's arguments the check reads: both `registerResourceTransform` and `registerStackTransformation` pass them. */
interface TransformArgs {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
}

/**
 * A transform refusing Kubernetes resources that break saasplane's invariants (see `InvariantRule`).
 * Register it before any resource: `pulumi.runtime.registerResourceTransform(invariantTransform())`
 * (or `registerStackTransformation`, which unit tests under `setMocks` support). The refusal is an
 * error naming the resource, the rule, what is wrong and the fix; nothing after it is registered.
 */
export function invariantTransform(options: InvariantTransformOptions = {}): (args: TransformArgs) => undefined {
  const checker = new InvariantChecker();
  const skip = new Set<string>(options.skip ?? []);
  return (args) => {
    const object = kubernetesObject(args);
    if (!object) {
      return undefined;
    }
    const violation = checker.add(object).find((v) => !skip.has(v.rule));
    if (violation) {
      throw new pulumi.RunError(`${args.type} "${args.name}" refused by ${violation.rule}: ${violation.message}; fix: ${violation.fix}`);
    }
    return undefined;
  };
}

/**
 * The object a Kubernetes resource registers (not a provider, a chart or a component). An object
 * Pulumi will auto-name is checked under its resource name. Metadata that is not known yet (an
 * Output, as `registerStackTransformation` sees it, or unknown during a preview) is not judged: a
 * namespace that is not known leaves the object out of its namespace's checks, labels that are not
 * known leave the object unchecked. `registerResourceTransform` sees resolved values on `up`.
 */
function kubernetesObject(args: TransformArgs): KubeObject | undefined {
  const props = args.props as Partial<KubeObject>;
  if (!args.type.startsWith('kubernetes:') || args.type.startsWith('kubernetes:helm.sh') || args.type.startsWith('kubernetes:yaml')
    || typeof props.kind !== 'string' || typeof props.apiVersion !== 'string') {
    return undefined;
  }
  const metadata = (isPlainObject(props.metadata) ? props.metadata : {}) as KubeObject['metadata'];
  const name = typeof metadata.name === 'string' ? metadata.name : args.name;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  if (metadata.labels !== undefined && !isStringMap(metadata.labels)) {
    return undefined; // labels not known yet: nothing to judge them by
  }
  return { ...props, metadata: { ...metadata, name, namespace } } as KubeObject;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
