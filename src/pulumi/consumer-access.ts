import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { objectIdentity, planConsumerAccess, throwIfProblems, validateConsumerAccess } from '../core';
import { registerObjects, validated } from './emit';
import type { TenantInstance } from './tenant-instance';

/** Arguments of a {@link ConsumerAccess}. */
export interface ConsumerAccessArgs {
  /** The tenant whose users this identity serves. */
  readonly tenant: TenantInstance;
  /** Name of the ServiceAccount, Role and RoleBinding. @default - the resource name */
  readonly name?: string;
  /** Users (from the cluster's authenticator, e.g. OIDC) bound to the role as well. @default - none */
  readonly users?: string[];
  /** Groups bound to the role as well. @default - none */
  readonly groups?: string[];
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

  constructor(name: string, args: ConsumerAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const accessName = args.name ?? name;
    const owner = `consumer access "${name}"`;
    const { objects, identities } = validated(args.tenant, () => {
      validateConsumerAccess(name, accessName, args.users, args.groups);
      const planned = planConsumerAccess(args.tenant.resolved, { name: accessName, users: args.users, groups: args.groups });
      const ids = planned.map((o) => objectIdentity(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name));
      throwIfProblems(`${owner} cannot be added`, args.tenant._objects.conflicts(ids, owner, 'applied, one would replace the other; give the consumer access another name'));
      return { objects: planned, identities: ids };
    });
    super('saasplane:index:ConsumerAccess', name, {}, { parent: args.tenant, ...opts });
    args.tenant._objects.claim(identities, owner);
    const inNamespace = { parent: this, dependsOn: args.tenant._inNamespace.dependsOn };
    const [serviceAccount] = registerObjects(name, objects, inNamespace) as [k8s.core.v1.ServiceAccount];
    this.serviceAccountName = serviceAccount.metadata.name;
    this.namespace = args.tenant.namespace;
    this.registerOutputs({ serviceAccountName: this.serviceAccountName, namespace: this.namespace });
  }
}
