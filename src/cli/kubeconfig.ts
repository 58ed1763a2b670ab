// Kubeconfigs for saasplane's identities, issued from the live cluster with the TokenRequest API:
// a short-lived token of a ServiceAccount (the provider's in `<offering>-system`, or a tenant
// consumer's in `<offering>-<tenant>`), with the cluster's CA embedded. Nothing is synthesized:
// the output of the constructs holds no credentials.
import * as fs from 'fs';
import * as path from 'path';
import { KubeClient, KubeResponse, renderKubeconfig, responseMessage } from './kube-client';
import { LABEL_ACCESS, providerNamespace, tenantNamespace } from '../core/names';

/** TokenRequest's lower bound; the upper bound is saasplane's (a kubeconfig is for a working day). */
export const MIN_TOKEN_SECONDS = 600;
export const MAX_TOKEN_SECONDS = 24 * 3600;
export const DEFAULT_TOKEN_DURATION = '1h';
/** The provider identity's ServiceAccount unless named. */
export const DEFAULT_PROVIDER_ACCOUNT = 'provider';

/** A kubeconfig could not be issued: the message names the identity and the fix. */
export class KubeconfigIssueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigIssueError';
  }
}

/**
 * Parses a duration such as `1h`, `30m`, `3600s`, `1h30m` or `5400` (seconds) into seconds, and
 * checks it lies within 10m..24h.
 */
export function parseDuration(text: string): number {
  const value = text.trim();
  const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$|^(\d+)$/.exec(value);
  if (!value || !parts) {
    throw new KubeconfigIssueError(`duration ${JSON.stringify(text)} is not a duration: write it like 1h, 30m, 3600s or 1h30m`);
  }
  const [h, m, s, bare] = parts.slice(1).map((p) => Number(p ?? 0));
  const total = h * 3600 + m * 60 + s + bare;
  checkDuration(total, text);
  return total;
}

function checkDuration(seconds: number, shown: string): void {
  if (!Number.isInteger(seconds) || seconds < MIN_TOKEN_SECONDS || seconds > MAX_TOKEN_SECONDS) {
    throw new KubeconfigIssueError(`duration ${JSON.stringify(shown)} (${seconds} s) is out of range: choose from 10m to 24h`);
  }
}

export interface IssueKubeconfigOptions {
  /** The caller's client: needs `create` on `serviceaccounts/token` in `namespace`. */
  readonly client: KubeClient;
  /** The API server URL and CA written into the kubeconfig (default: the client's). */
  readonly server?: string;
  readonly caPem?: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly durationSeconds: number;
  /** default: the server's host and port, e.g. `127.0.0.1-6443` */
  readonly clusterName?: string;
  /** default: `<namespace>-<serviceAccount>` */
  readonly userName?: string;
  /** default: `<userName>@<clusterName>` */
  readonly contextName?: string;
  /** Who this identity is, for error messages, e.g. `consumer access of tenant "acme" of offering "shop"`. */
  readonly subject?: string;
  /** Also write the kubeconfig to this file (mode 0600). */
  readonly out?: string;
}

export interface IssuedKubeconfig {
  /** The kubeconfig, YAML. */
  readonly kubeconfig: string;
  readonly token: string;
  readonly expiresAt: Date;
  readonly namespace: string;
  readonly serviceAccount: string;
}

interface TokenRequestStatus { status?: { token?: string; expirationTimestamp?: string } }

/**
 * Asks the cluster for a token of `namespace/serviceAccount` valid for `durationSeconds`
 * (TokenRequest API) and returns a kubeconfig holding it, the cluster's CA and a context set to
 * the namespace. Errors name the ServiceAccount, the subject, and the fix.
 */
export async function issueKubeconfig(options: IssueKubeconfigOptions): Promise<IssuedKubeconfig> {
  const { client, namespace, serviceAccount } = options;
  checkDuration(options.durationSeconds, `${options.durationSeconds}s`);
  const server = options.server ?? client.server;
  const caPem = options.caPem ?? client.options.caPem;
  if (!caPem) {
    throw new KubeconfigIssueError(`no CA certificate for ${server}: pass the cluster's CA (the caller's kubeconfig has no certificate-authority-data)`);
  }
  const who = `ServiceAccount ${namespace}/${serviceAccount}${options.subject ? ` (${options.subject})` : ''}`;
  const res = await client.create<TokenRequestStatus>(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: options.durationSeconds } },
  );
  if (res.status === 404) {
    throw new KubeconfigIssueError(await notFoundMessage(client, namespace, who, options.subject));
  }
  if (res.status === 403) {
    throw new KubeconfigIssueError(`you may not issue tokens for ${who}: the caller needs verb "create" on resource "serviceaccounts/token" `
      + `in namespace ${namespace} (API: ${responseMessage(res)})`);
  }
  if (res.status === 401) {
    throw new KubeconfigIssueError(`the cluster at ${server} did not accept the caller's credentials (HTTP 401): check KUBECONFIG or --kubeconfig`);
  }
  const token = res.body?.status?.token;
  if (res.status !== 201 && res.status !== 200 || !token) {
    throw new KubeconfigIssueError(`the token request for ${who} failed (HTTP ${res.status}): ${responseMessage(res)}`);
  }
  const expiresAt = new Date(res.body.status?.expirationTimestamp ?? Date.now() + options.durationSeconds * 1000);
  const clusterName = options.clusterName ?? new URL(server).host.replace(/[^A-Za-z0-9.-]/g, '-');
  const userName = options.userName ?? `${namespace}-${serviceAccount}`;
  const kubeconfig = renderKubeconfig({ server, caPem, clusterName, userName, contextName: options.contextName, namespace, token });
  if (options.out) {
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    fs.writeFileSync(options.out, kubeconfig, { mode: 0o600 });
    fs.chmodSync(options.out, 0o600);
  }
  return { kubeconfig, token, expiresAt, namespace, serviceAccount };
}

