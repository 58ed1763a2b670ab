import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  planProviderBinding, planProviderShared, ProviderIdentity, providerIdentity, providerNamespace, SaaSplaneError, validateAccessFileId,
  validateProviderAccess,
} from '../core';
import { emitObjects } from './emit';
import { assertFreeId } from './name-claims';
import { placeInFile, TENANT_FILES, SHARED_FILES } from './output-layout';
import type { SaaSOffering } from './saas-offering';
import type { TenantInstance } from './tenant-instance';

/** Properties of a {@link ProviderAccess}. */
export interface ProviderAccessProps {
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
 * a ClusterRole bound by a RoleBinding in each tenant namespace (present and future), and the
 * right to create and delete only namespaces labelled with the offering, enforced by a
 * ValidatingAdmissionPolicy. Never cluster-admin, no wildcard verbs or resources.
 */
export class ProviderAccess extends Chart {
  /** Names of the provider's ServiceAccount and roles. */
  public readonly identity: ProviderIdentity;
  private readonly accessId: string;

  constructor(scope: Construct, id: string, props: ProviderAccessProps) {
    const namespace = props.namespace ?? providerNamespace(props.offering.offeringName);
    const serviceAccount = props.serviceAccountName ?? 'provider';
    validateProviderAccess(id, namespace, serviceAccount);
    validateAccessFileId('provider access', id);
    assertFreeId(scope, id, 'provider access');
    const existing = props.offering.providers.find((p) => p.identity.namespace === namespace && p.identity.serviceAccount === serviceAccount);
    if (existing) {
      // the roles, bindings and admission policy are named after the identity
      throw new SaaSplaneError(`provider access "${id}" cannot be added`, [
        `offering "${props.offering.offeringName}" already has the provider access "${existing.node.id}" for the ServiceAccount ${namespace}/${serviceAccount}: `
        + 'use it, or give this one another serviceAccountName or namespace',
      ]);
    }
    super(scope, id, { disableResourceNameHashes: true });
    this.accessId = id;
    this.identity = providerIdentity(props.offering.offeringName, namespace, serviceAccount);
    placeInFile(this, props.offering.sharedFile(SHARED_FILES.provider(id)));
    const defaultNamespace = namespace === providerNamespace(props.offering.offeringName);
    emitObjects(this, planProviderShared(this.identity, props.createNamespace ?? !defaultNamespace, props.offering.spec.podSecurity,
      Object.keys(props.offering.spec.plans)));
    props.offering._registerProvider(this);
  }

  /** @internal adds the RoleBinding into a tenant namespace; called for existing and future tenants */
  public _bindTenant(tenant: TenantInstance): void {
    const scope = new Construct(tenant, `ProviderAccess.${this.accessId}`);
    placeInFile(scope, tenant.file(TENANT_FILES.providerAccess(this.accessId)));
    emitObjects(scope, [planProviderBinding(this.identity, tenant.resolved)]);
  }
}
