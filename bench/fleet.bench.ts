// npm run bench:fleet: the Pulumi front-end on the real engine (scripts/build-pulumi.sh) and the dev
// cluster (kwok nodes), through the Automation API:
//   fleet    20 tenant stacks `up` through `runFleet` at concurrency 1, 2 and 4 (each round
//            destroyed after it is measured), with the tenant program of test/pulumi/fixtures/fleet.ts
//            (the example's, Ingresses not awaited: no ingress controller runs here)
//   tenant   one tenant's `up` with saasplane's TenantInstance and ConsumerAccess (median of three)
// next to its floor, measured in the same run: a hand-written @pulumi/kubernetes program creating
// the same objects (the example's synthesized YAML for that tenant, each object its typed
// resource, everything after the namespace) on the same engine (median of three).
import * as fs from 'fs';
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { LocalWorkspace, PulumiCommand } from '@pulumi/pulumi/automation';
import * as YAML from 'yaml';
import { shop } from '../examples/offering';
import { tenantStack } from '../examples/pulumi/tenant/program';
import { ClusterHandle, prometheusOperatorCrds, pulumiInstallation, startDevCluster } from '../src/cli';
import { ConsumerAccess, SaaSApp, SaaSOffering } from '../src/constructs';
import { KubeObject } from '../src/core';
import { FleetTenant, runFleet } from '../src/pulumi';
import { applyCrds, persistentVolumes, storage } from '../test/integration/fixtures';
import { skipIngressAwait } from '../test/pulumi/fixtures/fleet';

const FLEET_SIZE = Number(process.env.BENCH_FLEET_SIZE ?? 20);
const CONCURRENCIES = (process.env.BENCH_FLEET_CONCURRENCY ?? '1,2,4').split(',').map(Number);
const PROJECT = 'shop-tenant';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const tenant = (i: number, round: string): FleetTenant => ({ name: `${round}${i}`, plan: 'small', parameters: { replicaCount: 1, ingress: { host: `${round}${i}.shop.example.com` } } });

/** The objects the cdk8s front-end writes for `t` (with the same Ingress annotation): what the hand-written program creates. */
function synthesizedObjects(t: FleetTenant, outdir: string): KubeObject[] {
  const app = new SaaSApp({ outdir });
  const offering = new SaaSOffering(app, 'shop', { ...shop, transform: skipIngressAwait });
  new ConsumerAccess(app, `${t.name}-users`, { tenant: offering.addTenant(t.name, { plan: t.plan, parameters: t.parameters }) });
  app.synth();
  const dir = path.join(outdir, 'shop', t.name);
  return fs.readdirSync(dir).sort().flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON() as KubeObject));
}

/** A hand-written program: each object its typed @pulumi/kubernetes resource, every one after the namespace. */
function handWritten(objects: KubeObject[], kubeconfig: string) {
  return () => {
    const provider = new k8s.Provider('cluster', { kubeconfig: pulumi.secret(kubeconfig) });
    const [namespace, ...rest] = objects;
    const ns = new k8s.core.v1.Namespace(namespace.metadata.name, namespace as k8s.core.v1.NamespaceArgs, { provider });
    for (const o of rest) {
      const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['core', o.apiVersion];
      const module = (k8s as any)[group.split('.')[0]]?.[version]?.[o.kind];
      const Typed = typeof module === 'function' && (group === 'core' || group === 'apps' || group.endsWith('.k8s.io')) ? module : undefined;
      const name = `${o.kind}:${o.metadata.name}`;
      if (Typed) new Typed(name, o, { provider, dependsOn: [ns] });
      else new k8s.apiextensions.CustomResource(name, o as any, { provider, dependsOn: [ns] });
    }
    return {};
  };
}