async function notFoundMessage(client: KubeClient, namespace: string, who: string, subject?: string): Promise<string> {
  const ns = await client.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`).catch(() => undefined);
  if (ns?.status === 404) {
    return `namespace ${namespace}${subject ? ` of ${subject}` : ''} does not exist: check the names, or apply the offering's output to the cluster first`;
  }
  return `${who} does not exist: check the name, or apply the offering's output (the access objects) to the cluster first`;
}

/** Which identity `saasplane kubeconfig` issues for. */
export interface IdentitySelector {
  readonly offering: string;
  /** A tenant's consumer identity... */
  readonly tenant?: string;
  /** ...named (its ServiceAccount); default: the only consumer ServiceAccount of the tenant. */
  readonly access?: string;
  /** ...or the provider identity: true for the default ServiceAccount `provider`, or its name. */
  readonly provider?: boolean | string;
}

export interface ResolvedIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** e.g. `tenant "acme" of offering "shop"` */
  readonly subject: string;
}

/**
 * Maps offering/tenant/access names to a namespace and ServiceAccount: a tenant's consumer
 * access is the ServiceAccount in `<offering>-<tenant>` labelled `saasplane.io/access=consumer`
 * (never one of the chart's own); the provider is `<offering>-system/provider` unless named.
 */
export async function resolveIdentity(client: KubeClient, selector: IdentitySelector): Promise<ResolvedIdentity> {
  const { offering, tenant } = selector;
  if (selector.provider !== undefined && selector.provider !== false) {
    if (tenant !== undefined) {
      throw new KubeconfigIssueError('choose either a tenant (--tenant) or the provider (--provider), not both');
    }
    const serviceAccount = typeof selector.provider === 'string' ? selector.provider : DEFAULT_PROVIDER_ACCOUNT;
    return { namespace: providerNamespace(offering), serviceAccount, subject: `provider access "${serviceAccount}" of offering "${offering}"` };
  }
  if (tenant === undefined) {
    throw new KubeconfigIssueError('name the identity: --tenant NAME (a tenant\'s users) or --provider (the offering\'s provider)');
  }
  const namespace = tenantNamespace(offering, tenant);
  const subject = `tenant "${tenant}" of offering "${offering}"`;
  if (selector.access) {
    return { namespace, serviceAccount: selector.access, subject };
  }
  const names = await accessAccounts(client, namespace, 'consumer', subject);
  if (names.length === 1) {
    return { namespace, serviceAccount: names[0], subject };
  }
  if (names.length > 1) {
    throw new KubeconfigIssueError(`${subject} has several consumer accesses (${names.join(', ')}): choose one with --access NAME`);
  }
  const ns = await client.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`);
  if (ns.status === 404) {
    throw new KubeconfigIssueError(`namespace ${namespace} of ${subject} does not exist: check the offering and tenant names, or apply the offering's output to the cluster first`);
  }
  throw new KubeconfigIssueError(`${subject} has no consumer access in namespace ${namespace} (no ServiceAccount labelled ${LABEL_ACCESS}=consumer): `
    + 'add a ConsumerAccess for the tenant and apply it, or name a ServiceAccount with --access NAME');
}

/**
 * The ServiceAccounts of saasplane's identities of `kind` in `namespace` (labelled
 * `saasplane.io/access=<kind>`), sorted; errors name the namespace and what the caller lacks.
 */
export async function accessAccounts(client: KubeClient, namespace: string, kind: 'provider' | 'consumer', subject = `namespace ${namespace}`): Promise<string[]> {
  const query = encodeURIComponent(`${LABEL_ACCESS}=${kind}`);
  const res: KubeResponse = await client.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts?labelSelector=${query}`);
  if (res.status === 403) {
    throw new KubeconfigIssueError(`you may not list the ServiceAccounts of ${subject} in namespace ${namespace} (verb "list" on "serviceaccounts"): `
      + 'name the access with --access NAME, or use credentials that may');
  }
  if (res.status !== 200) {
    throw new KubeconfigIssueError(`listing the ServiceAccounts of ${subject} in namespace ${namespace} failed (HTTP ${res.status}): ${responseMessage(res)}`);
  }
  return ((res.body?.items ?? []) as { metadata: { name: string } }[]).map((i) => i.metadata.name).sort();
}

/** Decodes the claims of a JWT (no verification: for display and tests). */
export function decodeJwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) {
    throw new Error('not a JWT');
  }
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
