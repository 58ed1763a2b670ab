import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as YAML from 'yaml';
import {
  GROUP_WAVES, isPlainObject, LABEL_OFFERING, LABEL_TENANT, layoutFileProblem, objectIdentity, OutputLayout, outdirProblem, PlannedObject,
  SaaSplaneError, UPGRADE_PLAN_ENV,
  TenantFoldersLayout, throwIfProblems, writeTreeAtomically,
} from '../core';
import { GROUP_IDS, ownerOf, plannedOf, yamlDocumentOf } from './emit';
import { TenantOutput, TenantOutputCache, WrittenFile, WrittenObject } from './output-cache';
import { SaaSOffering } from './saas-offering';
import type { TenantInstance } from './tenant-instance';

/** Properties of a {@link SaaSApp}. */
export interface SaaSAppProps extends AppProps {
  /**
   * Where each planned object goes, and which other files (a `kustomization.yaml`, a README per
   * tenant) the output holds.
   * @default - TenantFoldersLayout: `<offering>/<tenant>/` per tenant, `<offering>/_shared/` per offering
   */
  readonly layout?: OutputLayout;
  /**
   * Tenants (`<offering>/<tenant>`) removed from the code on purpose although their last output
   * holds claims: their data goes with them. Without this, removing such a tenant is an error
   * that says to offboard it first (`state: TenantState.OFFBOARDED`), which keeps its data.
   * @default - none
   */
  readonly removeTenantsWithData?: readonly string[];
}

/**
 * A cdk8s `App` that writes the saasplane GitOps layout, `<outdir>/<offering>/<tenant>/` per
 * tenant and `<outdir>/<offering>/_shared/` per offering (or the files of another
 * {@link OutputLayout}), in time linear in the number of tenants.
 *
 * The stock `App.synth()` resolves and validates the whole app once per chart, which is quadratic
 * with one chart per tenant. This app validates the tree once, serializes every `ApiObject` once,
 * and swaps the finished tree into `outdir` (a failed synthesis leaves `outdir` untouched).
 * Objects users add under a saasplane construct go to its owner's `extra` group; charts that are
 * not saasplane's go to `<outdir>/<chart path>.k8s.yaml`.
 */
export class SaaSApp extends App {
  /** The output layout. */
  public readonly layout: OutputLayout;

  private readonly removeTenantsWithData: ReadonlySet<string>;

  constructor(props: SaaSAppProps = {}) {
    super(props);
    this.layout = props.layout ?? new TenantFoldersLayout();
    this.removeTenantsWithData = new Set(props.removeTenantsWithData ?? []);
  }

  /**
   * Synthesizes every chart into `outdir`, replacing its previous content as a whole. With
   * SAASPLANE_UPGRADE_PLAN set to a file (`saasplane upgrade-plan` sets it), writes the upgrade plan
   * of every offering with a rollout there as JSON instead, and nothing else.
   */
  public synth(): void {
    const upgradePlanFile = process.env[UPGRADE_PLAN_ENV];
    if (upgradePlanFile) {
      const plans = this.node.findAll().filter(SaaSOffering.isSaaSOffering).filter((o) => o.spec.rollout).map((o) => o.upgradePlan());
      fs.writeFileSync(upgradePlanFile, `${JSON.stringify(plans, null, 2)}\n`);
      return;
    }
    // the output folder first: it is the one problem that could cost data
    const problem = outdirProblem(this.outdir);
    if (problem) {
      throw new SaaSplaneError('the output folder is invalid', [problem]);
    }
    // an entry left over from an earlier removal would let a later tenant of that name go unguarded
    const stale = [...this.removeTenantsWithData].filter((t) => this.tenantKeys().has(t));
    throwIfProblems('removeTenantsWithData names tenants that are in the code', stale.map((t) => `"${t}" is a tenant of the app: `
      + 'remove it from removeTenantsWithData (it is meant for the synthesis that removes the tenant, and only that one)'));
    writeTreeAtomically(this.outdir, this.files(), (removed, outdir) => this.refuseDataLoss(removed, outdir));
  }

