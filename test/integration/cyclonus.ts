// Runs cyclonus' offline NetworkPolicy engine (`cyclonus analyze --mode probe`, the simulated
// prober of github.com/mattfenwick/cyclonus, v0.5.6) and reads its truth tables back cell by cell.
//
// What cyclonus v0.5.6 takes (pkg/cli/analyze.go, pkg/connectivity/probe):
// - --policy-path: a file or folder; each file holds one NetworkPolicyList (or one NetworkPolicy),
//   parsed strictly; every policy must spell out spec.policyTypes.
// - --probe-path: JSON `{ Resources: { Namespaces: {ns: labels}, Pods: [...] }, Probes: [{Port, Protocol}] }`.
//   A pod has Namespace, Name, Labels, IP and Containers, each container serving one port
//   (Name, Port, Protocol, PortName). There is no place for external IPs (`ExternalIPs` is
//   commented out in v0.5.6): an address outside the cluster is modelled as a pod, with its IP, in
//   a namespace no selector picks; cyclonus' ipBlock matcher compares the peer's IP whatever it is.
// - each probe sends one port (a number or a container port name) from every pod to every pod. A
//   numbered port is resolved to the destination's container port name, which is how a policy's
//   named port (`port: http`) gets matched; a destination serving no such port is no test
//   ("N", invalid port/protocol; "P" for an unknown named port). Resolution ignores the protocol.
//
// Its output is text only (no JSON): per probe, in order, three tables "Ingress:", "Egress:" and
// "Combined:" (olekukonko/tablewriter; rows are the sources as "ns/pod", the header repeats them
// upper-cased as destinations; cells "." allowed, "X" blocked, "N"/"P" invalid, "?" unknown), and,
// after the probes of the file, one more empty triple for the pods read from a cluster (none here).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProbeContainer {
  readonly Name: string;
  readonly Port: number;
  readonly Protocol: Protocol;
  readonly PortName: string;
}

export interface ProbePod {
  readonly Namespace: string;
  readonly Name: string;
  readonly Labels: Record<string, string>;
  readonly IP: string;
  readonly Containers: readonly ProbeContainer[];
}

/** The world cyclonus probes: namespaces with their labels, and pods. */
export interface ProbeResources {
  readonly Namespaces: Record<string, Record<string, string>>;
  readonly Pods: readonly ProbePod[];
}

export interface ProbePort {
  readonly port: number | string;
  readonly protocol: Protocol;
}

export type Verdict = 'allowed' | 'blocked' | 'invalid-port' | 'invalid-named-port' | 'unknown' | 'check-failed';

const VERDICTS: Record<string, Verdict> = {
  '.': 'allowed',
  'X': 'blocked',
  'N': 'invalid-port',
  'P': 'invalid-named-port',
  '?': 'unknown',
  '!': 'check-failed',
};

/** One cell of cyclonus' answer: one source pod, one destination pod, one port. */
export interface Cell {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly ingress: Verdict;
  readonly egress: Verdict;
  readonly combined: Verdict;
}

export interface ProbeRun {
  /** Every cell, keyed by `cellKey`. */
  readonly cells: Map<string, Cell>;
  readonly stdout: string;
  readonly stderr: string;
  /** Where the policies and the probe model were written. */
  readonly dir: string;
}

/** `ns/pod`, as cyclonus names a pod. */
export function podKey(pod: Pick<ProbePod, 'Namespace' | 'Name'>): string {
  return `${pod.Namespace}/${pod.Name}`;
}

export function portKey(p: ProbePort): string {
  return `${p.port}/${p.protocol}`;
}

export function cellKey(from: string, to: string, port: string): string {
  return `${from} → ${to}:${port}`;
}

/**
 * Writes one NetworkPolicyList file per entry of `policyLists` and the probe model into `dir`,
 * runs `cyclonus analyze --mode probe` on them and returns its truth tables, cell by cell.
 */
export function runCyclonusProbe(options: {
  readonly binary: string;
  readonly dir: string;
  readonly policyLists: Record<string, readonly object[]>;
  readonly resources: ProbeResources;
  readonly probes: readonly ProbePort[];
}): ProbeRun {
  const { binary, dir, policyLists, resources, probes } = options;
  const policyDir = path.join(dir, 'policies');
  fs.mkdirSync(policyDir, { recursive: true });
  for (const [name, items] of Object.entries(policyLists)) {
    const list = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList', items };
    fs.writeFileSync(path.join(policyDir, `${name}.yaml`), YAML.stringify(list));
  }
  const probePath = path.join(dir, 'probe.json');
  const model = {
    Resources: resources,
    Probes: probes.map((p) => ({ Port: p.port, Protocol: p.protocol })),
  };
  fs.writeFileSync(probePath, JSON.stringify(model, null, 2));

  const args = ['analyze', '--mode', 'probe', '--policy-path', policyDir, '--probe-path', probePath];
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  fs.writeFileSync(path.join(dir, 'cyclonus.stdout.txt'), stdout);
  fs.writeFileSync(path.join(dir, 'cyclonus.stderr.txt'), stderr);
  if (result.error || result.status !== 0) {
    throw new Error(`cyclonus ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${stderr}\n${stdout}`);
  }
  if (/level=(error|fatal|panic)/.test(stderr)) {
    throw new Error(`cyclonus reported errors:\n${stderr}`);
  }
  return { cells: parseProbeOutput(stdout, resources, probes), stdout, stderr, dir };
}

