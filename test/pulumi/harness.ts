// Pulumi mocks for the component tests: every registered resource is recorded with its type,
// name, inputs and provider; `settle()` waits until registration has finished.
import * as pulumi from '@pulumi/pulumi';

export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly custom: boolean;
  readonly provider?: string;
}

export const registrations: Registration[] = [];
const resources: pulumi.Resource[] = [];

/** Installs Pulumi's standard mocks for a project and stack, as users do in their own unit tests. */
export function installMocks(project = 'saasplane', stack = 'acme'): void {
  void pulumi.runtime.setMocks({
    newResource: (args) => {
      registrations.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true, provider: args.provider });
      return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
    },
    call: (args) => args.inputs,
  }, project, stack, false);
}

installMocks();

const names = new Map<pulumi.Resource, string>();
const declaredDependencies = new Map<string, pulumi.Resource[]>();

/** Names of the resources the resource `name` was declared to depend on (`dependsOn`). */
export function dependenciesOf(name: string): string[] {
  return (declaredDependencies.get(name) ?? []).map((r) => names.get(r) ?? '?').sort();
}

/** Options that record every resource created under a component and its dependencies, for `settle()`, URN and order checks. */
export const recorded: pulumi.ComponentResourceOptions = {
  transformations: [(args) => {
    resources.push(args.resource);
    names.set(args.resource, args.name);
    const dependsOn = args.opts.dependsOn;
    declaredDependencies.set(args.name, (Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []) as pulumi.Resource[]);
    return undefined;
  }],
};

/** The value of an Output. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => { resolve(v); return v; }));
}

/** Waits until every recorded resource is registered; returns their URNs. */
export async function settle(): Promise<string[]> {
  let count = -1;
  let urns: string[] = [];
  while (count !== resources.length) {
    count = resources.length;
    urns = await Promise.all(resources.map((r) => valueOf(r.urn)));
  }
  return urns;
}

/** Forgets what earlier tests registered. */
export function reset(): void {
  registrations.length = 0;
  resources.length = 0;
  names.clear();
  declaredDependencies.clear();
}

/** Custom (Kubernetes) resources registered, by type. */
export function ofType(type: string): Registration[] {
  return registrations.filter((r) => r.type === type);
}
