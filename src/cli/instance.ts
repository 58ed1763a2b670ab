// Operations on one tenant instance, as KubePlus' kubectl plugins offer them: every object of the
// instance (`resources`), the URLs it serves (`url`) and its pods' logs (`logs`), read with the
// provider's identity or the tenant's own users'.
import { Command, CliIo, CommandError, defaultKubeconfig, dnsLabel, help, Options, outputFormat, parseCommandArgs, tableLines, UsageError, wholeNumber } from './command';
import { KubeClient, responseMessage } from './kube-client';
import { findTenant, FoundTenant, readFailure } from './tenant-reader';

const IDENTITY_HELP = `  --offering O      the offering
  --tenant T        the tenant
  --kubeconfig F    the provider's (saasplane kubeconfig --provider) or the tenant's
                    own; default: $KUBECONFIG, else ~/.kube/config
  --context NAME    a context of that kubeconfig`;

const INSTANCE_OPTIONS = {
  offering: { type: 'string' }, tenant: { type: 'string' }, kubeconfig: { type: 'string' }, context: { type: 'string' },
} as const satisfies Options;

/** Parses the options every instance command takes, plus `extra`; returns the tenant found, or undefined once the help is printed. */
async function instanceArgs<O extends Options>(name: string, usage: string, args: string[], io: CliIo, extra: O) {
  const { values } = parseCommandArgs(name, args, { ...INSTANCE_OPTIONS, ...extra });
  if (values.help) {
    help(io, usage);
    return undefined;
  }
  const given = values as Record<string, string | undefined>;
  for (const flag of ['offering', 'tenant'] as const) {
    if (!given[flag]) throw new UsageError(`--${flag} is required: name the ${flag}, e.g. --${flag} ${flag === 'offering' ? 'shop' : 'acme'}`);
    dnsLabel(`--${flag}`, given[flag]!);
  }
  const client = KubeClient.fromKubeconfig(given.kubeconfig ?? defaultKubeconfig(io.env), given.context);
  const tenant = await findTenant(client, given.offering!, given.tenant!);
  return { client, tenant, values };
}


/** One object of an instance, as metadata only (never a Secret's data). */
export interface InstanceObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly created?: string;
  /** Who made it: "saasplane" (planned, applied from the output), the owner a controller made it for ("ReplicaSet acme-web-5d8f"), or "cluster" (the root CA, the default ServiceAccount). */
  readonly by: string;
}

/** Kinds left out of `resources`: records about objects, not objects of the instance. */
const NOT_OBJECTS = new Set(['Event', 'events.k8s.io/Event', 'metrics.k8s.io/PodMetrics', 'coordination.k8s.io/Lease', 'discovery.k8s.io/EndpointSlice', 'Endpoints']);

/** Every namespaced kind the API server lists, preferred versions only (as kubectl api-resources); API versions that do not answer go to `undiscovered`. */
async function listableKinds(client: KubeClient, undiscovered: string[]): Promise<Array<{ apiVersion: string; kind: string; resource: string }>> {
  const found: Array<{ apiVersion: string; kind: string; resource: string }> = [];
  const collect = async (apiVersion: string, path: string) => {
    const response = await client.get(path);
    if (response.status !== 200) {
      // an aggregated API that does not answer (metrics-server down) hides its kinds only
      undiscovered.push(`${apiVersion} (${responseMessage(response)})`);
      return;
    }
    for (const r of response.body.resources ?? []) {
      if (r.namespaced && !r.name.includes('/') && (r.verbs ?? []).includes('list')) found.push({ apiVersion, kind: r.kind, resource: r.name });
    }
  };
  await collect('v1', '/api/v1');
  const groups = await client.get('/apis');
  if (groups.status !== 200) throw new CommandError(`discovery of the API groups failed: ${responseMessage(groups)}`);
  for (const group of groups.body.groups ?? []) {
    const version = group.preferredVersion?.groupVersion;
    if (version) await collect(version, `/apis/${version}`);
  }
  return found.filter((k) => !NOT_OBJECTS.has(k.kind) && !NOT_OBJECTS.has(`${k.apiVersion.split('/')[0]}/${k.kind}`));
}

