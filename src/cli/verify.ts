// `saasplane verify`: proves an offering's isolation on a live cluster, as an attacker would. It
// issues short-lived tokens for the provider and each tenant's consumer identity (TokenRequest),
// tries every escalation path the threat model lists as that identity, and records what the API
// server answered. Every write is a server-side dry run (`dryRun=All`): authorization and admission
// (RBAC, Pod Security, ValidatingAdmissionPolicies, quota) decide as for a real request, and
// nothing is changed even when a check fails.
import * as fs from 'fs';
import * as path from 'path';
import {
  LABEL_ACCESS, LABEL_OFFERING, LABEL_PLAN, LABEL_TENANT, providerNamespace, PSA_ENFORCE, RESTARTED_AT, tenantNamespace,
} from '../core';
import { KubeClient, KubeResponse, responseMessage } from './kube-client';
import { accessAccounts } from './kubeconfig';

/** Who a check acts as. */
export type CheckIdentity = 'provider' | 'consumer' | 'cluster-admin';

/** One check: what was tried, what had to happen, what the API server answered. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly identity: CheckIdentity;
  /** `refused` (by the control named) or `allowed`. */
  readonly expected: string;
  readonly observed: string;
  /** The request and the API server's answer. */
  readonly evidence: string;
  readonly passed: boolean;
}

/** The report of one tenant. */
export interface TenantReport {
  readonly offering: string;
  readonly tenant: string;
  readonly namespace: string;
  readonly server: string;
  readonly verifiedAt: string;
  readonly passed: boolean;
  readonly checks: CheckResult[];
}

/** What {@link verifyOffering} verifies, and as whom. */
export interface VerifyOptions {
  /** A client allowed to read the tenants and issue tokens (cluster admin, or the GitOps identity). */
  readonly admin: KubeClient;
  /** The offering's name. */
  readonly offering: string;
  /** Only this tenant. @default - every tenant namespace labelled with the offering */
  readonly tenant?: string;
  /** Write `<tenant>.json` and `<tenant>.md` here. @default - no files */
  readonly reportDir?: string;
  /** Lifetime of the tokens verify issues itself. @default 600 */
  readonly tokenSeconds?: number;
  /**
   * The provider ServiceAccount in `<offering>-system` to attack as, when the offering has several.
   * @default - the only one, else "provider"
   */
  readonly provider?: string;
}

/** Refusals come as 403 (RBAC, Pod Security, quota) or 422 (admission policies); `reason` must match the message. */
interface Expectation {
  readonly allowed?: boolean;
  readonly control: string;
  readonly reason?: RegExp;
}

const DRY_RUN = 'dryRun=All';

/** Verify cannot run: the offering, tenant or identities are not on the cluster, or the caller may not read them. */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** Runs every check for the offering's tenants; writes reports when asked. */
export async function verifyOffering(options: VerifyOptions): Promise<TenantReport[]> {
  const { admin, offering } = options;
  const selector = encodeURIComponent(`${LABEL_OFFERING}=${offering},${LABEL_TENANT}`);
  const listed = await admin.get(`/api/v1/namespaces?labelSelector=${selector}`);
  if (listed.status !== 200) {
    throw new VerifyError(`cannot list the namespaces of offering "${offering}" (HTTP ${listed.status}: ${responseMessage(listed)}): verify needs a cluster-admin kubeconfig`);
  }
  const tenants: Array<{ tenant: string; namespace: string }> = (listed.body.items ?? [])
    .map((ns: any) => ({ tenant: ns.metadata.labels[LABEL_TENANT], namespace: ns.metadata.name }))
    .sort((a: { tenant: string }, b: { tenant: string }) => a.tenant.localeCompare(b.tenant));
  const chosen = options.tenant === undefined ? tenants : tenants.filter((t) => t.tenant === options.tenant);
  if (chosen.length === 0) {
    throw new VerifyError(options.tenant === undefined
      ? `offering "${offering}" has no tenant namespaces on ${admin.server}: apply its output first`
      : `tenant "${options.tenant}" of offering "${offering}" has no namespace ${tenantNamespace(offering, options.tenant)} on ${admin.server}: check the name or apply its output`);
  }
  const seconds = options.tokenSeconds ?? 600;
  const provider = await identityClient(admin, providerNamespace(offering), await accessAccount(admin, providerNamespace(offering), 'provider', options.provider), seconds);
  const reports: TenantReport[] = [];
  for (const { tenant, namespace } of chosen) {
    const consumerAccount = await accessAccount(admin, namespace, 'consumer');
    const consumer = await identityClient(admin, namespace, consumerAccount, seconds);
    const other = tenants.find((t) => t.namespace !== namespace)?.namespace;
    const checks = new Checks();
    const placement = await planPlacement(admin, namespace);
    await providerChecks(checks, provider, admin, offering, namespace, consumerAccount);
    await podSecurityChecks(checks, provider, namespace, placement);
    await consumerChecks(checks, consumer, admin, namespace, other);
    await clusterChecks(checks, admin, offering, namespace);
    const report: TenantReport = {
      offering,
      tenant,
      namespace,
      server: admin.server,
      verifiedAt: new Date().toISOString(),
      passed: checks.results.every((c) => c.passed),
      checks: checks.results,
    };
    reports.push(report);
    if (options.reportDir) {
      writeReport(options.reportDir, report);
    }
  }
  return reports;
}

