// Locates the real binaries of a local control plane: etcd, the Kubernetes components, kubectl,
// kwok, kube-score and cyclonus, as built by `scripts/build-control-plane.sh` (from Go modules,
// cached by version) or provided by an envtest assets directory (KUBEBUILDER_ASSETS).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The pinned versions: keep in step with scripts/build-control-plane.sh.
export const ETCD_VERSION = 'v3.6.16';
export const KUBERNETES_VERSION = 'v1.34.4';
export const KWOK_VERSION = 'v0.8.0';
export const KUBE_SCORE_VERSION = 'v1.20.0';
export const CYCLONUS_VERSION = 'v0.5.6';
export const PROMETHEUS_OPERATOR_VERSION = 'v0.85.0';

export const PULUMI_VERSION = 'v3.245.0'; // keep in sync with scripts/build-pulumi.sh
export const PULUMI_KUBERNETES_VERSION = 'v4.32.0';

/** The Pulumi CLI and Kubernetes plugin `scripts/build-pulumi.sh` built, if it has: `root` holds `bin/pulumi`. */
export function pulumiInstallation(): { root: string; kubernetesPlugin: string; pluginSpec: string } | undefined {
  const root = path.join(toolsDirectory(), `pulumi-${PULUMI_VERSION}-kubernetes-${PULUMI_KUBERNETES_VERSION}`);
  const kubernetesPlugin = path.join(root, 'plugins', 'pulumi-resource-kubernetes');
  return fs.existsSync(path.join(root, 'bin', 'pulumi')) && fs.existsSync(kubernetesPlugin)
    ? { root, kubernetesPlugin, pluginSpec: `resource kubernetes ${PULUMI_KUBERNETES_VERSION.slice(1)}` } : undefined;
}

/** Where the build script puts the Prometheus Operator CRDs (ServiceMonitor, PodMonitor, PrometheusRule), if it has. */
export function prometheusOperatorCrds(): string | undefined {
  const dir = path.join(toolsDirectory(), `prometheus-operator-crds-${PROMETHEUS_OPERATOR_VERSION}`);
  return fs.existsSync(path.join(dir, 'monitoring.coreos.com_prometheusrules.yaml')) ? dir : undefined;
}

/** The binaries saasplane runs, each with the cache folder (`<tool>-<version>`) it is built into. */
export const TOOLS = {
  'etcd': { dir: `etcd-${ETCD_VERSION}`, version: ETCD_VERSION },
  'kube-apiserver': { dir: `kubernetes-${KUBERNETES_VERSION}`, version: KUBERNETES_VERSION },
  'kube-controller-manager': { dir: `kubernetes-${KUBERNETES_VERSION}`, version: KUBERNETES_VERSION },
  'kube-scheduler': { dir: `kubernetes-${KUBERNETES_VERSION}`, version: KUBERNETES_VERSION },
  'kubectl': { dir: `kubernetes-${KUBERNETES_VERSION}`, version: KUBERNETES_VERSION },
  'kwok': { dir: `kwok-${KWOK_VERSION}`, version: KWOK_VERSION },
  'kube-score': { dir: `kube-score-${KUBE_SCORE_VERSION}`, version: KUBE_SCORE_VERSION },
  'cyclonus': { dir: `cyclonus-${CYCLONUS_VERSION}`, version: CYCLONUS_VERSION },
} as const;

export type ToolName = keyof typeof TOOLS;

/** What a control plane needs; `nodes > 0` adds the scheduler and kwok. */
export const CONTROL_PLANE_TOOLS: readonly ToolName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'];
export const NODE_TOOLS: readonly ToolName[] = ['kube-scheduler', 'kwok'];

const BUILD_HINT = 'build the control plane with `bash scripts/build-control-plane.sh` in the saasplane repository '
  + '(cached in ~/.cache/saasplane/tools; SAASPLANE_TOOLS overrides the folder), or set KUBEBUILDER_ASSETS to a folder holding it';

/** Binaries that are not where saasplane looks for them. */
export class MissingToolError extends Error {
  constructor(readonly missing: readonly { tool: ToolName; lookedAt: readonly string[] }[]) {
    super(`${missing.map((m) => `${m.tool} ${TOOLS[m.tool].version} not found (looked at ${m.lookedAt.join(', ')})`).join('; ')}: ${BUILD_HINT}`);
    this.name = 'MissingToolError';
  }
}

/** Where the build script caches its binaries: SAASPLANE_TOOLS, else ~/.cache/saasplane/tools. */
export function toolsDirectory(): string {
  return process.env.SAASPLANE_TOOLS || path.join(os.homedir(), '.cache', 'saasplane', 'tools');
}

/** The places looked at for `tool`, in order: the envtest assets folder first, then the cache. */
export function toolCandidates(tool: ToolName): string[] {
  const candidates: string[] = [];
  if (process.env.KUBEBUILDER_ASSETS) {
    candidates.push(path.join(process.env.KUBEBUILDER_ASSETS, tool));
  }
  candidates.push(path.join(toolsDirectory(), TOOLS[tool].dir, tool));
  return candidates;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The path of `tool`, or undefined when it is in none of the places looked at. */
export function findTool(tool: ToolName): string | undefined {
  return toolCandidates(tool).find(isExecutable);
}

/** The path of `tool`; throws a `MissingToolError` naming where it looked and how to build it. */
export function requireTool(tool: ToolName): string {
  return requireTools([tool])[tool];
}

/** The paths of `tools`; throws one `MissingToolError` naming every missing one. */
export function requireTools<T extends ToolName>(tools: readonly T[]): Record<T, string> {
  const missing = missingTools(tools);
  if (missing.length > 0) {
    throw new MissingToolError(missing.map((m) => ({ tool: m.tool, lookedAt: toolCandidates(m.tool) })));
  }
  return Object.fromEntries(tools.map((t) => [t, findTool(t)])) as Record<T, string>;
}

/** The tools of `tools` that cannot be found, each with the path it would be built to. */
export function missingTools<T extends ToolName>(tools: readonly T[]): { tool: T; path: string }[] {
  return tools.filter((t) => !findTool(t)).map((t) => ({ tool: t, path: toolCandidates(t).slice(-1)[0] }));
}
