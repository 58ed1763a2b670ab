import * as path from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import { objectIdentity, outdirProblem, SaaSplaneError, toYaml, writeTreeAtomically } from '../core';
import { fileOf } from './output-layout';

/**
 * A cdk8s `App` that writes the saasplane GitOps layout, `<outdir>/<offering>/<tenant>/` per
 * tenant and `<outdir>/<offering>/_shared/` per offering, in time linear in the number of tenants.
 *
 * The stock `App.synth()` resolves and validates the whole app once per chart, which is quadratic
 * with one chart per tenant. This app validates the tree once, serializes every `ApiObject` once,
 * and swaps the finished tree into `outdir` (a failed synthesis leaves `outdir` untouched).
 * Charts that are not saasplane's go to `<outdir>/<chart path>.k8s.yaml`.
 */
export class SaaSApp extends App {
  constructor(props: AppProps = {}) {
    super(props);
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
   * The synthesized tree as file path (relative to `outdir`) to YAML content, without writing it.
   * Objects keep the order of the construct tree.
   */
  public synthFiles(): Map<string, string> {
    return new Map(this.files());
  }

  /**
   * Validates the whole tree, then returns the files in path order, each serialized only when it
   * is consumed so that `synth()` never holds more than one file's objects as JSON.
   */
  private files(): Iterable<[string, string]> {
    const objectsByFile = this.objectsByFile();
    return (function* generate() {
      for (const file of [...objectsByFile.keys()].sort()) {
        yield [file.split('/').join(path.sep), toYaml(objectsByFile.get(file)!.map((o) => o.toJson()))] as [string, string];
      }
    })();
  }

  private objectsByFile(): Map<string, ApiObject[]> {
    const errors: string[] = [];
    const objectsByFile = new Map<string, ApiObject[]>();
    const owners = new Map<string, string>();
    const duplicates: string[] = [];
    const dependants: IConstruct[] = [];
    const visit = (construct: IConstruct, file: string | undefined): void => {
      if (construct.node.dependencies.length > 0) dependants.push(construct);
      for (const error of construct.node.validate()) {
        errors.push(`[${construct.node.path}] ${error}`);
      }
      const here = fileOf(construct) ?? (Chart.isChart(construct) && !file ? `${construct.node.path.replace(/\//g, '-')}.k8s.yaml` : file);
      if (construct instanceof ApiObject) {
        // the final plan must hold each API server object once: a second would replace the first when applied
        const identity = objectIdentity(construct.apiVersion, construct.kind, construct.metadata.namespace, construct.metadata.name);
        const owner = owners.get(identity);
        if (owner) {
          duplicates.push(`${identity} is planned twice, by ${owner} and by ${construct.node.path}: applied, one would replace the other; give each its own name`);
        }
        owners.set(identity, construct.node.path);
      }
      if (construct instanceof ApiObject && here) {
        let objects = objectsByFile.get(here);
        if (!objects) {
          objects = [];
          objectsByFile.set(here, objects);
        }
        objects.push(construct);
      }
      for (const child of construct.node.children) {
        visit(child, here);
      }
    };
    visit(this, undefined);
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
    return objectsByFile;
  }
}
