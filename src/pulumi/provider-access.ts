import * as pulumi from '@pulumi/pulumi';
import { planProviderShared, ProviderIdentity, providerIdentity, providerNamespace, throwIfProblems, validateProviderAccess } from '../core';
import { registerObjects, validated } from './emit';
import type { SaaSOffering } from './saas-offering';

/** Arguments of a {@link ProviderAccess}. */
export interface ProviderAccessArgs {
  /** The offering the provider operates. */
  readonly offering: SaaSOffering;
  /** Namespace of the provider's ServiceAccount. @default "<offering>-system" */
  readonly namespace?: string;
  /** Create that namespace. @default - true, unless it is `<offering>-system`, which the offering creates */
  readonly createNamespace?: boolean;
  /** Name of the provider's ServiceAccount. @default "provider" */
  readonly serviceAccountName?: string;
}

/**
 * The identity of the provider team (or its deploy pipeline) for one offering: a ServiceAccount,
 * a ClusterRole bound by a RoleBinding in each tenant namespace, and the right to create and
 * delete only namespaces labelled with the offering (a ValidatingAdmissionPolicy). Tenant stacks
 * bind the same identity through `TenantInstance`'s `providers`.
 */
export class ProviderAccess extends pulumi.ComponentResource {
  /** Names of the provider's ServiceAccount and roles. */
  public readonly identity: ProviderIdentity;
  /** The resource name this access was given. */
  public readonly accessName: string;
  /** `<namespace>/<serviceAccount>` of the provider identity. */
  public readonly serviceAccount: pulumi.Output<string>;

  constructor(name: string, args: ProviderAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const offeringName = args.offering.spec.name;
    const namespace = args.namespace ?? providerNamespace(offeringName);
    const serviceAccount = args.serviceAccountName ?? 'provider';
    validated(args.offering, () => {
      validateProviderAccess(name, namespace, serviceAccount);
      const existing = args.offering._providerFor(namespace, serviceAccount);
      // the roles, bindings and admission policy are named after the identity: two would own the same objects
      throwIfProblems(`provider access "${name}" cannot be added`, existing ? [
        `offering "${offeringName}" already has the provider access "${existing.accessName}" for the ServiceAccount ${namespace}/${serviceAccount}: `
        + 'use it, or give this one another serviceAccountName or namespace',
      ] : []);
    });
    super('saasplane:index:ProviderAccess', name, {}, opts);
    this.accessName = name;
    this.identity = providerIdentity(offeringName, namespace, serviceAccount);
    const defaultNamespace = namespace === providerNamespace(offeringName);
    registerObjects(name, planProviderShared(this.identity, args.createNamespace ?? !defaultNamespace, args.offering.spec.podSecurity,
      Object.keys(args.offering.spec.plans)),
    { parent: this, dependsOn: defaultNamespace ? [args.offering._namespace] : [] });
    this.serviceAccount = pulumi.output(`${namespace}/${serviceAccount}`);
    args.offering._registerProvider(this);
    this.registerOutputs({ serviceAccount: this.serviceAccount });
  }
}
