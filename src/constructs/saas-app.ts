import * as path from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import {
  GROUP_WAVES, layoutFileProblem, objectIdentity, OutputLayout, outdirProblem, PlannedObject, SaaSplaneError,
  TenantFoldersLayout, throwIfProblems, writeTreeAtomically,
} from '../core';
import { ownerOf, plannedOf, yamlDocumentOf } from './emit';
import { SaaSOffering } from './saas-offering';

/** Properties of a {@link SaaSApp}. */
export interface SaaSAppProps extends AppProps {
  /**
   * Where each planned object goes, and which other files (a `kustomization.yaml`, a README per
   * tenant) the output holds.
   * @default - TenantFoldersLayout: `<offering>/<tenant>/` per tenant, `<offering>/_shared/` per offering
   */
  readonly layout?: OutputLayout;
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

  constructor(props: SaaSAppProps = {}) {
    super(props);
    this.layout = props.layout ?? new TenantFoldersLayout();
  }

  /** Synthesizes every chart into `outdir`, replacing its previous content as a whole. */
  public synth(): void {
    // the output folder first: it is the one problem that could cost data
    const problem = outdirProblem(this.outdir);
    if (problem) {
      throw new SaaSplaneError('the output folder is invalid', [problem]);
    }
    writeTreeAtomically(this.outdir, this.files());
  }

  /**
   * The synthesized tree as file path (relative to `outdir`) to content, without writing it.
   * Objects keep the order of the construct tree.
   */
  public synthFiles(): Map<string, string> {
    return new Map(this.files());
  }

  /**
   * Validates the whole tree, then returns the files in path order, each object file serialized
   * only when it is consumed so that `synth()` never holds more than one file's objects as JSON.
   */
  private files(): Iterable<[string, string]> {
    this.renderTenants();
    const { objectsByFile, plannedByFile } = this.objectsByFile();
    const extra = this.extraFiles(objectsByFile, plannedByFile);
    const paths = [...objectsByFile.keys(), ...extra.keys()].sort();
    const lowercase = new Map<string, string>();
    const problems: string[] = [];
    for (const file of paths) {
      const other = lowercase.get(file.toLowerCase());
      if (other) problems.push(`the files "${other}" and "${file}" differ only in case: on macOS and Windows they are one file; give them other names`);
      lowercase.set(file.toLowerCase(), file);
    }
    throwIfProblems('the app cannot be synthesized', problems);
    return (function* generate() {
      for (const file of paths) {
        const objects = objectsByFile.get(file);
        yield [file.split('/').join(path.sep), objects ? objects.map(yamlDocumentOf).join('---\n') : extra.get(file)!] as [string, string];
      }
    })();
  }

  /**
   * Renders every offering's pending tenants, each offering's as one batch; throws one error that
   * names every tenant whose chart cannot be used (the error itself when there is one).
   */
  private renderTenants(): void {
    const offerings = this.node.findAll().filter((c) => SaaSOffering.isSaaSOffering(c)) as SaaSOffering[];
    const failures = offerings.flatMap((o) => [...o._renderPending().values()]);
    if (failures.length === 1) {
      throw failures[0];
    }
    throwIfProblems(`${failures.length} tenants cannot be synthesized`, failures.map((e) => e.message));
  }

  /** The layout's files that are not objects, checked: relative paths of their own, with text content. */
  private extraFiles(objectsByFile: Map<string, ApiObject[]>, plannedByFile: Map<string, PlannedObject[]>): Map<string, string> {
    const extra = new Map<string, string>();
    if (!this.layout.extraFiles) {
      return extra;
    }
    const problems: string[] = [];
    for (const [file, content] of this.layout.extraFiles(plannedByFile)) {
      const problem = layoutFileProblem(file);
      if (problem) {
        problems.push(problem);
      } else if (objectsByFile.has(file) || extra.has(file)) {
        problems.push(`the layout returned the extra file "${file}" twice, or a file that holds objects: give each file one purpose`);
      } else if (typeof content !== 'string') {
        problems.push(`the layout returned ${typeof content} content for the extra file "${file}": return text`);
      }
      extra.set(String(file), content);
    }
    throwIfProblems('the output layout is invalid', problems);
    return extra;
  }

