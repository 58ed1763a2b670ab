// saasplane's invariants, checked on any set of Kubernetes objects, whoever planned them: the
// cdk8s validation plugin runs them on a synthesized app, the Pulumi transform on each resource
// as it is registered. Both report the same messages.
import type { KubeObject } from './kube';
import { LABEL_OFFERING, LABEL_PLAN, LABEL_TENANT } from './names';
import { QuotaLimits, quotaOverruns, Resource } from './plan-fit';

/** The invariants, by rule name. */
export enum InvariantRule {
  /** Every Namespace carries `saasplane.io/offering` (and a tenant's, `saasplane.io/tenant`). */
  NAMESPACE_LABELS = 'saasplane-namespace-labels',
  /** Every tenant namespace denies all traffic by default, before any pod can run in it. */
  DEFAULT_DENY = 'saasplane-default-deny',
  /** No Role or ClusterRole grants `*`, and nothing binds cluster-admin. */
  RBAC_WILDCARD = 'saasplane-rbac-wildcard',
  /** What a namespace's workloads request and claim fits its ResourceQuota. */
  PLAN_FIT = 'saasplane-plan-fit',
}

/** One broken invariant: the object it is about, what is wrong and how to fix it. */
export interface InvariantViolation {
  readonly rule: InvariantRule;
  readonly object: KubeObject;
  /** Where in the object, as a field path (`metadata.labels`, `rules[0].verbs`). */
  readonly location: string;
  readonly message: string;
  readonly fix: string;
}

/** Kinds that run pods: they must not land in a tenant namespace before its default-deny policy. */
const POD_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);
const ROLE_KINDS: ReadonlySet<string> = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS: ReadonlySet<string> = new Set(['RoleBinding', 'ClusterRoleBinding']);

interface NamespaceState {
  tenant?: string;
  defaultDeny: boolean;
  quotas: KubeObject[];
  limitRange?: KubeObject;
  /** Every other object of the namespace: what its quotas count. */
  members: KubeObject[];
  /** `<quota name>/<key>` already reported as overrun. */
  overrun: Set<string>;
}

/**
 * Checks objects one at a time, in the order they would be applied: `add` returns what the object
 * breaks given what was added before it, `finish` what the whole set still lacks (a tenant
 * namespace without its default-deny policy).
 */
export class InvariantChecker {
  private readonly namespaces = new Map<string, NamespaceState>();

  /** The violations `object` causes, given the objects added before it. */
  public add(object: KubeObject): InvariantViolation[] {
    const found: InvariantViolation[] = [];
    const name = object.metadata?.name;
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      const labels = object.metadata.labels ?? {};
      this.state(name).tenant = labels[LABEL_TENANT];
      if (!labels[LABEL_OFFERING]) {
        found.push({
          rule: InvariantRule.NAMESPACE_LABELS,
          object,
          location: 'metadata.labels',
          message: `Namespace "${name}" has no ${LABEL_OFFERING} label: the offering's admission guard and the provider's access do not cover it`,
          fix: 'create tenant namespaces with TenantInstance (or label the namespace with its offering), or move the objects into an offering\'s namespace',
        });
      }
    }
    if (ROLE_KINDS.has(object.kind) && isRbac(object)) {
      found.push(...wildcardRules(object));
    }
    if (BINDING_KINDS.has(object.kind) && isRbac(object)) {
      const roleRef = (object as { roleRef?: { kind?: string; name?: string } }).roleRef;
      if (roleRef?.kind === 'ClusterRole' && roleRef.name === 'cluster-admin') {
        found.push({
          rule: InvariantRule.RBAC_WILDCARD,
          object,
          location: 'roleRef',
          message: `${describe(object)} binds cluster-admin, which grants every verb on every resource`,
          fix: 'bind a role that lists the verbs and resources the subject needs (ProviderAccess and ConsumerAccess plan such roles)',
        });
      }
    }
    const namespace = object.metadata?.namespace;
    if (namespace === undefined || object.kind === 'Namespace') {
      return found;
    }
    const ns = this.state(namespace);
    if (object.kind === 'NetworkPolicy' && isDefaultDeny(object)) {
      ns.defaultDeny = true;
    }
    if (POD_KINDS.has(object.kind) && ns.tenant !== undefined && !ns.defaultDeny) {
      found.push({ rule: InvariantRule.DEFAULT_DENY, object, location: 'metadata.namespace', message: `${describe(object)} runs pods in ${noDefaultDeny(namespace, ns)}`, fix: DEFAULT_DENY_FIX });
    }
    if (object.kind === 'ResourceQuota' && object.apiVersion === 'v1') {
      ns.quotas.push(object);
    } else if (object.kind === 'LimitRange' && object.apiVersion === 'v1') {
      ns.limitRange = object;
    } else {
      ns.members.push(object);
    }
    for (const quota of ns.quotas) {
      // only the keys this object overruns first: the others were reported with the object that did it
      for (const { key, message } of quotaOverruns(quotaLimits(quota, ns.limitRange), ns.members)) {
        if (!ns.overrun.has(`${quota.metadata.name}/${key}`)) {
          ns.overrun.add(`${quota.metadata.name}/${key}`);
          found.push(fitViolation(object, message));
        }
      }
    }
    return found;
  }

  /**
   * What the objects added so far break as a whole: tenant namespaces (of `namespaceObjects`)
   * without a default-deny policy, and each quota against everything in its namespace.
   */
  public finish(namespaceObjects: ReadonlyMap<string, KubeObject>): InvariantViolation[] {
    return [...this.namespaces].flatMap(([name, ns]) => {
      const found: InvariantViolation[] = [];
      const namespace = namespaceObjects.get(name);
      if (namespace && ns.tenant !== undefined && !ns.defaultDeny) {
        found.push({ rule: InvariantRule.DEFAULT_DENY, object: namespace, location: 'metadata.name', message: `${noDefaultDeny(name, ns)}: its pods would accept and send any traffic`, fix: DEFAULT_DENY_FIX });
      }
      for (const quota of ns.quotas) {
        found.push(...quotaOverruns(quotaLimits(quota, ns.limitRange), ns.members).map(({ message }) => fitViolation(quota, message)));
      }
      return found;
    });
  }

  private state(namespace: string): NamespaceState {
    let ns = this.namespaces.get(namespace);
    if (!ns) {
      ns = { defaultDeny: false, quotas: [], members: [], overrun: new Set() };
      this.namespaces.set(namespace, ns);
    }
    return ns;
  }
}

