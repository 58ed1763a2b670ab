import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  assertProviderIdentityFree, ObjectGroup, PlannedObject, planProvider, planProviderInTenant, ProviderAccessOptions, providerHolding,
  ProviderIdentity, providerIdentity, providerNamespace, validateAccessFileId, validateProviderAccess,
} from '../core';
import { emitPlanned, ownObjectsUnder } from './emit';
import { assertFreeId } from './name-claims';
import type { SaaSOffering } from './saas-offering';
import type { TenantInstance } from './tenant-instance';

/** Properties of a {@link ProviderAccess}: the core's {@link ProviderAccessOptions} and the offering. */
export interface ProviderAccessProps extends ProviderAccessOptions {
  /** The offering the provider operates. */
  readonly offering: SaaSOffering;
}

/**
 * The identity of the provider team (or its deploy pipeline) for one offering: a ServiceAccount,
 * a ClusterRole bound by a RoleBinding in each tenant namespace (present and future), and the
 * right to create and delete only namespaces labelled with the offering, enforced by a
 * ValidatingAdmissionPolicy. Never cluster-admin, no wildcard verbs or resources.
 */
export class ProviderAccess extends Chart {
  /** Names of the provider's ServiceAccount and roles. */
  public readonly identity: ProviderIdentity;
  /** The identity's offering-wide planned objects, as emitted (its bindings in tenants are the tenants' constructs' children). */
  public readonly planned: readonly PlannedObject[];
  private readonly accessId: string;
  private readonly offering: SaaSOffering;

  constructor(scope: Construct, id: string, props: ProviderAccessProps) {
    const offering = props.offering;
    const namespace = props.namespace ?? providerNamespace(offering.offeringName);
    const serviceAccount = props.serviceAccountName ?? 'provider';
    validateProviderAccess(id, namespace, serviceAccount);
    validateAccessFileId('provider access', id);
    assertFreeId(scope, id, 'provider access');
    const existing = providerHolding(offering.providers, namespace, serviceAccount);
    assertProviderIdentityFree(offering.offeringName, id, namespace, serviceAccount, existing && { name: existing.node.id });
    const identity = providerIdentity(offering.offeringName, namespace, serviceAccount);
    const defaultNamespace = namespace === providerNamespace(offering.offeringName);
    const planned = planProvider(offering.spec, id, identity, props.createNamespace ?? !defaultNamespace, offering.transform);
    super(scope, id, { disableResourceNameHashes: true });
    this.accessId = id;
    this.offering = offering;
    this.identity = identity;
    this.planned = planned;
    ownObjectsUnder(this, { offering: offering.offeringName, access: id }, ObjectGroup.PROVIDER_ACCESS);
    emitPlanned(this, planned, false);
    offering._registerProvider(this);
  }

  /** @internal adds the RoleBinding into a tenant namespace (construct `<tenant>/ProviderAccess.<id>`); called for existing and future tenants */
  public _bindTenant(tenant: TenantInstance): void {
    emitPlanned(tenant, planProviderInTenant(this.identity, this.accessId, tenant.resolved, this.offering.transform), true);
  }
}
