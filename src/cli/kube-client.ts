// A small Kubernetes API client on node:https, enough for the CLI and the integration tests:
// requests return the status and the parsed body and never throw on an HTTP status (callers assert
// on 403 or 422), TLS is always verified against the cluster's CA.
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import * as YAML from 'yaml';

/** How to reach and authenticate to an API server. */
export interface KubeClientOptions {
  /** e.g. https://127.0.0.1:6443 (a path prefix is kept) */
  readonly server: string;
  /** PEM of the CA that signed the server's certificate; omitted: the system's trusted CAs. */
  readonly caPem?: string;
  /** Bearer token (a ServiceAccount token). */
  readonly token?: string;
  /** Client certificate and key (PEM). */
  readonly certPem?: string;
  readonly keyPem?: string;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
}

/** An API response: any HTTP status; `body` is the parsed JSON when the server sent JSON, else the text. */
export interface KubeResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string | string[] | undefined>;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** A kubeconfig that cannot be used: names the file and what is wrong. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

export class KubeClient {
  /**
   * A client from a kubeconfig file: the current context (or `context`), its cluster's server and
   * CA (`certificate-authority-data` or `certificate-authority`), and its user's
   * `client-certificate(-data)`/`client-key(-data)` or `token`/`tokenFile`.
   * A cluster with `insecure-skip-tls-verify` is refused.
   */
  static fromKubeconfig(file: string, context?: string): KubeClient {
    return new KubeClient(readKubeconfig(file, context));
  }

  readonly server: string;
  private readonly agent: https.Agent;
  private readonly timeoutMs: number;

  constructor(readonly options: KubeClientOptions) {
    const url = new URL(options.server);
    if (url.protocol !== 'https:') {
      throw new KubeconfigError(`server ${options.server} is not https: saasplane only talks to API servers over verified TLS`);
    }
    this.server = options.server.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    // keepAlive off: an idle socket must not keep a CLI or a test process alive
    this.agent = new https.Agent({
      ca: options.caPem,
      cert: options.certPem,
      key: options.keyPem,
      rejectUnauthorized: true,
      keepAlive: false,
    });
  }

  /**
   * One request. `body` is sent as JSON unless it is a string; `contentType` defaults to
   * application/json. Rejects only when the server cannot be reached or times out.
   */
  request<T = any>(method: string, apiPath: string, body?: unknown, contentType?: string, accept = 'application/json'): Promise<KubeResponse<T>> {
    const url = new URL(this.server + (apiPath.startsWith('/') ? apiPath : `/${apiPath}`));
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers: Record<string, string | number> = { Accept: accept };
    if (payload) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    if (this.options.token) {
      headers.Authorization = `Bearer ${this.options.token}`;
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          if (/json/.test(String(res.headers['content-type'] ?? '')) && text.length > 0) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: res.headers });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.href}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => reject(new Error(`${method} ${url.href}: ${err.message}`)));
      req.end(payload);
    });
  }

  get<T = any>(apiPath: string): Promise<KubeResponse<T>> {
    return this.request<T>('GET', apiPath);
  }

  /** GET a collection as metadata only (PartialObjectMetadataList): names and labels, never a Secret's data. */
  getMetadata<T = any>(apiPath: string): Promise<KubeResponse<T>> {
    return this.request<T>('GET', apiPath, undefined, undefined, 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
  }

  /** POST `body` to a collection path, e.g. /api/v1/namespaces. */
  create<T = any>(apiPath: string, body: unknown): Promise<KubeResponse<T>> {
    return this.request<T>('POST', apiPath, body);
  }

  /** PATCH, a JSON merge patch by default; `apply` sends server-side apply (add `?fieldManager=` to the path). */
  patch<T = any>(apiPath: string, body: unknown, type: PatchType = 'merge'): Promise<KubeResponse<T>> {
    return this.request<T>('PATCH', apiPath, body, PATCH_CONTENT_TYPES[type]);
  }

  delete<T = any>(apiPath: string): Promise<KubeResponse<T>> {
    return this.request<T>('DELETE', apiPath);
  }
}

/** The message of a failed response: the API's Status message when there is one. */
export function responseMessage(response: KubeResponse): string {
  const body = response.body as { message?: string } | string | undefined;
  if (body && typeof body === 'object' && typeof body.message === 'string') {
    return body.message;
  }
  return typeof body === 'string' && body.length > 0 ? body.trim().slice(0, 500) : `HTTP ${response.status}`;
}

interface NamedEntry<T> { name: string; [key: string]: unknown; value?: T }