  private objectsByFile(): { objectsByFile: Map<string, ApiObject[]>; plannedByFile: Map<string, PlannedObject[]> } {
    const errors: string[] = [];
    const objectsByFile = new Map<string, ApiObject[]>();
    // the plan entries by file, for the layout's extra files only
    const plannedByFile = new Map<string, PlannedObject[]>();
    const withPlanned = this.layout.extraFiles !== undefined;
    const checkedFiles = new Set<string>();
    const owners = new Map<string, string>();
    const duplicates: string[] = [];
    const dependants: IConstruct[] = [];
    const place = (file: string, object: ApiObject, planned: PlannedObject | undefined): void => {
      if (!checkedFiles.has(file)) {
        throwIfProblems('the output layout is invalid', [layoutFileProblem(file)].filter((p): p is string => p !== undefined));
        checkedFiles.add(file);
      }
      let objects = objectsByFile.get(file);
      if (!objects) {
        objects = [];
        objectsByFile.set(file, objects);
      }
      objects.push(object);
      if (withPlanned && planned) {
        const entries = plannedByFile.get(file) ?? [];
        entries.push(planned);
        plannedByFile.set(file, entries);
      }
    };
    const visit = (construct: IConstruct, owner: ReturnType<typeof ownerOf>, chartFile: string | undefined): void => {
      if (construct.node.dependencies.length > 0) dependants.push(construct);
      for (const error of construct.node.validate()) {
        errors.push(`[${construct.node.path}] ${error}`);
      }
      const here = ownerOf(construct) ?? owner;
      const file = chartFile ?? (!here && Chart.isChart(construct) ? `${construct.node.path.replace(/\//g, '-')}.k8s.yaml` : undefined);
      if (construct instanceof ApiObject) {
        // the final plan must hold each API server object once: a second would replace the first when applied
        const identity = objectIdentity(construct.apiVersion, construct.kind, construct.metadata.namespace, construct.metadata.name);
        const first = owners.get(identity);
        if (first) {
          duplicates.push(`${identity} is planned twice, by ${first} and by ${construct.node.path}: applied, one would replace the other; give each its own name`);
        }
        owners.set(identity, construct.node.path);
        const planned = plannedOf(construct)
          ?? (here ? { object: construct.toJson(), group: here.group, wave: GROUP_WAVES[here.group], owner: here.owner } : undefined);
        if (planned) {
          place(this.layout.fileFor(planned), construct, planned);
        } else if (file) {
          place(file, construct, undefined);
        }
      }
      for (const child of construct.node.children) {
        visit(child, here, here ? undefined : file);
      }
    };
    visit(this, undefined, undefined);
    if (duplicates.length > 0) {
      throw new SaaSplaneError('the app cannot be synthesized', duplicates);
    }
    if (errors.length > 0) {
      throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
    }
    if (dependants.length > 0) {
      // as the stock App: an object comes after the objects it depends on (addDependency), and a
      // dependency of or on any construct is one of or on every ApiObject under it; the graph is
      // built only when some construct declares a dependency
      for (const source of dependants) {
        const sources = source.node.findAll().filter((c) => c instanceof ApiObject);
        for (const target of source.node.dependencies) {
          for (const object of target.node.findAll().filter((c) => c instanceof ApiObject)) {
            for (const dependant of sources) {
              if (dependant !== object) dependant.node.addDependency(object);
            }
          }
        }
      }
      const order = new Map(new DependencyGraph(this.node).topology().map((c, i) => [c, i]));
      for (const objects of objectsByFile.values()) {
        objects.sort((a, b) => order.get(a)! - order.get(b)!);
      }
    }
    return { objectsByFile, plannedByFile };
  }
}
