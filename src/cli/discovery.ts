// Which resource (URL path segment) serves a kind, from the API server's discovery documents:
// what `kubectl` does to turn a manifest into a request. One document per apiVersion, fetched once.
import { KubeClient, responseMessage } from './kube-client';

/** A kind as the API server serves it. */
export interface ApiResource {
  readonly apiVersion: string;
  readonly kind: string;
  /** The plural resource name: deployments. */
  readonly resource: string;
  readonly namespaced: boolean;
}

export class ApiResources {
  /** The path of one object (`name` given) or of a collection, in `namespace` when the kind is namespaced (all namespaces without one). */
  public static path(resource: ApiResource, namespace?: string, name?: string): string {
    const base = resource.apiVersion.includes('/') ? `/apis/${resource.apiVersion}` : `/api/${resource.apiVersion}`;
    const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${scope}/${resource.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  private readonly documents = new Map<string, Promise<Map<string, ApiResource>>>();

  constructor(private readonly client: KubeClient) {}

  /** The resource of `kind` in `apiVersion`; undefined when the server does not serve it (a CRD not installed). */
  public async find(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    let document = this.documents.get(apiVersion);
    if (!document) {
      document = this.fetch(apiVersion);
      this.documents.set(apiVersion, document);
    }
    return (await document).get(kind);
  }

  private async fetch(apiVersion: string): Promise<Map<string, ApiResource>> {
    const response = await this.client.get(apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    const kinds = new Map<string, ApiResource>();
    if (response.status === 404) return kinds;
    if (response.status !== 200) throw new Error(`discovery of ${apiVersion} failed: ${responseMessage(response)}`);
    for (const r of (response.body?.resources ?? []) as Array<{ name: string; kind: string; namespaced: boolean }>) {
      if (!r.name.includes('/')) kinds.set(r.kind, { apiVersion, kind: r.kind, resource: r.name, namespaced: r.namespaced });
    }
    return kinds;
  }
}