function madeBy(metadata: any, offering: string): string {
  const owner = (metadata.ownerReferences ?? []).find((o: any) => o.controller) ?? metadata.ownerReferences?.[0];
  if (owner) return `${owner.kind} ${owner.name}`;
  return metadata.labels?.['saasplane.io/offering'] === offering ? 'saasplane' : 'cluster';
}

/** Every object of the instance the credentials may list, and the kinds they may not. */
export async function instanceResources(client: KubeClient, found: FoundTenant): Promise<{ objects: InstanceObject[]; unreadable: string[] }> {
  const objects: InstanceObject[] = [];
  const unreadable: string[] = [];
  for (const kind of await listableKinds(client, unreadable)) {
    const base = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
    const response = await client.getMetadata(`${base}/namespaces/${found.namespace}/${kind.resource}`);
    if (response.status === 403) {
      unreadable.push(kind.resource);
      continue;
    }
    // a kind gone since discovery, an aggregated API down: that kind is missing, not the tenant
    if (response.status !== 200) {
      unreadable.push(`${kind.resource} (${responseMessage(response)})`);
      continue;
    }
    for (const item of response.body.items ?? []) {
      objects.push({
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        name: item.metadata.name,
        ...(item.metadata.creationTimestamp ? { created: item.metadata.creationTimestamp } : {}),
        by: madeBy(item.metadata, found.offering),
      });
    }
  }
  objects.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  return { objects, unreadable: unreadable.sort() };
}

const RESOURCES_USAGE = `saasplane resources --offering O --tenant T [--output table|json] [--kubeconfig F] [--context C]

Every object of a tenant instance (its namespace), of every kind the API server
lists and the credentials may read, as metadata only (never a Secret's data):
kind, name, created, and who made it: saasplane (planned), the owner a
controller made it for, or the cluster.
Kinds these credentials may not list are named at the end.

${IDENTITY_HELP}
  --output FORMAT   table (default) or json`;

export const resourcesCommand: Command = {
  name: 'resources',
  summary: 'every object of a tenant instance, planned by saasplane or made by a controller',
  usage: RESOURCES_USAGE,
  failureExitCode: 2,
  async run(args, io) {
    const parsed = await instanceArgs('resources', RESOURCES_USAGE, args, io, { output: { type: 'string', short: 'o' } });
    if (!parsed) return 0;
    const format = outputFormat(parsed.values.output, ['table', 'json']);
    const { objects, unreadable } = await instanceResources(parsed.client, parsed.tenant);
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ namespace: parsed.tenant.namespace, objects, unreadable }, null, 2)}\n`);
    } else {
      io.stdout(`${tableLines(['KIND', 'NAME', 'CREATED', 'BY'], objects.map((o) => [
        o.apiVersion.includes('/') ? `${o.kind}.${o.apiVersion.split('/')[0]}` : o.kind, o.name, o.created ?? '-', o.by,
      ])).join('\n')}\n`);
      if (unreadable.length) io.stdout(`not readable with these credentials: ${unreadable.join(', ')}\n`);
    }
    return 0;
  },
};

/** A URL an instance serves, from its Ingress rules. */
export interface InstanceUrl {
  readonly url: string;
  readonly ingress: string;
  readonly tls: boolean;
}

const URL_USAGE = `saasplane url --offering O --tenant T [--output text|json] [--kubeconfig F] [--context C]

The URLs a tenant instance serves, from its Ingress rules: https where the
Ingress has TLS for the host, http otherwise. Exit 1 when it serves none.

${IDENTITY_HELP}
  --output FORMAT   text (default: one URL a line) or json`;

export const urlCommand: Command = {
  name: 'url',
  summary: 'the URLs a tenant instance serves (its Ingress hosts)',
  usage: URL_USAGE,
  failureExitCode: 2,
  async run(args, io) {
    const parsed = await instanceArgs('url', URL_USAGE, args, io, { output: { type: 'string', short: 'o' } });
    if (!parsed) return 0;
    const format = outputFormat(parsed.values.output, ['text', 'json']);
    const { namespace } = parsed.tenant;
    const ingresses = await parsed.tenant.read('Ingresses', `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`);
    const urls: InstanceUrl[] = [];
    for (const ingress of ingresses.items ?? []) {
      const tlsHosts = new Set((ingress.spec?.tls ?? []).flatMap((t: any) => t.hosts ?? []));
      for (const rule of ingress.spec?.rules ?? []) {
        if (!rule.host) continue;
        const tls = tlsHosts.has(rule.host);
        for (const p of rule.http?.paths?.length ? rule.http.paths : [{ path: '/' }]) {
          urls.push({ url: `${tls ? 'https' : 'http'}://${rule.host}${p.path ?? '/'}`, ingress: ingress.metadata.name, tls });
        }
      }
    }
    if (urls.length === 0) {
      io.stderr(`tenant "${parsed.tenant.tenant}" of offering "${parsed.tenant.offering}" serves no URL: no Ingress in ${namespace} has a host rule\n`);
      return 1;
    }
    io.stdout(format === 'json' ? `${JSON.stringify(urls, null, 2)}\n` : `${urls.map((u) => u.url).join('\n')}\n`);
    return 0;
  },
};

