// The example Pulumi projects, run as the Pulumi language host runs them (inside a root stack),
// with their stack configuration files, under mocks. The real engine is not involved here.
// eslint-disable-next-line import/order
import { installMocks, recorded, registrations, reset, settle, valueOf } from './harness';
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as YAML from 'yaml';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples', 'pulumi');

/** Runs a project's program for a stack, with the config of its Pulumi.<stack>.yaml. */
async function runProject(project: string, stack: string): Promise<Record<string, pulumi.Output<unknown>>> {
  const dir = path.join(EXAMPLES, project);
  const projectName = YAML.parse(fs.readFileSync(path.join(dir, 'Pulumi.yaml'), 'utf8')).name;
  installMocks(projectName, stack);
  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  const config = fs.existsSync(stackFile) ? YAML.parse(fs.readFileSync(stackFile, 'utf8')).config : {};
  // the kubeconfig is a secret each user sets for themselves: no stack file holds one
  pulumi.runtime.setAllConfig({
    ...Object.fromEntries(Object.entries<unknown>(config)
      .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
    [`${projectName}:kubeconfig`]: KUBECONFIG,
  }, [`${projectName}:kubeconfig`]);
  let exports: Record<string, pulumi.Output<unknown>> = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation(recorded.transformations![0]);
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a Pulumi program runs as its module is loaded
      exports = require(dir);
    });
    return exports;
  });
  await settle();
  return exports;
}

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: []\n';

beforeEach(reset);

test.each([
  ['acme', 'small', { replicaCount: 2, ingress: { host: 'acme.shop.example.com' } }],
  ['globex', 'large', { replicaCount: 3, theme: 'dark', ingress: { host: 'globex.shop.example.com' } }],
])('tenant stack %s deploys its plan and parameters and nothing of the offering', async (stack, plan, parameters) => {
  const exports = await runProject('tenant', stack);
  expect(await valueOf(exports.namespace)).toBe(`shop-${stack}`);
  expect(await valueOf(exports.plan)).toBe(plan);
  expect(await valueOf(exports.consumerServiceAccount)).toBe(`${stack}-users`);
  // the chart objects, rendered with the tenant's parameters
  const [web] = registrations.filter((r) => r.type === 'kubernetes:apps/v1:Deployment');
  expect(web.inputs.spec.replicas).toBe(parameters.replicaCount);
  const [ingress] = registrations.filter((r) => r.type === 'kubernetes:networking.k8s.io/v1:Ingress');
  expect(ingress.inputs.spec.rules.map((r: { host: string }) => r.host)).toEqual([parameters.ingress.host]);
  const quota = registrations.find((r) => r.type === 'kubernetes:core/v1:ResourceQuota')!;
  expect(quota.inputs.metadata.labels['saasplane.io/plan']).toBe(plan);
  expect(registrations.map((r) => r.type)).not.toContain('saasplane:index:SaaSOffering');
});

test('the provider stack deploys the offering-level objects and the provider identity, and no tenant', async () => {
  const exports = await runProject('provider', 'prod');
  expect(await valueOf(exports.providerServiceAccount)).toBe('shop-system/provider');
  const types = registrations.map((r) => r.type);
  expect(types).toEqual(expect.arrayContaining([
    'saasplane:index:SaaSOffering', 'saasplane:index:ProviderAccess', 'kubernetes:monitoring.coreos.com/v1:PrometheusRule',
    'kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy',
  ]));
  expect(types).not.toContain('saasplane:index:TenantInstance');
});

test.each(['tenant', 'provider'])('every Kubernetes resource of the %s project goes through its explicit provider, built from the kubeconfig secret', async (project) => {
  await runProject(project, project === 'tenant' ? 'acme' : 'prod');
  const providers = registrations.filter((r) => r.type === 'pulumi:providers:kubernetes');
  expect(providers.map((p) => p.name)).toEqual(['cluster']);
  // registered as a secret: Pulumi's secret signature around the value
  expect(providers[0].inputs.kubeconfig).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: KUBECONFIG });
  const kubernetes = registrations.filter((r) => r.custom && r.type.startsWith('kubernetes:'));
  expect(kubernetes.length).toBeGreaterThan(project === 'tenant' ? 15 : 5);
  // a provider reference is "<provider URN>::<provider id>": never Pulumi's default_<version> provider
  expect(new Set(kubernetes.map((r) => r.provider?.replace(/::[^:]*$/, '').split('::').pop()))).toEqual(new Set(['cluster']));
});