  /** Every tenant of the app as `<offering>/<tenant>`. */
  private tenantKeys(): Set<string> {
    return new Set((this.node.findAll().filter((c) => SaaSOffering.isSaaSOffering(c)) as SaaSOffering[])
      .flatMap((o) => [...o.tenantNames].map((t) => `${o.offeringName}/${t}`)));
  }

  /**
   * Refuses a synthesis that drops a tenant whose last output holds claims (claim objects, or
   * StatefulSet claim templates): its data would go with it. Only the files the new output no
   * longer holds are read.
   */
  private refuseDataLoss(removed: readonly string[], outdir: string): void {
    const planned = this.tenantKeys();
    const claims = new Map<string, string[]>();
    for (const file of removed) {
      const text = fs.readFileSync(path.join(outdir, file), 'utf8');
      if (!text.includes('PersistentVolumeClaim') && !text.includes('volumeClaimTemplates')) continue;
      for (const { tenant, claim } of claimsIn(text)) {
        if (planned.has(tenant) || this.removeTenantsWithData.has(tenant)) continue;
        claims.set(tenant, [...claims.get(tenant) ?? [], claim]);
      }
    }
    throwIfProblems('the synthesis would delete tenants\' data', [...claims].map(([tenant, names]) => {
      const [offering, name] = tenant.split('/');
      return `tenant "${name}" of offering "${offering}" is no longer in the code, but its last output holds the claims ${names.join(', ')}: `
        + 'offboard it first (state: TenantState.OFFBOARDED, deleteAfter: "YYYY-MM-DD"), which keeps its namespace and claims; '
        + `or, to delete its data with it, list "${tenant}" in SaaSApp's removeTenantsWithData`;
    }));
  }

