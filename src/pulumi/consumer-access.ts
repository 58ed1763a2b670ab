import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ConsumerAccessOptions, PlannedObject, planConsumer, plannedIdentities, throwIfProblems, validateConsumerAccess } from '../core';
import { validated } from './emit';
import type { TenantInstance } from './tenant-instance';

/** Arguments of a {@link ConsumerAccess}: the core's {@link ConsumerAccessOptions} and the tenant. */
export interface ConsumerAccessArgs extends ConsumerAccessOptions {
  /** The tenant whose users this identity serves. */
  readonly tenant: TenantInstance;
}

/**
 * The tenant's own users: a ServiceAccount, Role and RoleBinding in the tenant namespace only.
 * No token is created: `saasplane kubeconfig` asks the TokenRequest API for a short-lived one.
 */
export class ConsumerAccess extends pulumi.ComponentResource {
  /** The consumer's ServiceAccount, known once it exists. */
  public readonly serviceAccountName: pulumi.Output<string>;
  /** The tenant namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** The planned ServiceAccount, Role and RoleBinding, as registered. */
  public readonly planned: readonly PlannedObject[];

  constructor(name: string, args: ConsumerAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const accessName = args.name ?? name;
    const owner = `consumer access "${name}"`;
    const tenant = args.tenant;
    const { planned, identities } = validated(tenant, () => {
      validateConsumerAccess(name, accessName, args.users, args.groups);
      const objects = planConsumer(tenant.resolved, name, { name: accessName, users: args.users, groups: args.groups }, tenant._transform);
      const ids = plannedIdentities(objects);
      throwIfProblems(`${owner} cannot be added`, tenant._objects.conflicts(ids, owner, 'applied, one would replace the other; give the consumer access another name'));
      return { planned: objects, identities: ids };
    });
    super('saasplane:index:ConsumerAccess', name, {}, { parent: tenant, ...opts });
    tenant._objects.claim(identities, owner);
    this.planned = planned;
    const [serviceAccount] = tenant._waves.register(name, planned, this) as [k8s.core.v1.ServiceAccount];
    this.serviceAccountName = serviceAccount.metadata.name;
    this.namespace = tenant.namespace;
    this.registerOutputs({ serviceAccountName: this.serviceAccountName, namespace: this.namespace });
  }
}