interface RawTable {
  readonly title: 'Ingress' | 'Egress' | 'Combined';
  readonly header: string[];
  readonly rows: string[][];
}

/** The tables of the output, in order: each a title line followed by tablewriter's box. */
function readTables(stdout: string): RawTable[] {
  const lines = stdout.split('\n');
  const tables: RawTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    const title = /^(Ingress|Egress|Combined):$/.exec(lines[i].trim())?.[1] as RawTable['title'] | undefined;
    if (!title) continue;
    const body: string[][] = [];
    for (i++; i < lines.length && /^[+|]/.test(lines[i]); i++) {
      if (lines[i].startsWith('|')) {
        body.push(lines[i].split('|').slice(1, -1).map((c) => c.trim()));
      }
    }
    i--;
    if (body.length === 0) throw new Error(`cyclonus output: table "${title}" without a header`);
    tables.push({ title, header: body[0], rows: body.slice(1) });
  }
  return tables;
}

/** What tablewriter makes of a header (its Title(): `_` and most `.` become spaces, upper-cased). */
function tablewriterTitle(name: string): string {
  const chars = [...name];
  const numOrSpace = (c: string | undefined) => c !== undefined && /[0-9 ]/.test(c);
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '_') chars[i] = ' ';
    if (chars[i] === '.' && ((i !== 0 && !numOrSpace(chars[i - 1])) || (i !== chars.length - 1 && !numOrSpace(chars[i + 1])))) {
      chars[i] = ' ';
    }
  }
  return chars.join('').trim().toUpperCase();
}

/** Reads cyclonus' probe output back into cells; throws when it is not shaped as expected. */
export function parseProbeOutput(stdout: string, resources: ProbeResources, probes: readonly ProbePort[]): Map<string, Cell> {
  const pods = resources.Pods.map(podKey);
  const tables = readTables(stdout);
  // One Ingress/Egress/Combined triple per probe, then the triple of pods read from a cluster.
  if (tables.length !== 3 * (probes.length + 1)) {
    throw new Error(`cyclonus output: expected ${3 * (probes.length + 1)} tables for ${probes.length} probes, found ${tables.length}:\n${stdout}`);
  }
  for (const extra of tables.slice(3 * probes.length)) {
    if (extra.rows.length > 0) throw new Error(`cyclonus output: the trailing "${extra.title}" table is not empty:\n${stdout}`);
  }

  const cells = new Map<string, Cell>();
  probes.forEach((probe, p) => {
    const [ingress, egress, combined] = tables.slice(3 * p, 3 * p + 3);
    if (ingress.title !== 'Ingress' || egress.title !== 'Egress' || combined.title !== 'Combined') {
      throw new Error(`cyclonus output: probe ${portKey(probe)}: expected Ingress, Egress, Combined, found ${ingress.title}, ${egress.title}, ${combined.title}`);
    }
    const grids = [ingress, egress, combined].map((table) => readGrid(table, pods, portKey(probe)));
    for (const from of pods) {
      for (const to of pods) {
        const [i, e, c] = grids.map((grid) => grid.get(from)!.get(to)!);
        const port = portKey(probe);
        cells.set(cellKey(from, to, port), { from, to, port, ingress: i, egress: e, combined: c });
      }
    }
  });
  return cells;
}

/** One table as from → to → verdict, checking it names exactly the model's pods. */
function readGrid(table: RawTable, pods: readonly string[], probe: string): Map<string, Map<string, Verdict>> {
  const where = `cyclonus output, probe ${probe}, table ${table.title}`;
  const columns = table.header.slice(1).map((title) => {
    const matches = pods.filter((pod) => tablewriterTitle(pod) === title);
    if (matches.length !== 1) throw new Error(`${where}: header "${title}" names ${matches.length} pods of the model`);
    return matches[0];
  });
  if (new Set(columns).size !== pods.length || columns.length !== pods.length) {
    throw new Error(`${where}: header ${JSON.stringify(table.header)} is not the model's pods ${JSON.stringify(pods)}`);
  }
  const grid = new Map<string, Map<string, Verdict>>();
  for (const row of table.rows) {
    const [from, ...values] = row;
    if (!pods.includes(from) || grid.has(from) || values.length !== columns.length) {
      throw new Error(`${where}: unexpected row ${JSON.stringify(row)}`);
    }
    grid.set(from, new Map(columns.map((to, i) => {
      const verdict = VERDICTS[values[i]];
      if (!verdict) throw new Error(`${where}: unknown cell "${values[i]}" for ${from} → ${to}`);
      return [to, verdict];
    })));
  }
  if (grid.size !== pods.length) throw new Error(`${where}: ${grid.size} rows for ${pods.length} pods`);
  return grid;
}