async function main(): Promise<void> {
  const installation = pulumiInstallation();
  const crds = prometheusOperatorCrds();
  if (!installation || !crds) throw new Error('build the tools first: bash scripts/setup.sh');
  const cluster: ClusterHandle = await startDevCluster({ nodes: 2 });
  try {
    const kubectl = async (args: string[], input?: string) => {
      const r = await cluster.kubectl(args, input ? { input } : undefined);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    };
    await applyCrds(cluster, crds);
    await kubectl(['apply', '-f', '-'], storage(0));
    const kubeconfig = fs.readFileSync(cluster.kubeconfig, 'utf8');
    const state = fs.mkdtempSync('/tmp/saasplane-bench-state-');
    const home = fs.mkdtempSync('/tmp/saasplane-bench-home-');
    const backendUrl = `file://${state}`;
    const envVars = { PULUMI_HOME: home, PULUMI_CONFIG_PASSPHRASE: 'bench', PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true', PULUMI_SKIP_UPDATE_CHECK: 'true' };
    const plugins = { [installation.pluginSpec]: installation.kubernetesPlugin };
    const options = {
      module: path.join(__dirname, '..', 'test', 'pulumi', 'fixtures', 'fleet.ts'),
      backendUrl,
      pulumiRoot: installation.root,
      pulumiHome: home,
      envVars,
      plugins,
      kubeconfig,
    };

    console.log(`fleet: ${FLEET_SIZE} tenant stacks up (small plan, 1 web replica + database), then destroyed`);
    console.log('concurrency  up s  stacks/min  destroy s  failed');
    for (const concurrency of CONCURRENCIES) {
      const round = `c${concurrency}t`;
      await kubectl(['apply', '-f', '-'], persistentVolumes(`pv-${round}`, FLEET_SIZE));
      const tenants = Array.from({ length: FLEET_SIZE }, (_, i) => tenant(i, round));
      const up = await runFleet('up', { ...options, tenants, concurrency });
      const destroyed = await runFleet('destroy', { ...options, tenants, concurrency });
      const failed = up.failed + destroyed.failed;
      console.log(`${String(concurrency).padStart(11)}  ${(up.durationMs / 1000).toFixed(1).padStart(4)}  ${(FLEET_SIZE / (up.durationMs / 60000)).toFixed(1).padStart(10)}  `
        + `${(destroyed.durationMs / 1000).toFixed(1).padStart(9)}  ${failed}`);
      for (const r of [...up.results, ...destroyed.results].filter((x) => x.status === 'failed')) console.log(`  ${r.tenant} ${r.action}: ${r.error}`);
    }

    const pulumiCommand = await PulumiCommand.get({ root: installation.root });
    const settings = { pulumiCommand, envVars: { ...envVars, PULUMI_BACKEND_URL: backendUrl }, projectSettings: { name: PROJECT, runtime: 'nodejs' as const, backend: { url: backendUrl } } };
    const one = tenant(0, 'solo');
    const objects = synthesizedObjects(one, fs.mkdtempSync('/tmp/saasplane-bench-out-'));
    const saasplaneRuns: number[] = [];
    const handRuns: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      for (const [kind, times, program] of [
        ['saasplane', saasplaneRuns, () => tenantStack(one, pulumi.secret(kubeconfig), skipIngressAwait)],
        ['hand-written', handRuns, handWritten(objects, kubeconfig)],
      ] as const) {
        await kubectl(['apply', '-f', '-'], persistentVolumes(`pv-${kind}-${run}`, 1));
        const stack = await LocalWorkspace.createOrSelectStack({ projectName: PROJECT, stackName: `${kind}-${run}`, program: async () => program() }, settings);
        const start = Date.now();
        const up = await stack.up();
        times.push((Date.now() - start) / 1000);
        if (up.summary.result !== 'succeeded') throw new Error(`${kind} up: ${up.summary.result}`);
        await stack.destroy();
        // saasplane's destroy keeps the namespace holding the tenant's claims (retainOnDelete): the
        // next program creates the same namespace, so the bench removes it, data and all
        if (kind === 'saasplane') await kubectl(['delete', 'namespace', `shop-${one.name}`, '--wait=true', '--timeout=120s']);
      }
    }
    const ratio = median(saasplaneRuns) / median(handRuns);
    console.log(`\none tenant up (${objects.length} objects), median of 3: saasplane ${median(saasplaneRuns).toFixed(2)} s, `
      + `hand-written @pulumi/kubernetes ${median(handRuns).toFixed(2)} s (floor): ${ratio.toFixed(2)}× (target ≤ 1.2×)`);
    console.log(`  runs: saasplane ${saasplaneRuns.map((s) => s.toFixed(2)).join(', ')}; hand-written ${handRuns.map((s) => s.toFixed(2)).join(', ')}`);
  } finally {
    await cluster.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