/** The plan's node placement, as saasplane put it on the tenant's workloads, for the probe pods. */
async function planPlacement(admin: KubeClient, namespace: string): Promise<Placement> {
  for (const kind of ['deployments', 'statefulsets']) {
    const res = await admin.get(`/apis/apps/v1/namespaces/${namespace}/${kind}`);
    const spec = res.body?.items?.[0]?.spec?.template?.spec;
    if (spec) {
      return { nodeSelector: spec.nodeSelector, tolerations: spec.tolerations };
    }
  }
  return {};
}

interface Placement { nodeSelector?: Record<string, string>; tolerations?: unknown[] }

/** The one ServiceAccount of saasplane's `kind` identity in `namespace`. */
async function accessAccount(admin: KubeClient, namespace: string, kind: 'provider' | 'consumer', chosen?: string): Promise<string> {
  const names = await accessAccounts(admin, namespace, kind);
  if (chosen !== undefined) {
    if (!names.includes(chosen)) {
      throw new VerifyError(`no ${kind} identity "${chosen}" in namespace ${namespace}: choose one of ${names.map((n) => `"${n}"`).join(', ') || '(none)'}`);
    }
    return chosen;
  }
  // several provider identities (a team and a pipeline): the default one, unless one is chosen
  if (kind === 'provider' && names.length > 1 && names.includes('provider')) {
    return 'provider';
  }
  if (names.length !== 1) {
    throw new VerifyError(names.length === 0
      ? `no ${kind} identity in namespace ${namespace} (a ServiceAccount labelled ${LABEL_ACCESS}=${kind}): add a ${kind === 'provider' ? 'ProviderAccess' : 'ConsumerAccess'} and apply it before verifying`
      : `namespace ${namespace} has several ${kind} identities (${names.join(', ')}): verify attacks as one of each; `
        + (kind === 'provider' ? 'choose one with --provider NAME' : 'keep one per tenant, or verify with --tenant on a copy'));
  }
  return names[0];
}

