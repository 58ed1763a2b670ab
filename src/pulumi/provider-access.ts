import * as pulumi from '@pulumi/pulumi';
import {
  assertProviderIdentityFree, PlannedObject, planProvider, ProviderAccessOptions, providerHolding, ProviderIdentity, providerIdentity,
  providerNamespace, validateProviderAccess,
} from '../core';
import { validated } from './emit';
import type { SaaSOffering } from './saas-offering';

/** Arguments of a {@link ProviderAccess}: the core's {@link ProviderAccessOptions} and the offering. */
export interface ProviderAccessArgs extends ProviderAccessOptions {
  /** The offering the provider operates. */
  readonly offering: SaaSOffering;
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
  /** The resource name this access was given (the access id of its planned objects). */
  public readonly accessName: string;
  /** `<namespace>/<serviceAccount>` of the provider identity. */
  public readonly serviceAccount: pulumi.Output<string>;
  /** The identity's offering-wide planned objects, as registered. */
  public readonly planned: readonly PlannedObject[];

  constructor(name: string, args: ProviderAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const offering = args.offering;
    const offeringName = offering.spec.name;
    const namespace = args.namespace ?? providerNamespace(offeringName);
    const serviceAccount = args.serviceAccountName ?? 'provider';
    const identity = providerIdentity(offeringName, namespace, serviceAccount);
    const defaultNamespace = namespace === providerNamespace(offeringName);
    const planned = validated(offering, () => {
      validateProviderAccess(name, namespace, serviceAccount);
      const existing = providerHolding(offering.providers, namespace, serviceAccount);
      assertProviderIdentityFree(offeringName, name, namespace, serviceAccount, existing && { name: existing.accessName });
      return planProvider(offering.spec, name, identity, args.createNamespace ?? !defaultNamespace, offering.transform);
    });
    super('saasplane:index:ProviderAccess', name, {}, opts);
    this.accessName = name;
    this.identity = identity;
    this.planned = planned;
    offering._waves.register(name, planned, this);
    this.serviceAccount = pulumi.output(`${namespace}/${serviceAccount}`);
    offering._registerProvider(this);
    this.registerOutputs({ serviceAccount: this.serviceAccount });
  }
}
