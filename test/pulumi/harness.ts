// Pulumi mocks for the component tests: every registered resource is recorded with its type,
// name, inputs and provider; `settle()` waits until registration has finished.
import * as pulumi from '@pulumi/pulumi';
import { Callback } from '@pulumi/pulumi/proto/callback_pb';

export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly custom: boolean;
  readonly provider?: string;
}

export const registrations: Registration[] = [];
const resources: pulumi.Resource[] = [];

/**
 * Installs the mocks for a project and stack. The mock monitor has no callback server, so the SDK
 * refuses `transforms` (the tenant transform on the v4 Chart); the harness stands in for that
 * server and keeps each transform so that tests can apply it to real rendered objects.
 */
export function installMocks(project = 'saasplane', stack = 'acme'): void {
  void pulumi.runtime.setMocks({
    newResource: (args) => {
      registrations.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true, provider: args.provider });
      return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
    },
    call: (args) => args.inputs,
  }, project, stack, false);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal SDK state, not part of its typings
  const store = require('@pulumi/pulumi/runtime/state').getStore();
  store.supportsTransforms = true;
  store.callbacks = {
    awaitStackRegistrations: async () => undefined,
    registerTransform: async (transform: pulumi.ResourceTransform) => {
      transforms.push(transform);
      const callback = new Callback();
      callback.setToken(`transform-${transforms.length}`);
      callback.setTarget('mock');
      return callback;
    },
  };
}

/** Transforms registered with resources, in order. */
export const transforms: pulumi.ResourceTransform[] = [];

installMocks();

/** Options that record every resource created under a component, for `settle()` and URN checks. */
export const recorded: pulumi.ComponentResourceOptions = {
  transformations: [(args) => {
    resources.push(args.resource);
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
  transforms.length = 0;
}

/** Custom (Kubernetes) resources registered, by type. */
export function ofType(type: string): Registration[] {
  return registrations.filter((r) => r.type === type);
}