async function identityClient(admin: KubeClient, namespace: string, serviceAccount: string, seconds: number): Promise<KubeClient> {
  const res = await admin.create(`/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds },
  });
  const token = res.body?.status?.token;
  if (!token) {
    throw new VerifyError(`cannot issue a token for ServiceAccount ${namespace}/${serviceAccount} (HTTP ${res.status}: ${responseMessage(res)})`);
  }
  return new KubeClient({ server: admin.server, caPem: admin.options.caPem, token });
}

class Checks {
  public readonly results: CheckResult[] = [];

  /** Sends the request as `client` and records whether the answer met `expectation`. */
  public async attempt(
    id: string, title: string, identity: CheckIdentity, client: KubeClient, request: Request, expectation: Expectation,
  ): Promise<void> {
    const res: KubeResponse = await client.request(request.method, request.path, request.body, request.contentType);
    const ok = res.status >= 200 && res.status < 300;
    const message = ok ? `HTTP ${res.status}` : `HTTP ${res.status}: ${responseMessage(res)}`;
    const passed = expectation.allowed
      ? ok
      : (res.status === 403 || res.status === 422) && (!expectation.reason || expectation.reason.test(message));
    this.results.push({
      id,
      title,
      identity,
      expected: `${expectation.allowed ? 'allowed' : 'refused'} (${expectation.control})`,
      observed: ok ? 'allowed' : `refused: ${message}`,
      evidence: `${request.method} ${request.path}${request.body ? ` ${JSON.stringify(request.body)}` : ''} -> ${message}`,
      passed,
    });
  }

  /** Records a check computed from objects read by the administrator. */
  public record(id: string, title: string, expected: string, observed: string, evidence: string, passed: boolean): void {
    this.results.push({ id, title, identity: 'cluster-admin', expected, observed, evidence, passed });
  }
}

interface Request { method: string; path: string; body?: unknown; contentType?: string }

const get = (p: string): Request => ({ method: 'GET', path: p });
const create = (p: string, body: unknown): Request => ({ method: 'POST', path: `${p}?${DRY_RUN}`, body });
const mergePatch = (p: string, body: unknown): Request => ({ method: 'PATCH', path: `${p}?${DRY_RUN}`, body, contentType: 'application/merge-patch+json' });
const strategicPatch = (p: string, body: unknown): Request => ({ method: 'PATCH', path: `${p}?${DRY_RUN}`, body, contentType: 'application/strategic-merge-patch+json' });
const remove = (p: string): Request => ({ method: 'DELETE', path: `${p}?${DRY_RUN}` });

const RBAC: Expectation = { control: 'RBAC', reason: /forbidden/i };
const ADMISSION = (reason: RegExp): Expectation => ({ control: 'admission policy', reason });

async function providerChecks(
  checks: Checks, provider: KubeClient, admin: KubeClient, offering: string, ns: string, consumerAccount: string,
): Promise<void> {
  const nsPath = `/api/v1/namespaces/${ns}`;
  // what saasplane planned for the tenant, so that each probe breaks one rule only
  const labels: Record<string, string> = (await admin.get(nsPath)).body?.metadata?.labels ?? {};
  const ownHost: string = (await admin.get(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`)).body?.items?.[0]?.spec?.rules?.[0]?.host ?? 'verify-probe.invalid';
  const p = (id: string, title: string, request: Request, expectation: Expectation) => checks.attempt(`provider.${id}`, title, 'provider', provider, request, expectation);
  const labelGuard = ADMISSION(/may change no namespace label/);
  type NamespaceProbe = { apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> } };
  const tenantNs = (name: string, tenant: string, level: string): NamespaceProbe => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [LABEL_OFFERING]: offering, [LABEL_TENANT]: tenant, [PSA_ENFORCE]: level, [`${PSA_ENFORCE}-version`]: 'latest' } },
  });
  await p('list-namespaces', 'cannot list the cluster\'s namespaces', get('/api/v1/namespaces'), RBAC);
  await p('read-foreign-namespace', 'cannot read a namespace it is not bound in (kube-system)', get('/api/v1/namespaces/kube-system'), RBAC);
  await p('read-own-tenant', 'can read its tenant\'s namespace', get(nsPath), { allowed: true, control: 'RBAC' });
  await p('psa-privileged', 'cannot set pod-security enforce=privileged on a tenant namespace', mergePatch(nsPath, { metadata: { labels: { [PSA_ENFORCE]: 'privileged' } } }), labelGuard);
  await p('psa-remove', 'cannot remove the pod-security enforce label', mergePatch(nsPath, { metadata: { labels: { [PSA_ENFORCE]: null } } }), labelGuard);
  await p('relabel-tenant', 'cannot change the tenant label of a namespace', mergePatch(nsPath, { metadata: { labels: { [LABEL_TENANT]: 'other' } } }),
    ADMISSION(/may change no namespace label|never change/));
  const squat = tenantNs('ingress-nginx', 'x', 'restricted');
  delete squat.metadata.labels[LABEL_TENANT];
  await p('squat-namespace', 'cannot create a namespace outside <offering>-<tenant>, even carrying the offering label (squat ingress-nginx)',
    create('/api/v1/namespaces', squat), ADMISSION(/may only create tenant namespaces/));
  await p('privileged-namespace', 'cannot create a tenant namespace with a weaker pod security level',
    create('/api/v1/namespaces', tenantNs(`${offering}-verify-probe`, 'verify-probe', 'privileged')), ADMISSION(/enforce Pod Security/));
  await p('provider-namespace-collision', 'cannot create a tenant namespace named like another offering\'s provider namespace',
    create('/api/v1/namespaces', tenantNs(`${offering}-a-system`, 'a-system', 'restricted')), ADMISSION(/may only create tenant namespaces/));
  await p('delete-system-namespace', `cannot delete ${providerNamespace(offering)}`, remove(`/api/v1/namespaces/${providerNamespace(offering)}`), RBAC);
  await p('legacy-token-secret', 'cannot create a Secret of type kubernetes.io/service-account-token (a token without expiry) for the consumer',
    create(`${nsPath}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'verify-probe-token', annotations: { 'kubernetes.io/service-account.name': consumerAccount } },
    }), ADMISSION(/service-account-token/));
  await p('token-request', 'cannot mint a token for the consumer\'s ServiceAccount (TokenRequest)',
    create(`${nsPath}/serviceaccounts/${consumerAccount}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }), RBAC);
  await p('bind-cluster-admin', 'cannot bind cluster-admin in a tenant namespace', create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'verify-probe' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: consumerAccount, namespace: ns }],
  }), RBAC);
  await guardrailChecks(p, ns);
  await p('read-kube-system-secrets', 'cannot read secrets outside its tenants (kube-system)', get('/api/v1/namespaces/kube-system/secrets'), RBAC);
  const service = (spec: object) => create(`${nsPath}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'verify-probe' }, spec });
  await p('nodeport-service', 'cannot create a NodePort Service', service({ type: 'NodePort', ports: [{ port: 80 }], selector: { app: 'x' } }),
    { control: 'admission policy and quota', reason: /NodePort|nodeports/ });
  await p('loadbalancer-service', 'cannot create a LoadBalancer Service', service({ type: 'LoadBalancer', ports: [{ port: 80 }], selector: { app: 'x' } }),
    { control: 'admission policy and quota', reason: /LoadBalancer|loadbalancers/ });
  await p('external-ips', 'cannot create a Service with externalIPs (CVE-2020-8554)', service({ ports: [{ port: 80 }], selector: { app: 'x' }, externalIPs: ['203.0.113.7'] }),
    ADMISSION(/externalIPs/));
  await p('external-name', 'cannot create an ExternalName Service', service({ type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' }),
    ADMISSION(/ExternalName/));
  await p('volume-name', 'cannot claim a PersistentVolume by name (another tenant\'s released volume)', create(`${nsPath}/persistentvolumeclaims`, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'verify-probe' },
    spec: { accessModes: ['ReadWriteOnce'], volumeName: 'someone-elses-volume', resources: { requests: { storage: '1Gi' } } },
  }), { control: 'admission policy', reason: /volumeName|storage classes/ });
  const ingress = (metadata: object, host: string) => create(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'verify-probe', ...metadata },
    spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'x', port: { number: 80 } } } }] } }] },
  });
  await p('ingress-foreign-host', 'cannot route a host outside the offering\'s domains', ingress({}, 'login.example.org'), ADMISSION(/hosts in|no ingressDomains/));
  await p('ingress-wildcard-host', 'cannot route a wildcard host', ingress({}, '*.example.org'), ADMISSION(/hosts in|no ingressDomains/));
  const controllerAnnotation = ADMISSION(/ingress controller annotations/);
  await p('ingress-snippet', 'cannot configure the shared ingress controller through snippet annotations',
    ingress({ annotations: { 'nginx.ingress.kubernetes.io/server-snippet': 'location /x { return 200; }' } }, ownHost), controllerAnnotation);
  await p('ingress-alias', 'cannot serve other hosts through controller annotations (server-alias)',
    ingress({ annotations: { 'nginx.ingress.kubernetes.io/server-alias': 'login.bank.example' } }, ownHost), controllerAnnotation);
  await p('ingress-auth-url', 'cannot make the shared controller call internal addresses (auth-url to 169.254.169.254)',
    ingress({ annotations: { 'nginx.ingress.kubernetes.io/auth-url': 'http://169.254.169.254/latest/meta-data/' } }, ownHost), controllerAnnotation);
  await p('pvc-selector', 'cannot pick another tenant\'s PersistentVolume with a claim selector', create(`${nsPath}/persistentvolumeclaims`, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'verify-probe' },
    spec: { accessModes: ['ReadWriteOnce'], selector: { matchLabels: { [LABEL_TENANT]: 'another' } }, resources: { requests: { storage: '1Gi' } } },
  }), { control: 'admission policy', reason: /selector|storage classes/ });
  const level = labels[PSA_ENFORCE] ?? 'restricted';
  const extraLabel = tenantNs(`${offering}-verifyprobe`, 'verifyprobe', level);
  Object.assign(extraLabel.metadata.labels, {
    [LABEL_PLAN]: labels[LABEL_PLAN] ?? '', 'pod-security.kubernetes.io/audit': level, 'pod-security.kubernetes.io/warn': level, 'role': 'ingress',
  });
  await p('namespace-extra-label', 'cannot create a tenant namespace with labels other selectors match (role=ingress)', create('/api/v1/namespaces', extraLabel),
    ADMISSION(/saasplane's labels/));
  await p('namespace-annotation', 'cannot annotate a tenant namespace (e.g. default tolerations for admission plugins)',
    mergePatch(nsPath, { metadata: { annotations: { 'scheduler.alpha.kubernetes.io/defaultTolerations': '[{"operator":"Exists"}]' } } }), ADMISSION(/annotations/));
  await p('unknown-plan', 'cannot label a tenant namespace with a plan the offering does not have (its placement rules would not apply)',
    mergePatch(nsPath, { metadata: { labels: { [LABEL_PLAN]: 'none' } } }), ADMISSION(/one of its plans/));
  await p('write-servicemonitor', 'cannot write ServiceMonitors (they could scrape other namespaces or forge consumption labels)',
    create(`/apis/monitoring.coreos.com/v1/namespaces/${ns}/servicemonitors`, {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'verify-probe' }, spec: { selector: {}, namespaceSelector: { any: true }, endpoints: [] },
    }), RBAC);
  await p('namespace-finalizers', 'cannot add finalizers to a tenant namespace (they would keep it from being deleted)',
    mergePatch(nsPath, { metadata: { finalizers: ['verify.saasplane.io/probe'] } }), ADMISSION(/finalizers/));
}

type Attempt = (id: string, title: string, request: Request, expectation: Expectation) => Promise<void>;

/** Quota, limit range, network policies, RBAC: read-only for both identities. */
async function guardrailChecks(attempt: Attempt, ns: string): Promise<void> {
  await attempt('write-quota', 'cannot change the tenant\'s ResourceQuota', mergePatch(`/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`, { spec: { hard: { pods: '1000' } } }), RBAC);
  await attempt('write-limitrange', 'cannot change the tenant\'s LimitRange', remove(`/api/v1/namespaces/${ns}/limitranges/tenant-defaults`), RBAC);
  await attempt('delete-network-policy', 'cannot delete the default-deny NetworkPolicy', remove(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/default-deny`), RBAC);
  await attempt('create-network-policy', 'cannot add an allow-all NetworkPolicy', create(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'verify-probe' }, spec: { podSelector: {}, ingress: [{}], egress: [{}] },
  }), RBAC);
  await attempt('create-role', 'cannot create Roles', create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'verify-probe' }, rules: [],
  }), RBAC);
}