/** Every violation in a set of objects (a synthesized app), in apply order: namespaces first, then the rest as given. */
export function checkInvariants(objects: readonly KubeObject[]): InvariantViolation[] {
  const checker = new InvariantChecker();
  const namespaces = objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1');
  // plan fit is judged on each namespace as a whole, in finish(), not object by object
  const found = [...namespaces, ...objects.filter((o) => !namespaces.includes(o))].flatMap((o) => checker.add(o))
    .filter((v) => v.rule !== InvariantRule.PLAN_FIT);
  return [...found, ...checker.finish(new Map(namespaces.map((n) => [n.metadata.name, n])))];
}

const DEFAULT_DENY_FIX = 'plan the tenant with TenantInstance, or add a NetworkPolicy "default-deny" with podSelector {} and policyTypes [Ingress, Egress] and no rules';

function fitViolation(object: KubeObject, message: string): InvariantViolation {
  return { rule: InvariantRule.PLAN_FIT, object, location: object.kind === 'ResourceQuota' ? 'spec.hard' : 'spec', message, fix: 'raise the plan\'s quota, or lower the replicas, requests or claim sizes in the plan\'s values' };
}

function noDefaultDeny(namespace: string, ns: NamespaceState): string {
  return `tenant namespace "${namespace}" (tenant "${ns.tenant}") without a default-deny NetworkPolicy before it`;
}

function isRbac(object: KubeObject): boolean {
  return object.apiVersion === 'rbac.authorization.k8s.io/v1';
}

function describe(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  return `${object.kind} "${ns ? `${ns}/` : ''}${object.metadata?.name}"`;
}

/** A policy selecting every pod that denies both ways: no ingress or egress rule at all. */
function isDefaultDeny(object: KubeObject): boolean {
  const spec = object.spec as { podSelector?: Record<string, unknown>; policyTypes?: string[]; ingress?: unknown[]; egress?: unknown[] } | undefined;
  const empty = (v: unknown) => v === undefined || (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0);
  const selectsAll = !!spec?.podSelector && Object.values(spec.podSelector).every(empty);
  const types = spec?.policyTypes ?? [];
  return selectsAll && types.includes('Ingress') && types.includes('Egress') && !(spec?.ingress?.length) && !(spec?.egress?.length);
}

function wildcardRules(object: KubeObject): InvariantViolation[] {
  const rules = (object as { rules?: Array<Record<string, string[] | undefined>> }).rules ?? [];
  return rules.flatMap((rule, index) => ['verbs', 'resources', 'apiGroups', 'nonResourceURLs']
    .filter((field) => (rule[field] ?? []).some((v) => v === '*' || (field !== 'apiGroups' && (v.endsWith('/*') || v.startsWith('*/')))))
    .map((field) => ({
      rule: InvariantRule.RBAC_WILDCARD,
      object,
      location: `rules[${index}].${field}`,
      message: `${describe(object)} rule ${index} grants ${field} "*": it covers whatever the API server adds later`,
      fix: `list the ${field} the role needs`,
    })));
}

function quotaLimits(quota: KubeObject, limitRange: KubeObject | undefined): QuotaLimits {
  const plan = quota.metadata.labels?.[LABEL_PLAN];
  type Limit = { type?: string; default?: Record<string, string>; defaultRequest?: Record<string, string> };
  const container = ((limitRange?.spec as { limits?: Limit[] })?.limits ?? [])
    .find((l) => l.type === 'Container');
  const pick = (values: Record<string, string> | undefined) => values as Partial<Record<Resource, string>> | undefined ?? {};
  return {
    holder: plan ? `plan "${plan}"` : `the ResourceQuota "${quota.metadata.namespace}/${quota.metadata.name}"`,
    hard: normalizedHard((quota.spec as { hard?: Record<string, string> })?.hard ?? {}),
    // as the LimitRange admission does: a request defaults to the default limit when only that is set
    defaultRequest: { ...pick(container?.default), ...pick(container?.defaultRequest) },
    defaultLimit: pick(container?.default),
  };
}

/** Quota keys with two spellings, as the key the fit check counts: `cpu` means `requests.cpu`, `count/services` means `services`. */
const QUOTA_KEY_ALIASES: Readonly<Record<string, string>> = {
  'cpu': 'requests.cpu',
  'memory': 'requests.memory',
  'ephemeral-storage': 'requests.ephemeral-storage',
  'count/pods': 'pods',
  'count/services': 'services',
  'count/configmaps': 'configmaps',
  'count/secrets': 'secrets',
  'count/persistentvolumeclaims': 'persistentvolumeclaims',
  'count/replicationcontrollers': 'replicationcontrollers',
};

function normalizedHard(hard: Record<string, string>): Record<string, string> {
  const normalized = { ...hard };
  for (const [alias, key] of Object.entries(QUOTA_KEY_ALIASES)) {
    if (hard[alias] !== undefined && hard[key] === undefined) {
      normalized[key] = hard[alias];
    }
  }
  return normalized;
}
