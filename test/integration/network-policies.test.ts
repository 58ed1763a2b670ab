// The example's synthesized NetworkPolicies (tenants acme and globex of the offering "shop"), run
// through cyclonus (the NetworkPolicy engine of Kubernetes sig-network testing) on a model of a
// cluster: the two tenants' pods as the chart renders them, the ingress controller, cluster DNS,
// Prometheus, an unrelated workload, and three addresses outside the cluster (the cloud metadata
// service, the example's declared dependency payments-api and the API server's endpoint). The
// expected truth table below is compared with cyclonus' answer cell by cell.
//
// Needs the cyclonus binary of `bash scripts/build-control-plane.sh`; skipped (loudly) without it,
// except in CI, where a missing binary fails.
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { cellKey, podKey, portKey, ProbeContainer, ProbePod, ProbePort, ProbeResources, ProbeRun, runCyclonusProbe } from './cyclonus';
import { exampleApp } from '../../examples/cdk8s/app';
import { findTool, requireTool, toolCandidates } from '../../src/cli/tools';
import { tempDir } from '../constructs/fixtures';

const skip = !findTool('cyclonus') && process.env.CI !== 'true';
if (skip) {
  // eslint-disable-next-line no-console
  console.warn([
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '!! SKIPPED test/integration/network-policies.test.ts: cyclonus is not built',
    `!!   looked at ${toolCandidates('cyclonus').join(', ')}`,
    '!! Build it with `bash scripts/build-control-plane.sh` (in CI, a missing binary fails the test).',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n'));
}
const describeCyclonus = skip ? describe.skip : describe;

const TENANTS = ['acme', 'globex'] as const;

// ---------------------------------------------------------------------------------------------
// The rest of the cluster. Namespaces carry the label the API server sets on every namespace
// (kubernetes.io/metadata.name). "external" is no namespace: cyclonus v0.5.6 has no external IPs
// in its probe model, so an address outside the cluster is a pod with that IP in a pseudo
// namespace without labels, which no namespaceSelector or podSelector of the policies can pick;
// only an ipBlock can (cyclonus matches ipBlocks on the peer's IP, pod or not).
//
// The API server is modelled by its endpoint, not a pod: it runs on the host network, and a pod's
// traffic to kubernetes.default (10.96.0.1:443) is DNAT-ed to that endpoint (172.18.0.2:6443 on a
// kind node) before NetworkPolicy sees it, so only an ipBlock could ever allow it.
// ---------------------------------------------------------------------------------------------
const tcp = (Name: string, Port: number, PortName: string): ProbeContainer => ({ Name, Port, Protocol: 'TCP', PortName });
const udp = (Name: string, Port: number, PortName: string): ProbeContainer => ({ Name, Port, Protocol: 'UDP', PortName });

const SURROUNDINGS: readonly ProbePod[] = [
  {
    Namespace: 'ingress-nginx',
    Name: 'controller',
    Labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    IP: '10.244.0.10',
    Containers: [tcp('controller', 80, 'http'), tcp('controller-https', 443, 'https')],
  },
  {
    Namespace: 'kube-system',
    Name: 'coredns',
    Labels: { 'k8s-app': 'kube-dns' },
    IP: '10.244.0.2',
    Containers: [udp('coredns', 53, 'dns'), tcp('coredns-tcp', 53, 'dns-tcp'), tcp('coredns-metrics', 9153, 'metrics')],
  },
  {
    Namespace: 'kube-system',
    Name: 'metrics-server',
    Labels: { 'k8s-app': 'metrics-server' },
    IP: '10.244.0.3',
    Containers: [tcp('metrics-server', 10250, 'https')],
  },
  {
    Namespace: 'monitoring',
    Name: 'prometheus',
    Labels: { 'app.kubernetes.io/name': 'prometheus' },
    IP: '10.244.0.20',
    Containers: [tcp('prometheus', 9090, 'web')],
  },
  {
    Namespace: 'default',
    Name: 'client',
    Labels: { app: 'client' },
    IP: '10.244.0.30',
    Containers: [tcp('client', 8080, 'http')],
  },
  {
    Namespace: 'external',
    Name: 'metadata', // the cloud metadata service
    Labels: {},
    IP: '169.254.169.254',
    Containers: [tcp('http', 80, 'http'), tcp('https', 443, 'https')],
  },
  {
    Namespace: 'external',
    Name: 'payments', // inside the example's declared dependency payments-api, 203.0.113.0/24 port 443
    Labels: {},
    IP: '203.0.113.10',
    Containers: [tcp('https', 443, 'https'), tcp('http', 80, 'http')],
  },
  {
    Namespace: 'external',
    Name: 'apiserver', // the API server's endpoint, as on a kind node
    Labels: {},
    IP: '172.18.0.2',
    Containers: [tcp('kube-apiserver', 6443, 'https')],
  },
];
const SURROUNDING_NAMESPACES: Record<string, Record<string, string>> = {
  'ingress-nginx': { 'kubernetes.io/metadata.name': 'ingress-nginx' },
  'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
  'monitoring': { 'kubernetes.io/metadata.name': 'monitoring' },
  'default': { 'kubernetes.io/metadata.name': 'default' },
  'external': {},
};

/** Every port served in the model, each probed from every pod to every pod. */
const PROBES: readonly ProbePort[] = [
  { port: 8080, protocol: 'TCP' }, // web "http"; default/client
  { port: 9113, protocol: 'TCP' }, // web "metrics"
  { port: 5432, protocol: 'TCP' }, // db "postgres"
  { port: 53, protocol: 'UDP' }, // DNS
  { port: 53, protocol: 'TCP' }, // DNS
  { port: 9153, protocol: 'TCP' }, // CoreDNS metrics
  { port: 10250, protocol: 'TCP' }, // metrics-server
  { port: 9090, protocol: 'TCP' }, // Prometheus
  { port: 80, protocol: 'TCP' }, // the controller, the metadata service, the dependency's host
  { port: 443, protocol: 'TCP' }, // idem
  { port: 6443, protocol: 'TCP' }, // the API server
];

// ---------------------------------------------------------------------------------------------
// The expected truth table. One row per statement: FROM and TO are comma-separated pods ("ns/pod")
// or whole namespaces ("ns/*"); PORTS are port/protocol pairs, or "*" for every port the
// destination serves; EXPECT is "allowed" or "denied"; the rest of the line says why. Rows expand
// to cells (from → to:port), each of which must be stated exactly once, and together they must
// cover every cell cyclonus can test (a destination serving the port).
// ---------------------------------------------------------------------------------------------
const OUTSIDE = 'ingress-nginx/*,kube-system/*,monitoring/*,default/*,external/*';
const TRUTH_TABLE = `
# FROM                                              TO                          PORTS          EXPECT   WHY
# --- into shop-acme -----------------------------------------------------------------------------------------------
shop-acme/*                                         shop-acme/*                 *              allowed  allow-same-namespace
ingress-nginx/controller                            shop-acme/web               8080/TCP       allowed  allow-ingress-controller-acme-web (named port http)
ingress-nginx/controller                            shop-acme/web               9113/TCP       denied   the controller gets the http port only
ingress-nginx/controller                            shop-acme/db                5432/TCP       denied   the database is not exposed
monitoring/prometheus                               shop-acme/web               9113/TCP       allowed  allow-prometheus-scrape-acme-web (named port metrics)
monitoring/prometheus                               shop-acme/web               8080/TCP       denied   Prometheus gets the metrics port only
monitoring/prometheus                               shop-acme/db                5432/TCP       denied   the database is not scraped
shop-globex/*,kube-system/*,default/*,external/*    shop-acme/*                 *              denied   default-deny: the other tenant, system pods, the outside
# --- out of shop-acme ---------------------------------------------------------------------------------------------
shop-acme/*                                         kube-system/coredns         53/UDP,53/TCP  allowed  allow-dns
shop-acme/*                                         kube-system/coredns         9153/TCP       denied   allow-dns opens port 53 only
shop-acme/*                                         kube-system/metrics-server  10250/TCP      denied   allow-dns selects k8s-app=kube-dns only
shop-acme/*                                         ingress-nginx/controller    80/TCP,443/TCP denied   default-deny egress
shop-acme/*                                         monitoring/prometheus       9090/TCP       denied   default-deny egress
shop-acme/*                                         default/client              8080/TCP       denied   default-deny egress
shop-acme/*                                         external/metadata           80/TCP,443/TCP denied   169.254.169.254, the cloud metadata service
shop-acme/*                                         external/payments           443/TCP        allowed  allow-egress-payments-api: 203.0.113.0/24 port 443
shop-acme/*                                         external/payments           80/TCP         denied   the dependency is declared on port 443 only
shop-acme/*                                         external/apiserver          6443/TCP       denied   the API server is not a dependency
# --- into shop-globex ---------------------------------------------------------------------------------------------
shop-globex/*                                       shop-globex/*               *              allowed  allow-same-namespace
ingress-nginx/controller                            shop-globex/web             8080/TCP       allowed  allow-ingress-controller-globex-web (named port http)
ingress-nginx/controller                            shop-globex/web             9113/TCP       denied   the controller gets the http port only
ingress-nginx/controller                            shop-globex/db              5432/TCP       denied   the database is not exposed
monitoring/prometheus                               shop-globex/web             9113/TCP       allowed  allow-prometheus-scrape-globex-web (named port metrics)
monitoring/prometheus                               shop-globex/web             8080/TCP       denied   Prometheus gets the metrics port only
monitoring/prometheus                               shop-globex/db              5432/TCP       denied   the database is not scraped
shop-acme/*,kube-system/*,default/*,external/*      shop-globex/*               *              denied   default-deny: the other tenant, system pods, the outside
# --- out of shop-globex -------------------------------------------------------------------------------------------
shop-globex/*                                       kube-system/coredns         53/UDP,53/TCP  allowed  allow-dns
shop-globex/*                                       kube-system/coredns         9153/TCP       denied   allow-dns opens port 53 only
shop-globex/*                                       kube-system/metrics-server  10250/TCP      denied   allow-dns selects k8s-app=kube-dns only
shop-globex/*                                       ingress-nginx/controller    80/TCP,443/TCP denied   default-deny egress
shop-globex/*                                       monitoring/prometheus       9090/TCP       denied   default-deny egress
shop-globex/*                                       default/client              8080/TCP       denied   default-deny egress
shop-globex/*                                       external/metadata           80/TCP,443/TCP denied   169.254.169.254, the cloud metadata service
shop-globex/*                                       external/payments           443/TCP        allowed  allow-egress-payments-api: 203.0.113.0/24 port 443
shop-globex/*                                       external/payments           80/TCP         denied   the dependency is declared on port 443 only
shop-globex/*                                       external/apiserver          6443/TCP       denied   the API server is not a dependency
# --- neither end in a tenant namespace: no policy selects either pod ----------------------------------------------
$OUTSIDE                                            $OUTSIDE                    *              allowed  not saasplane's policies
`.replace(/\$OUTSIDE/g, OUTSIDE);

type Expected = 'allowed' | 'denied';

/** The truth table as cells: `cellKey` → expected, with the row each cell comes from. */
function expandTruthTable(table: string, resources: ProbeResources): Map<string, { expected: Expected; row: string }> {
  const pods = resources.Pods.map(podKey);
  const served = (pod: string) => {
    const p = resources.Pods.find((candidate) => podKey(candidate) === pod)!;
    return [...new Set(p.Containers.map((c) => `${c.Port}/${c.Protocol}`))];
  };
  const expandPods = (spec: string, row: string) => spec.split(',').flatMap((one) => {
    const matched = one.endsWith('/*') ? pods.filter((pod) => pod.startsWith(one.slice(0, -1))) : pods.filter((pod) => pod === one);
    if (matched.length === 0) throw new Error(`truth table row "${row}": "${one}" names no pod of the model`);
    return matched;
  });
  const cells = new Map<string, { expected: Expected; row: string }>();
  for (const line of table.split('\n')) {
    const row = line.trim();
    if (row === '' || row.startsWith('#')) continue;
    const [from, to, ports, expected] = row.split(/\s+/);
    if (expected !== 'allowed' && expected !== 'denied') throw new Error(`truth table row "${row}": EXPECT is "${expected}"`);
    for (const f of expandPods(from, row)) {
      for (const t of expandPods(to, row)) {
        for (const port of ports === '*' ? served(t) : ports.split(',')) {
          const key = cellKey(f, t, port);
          const earlier = cells.get(key);
          if (earlier) throw new Error(`truth table: ${key} is stated twice, by "${earlier.row}" and "${row}"`);
          cells.set(key, { expected, row });
        }
      }
    }
  }
  return cells;
}

/** Every difference between the truth table and cyclonus' answer, one line per cell. */
function differences(expected: Map<string, { expected: Expected }>, run: ProbeRun): string[] {
  const diffs: string[] = [];
  for (const [key, cell] of run.cells) {
    const want = expected.get(key)?.expected;
    const got = `cyclonus says ${cell.combined} (ingress ${cell.ingress}, egress ${cell.egress})`;
    if (cell.combined === 'invalid-port') {
      if (want) diffs.push(`${key}: expected ${want}, but the destination does not serve the port (${got})`);
    } else if (!want) {
      diffs.push(`${key}: not in the truth table, ${got}`);
    } else if (cell.combined !== (want === 'allowed' ? 'allowed' : 'blocked')) {
      diffs.push(`${key}: expected ${want}, ${got}`);
    }
  }
  for (const key of expected.keys()) {
    if (!run.cells.has(key)) diffs.push(`${key}: in the truth table, but no cell of cyclonus' answer`);
  }
  return diffs.sort();
}

// ---------------------------------------------------------------------------------------------
// The synthesized side: the tenants' NetworkPolicies, namespaces and pods, as the example renders them.
// ---------------------------------------------------------------------------------------------
type KubeObject = { kind?: string; metadata?: { name?: string; labels?: Record<string, string> }; spec?: any };

function tenantObjects(files: Map<string, string>, tenant: string): KubeObject[] {
  const prefix = `shop/${tenant}/`;
  return [...files.entries()]
    .filter(([file]) => file.split(path.sep).join('/').startsWith(prefix))
    .flatMap(([file, text]) => YAML.parseAllDocuments(text).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as KubeObject;
    }))
    .filter((o) => o);
}

