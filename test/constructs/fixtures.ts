// Shared set-up for construct tests: the example chart offering and temporary folders.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shop } from '../../examples/offering';
import { SaaSApp, SaaSOffering, SaaSOfferingProps, TenantOptions } from '../../src/constructs';

export const EXAMPLE_CHART = path.join(__dirname, '..', '..', 'examples', 'charts', 'shop');
export const FIXTURE_CHARTS = path.join(__dirname, '..', 'fixtures', 'charts');

/** A fresh temporary folder, removed by the OS eventually; tests clean up what they can. */
export function tempDir(prefix = 'saasplane-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Points saasplane's chart cache and helm's own homes at a fresh folder (process.env, which helm gets). */
export function isolateHelmHomes(): void {
  const home = tempDir();
  Object.assign(process.env, {
    XDG_CACHE_HOME: path.join(home, 'cache'),
    HELM_CACHE_HOME: path.join(home, 'helm-cache'),
    HELM_CONFIG_HOME: path.join(home, 'helm-config'),
    HELM_DATA_HOME: path.join(home, 'helm-data'),
  });
}

export interface ExampleOffering {
  readonly app: SaaSApp;
  readonly offering: SaaSOffering;
  readonly outdir: string;
}

/** A SaaSApp writing into a fresh temporary folder, and the example offering in it. */
export function exampleOffering(overrides: Partial<SaaSOfferingProps> = {}, outdir = tempDir()): ExampleOffering {
  const app = new SaaSApp({ outdir });
  const offering = new SaaSOffering(app, 'shop', { ...shop, ...overrides });
  return { app, offering, outdir };
}

/** Objects of a kind among synthesized manifests. */
export function ofKind<T = any>(manifests: any[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind);
}

/** Reads every file of a tree into a map of relative path to content. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full); else files.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

/** Tenant options with the tenant's own Ingress host in the example's domain (hosts are unique across tenants). */
export function hosted(name: string, options: TenantOptions): TenantOptions {
  const parameters = options.parameters ?? {};
  return { ...options, parameters: { ...parameters, ingress: { host: `${name}.shop.example.com`, ...(parameters.ingress ?? {}) } } };
}