function pick<T>(list: unknown, name: string, kind: string, file: string): T {
  const entries = Array.isArray(list) ? (list as NamedEntry<T>[]) : [];
  const entry = entries.find((e) => e && e.name === name);
  if (!entry) {
    throw new KubeconfigError(`kubeconfig ${file}: ${kind} "${name}" is not defined`);
  }
  return (entry[kind] ?? {}) as T;
}

function readMaybe(value: unknown, fileValue: unknown, base: string): string | undefined {
  if (typeof value === 'string' && value.length > 0) {
    return Buffer.from(value, 'base64').toString('utf8');
  }
  if (typeof fileValue === 'string' && fileValue.length > 0) {
    return fs.readFileSync(path.resolve(base, fileValue), 'utf8');
  }
  return undefined;
}

/** Reads a kubeconfig file into client options (see `KubeClient.fromKubeconfig`). */
export function readKubeconfig(file: string, context?: string): KubeClientOptions {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new KubeconfigError(`cannot read kubeconfig ${file}: ${(e as Error).message}`);
  }
  const config = YAML.parse(text) as Record<string, unknown> | null;
  if (!config || typeof config !== 'object') {
    throw new KubeconfigError(`kubeconfig ${file} is empty or not a YAML mapping`);
  }
  const contextName = context ?? (config['current-context'] as string | undefined);
  if (!contextName) {
    throw new KubeconfigError(`kubeconfig ${file} has no current-context: set one or name a context`);
  }
  const ctx = pick<{ cluster?: string; user?: string }>(config.contexts, contextName, 'context', file);
  if (!ctx.cluster) {
    throw new KubeconfigError(`kubeconfig ${file}: context "${contextName}" names no cluster`);
  }
  const cluster = pick<Record<string, unknown>>(config.clusters, ctx.cluster, 'cluster', file);
  const user = ctx.user ? pick<Record<string, unknown>>(config.users, ctx.user, 'user', file) : {};
  if (cluster['insecure-skip-tls-verify'] === true) {
    throw new KubeconfigError(`kubeconfig ${file}: cluster "${ctx.cluster}" sets insecure-skip-tls-verify: saasplane verifies the API server; give its certificate-authority-data instead`);
  }
  if (typeof cluster.server !== 'string') {
    throw new KubeconfigError(`kubeconfig ${file}: cluster "${ctx.cluster}" has no server`);
  }
  const base = path.dirname(path.resolve(file));
  let token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string') {
    token = fs.readFileSync(path.resolve(base, user.tokenFile), 'utf8').trim();
  }
  const certPem = readMaybe(user['client-certificate-data'], user['client-certificate'], base);
  const keyPem = readMaybe(user['client-key-data'], user['client-key'], base);
  if (!token && !(certPem && keyPem)) {
    throw new KubeconfigError(`kubeconfig ${file}: user "${ctx.user ?? ''}" has neither a token nor a client certificate and key `
      + '(exec and auth-provider plugins are not supported: use a kubeconfig with a token, e.g. one from `saasplane kubeconfig`)');
  }
  return {
    server: cluster.server,
    caPem: readMaybe(cluster['certificate-authority-data'], cluster['certificate-authority'], base),
    token,
    certPem,
    keyPem,
  };
}

/** What a kubeconfig with one cluster, one user and one context holds. */
export interface KubeconfigSpec {
  readonly server: string;
  readonly caPem: string;
  readonly clusterName: string;
  readonly userName: string;
  /** default: `<userName>@<clusterName>` */
  readonly contextName?: string;
  readonly namespace?: string;
  readonly token?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
}

/**
 * A kubeconfig with the CA embedded (`certificate-authority-data`; never
 * `insecure-skip-tls-verify`) and the credentials embedded, as YAML.
 */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const contextName = spec.contextName ?? `${spec.userName}@${spec.clusterName}`;
  const user: Record<string, string> = {};
  if (spec.token) {
    user.token = spec.token;
  }
  if (spec.certPem && spec.keyPem) {
    user['client-certificate-data'] = b64(spec.certPem);
    user['client-key-data'] = b64(spec.keyPem);
  }
  const context: Record<string, string> = { cluster: spec.clusterName, user: spec.userName };
  if (spec.namespace) {
    context.namespace = spec.namespace;
  }
  return YAML.stringify({
    'apiVersion': 'v1',
    'kind': 'Config',
    'clusters': [{ name: spec.clusterName, cluster: { 'server': spec.server, 'certificate-authority-data': b64(spec.caPem) } }],
    'users': [{ name: spec.userName, user }],
    'contexts': [{ name: contextName, context }],
    'current-context': contextName,
    'preferences': {},
  }, { lineWidth: 0 });
}
