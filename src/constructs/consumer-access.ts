import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ConsumerAccessOptions, ObjectGroup, PlannedObject, planConsumer, validateAccessFileId, validateConsumerAccess } from '../core';
import { emitPlanned, ownObjectsUnder } from './emit';
import { assertFreeId, assertFreeAccessId } from './name-claims';
import type { TenantInstance } from './tenant-instance';

/** Properties of a {@link ConsumerAccess}: the core's {@link ConsumerAccessOptions} and the tenant. */
export interface ConsumerAccessProps extends ConsumerAccessOptions {
  /** The tenant whose users this identity serves. */
  readonly tenant: TenantInstance;
}

/**
 * The tenant's own users: a ServiceAccount, Role and RoleBinding in the tenant namespace only.
 * They may read pods, logs, services and events, port-forward and restart workloads; they cannot
 * change quotas, limit ranges, network policies or RBAC, nor see outside their namespace.
 */
export class ConsumerAccess extends Chart {
  /** Name of the ServiceAccount (and Role, RoleBinding). */
  public readonly serviceAccountName: string;
  /** The tenant namespace. */
  public readonly namespaceName: string;
  /** The planned ServiceAccount, Role and RoleBinding, as emitted. */
  public readonly planned: readonly PlannedObject[];

  constructor(scope: Construct, id: string, props: ConsumerAccessProps) {
    const name = props.name ?? id;
    const tenant = props.tenant;
    validateConsumerAccess(id, name, props.users, props.groups);
    validateAccessFileId('consumer access', id);
    assertFreeId(scope, id, 'consumer access');
    const claimId = assertFreeAccessId(scope, tenant.tenantName, tenant.offering.offeringName, id);
    const planned = planConsumer(tenant.resolved, id, { name, users: props.users, groups: props.groups }, tenant.offering.transform);
    super(scope, id, { namespace: tenant.namespaceName, disableResourceNameHashes: true });
    claimId();
    this.serviceAccountName = name;
    this.namespaceName = tenant.namespaceName;
    this.planned = planned;
    ownObjectsUnder(this, { offering: tenant.offering.offeringName, tenant: tenant.tenantName, access: id }, ObjectGroup.CONSUMER_ACCESS);
    emitPlanned(this, planned, false);
  }
}