  /**
   * The synthesized tree as file path (relative to `outdir`) to content, without writing it.
   * Objects keep the order of the construct tree.
   */
  public synthFiles(): Map<string, string> {
    const files = [...this.files()].map(([file, content]): [string, string] => [file, typeof content === 'string' ? content : Buffer.from(content).toString('utf8')]);
    return new Map(files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * Validates the whole tree and yields its files, each object file serialized only when it is
   * consumed. Tenants rendered now are written in batches and let go of (see `streamTenants`);
   * with the default layout, whose tenant files hold that tenant's objects only, their files are
   * yielded as soon as they are written, so that a synthesis never holds every tenant's objects,
   * nor their YAML, at once. An error thrown after some files were yielded still fails the whole
   * synthesis: the writer moves nothing into `outdir` until the last file.
   */
  private *files(): Generator<WrittenFile> {
    const collector = new FileCollector(this.layout);
    const direct = this.layout.constructor === TenantFoldersLayout;
    const streamed = new Map<IConstruct, readonly StreamedObject[]>();
    const yielded: string[] = [];
    const constructs = this.node.findAll();
    const offerings = constructs.filter((c) => SaaSOffering.isSaaSOffering(c)) as SaaSOffering[];
    // ordering by addDependency and a layout's extra files need every object in the tree
    const streaming = !this.layout.extraFiles && !constructs.some((c) => c.node.dependencies.length > 0);
    if (!streaming) offerings.forEach((o) => o._reviveReleased());
    for (const { tenant, documents, files } of streaming ? this.streamTenants(collector, offerings) : []) {
      if (!direct) {
        // (only the default layout's tenant files are taken from the cache: here documents are at hand)
        streamed.set(tenant, documents!);
        continue;
      }
      for (const [file, content] of files) {
        yielded.push(file);
        yield [file.split('/').join(path.sep), content];
      }
    }
    this.renderTenants(offerings);
    collector.visit(this, undefined, undefined, streamed);
    const { entriesByFile, plannedByFile } = collector.finish(this);
    const shared = yielded.find((file) => entriesByFile.has(file));
    if (shared) {
      throw new Error(`internal error: the file "${shared}" was written with a tenant's objects, and other objects go there too`);
    }
    const extra = this.extraFiles(entriesByFile, plannedByFile);
    const paths = [...entriesByFile.keys(), ...extra.keys()].sort();
    const lowercase = new Map<string, string>();
    const problems: string[] = [];
    for (const file of [...yielded, ...paths]) {
      const other = lowercase.get(file.toLowerCase());
      if (other) problems.push(`the files "${other}" and "${file}" differ only in case: on macOS and Windows they are one file; give them other names`);
      lowercase.set(file.toLowerCase(), file);
    }
    throwIfProblems('the app cannot be synthesized', problems);
    for (const file of paths) {
      const entries = entriesByFile.get(file);
      const content = entries ? entries.map((e) => (typeof e === 'string' ? e : yamlDocumentOf(e))).join('---\n') : extra.get(file)!;
      yield [file.split('/').join(path.sep), content];
    }
  }

  /**
   * Writes the offerings' pending tenants and lets go of them: a tenant whose output the cache
   * holds for exactly its input (TenantOutputCache) is taken from it, without rendering; the
   * others are rendered in batches of STREAM_BATCH, and each one's objects are checked, placed,
   * written as YAML (and kept in the cache), then leave the tree (SaaSOffering `_release`).
   * Yields each tenant with its files, and the documents that make them (which join their files
   * where the tenant is in the tree), but for a tenant taken from the cache.
   */
  private *streamTenants(collector: FileCollector, offerings: readonly SaaSOffering[]): Generator<StreamedTenant> {
    for (const offering of offerings) {
      const cache = TenantOutputCache.of(this, this.layout, offering);
      // hosts are claimed once every tenant is through, in the order tenants were added, whether
      // rendered or taken from the cache: the tenant that fails on a taken host is the same either way
      const hosts = new Map<TenantInstance, readonly string[]>();
      const misses: TenantInstance[] = [];
      const renderMisses = function* (this: SaaSApp): Generator<StreamedTenant> {
        for (const tenant of offering._renderBatch(misses.splice(0), false)) {
          hosts.set(tenant, tenant._hosts);
          const written = this.writeTenant(tenant, collector);
          if (!written) continue;
          cache?.write(tenant, written);
          offering._release(tenant);
          yield { tenant, ...written };
        }
      }.bind(this);
      const taken = offering._takePending();
      let completed = false;
      try {
        for (const tenant of taken) {
          const kept = cache && !tenant.node.children.some((c) => GROUP_IDS.has(c.node.id)) ? cache.read(tenant, offering) : undefined;
          if (kept) {
            offering._adoptWritten(tenant);
            hosts.set(tenant, kept.hosts);
            kept.objects.forEach((o) => collector.claim(o.identity, o.path));
            yield { tenant, files: kept.files };
            continue;
          }
          misses.push(tenant);
          if (misses.length === STREAM_BATCH) yield* renderMisses();
        }
        yield* renderMisses();
        completed = true;
      } finally {
        // stopped midway (an error here or in the writer): the tenants not handled yet stay pending
        if (!completed) offering._returnPending(taken);
        offering._claimHosts(hosts);
      }
    }
  }

  /**
   * The output of a tenant just emitted, its objects checked and placed, with the documents that
   * make its files; undefined when its objects cannot leave the tree.
   */
  private writeTenant(tenant: TenantInstance, collector: FileCollector): TenantOutput & { documents: StreamedObject[] } | undefined {
    const groups = tenant._releasable;
    if (!groups) {
      return undefined;
    }
    const objects: WrittenObject[] = [];
    const documents: StreamedObject[] = [];
    const byFile = new Map<string, string[]>();
    const write = (file: string, object: ApiObject): void => {
      const identity = objectIdentity(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
      objects.push({ identity, path: object.node.path });
      const document = yamlDocumentOf(object);
      documents.push({ file, document });
      byFile.set(file, [...byFile.get(file) ?? [], document]);
    };
    for (const group of groups) {
      collector.visit(group, ownerOf(tenant), undefined, undefined, write);
    }
    const files = [...byFile].map(([file, parts]): WrittenFile => [file, parts.join('---\n')]);
    return { hosts: tenant._hosts, objects, files, documents };
  }

  /**
   * Renders every offering's pending tenants, each offering's as one batch; throws one error that
   * names every tenant whose chart cannot be used (the error itself when there is one).
   */
  private renderTenants(offerings: readonly SaaSOffering[]): void {
    offerings.forEach((o) => o._renderPending());
    const failures = offerings.flatMap((o) => o._failed);
    if (failures.length === 1) {
      throw failures[0];
    }
    throwIfProblems(`${failures.length} tenants cannot be synthesized`, failures.map((e) => e.message));
  }

  /** The layout's files that are not objects, checked: relative paths of their own, with text content. */
  private extraFiles(entriesByFile: Map<string, FileEntry[]>, plannedByFile: Map<string, PlannedObject[]>): Map<string, string> {
    const extra = new Map<string, string>();
    if (!this.layout.extraFiles) {
      return extra;
    }
    const problems: string[] = [];
    for (const [file, content] of this.layout.extraFiles(plannedByFile)) {
      const problem = layoutFileProblem(file);
      if (problem) {
        problems.push(problem);
      } else if (entriesByFile.has(file) || extra.has(file)) {
        problems.push(`the layout returned the extra file "${file}" twice, or a file that holds objects: give each file one purpose`);
      } else if (typeof content !== 'string') {
        problems.push(`the layout returned ${typeof content} content for the extra file "${file}": return text`);
      }
      extra.set(String(file), content);
    }
    throwIfProblems('the output layout is invalid', problems);
    return extra;
  }
}

/** Tenants rendered at synthesis are written and let go of in batches of this many. */
const STREAM_BATCH = 250;

/** A file's objects: ApiObjects in the tree, or the YAML documents of objects it let go of. */
type FileEntry = ApiObject | string;

/** A tenant written and let go of: its files, and the documents that make them unless taken from the cache. */
interface StreamedTenant {
  readonly tenant: TenantInstance;
  readonly files: readonly WrittenFile[];
  readonly documents?: readonly StreamedObject[];
}

/** An object written and let go of: its file and its YAML. */
interface StreamedObject {
  readonly file: string;
  readonly document: string;
}

/** Where each object of the tree goes, checked: validations, one API server identity per object, layout paths. */
class FileCollector {
  private readonly entriesByFile = new Map<string, FileEntry[]>();
  /** the plan entries by file, for the layout's extra files only */
  private readonly plannedByFile = new Map<string, PlannedObject[]>();
  private readonly withPlanned: boolean;
  private readonly checkedFiles = new Set<string>();
  private readonly owners = new Map<string, string>();
  private readonly duplicates: string[] = [];
  private readonly errors: string[] = [];
  private readonly dependants: IConstruct[] = [];

  constructor(private readonly layout: OutputLayout) {
    this.withPlanned = layout.extraFiles !== undefined;
  }

  /**
   * Visits `construct` and its children in tree order; each ApiObject goes to `sink`, by default
   * its file. A construct of `streamed` is followed by the documents written for it.
   */
  public visit(
    construct: IConstruct, owner: ReturnType<typeof ownerOf>, chartFile: string | undefined,
    streamed?: ReadonlyMap<IConstruct, readonly StreamedObject[]>,
    sink: (file: string, object: ApiObject, planned?: PlannedObject) => void = (file, object, planned) => this.place(file, object, planned),
  ): void {
    if (construct.node.dependencies.length > 0) this.dependants.push(construct);
    for (const error of construct.node.validate()) {
      this.errors.push(`[${construct.node.path}] ${error}`);
    }
    const here = ownerOf(construct) ?? owner;
    const file = chartFile ?? (!here && Chart.isChart(construct) ? `${construct.node.path.replace(/\//g, '-')}.k8s.yaml` : undefined);
    if (construct instanceof ApiObject) {
      // the final plan must hold each API server object once: a second would replace the first when applied
      this.claim(objectIdentity(construct.apiVersion, construct.kind, construct.metadata.namespace, construct.metadata.name), construct.node.path);
      const planned = plannedOf(construct)
        ?? (here ? { object: construct.toJson(), group: here.group, wave: GROUP_WAVES[here.group], owner: here.owner } : undefined);
      if (planned) {
        sink(this.layout.fileFor(planned), construct, planned);
      } else if (file) {
        sink(file, construct, undefined);
      }
    }
    for (const child of construct.node.children) {
      this.visit(child, here, here ? undefined : file, streamed, sink);
    }
    for (const { file: target, document } of streamed?.get(construct) ?? []) {
      this.place(target, document, undefined);
    }
  }

  /** Records the object `identity` as the construct's at `constructPath`: the final plan must hold each API server object once, a second would replace the first when applied. */
  public claim(identity: string, constructPath: string): void {
    const first = this.owners.get(identity);
    if (first) {
      this.duplicates.push(`${identity} is planned twice, by ${first} and by ${constructPath}: applied, one would replace the other; give each its own name`);
    }
    this.owners.set(identity, constructPath);
  }

  /** The files' entries once the whole tree is visited; throws its validation errors and duplicates. */
  public finish(app: App): { entriesByFile: Map<string, FileEntry[]>; plannedByFile: Map<string, PlannedObject[]> } {
    if (this.duplicates.length > 0) {
      throw new SaaSplaneError('the app cannot be synthesized', this.duplicates);
    }
    if (this.errors.length > 0) {
      throw new Error(`Validation failed with the following errors:\n  ${this.errors.join('\n  ')}`);
    }
    if (this.dependants.length > 0) {
      // as the stock App: an object comes after the objects it depends on (addDependency), and a
      // dependency of or on any construct is one of or on every ApiObject under it; the graph is
      // built only when some construct declares a dependency (then nothing was let go of)
      for (const source of this.dependants) {
        const sources = source.node.findAll().filter((c) => c instanceof ApiObject);
        for (const target of source.node.dependencies) {
          for (const object of target.node.findAll().filter((c) => c instanceof ApiObject)) {
            for (const dependant of sources) {
              if (dependant !== object) dependant.node.addDependency(object);
            }
          }
        }
      }
      const order = new Map<unknown, number>(new DependencyGraph(app.node).topology().map((c, i) => [c, i]));
      for (const entries of this.entriesByFile.values()) {
        entries.sort((a, b) => order.get(a)! - order.get(b)!);
      }
    }
    return { entriesByFile: this.entriesByFile, plannedByFile: this.plannedByFile };
  }

  private place(file: string, entry: FileEntry, planned: PlannedObject | undefined): void {
    if (!this.checkedFiles.has(file)) {
      throwIfProblems('the output layout is invalid', [layoutFileProblem(file)].filter((p): p is string => p !== undefined));
      this.checkedFiles.add(file);
    }
    let entries = this.entriesByFile.get(file);
    if (!entries) {
      entries = [];
      this.entriesByFile.set(file, entries);
    }
    entries.push(entry);
    if (this.withPlanned && planned) {
      const plannedEntries = this.plannedByFile.get(file) ?? [];
      plannedEntries.push(planned);
      this.plannedByFile.set(file, plannedEntries);
    }
  }
}

/** The claims in a YAML file (claim objects and StatefulSet claim templates), with their tenant (`<offering>/<tenant>`) from saasplane's labels. */
function claimsIn(text: string): Array<{ tenant: string; claim: string }> {
  const found: Array<{ tenant: string; claim: string }> = [];
  for (const document of YAML.parseAllDocuments(text)) {
    const object: unknown = document.toJSON();
    if (!isPlainObject(object) || !isPlainObject(object.metadata)) continue;
    const templates = object.kind === 'StatefulSet' && isPlainObject(object.spec) && Array.isArray(object.spec.volumeClaimTemplates) ? object.spec.volumeClaimTemplates : [];
    for (const claim of object.kind === 'PersistentVolumeClaim' ? [object] : templates) {
      const own = isPlainObject(claim?.metadata?.labels) ? claim.metadata.labels : {};
      const labels = { ...(isPlainObject(object.metadata.labels) ? object.metadata.labels : {}), ...own };
      if (typeof labels[LABEL_OFFERING] !== 'string' || typeof labels[LABEL_TENANT] !== 'string') continue;
      const name = claim === object ? String(object.metadata.name) : `${claim?.metadata?.name} (template of StatefulSet ${String(object.metadata.name)})`;
      found.push({ tenant: `${labels[LABEL_OFFERING]}/${labels[LABEL_TENANT]}`, claim: name });
    }
  }
  return found;
}