const LOGS_USAGE = `saasplane logs --offering O --tenant T [--pod P] [--container C] [--tail N] [--kubeconfig F] [--context C]

The logs of a tenant instance's pods (all of them, or --pod), each line
prefixed with [pod/container]; every container (init containers too) unless
--container names one. A container whose logs cannot be read is named on
stderr and the others are shown: exit 1 then.

${IDENTITY_HELP}
  --pod P           one pod
  --container C     one container of each pod (pods without it are skipped)
  --tail N          the last N lines of each container (default 100)`;

export const logsCommand: Command = {
  name: 'logs',
  summary: 'the logs of a tenant instance\'s pods, with container selection',
  usage: LOGS_USAGE,
  failureExitCode: 2,
  async run(args, io) {
    const parsed = await instanceArgs('logs', LOGS_USAGE, args, io, { pod: { type: 'string' }, container: { type: 'string' }, tail: { type: 'string' } });
    if (!parsed) return 0;
    const { client, tenant } = parsed;
    const { pod: onePod, container, tail: tailLines } = parsed.values as { pod?: string; container?: string; tail?: string };
    const tail = wholeNumber('--tail', tailLines ?? '100', 1, 100_000);
    const pods = (await tenant.read('pods', `/api/v1/namespaces/${tenant.namespace}/pods`)).items ?? [];
    const chosen = pods.filter((p: any) => onePod === undefined || p.metadata.name === onePod);
    if (chosen.length === 0) {
      const names = pods.map((p: any) => p.metadata.name);
      throw new CommandError(onePod === undefined ? `tenant "${tenant.tenant}" has no pod in ${tenant.namespace}`
        : `pod "${onePod}" is not a pod of tenant "${tenant.tenant}": choose one of ${names.join(', ') || '(none)'}`);
    }
    const containersOf = (pod: any): string[] => [...pod.spec?.initContainers ?? [], ...pod.spec?.containers ?? []].map((c: any) => c.name);
    if (container !== undefined && chosen.every((p: any) => !containersOf(p).includes(container))) {
      throw new CommandError(`no pod of tenant "${tenant.tenant}" has a container "${container}": its containers are ${[...new Set(chosen.flatMap(containersOf))].join(', ')}`);
    }
    // one container that cannot be read (waiting to start, its pod just replaced) must not hide the others
    let failed = 0;
    for (const pod of chosen) {
      if (pod.status?.phase === 'Pending') {
        io.stderr(`pod ${pod.metadata.name} is Pending: it has no logs yet\n`);
        continue;
      }
      for (const name of containersOf(pod).filter((c) => container === undefined || c === container)) {
        const path = `/api/v1/namespaces/${tenant.namespace}/pods/${encodeURIComponent(pod.metadata.name)}/log?container=${encodeURIComponent(name)}&tailLines=${tail}`;
        const response = await client.request('GET', path, undefined, undefined, '*/*');
        if (response.status === 403) throw readFailure(response, 'pod logs', tenant.offering, tenant.tenant, tenant.namespace);
        if (response.status !== 200 && response.status !== 204) {
          io.stderr(`the logs of ${pod.metadata.name}/${name} cannot be read: ${responseMessage(response)}\n`);
          failed += 1;
          continue;
        }
        const text = String(response.body ?? '');
        for (const line of text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1)) io.stdout(`[${pod.metadata.name}/${name}] ${line}\n`);
      }
    }
    return failed > 0 ? 1 : 0;
  },
};
