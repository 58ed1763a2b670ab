import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { planConsumerAccess, validateAccessFileId, validateConsumerAccess } from '../core';
import { emitObjects } from './emit';
import { assertFreeFile, assertFreeId } from './name-claims';
import { placeInFile, TENANT_FILES } from './output-layout';
import type { TenantInstance } from './tenant-instance';

/** Properties of a {@link ConsumerAccess}. */
export interface ConsumerAccessProps {
  /** The tenant whose users this identity serves. */
  readonly tenant: TenantInstance;
  /** Name of the ServiceAccount, Role and RoleBinding. @default - the construct id */
  readonly name?: string;
  /** Users (from the cluster's authenticator, e.g. OIDC) bound to the role as well. @default - none */
  readonly users?: string[];
  /** Groups bound to the role as well. @default - none */
  readonly groups?: string[];
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

  constructor(scope: Construct, id: string, props: ConsumerAccessProps) {
    const name = props.name ?? id;
    validateConsumerAccess(id, name, props.users, props.groups);
    validateAccessFileId('consumer access', id);
    assertFreeId(scope, id, 'consumer access');
    const file = props.tenant.file(TENANT_FILES.consumerAccess(id));
    const claimFile = assertFreeFile(scope, file, `consumer access "${id}"`);
    super(scope, id, { namespace: props.tenant.namespaceName, disableResourceNameHashes: true });
    claimFile();
    this.serviceAccountName = name;
    this.namespaceName = props.tenant.namespaceName;
    placeInFile(this, file);
    emitObjects(this, planConsumerAccess(props.tenant.resolved, { name, users: props.users, groups: props.groups }));
  }
}