/** A pod that Pod Security `restricted`, the tenant guard and the quota admit; each check breaks one rule. */
function compliantPod(placement: Placement = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'verify-probe' },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
      ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
      containers: [{
        name: 'probe',
        image: 'registry.k8s.io/pause:3.10',
        imagePullPolicy: 'Always',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        resources: { requests: { 'cpu': '10m', 'memory': '16Mi', 'ephemeral-storage': '10Mi' }, limits: { 'cpu': '10m', 'memory': '16Mi', 'ephemeral-storage': '10Mi' } },
      }],
    },
  };
}

/** MTB Profile Level 1 pod rules, as the provider (who may create pods in its tenants' namespaces). */
async function podSecurityChecks(checks: Checks, provider: KubeClient, ns: string, placement: Placement): Promise<void> {
  const pods = `/api/v1/namespaces/${ns}/pods`;
  const pss: Expectation = { control: 'Pod Security restricted', reason: /violates PodSecurity/ };
  const variant = (change: (pod: any) => void) => {
    const pod = compliantPod(placement);
    change(pod);
    return create(pods, pod);
  };
  const c = (pod: any) => pod.spec.containers[0];
  const p = (id: string, title: string, request: Request, expectation: Expectation) => checks.attempt(`pod-security.${id}`, title, 'provider', provider, request, expectation);
  await p('compliant-pod', 'a restricted-compliant pod is admitted (the control for the refusals below)', variant(() => undefined), { allowed: true, control: 'all' });
  await p('privileged', 'privileged container refused', variant((pod) => { c(pod).securityContext = { privileged: true }; }), pss);
  await p('capabilities', 'added capabilities refused', variant((pod) => { c(pod).securityContext.capabilities.add = ['NET_ADMIN']; }), pss);
  await p('privilege-escalation', 'privilege escalation refused', variant((pod) => { c(pod).securityContext.allowPrivilegeEscalation = true; }), pss);
  await p('root', 'running as root refused', variant((pod) => { pod.spec.securityContext = { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } }; }), pss);
  await p('host-path', 'hostPath volume refused', variant((pod) => {
    pod.spec.volumes = [{ name: 'host', hostPath: { path: '/' } }];
    c(pod).volumeMounts = [{ name: 'host', mountPath: '/host' }];
  }), { control: 'Pod Security restricted and the tenant guard', reason: /violates PodSecurity|hostPath/ });
  await p('host-network', 'host network refused', variant((pod) => { pod.spec.hostNetwork = true; }), pss);
  await p('host-port', 'host ports refused', variant((pod) => { c(pod).ports = [{ containerPort: 8080, hostPort: 8080 }]; }), pss);
  await p('host-pid', 'host PID namespace refused', variant((pod) => { pod.spec.hostPID = true; }), pss);
  await p('host-ipc', 'host IPC namespace refused', variant((pod) => { pod.spec.hostIPC = true; }), pss);
  await p('image-pull-policy', 'imagePullPolicy other than Always refused (MTB CC-DI-1)', variant((pod) => { c(pod).imagePullPolicy = 'IfNotPresent'; }),
    ADMISSION(/imagePullPolicy: Always/));
  await p('ephemeral-storage', 'a pod requesting 500Gi of ephemeral storage is refused by the quota', variant((pod) => {
    c(pod).resources.requests['ephemeral-storage'] = '500Gi';
    c(pod).resources.limits['ephemeral-storage'] = '500Gi';
  }), { control: 'ResourceQuota', reason: /exceeded quota/ });
  await p('system-priority', 'a pod with the system-node-critical priority class is refused (it would preempt other tenants)',
    variant((pod) => { pod.spec.priorityClassName = 'system-node-critical'; }), { control: 'tenant guard or Priority admission', reason: /system priority classes|not permitted|forbidden/i });
  await p('node-name', 'a pod pinned to a node (nodeName) is refused', variant((pod) => { pod.spec.nodeName = 'any-node'; }), ADMISSION(/nodeName/));
  await p('tolerate-all', 'a pod tolerating every taint is refused (it could run on other tenants\' dedicated nodes)',
    variant((pod) => { pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { operator: 'Exists' }]; }), ADMISSION(/tolerations/));
  await p('priority-class', 'a pod with a priority class the offering does not declare is refused',
    variant((pod) => { pod.spec.priorityClassName = 'verify-probe-high'; }), { control: 'tenant guard or Priority admission', reason: /priority class|PriorityClass/ });
  await p('unschedulable-toleration', 'a pod tolerating cordoned nodes (node.kubernetes.io/unschedulable) is refused',
    variant((pod) => { pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }]; }), ADMISSION(/tolerations/));
  await p('scheduler', 'a pod with another scheduler is refused', variant((pod) => { pod.spec.schedulerName = 'my-scheduler'; }), ADMISSION(/default scheduler/));
}