/** The tenant's namespace (labels as on the cluster) and one pod per workload, named by its component. */
function tenantModel(objects: KubeObject[], tenantIndex: number): { namespace: string; labels: Record<string, string>; pods: ProbePod[] } {
  const ns = objects.find((o) => o.kind === 'Namespace');
  if (!ns?.metadata?.name) throw new Error('no Namespace among the tenant\'s objects');
  const namespace = ns.metadata.name;
  const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind ?? ''));
  const pods = workloads.map((w, i): ProbePod => {
    const labels: Record<string, string> = w.spec.template.metadata.labels;
    const containers: ProbeContainer[] = (w.spec.template.spec.containers as any[]).flatMap((c) =>
      ((c.ports ?? []) as any[]).map((p, j) => ({
        Name: j === 0 ? c.name : `${c.name}-${j}`,
        Port: p.containerPort,
        Protocol: p.protocol ?? 'TCP',
        PortName: p.name ?? '',
      })));
    return {
      Namespace: namespace,
      Name: labels['app.kubernetes.io/component'] ?? w.metadata!.name!,
      Labels: labels,
      IP: `10.244.${tenantIndex + 1}.${10 + i}`,
      Containers: containers,
    };
  });
  return { namespace, labels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': namespace }, pods };
}

const ALLOW_ALL = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'negative-control-allow-all', namespace: 'shop-acme' },
  spec: { podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress', 'Egress'] },
};

