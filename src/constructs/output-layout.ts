// Internal: which file of the GitOps tree each construct's objects go to. Constructs register
// a file for themselves; an ApiObject lands in the file of its nearest registered ancestor.
import { IConstruct } from 'constructs';

const files = new WeakMap<IConstruct, string>();

/** Directs the objects under `scope` into `file` (a path relative to the app's outdir). */
export function placeInFile(scope: IConstruct, file: string): void {
  files.set(scope, file);
}

/** The file registered for `scope` itself, if any. */
export function fileOf(scope: IConstruct): string | undefined {
  return files.get(scope);
}

/** Numbered so that `kubectl apply -f <dir>` meets the namespace first. */
export const TENANT_FILES = {
  namespace: '00-namespace.yaml',
  guardrails: '10-guardrails.yaml',
  providerAccess: (id: string) => `20-provider-${id}.yaml`,
  consumerAccess: (id: string) => `21-consumer-${id}.yaml`,
  app: '30-app.yaml',
  monitoring: '40-monitoring.yaml',
  extra: '50-extra.yaml',
} as const;

export const SHARED_FOLDER = '_shared';

export const SHARED_FILES = {
  namespace: '00-namespace.yaml',
  sharedObjects: '00-shared-objects.yaml',
  admission: '10-admission.yaml',
  provider: (id: string) => `20-provider-${id}.yaml`,
  monitoring: '40-monitoring.yaml',
  extra: '50-extra.yaml',
} as const;
