// Where the planned objects go in the GitOps output: a strategy, so that other layouts (Argo CD
// applications, Flux kustomizations) plug in without touching the planners or the emitters.
import { ObjectGroup, PlannedObject } from './plan';

/** Maps planned objects to files of the output folder, and may add files that are not objects. */
export interface OutputLayout {
  /** The file (relative to the output folder, '/'-separated) that holds `planned`. */
  fileFor(planned: PlannedObject): string;
  /**
   * Files that are not Kubernetes objects (a `kustomization.yaml`, a README per tenant), as
   * path → content, given every object file with the planned objects it holds. Optional.
   */
  extraFiles?(files: ReadonlyMap<string, readonly PlannedObject[]>): Iterable<readonly [string, string]>;
}

/** The folder of an offering's own objects in the default layout. */
export const SHARED_FOLDER = '_shared';

/**
 * The default layout: `<offering>/<tenant>/` per tenant and `<offering>/_shared/` per offering,
 * files numbered by wave so that `kubectl apply -f <folder>` meets a namespace first.
 */
export class TenantFoldersLayout implements OutputLayout {
  /** The file name of a group (and access id) within a folder. */
  public static fileName(group: ObjectGroup, access?: string): string {
    switch (group) {
      case ObjectGroup.NAMESPACE: return '00-namespace.yaml';
      case ObjectGroup.SHARED: return '00-shared-objects.yaml';
      case ObjectGroup.ADMISSION: return '10-admission.yaml';
      case ObjectGroup.GUARDRAILS: return '10-guardrails.yaml';
      case ObjectGroup.PROVIDER_ACCESS: return `20-provider-${access}.yaml`;
      case ObjectGroup.CONSUMER_ACCESS: return `21-consumer-${access}.yaml`;
      case ObjectGroup.CLAIMS: return '25-claims.yaml';
      case ObjectGroup.APP: return '30-app.yaml';
      case ObjectGroup.MONITORING: return '40-monitoring.yaml';
      default: return '50-extra.yaml';
    }
  }

  public fileFor(planned: PlannedObject): string {
    const { owner } = planned;
    return `${owner.offering}/${owner.tenant ?? SHARED_FOLDER}/${TenantFoldersLayout.fileName(planned.group, owner.access)}`;
  }
}

/** Why `file`, a path a layout returned, cannot be written inside the output folder; undefined when it can. */
export function layoutFileProblem(file: unknown): string | undefined {
  if (typeof file !== 'string' || file === '' || file.includes('\0') || file.includes('\\')) {
    return `the layout returned the file ${JSON.stringify(file)}: return a non-empty path with '/' separators`;
  }
  const segments = file.split('/');
  if (file.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    return `the layout returned the file ${JSON.stringify(file)}: return a relative path inside the output folder, without '.', '..' or empty segments`;
  }
  return undefined;
}
