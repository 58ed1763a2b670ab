/** Label keys saasplane puts on everything it owns. */
export const LABEL_OFFERING = 'saasplane.io/offering';
export const LABEL_TENANT = 'saasplane.io/tenant';
export const LABEL_PLAN = 'saasplane.io/plan';
/** The namespace label that tells a tenant's state (absent: active); the provider may change it, as the plan. */
export const LABEL_STATE = 'saasplane.io/state';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** On the ServiceAccounts of identities: `provider` or `consumer`. */
export const LABEL_ACCESS = 'saasplane.io/access';
export const MANAGED_BY = 'saasplane';
/** The Pod Security Admission label that decides what pods a namespace admits. */
export const PSA_ENFORCE = 'pod-security.kubernetes.io/enforce';

/** The RoleBinding of the provider's ClusterRole in each tenant namespace. */
export const PROVIDER_BINDING_NAME = 'saasplane-provider';

/** Kubernetes limits a namespace name (RFC 1123 label) to 63 characters. */
export const MAX_NAMESPACE_LENGTH = 63;
/** Helm limits release names to 53 characters. */
export const MAX_RELEASE_NAME_LENGTH = 53;
/** Offering names stay short so that tenants keep a useful share of the namespace budget. */
export const MAX_OFFERING_NAME_LENGTH = 30;

/**
 * Tenant names that would collide with namespaces saasplane itself uses:
 * `<offering>-system` holds the provider's identity.
 */
export const RESERVED_TENANT_NAMES: readonly string[] = ['system'];

/**
 * Tenant names may not end with this, so that no tenant namespace looks like an offering's own
 * `<offering>-system` (offering names have no '-', so none can collide today: defence in depth
 * for namespaces made by older versions or by hand).
 */
export const RESERVED_TENANT_SUFFIX = '-system';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when `value` is an RFC 1123 DNS label of at most `maxLength` characters. */
export function isDnsLabel(value: unknown, maxLength = 63): value is string {
  return typeof value === 'string' && value.length <= maxLength && DNS_LABEL.test(value);
}

/** Describes why `value` is not a DNS label, naming the value; undefined when it is one. */
export function dnsLabelProblem(what: string, value: unknown, maxLength: number, why = ''): string | undefined {
  if (isDnsLabel(value, maxLength)) {
    return undefined;
  }
  return `${what} ${JSON.stringify(value)} is not a valid DNS label: use lowercase letters, digits and '-', `
    + `starting and ending with a letter or digit, at most ${maxLength} characters${why}`;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `value` is a lowercase DNS name (RFC 1123 subdomain, no wildcard, no trailing dot). */
export function isDnsName(value: unknown): value is string {
  return typeof value === 'string' && DNS_NAME.test(value) && value.split('.').every((label) => label.length <= 63);
}

/** True when `host` is `domain` or a name under it. */
export function isInDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** The longest tenant name an offering allows: `<offering>-<tenant>` must be a namespace name and the tenant a release name. */
export function maxTenantNameLength(offering: string): number {
  return Math.min(MAX_NAMESPACE_LENGTH - offering.length - 1, MAX_RELEASE_NAME_LENGTH);
}

/** The namespace of one tenant instance. */
export function tenantNamespace(offering: string, tenant: string): string {
  return `${offering}-${tenant}`;
}

/** The namespace holding an offering's provider identity. */
export function providerNamespace(offering: string): string {
  return `${offering}-system`;
}

/** Labels on every object saasplane emits for a tenant. */
export function tenantLabels(offering: string, tenant: string, plan: string): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_OFFERING]: offering,
    [LABEL_PLAN]: plan,
    [LABEL_TENANT]: tenant,
  };
}

/**
 * Labels on pod templates. The plan is left out on purpose: a plan change must not restart
 * every pod of the tenant (the namespace carries the plan for metrics).
 */
export function podLabels(offering: string, tenant: string): Record<string, string> {
  return { [LABEL_OFFERING]: offering, [LABEL_TENANT]: tenant };
}

/** Labels on offering-level objects. */
export function offeringLabels(offering: string): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_OFFERING]: offering };
}

// The rules of apimachinery's IsQualifiedName and IsValidLabelValue.
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_RULES = 'letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit, at most 63 characters';

/** Why `key` is not a label key (`[prefix/]name`, the prefix a DNS name); undefined when it is one. */
function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsName(prefix)) {
    return `its prefix ${JSON.stringify(prefix)} is not a lowercase DNS name such as "example.com"`;
  }
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return `its name ${JSON.stringify(name)} must be ${LABEL_RULES}`;
  }
  return undefined;
}

/** True when `value` is a label value: empty, or at most 63 letters, digits, '-', '_' and '.' starting and ending alphanumeric. */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && (value === '' || (value.length <= 63 && LABEL_NAME.test(value)));
}

/**
 * Problems of a map of labels (or of a label selector's matchLabels) the API server would refuse,
 * each naming `field`, the entry and the rule; empty when every key and value is valid.
 */
export function labelMapProblems(field: string, labels: unknown): string[] {
  if (labels === undefined) {
    return [];
  }
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    return [`${field} ${JSON.stringify(labels)} is not a map of labels: write it like { "app.kubernetes.io/name": "web" }`];
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) {
      problems.push(`${field} key ${JSON.stringify(key)} is not a label key: ${keyProblem}`);
    }
    if (!isLabelValue(value)) {
      problems.push(`${field} value ${JSON.stringify(value)} of ${JSON.stringify(key)} is not a label value: write a string of ${LABEL_RULES}, or ""`);
    }
  }
  return problems;
}

/**
 * Label and annotation keys only saasplane sets: they decide isolation (Pod Security, the
 * admission policies' offering and tenant match) or ownership, so extra metadata may not set them.
 */
export function isReservedMetadataKey(key: string): boolean {
  return key === LABEL_MANAGED_BY || key.startsWith('saasplane.io/') || key.startsWith('pod-security.kubernetes.io/');
}

/**
 * Problems of extra labels and annotations a provider puts on every object of an offering or a
 * tenant: valid keys and values, and none of the keys saasplane reserves.
 */
export function extraMetadataProblems(field: string, labels: unknown, annotations: unknown): string[] {
  const problems = labelMapProblems(`${field} labels`, labels);
  if (annotations !== undefined) {
    if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) {
      problems.push(`${field} annotations ${JSON.stringify(annotations)} is not a map of annotations: write it like { "example.com/owner": "team-a" }`);
    } else {
      for (const [key, value] of Object.entries(annotations)) {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) problems.push(`${field} annotations key ${JSON.stringify(key)} is not an annotation key: ${keyProblem}`);
        if (typeof value !== 'string') problems.push(`${field} annotations value of ${JSON.stringify(key)} must be a string, not ${JSON.stringify(value) ?? typeof value}`);
      }
    }
  }
  for (const [what, map] of [['labels', labels], ['annotations', annotations]] as const) {
    if (map && typeof map === 'object') {
      for (const key of Object.keys(map).filter(isReservedMetadataKey)) {
        problems.push(`${field} ${what} key ${JSON.stringify(key)} is reserved: saasplane sets it to keep tenants isolated; choose a key under your own prefix`);
      }
    }
  }
  return problems;
}