describeCyclonus('the synthesized NetworkPolicies, through cyclonus', () => {
  let cyclonus: string;
  let workdir: string;
  let policies: Record<string, object[]>;
  let resources: ProbeResources;
  let expected: Map<string, { expected: Expected; row: string }>;
  let run: ProbeRun;

  beforeAll(() => {
    cyclonus = requireTool('cyclonus'); // in CI, a missing binary fails here
    workdir = tempDir('saasplane-cyclonus-');
    const files = exampleApp(path.join(workdir, 'dist')).synthFiles();

    policies = {};
    const namespaces: Record<string, Record<string, string>> = { ...SURROUNDING_NAMESPACES };
    const pods: ProbePod[] = [];
    TENANTS.forEach((tenant, i) => {
      const objects = tenantObjects(files, tenant);
      policies[tenant] = objects.filter((o) => o.kind === 'NetworkPolicy');
      const model = tenantModel(objects, i);
      namespaces[model.namespace] = model.labels;
      pods.push(...model.pods);
    });
    resources = { Namespaces: namespaces, Pods: [...pods, ...SURROUNDINGS] };
    expected = expandTruthTable(TRUTH_TABLE, resources);
    run = runCyclonusProbe({ binary: cyclonus, dir: path.join(workdir, 'run'), policyLists: policies, resources, probes: PROBES });
  });

  afterAll(() => {
    if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
  });

  test('the model holds the pods the chart renders for each tenant, with their named ports', () => {
    const tenantPods = resources.Pods.filter((p) => p.Namespace.startsWith('shop-')).map((p) => ({
      pod: podKey(p),
      ports: p.Containers.map((c) => `${c.PortName} ${c.Port}/${c.Protocol}`),
    })).sort((a, b) => a.pod.localeCompare(b.pod));
    expect(tenantPods).toEqual([
      { pod: 'shop-acme/db', ports: ['postgres 5432/TCP'] },
      { pod: 'shop-acme/web', ports: ['http 8080/TCP', 'metrics 9113/TCP'] },
      { pod: 'shop-globex/db', ports: ['postgres 5432/TCP'] },
      { pod: 'shop-globex/web', ports: ['http 8080/TCP', 'metrics 9113/TCP'] },
    ]);
    for (const tenant of TENANTS) {
      expect(resources.Namespaces[`shop-${tenant}`]).toMatchObject({ 'kubernetes.io/metadata.name': `shop-${tenant}`, 'saasplane.io/tenant': tenant });
      expect(policies[tenant].length).toBeGreaterThan(0);
    }
  });

  test('cyclonus answers the expected truth table, cell by cell', () => {
    expect(differences(expected, run)).toEqual([]);
    // The table is not vacuous: every testable cell is stated, and both verdicts occur.
    const testable = [...run.cells.values()].filter((c) => c.combined !== 'invalid-port');
    expect(expected.size).toBe(testable.length);
    expect(testable.filter((c) => c.combined === 'allowed').length).toBeGreaterThan(0);
    expect(testable.filter((c) => c.combined === 'blocked').length).toBeGreaterThan(0);
  });

  test('negative control: an allow-all policy in shop-acme turns denied cells allowed', () => {
    const opened = runCyclonusProbe({
      binary: cyclonus,
      dir: path.join(workdir, 'negative-control'),
      policyLists: { ...policies, acme: [...policies.acme, ALLOW_ALL] },
      resources,
      probes: PROBES,
    });
    const key = cellKey('ingress-nginx/controller', 'shop-acme/db', portKey({ port: 5432, protocol: 'TCP' }));
    expect(run.cells.get(key)?.combined).toBe('blocked');
    expect(opened.cells.get(key)?.combined).toBe('allowed');
    const diffs = differences(expected, opened);
    expect(diffs).toContain(`${key}: expected denied, cyclonus says allowed (ingress allowed, egress allowed)`);
    // Only shop-acme's cells move: globex keeps its own default-deny both ways.
    expect(diffs.filter((d) => !d.includes('shop-acme/'))).toEqual([]);
  });
});