async function consumerChecks(
  checks: Checks, consumer: KubeClient, admin: KubeClient, ns: string, otherNamespace: string | undefined,
): Promise<void> {
  const c = (id: string, title: string, request: Request, expectation: Expectation) => checks.attempt(`consumer.${id}`, title, 'consumer', consumer, request, expectation);
  await c('list-namespaces', 'cannot list the cluster\'s namespaces', get('/api/v1/namespaces'), RBAC);
  await c('list-nodes', 'cannot list cluster-scoped resources (nodes)', get('/api/v1/nodes'), RBAC);
  await c('read-pods', 'can read its pods', get(`/api/v1/namespaces/${ns}/pods`), { allowed: true, control: 'RBAC' });
  if (otherNamespace) {
    await c('other-tenant', `cannot read another tenant's pods (${otherNamespace})`, get(`/api/v1/namespaces/${otherNamespace}/pods`), RBAC);
  }
  await c('read-secrets', 'cannot read secrets', get(`/api/v1/namespaces/${ns}/secrets`), RBAC);
  await c('namespace-labels', 'cannot change its namespace\'s labels', mergePatch(`/api/v1/namespaces/${ns}`, { metadata: { labels: { [PSA_ENFORCE]: 'privileged' } } }), RBAC);
  await guardrailChecks(c, ns);
  await c('create-pod', 'cannot create pods', create(`/api/v1/namespaces/${ns}/pods`, compliantPod()), RBAC);
  await c('exec', 'cannot exec into pods', create(`/api/v1/namespaces/${ns}/pods/any/exec`, {}), RBAC);
  await c('token-request', 'cannot mint ServiceAccount tokens', create(`/api/v1/namespaces/${ns}/serviceaccounts/default/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {},
  }), RBAC);

  const deployments = await admin.get(`/apis/apps/v1/namespaces/${ns}/deployments`);
  const deployment = deployments.body?.items?.[0];
  if (!deployment) {
    checks.record('consumer.restart-guard', 'workload patches are limited to restarts', 'a Deployment to try them on', 'no Deployment in the namespace',
      `GET deployments in ${ns} -> ${deployments.status}`, false);
    return;
  }
  const target = `/apis/apps/v1/namespaces/${ns}/deployments/${deployment.metadata.name}`;
  const container = deployment.spec.template.spec.containers[0].name;
  const restartOnly = ADMISSION(/may only restart them/);
  // placement and priority are also refused by the tenant guard, for every identity
  const restartOrPlacement = ADMISSION(/may only restart them|priority classes|plan's tolerations|pinned to a node|plan's nodes/);
  const template = (spec: object) => strategicPatch(target, { spec: { template: { spec } } });
  await c('restart', `can restart Deployment ${deployment.metadata.name} (kubectl rollout restart)`,
    strategicPatch(target, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: new Date().toISOString() } } } } }), { allowed: true, control: 'RBAC and the restart guard' });
  await c('mount-secret', 'cannot mount a Secret into a workload through a patch', template({
    volumes: [{ name: 'stolen', secret: { secretName: 'shop-db-credentials' } }],
    containers: [{ name: container, volumeMounts: [{ name: 'stolen', mountPath: '/stolen' }] }],
  }), restartOnly);
  await c('image', 'cannot change a workload\'s image', template({ containers: [{ name: container, image: 'docker.io/attacker/exfil:1' }] }), restartOnly);
  await c('service-account', 'cannot run a workload as another ServiceAccount', template({ serviceAccountName: 'default', automountServiceAccountToken: true }), restartOnly);
  await c('priority', 'cannot give a workload the system-node-critical priority', template({ priorityClassName: 'system-node-critical' }), restartOrPlacement);
  await c('node-selector', 'cannot move a workload off its plan\'s nodes (nodeSelector)', template({ nodeSelector: { 'kubernetes.io/hostname': 'any' } }), restartOrPlacement);
  await c('tolerations', 'cannot add tolerations', template({ tolerations: [{ operator: 'Exists' }] }), restartOrPlacement);
  await c('node-name', 'cannot pin a workload to a node (nodeName)', template({ nodeName: 'any' }), restartOrPlacement);
  await c('scale', 'cannot change the replicas', strategicPatch(target, { spec: { replicas: 50 } }), restartOnly);
  await c('owner-references', 'cannot hand a workload to the garbage collector (ownerReferences)', mergePatch(target, {
    metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000002' }] },
  }), restartOnly);
  await c('pause', 'cannot pause a workload\'s rollouts', mergePatch(target, { spec: { paused: true } }), restartOnly);
  await c('annotations', 'cannot change a workload\'s annotations (e.g. take over its Helm release)',
    mergePatch(target, { metadata: { annotations: { 'meta.helm.sh/release-name': 'other' } } }), restartOnly);
  const statefulSets = await admin.get(`/apis/apps/v1/namespaces/${ns}/statefulsets`);
  const statefulSet = statefulSets.body?.items?.[0]?.metadata?.name;
  if (statefulSet) {
    const sts = `/apis/apps/v1/namespaces/${ns}/statefulsets/${statefulSet}`;
    await c('statefulset-ordinals', `cannot move StatefulSet ${statefulSet} onto new, empty claims (ordinals)`, mergePatch(sts, { spec: { ordinals: { start: 7 } } }), restartOnly);
    await c('statefulset-retention', `cannot make StatefulSet ${statefulSet} delete its claims`,
      mergePatch(sts, { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } } }), restartOnly);
  }
}

/** What the administrator can read: the guardrails are in place, and a namespace's identity is fixed for everyone. */
async function clusterChecks(checks: Checks, admin: KubeClient, offering: string, ns: string): Promise<void> {
  const quota = await admin.get(`/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`);
  const hard: Record<string, string> = quota.body?.spec?.hard ?? {};
  const required = ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory', 'requests.ephemeral-storage', 'limits.ephemeral-storage',
    'requests.storage', 'pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas',
    'count/replicasets.apps', 'count/deployments.apps', 'count/statefulsets.apps', 'count/jobs.batch', 'count/cronjobs.batch',
    'count/ingresses.networking.k8s.io', 'count/serviceaccounts', 'services.nodeports', 'services.loadbalancers'];
  const missing = required.filter((k) => !(k in hard));
  checks.record('cluster.quota', 'quotas cover cpu, memory, ephemeral storage, storage and the MTB object counts', `all of ${required.join(', ')}`,
    missing.length === 0 ? 'all present' : `missing ${missing.join(', ')}`, `ResourceQuota ${ns}/tenant-quota hard: ${JSON.stringify(hard)}`, quota.status === 200 && missing.length === 0);
  const namespace = await admin.get(`/api/v1/namespaces/${ns}`);
  const level = namespace.body?.metadata?.labels?.[PSA_ENFORCE];
  checks.record('cluster.pod-security', 'the namespace enforces Pod Security', 'restricted (or the offering\'s level)', String(level),
    `Namespace ${ns} labels: ${JSON.stringify(namespace.body?.metadata?.labels ?? {})}`, level === 'restricted' || level === 'baseline');
  const policy = await admin.get(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/default-deny`);
  const types: string[] = policy.body?.spec?.policyTypes ?? [];
  const denies = policy.status === 200 && JSON.stringify(policy.body.spec.podSelector) === '{}' && types.includes('Ingress') && types.includes('Egress')
    && !policy.body.spec.ingress && !policy.body.spec.egress;
  checks.record('cluster.default-deny', 'traffic is denied by default, both ways', 'default-deny selecting every pod for Ingress and Egress', denies ? 'present' : 'absent or weakened',
    `NetworkPolicy ${ns}/default-deny: ${JSON.stringify(policy.body?.spec ?? policy.status)}`, denies);
  await checks.attempt('cluster.blocking-pdb', 'no one can add a PodDisruptionBudget that forbids every eviction (it would stall node drains)', 'cluster-admin', admin,
    create(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'verify-probe' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'x' } } },
    }), ADMISSION(/forbid every eviction/));
  await checks.attempt('cluster.namespace-identity', 'even an administrator cannot move a tenant namespace to another offering', 'cluster-admin', admin,
    mergePatch(`/api/v1/namespaces/${ns}`, { metadata: { labels: { [LABEL_OFFERING]: `${offering}-other` } } }), ADMISSION(/never change/));
}

/** Writes `<tenant>.json` and `<tenant>.md` into `dir`. */
export function writeReport(dir: string, report: TenantReport): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${report.tenant}.json`), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, `${report.tenant}.md`), markdownReport(report));
}

/** A report an auditor can read: one row per check. */
export function markdownReport(report: TenantReport): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const failed = report.checks.filter((c) => !c.passed).length;
  return [
    `# saasplane verify: tenant "${report.tenant}" of offering "${report.offering}"`,
    '',
    `Namespace \`${report.namespace}\` on ${report.server}, verified ${report.verifiedAt}: `
      + `**${report.passed ? 'PASSED' : 'FAILED'}** (${report.checks.length - failed} of ${report.checks.length} checks passed).`,
    'Writes were sent as server-side dry runs: the API server authorized and admitted them as real requests, and changed nothing.',
    '',
    '| | check | identity | expected | observed | evidence |',
    '|---|---|---|---|---|---|',
    ...report.checks.map((c) => `| ${c.passed ? 'pass' : '**FAIL**'} | ${cell(c.title)} (\`${c.id}\`) | ${c.identity} | ${cell(c.expected)} | ${cell(c.observed)} | ${cell(c.evidence)} |`),
    '',
  ].join('\n');
}
