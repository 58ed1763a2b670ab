// The output layout as a strategy on SaaSApp: the default layout, a user's own layout with files
// that are not objects (a kustomization.yaml per tenant folder), and the checks on what a layout
// returns; typed access to the planned objects and the documented construct ids.
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as YAML from 'yaml';
import { hosted, readTree, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { ConsumerAccess, ObjectGroup, OutputLayout, PlannedObject, ProviderAccess, SaaSApp, SaaSOffering, TenantFoldersLayout } from '../../src/constructs';
import { SaaSplaneError } from '../../src/core';

function program(layout?: OutputLayout, outdir = tempDir()) {
  const app = new SaaSApp({ outdir, layout });
  const offering = new SaaSOffering(app, 'shop', shop);
  new ProviderAccess(app, 'provider', { offering });
  const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
  offering.addTenant('globex', hosted('globex', { plan: 'large' }));
  new ConsumerAccess(app, 'acme-users', { tenant: acme });
  return { app, offering, acme, outdir };
}

/** Argo CD style: one folder per tenant of plain files by kind, and a kustomization.yaml listing them. */
class KustomizeLayout implements OutputLayout {
  public fileFor(planned: PlannedObject): string {
    const folder = planned.owner.tenant ? `tenants/${planned.owner.tenant}` : `offerings/${planned.owner.offering}`;
    return `${folder}/${String(planned.wave).padStart(2, '0')}-${planned.group}.yaml`;
  }

  public *extraFiles(files: ReadonlyMap<string, readonly PlannedObject[]>): Iterable<[string, string]> {
    const folders = new Map<string, string[]>();
    for (const file of files.keys()) {
      const slash = file.lastIndexOf('/');
      folders.set(file.slice(0, slash), [...folders.get(file.slice(0, slash)) ?? [], file.slice(slash + 1)]);
    }
    for (const [folder, names] of folders) {
      yield [`${folder}/kustomization.yaml`, YAML.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: names.sort() })];
    }
  }
}

test('the default layout is TenantFoldersLayout: a folder per tenant and _shared per offering, numbered files', () => {
  const { app } = program();
  expect(app.layout).toBeInstanceOf(TenantFoldersLayout);
  expect([...app.synthFiles().keys()].filter((f) => f.includes('acme') || f.includes('_shared')).sort()).toEqual([
    'shop/_shared/00-namespace.yaml', 'shop/_shared/10-admission.yaml', 'shop/_shared/20-provider-provider.yaml', 'shop/_shared/40-monitoring.yaml',
    'shop/acme/00-namespace.yaml', 'shop/acme/10-guardrails.yaml', 'shop/acme/20-provider-provider.yaml', 'shop/acme/21-consumer-acme-users.yaml',
    'shop/acme/25-claims.yaml', 'shop/acme/30-app.yaml', 'shop/acme/40-monitoring.yaml',
  ].map((f) => f.split('/').join(path.sep)));
});

test('a layout of its own places every object, and its extra files (a kustomization.yaml per folder) are written beside them', () => {
  const { app, outdir } = program(new KustomizeLayout());
  app.synth();
  const tree = readTree(outdir);
  const acme = [...tree.keys()].filter((f) => f.startsWith('tenants/acme/')).sort();
  expect(acme).toEqual([
    'tenants/acme/00-namespace.yaml', 'tenants/acme/10-guardrails.yaml', 'tenants/acme/20-consumer-access.yaml', 'tenants/acme/20-provider-access.yaml',
    'tenants/acme/25-claims.yaml', 'tenants/acme/30-app.yaml', 'tenants/acme/40-monitoring.yaml', 'tenants/acme/kustomization.yaml',
  ]);
  const kustomization = YAML.parse(tree.get('tenants/acme/kustomization.yaml')!);
  expect(kustomization.resources).toEqual(acme.filter((f) => !f.endsWith('kustomization.yaml')).map((f) => f.slice('tenants/acme/'.length)));
  // the same objects as the default layout, only placed elsewhere
  const objects = (files: Map<string, string>) => [...files].filter(([f]) => !f.endsWith('kustomization.yaml'))
    .flatMap(([, c]) => YAML.parseAllDocuments(c).map((d) => JSON.stringify(d.toJS()))).sort();
  expect(objects(tree)).toEqual(objects(program().app.synthFiles()));
  expect(tree.get('offerings/shop/kustomization.yaml')).toContain('20-provider-access.yaml');
});

test.each([
  ['a path out of the output folder', () => '../escape.yaml', /the layout returned the file "\.\.\/escape\.yaml": return a relative path inside the output folder/],
  ['an absolute path', () => '/etc/x.yaml', /return a relative path inside the output folder/],
  ['an empty path', () => '', /return a non-empty path with '\/' separators/],
  ['a Windows separator', () => 'a\\b.yaml', /with '\/' separators/],
])('a layout returning %s is refused and nothing is written', (_title, fileFor, pattern) => {
  const outdir = tempDir();
  fs.writeFileSync(`${outdir}/keep.txt`, 'mine');
  const { app } = program({ fileFor }, outdir);
  expect(() => app.synth()).toThrow(SaaSplaneError);
  expect(() => app.synth()).toThrow(pattern);
  expect(readTree(outdir)).toEqual(new Map([['keep.txt', 'mine']]));
});

test('extra files may not replace an object file, repeat, hold something else than text, or differ from another file only in case', () => {
  const base = new TenantFoldersLayout();
  const withExtra = (extra: Array<[string, unknown]>): OutputLayout => ({
    fileFor: (p) => base.fileFor(p), extraFiles: () => extra as Array<[string, string]>,
  });
  expect(() => program(withExtra([['shop/acme/30-app.yaml', 'x']])).app.synthFiles())
    .toThrow(/returned the extra file "shop\/acme\/30-app\.yaml" twice, or a file that holds objects/);
  expect(() => program(withExtra([['README.md', 'a'], ['README.md', 'b']])).app.synthFiles()).toThrow(/extra file "README\.md" twice/);
  expect(() => program(withExtra([['README.md', 42]])).app.synthFiles()).toThrow(/returned number content for the extra file "README\.md": return text/);
  expect(() => program(withExtra([['shop/ACME/notes.md', 'x'], ['shop/acme/notes.md', 'y']])).app.synthFiles())
    .toThrow(/the files "shop\/ACME\/notes\.md" and "shop\/acme\/notes\.md" differ only in case/);
});

test('objects a user adds go to the owner\'s extra group, or to the access identity\'s own file', () => {
  const { app, acme, offering } = program();
  new ApiObject(acme, 'Note', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'note', namespace: 'shop-acme' } });
  new ApiObject(offering, 'Shared', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: 'shop-system' } });
  const users = app.node.findChild('acme-users');
  new ApiObject(users, 'Extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'users-extra', namespace: 'shop-acme' } });
  const files = app.synthFiles();
  const sep = path.sep;
  expect(files.get(['shop', 'acme', '50-extra.yaml'].join(sep))).toContain('name: note');
  expect(files.get(['shop', '_shared', '50-extra.yaml'].join(sep))).toContain('name: shared');
  expect(files.get(['shop', 'acme', '21-consumer-acme-users.yaml'].join(sep))).toContain('name: users-extra');
});

test('typed access to the planned objects, and the documented construct ids', () => {
  const { acme, offering } = program();
  expect(acme.planned.filter((p) => p.group === ObjectGroup.APP).map((p) => p.object.kind).sort())
    .toEqual(['ConfigMap', 'Deployment', 'Ingress', 'Service', 'Service', 'StatefulSet']);
  expect(acme.apiObjectFor('Deployment', 'acme-web')!.node.path).toBe('shop/acme/App/Deployment.acme-web');
  expect(acme.apiObjectFor('ResourceQuota', 'tenant-quota')!.node.path).toBe('shop/acme/Guardrails/ResourceQuota.tenant-quota');
  expect(acme.apiObjectFor('RoleBinding', 'saasplane-provider')!.node.path).toBe('shop/acme/ProviderAccess.provider/RoleBinding.saasplane-provider');
  expect(offering.apiObjectFor('PrometheusRule', 'saasplane-shop-consumption')!.node.path).toBe('shop/Monitoring/PrometheusRule.saasplane-shop-consumption');
  expect(acme.apiObjectFor('Deployment', 'nope')).toBeUndefined();
});

test('the stock cdk8s App works too: it renders the pending tenants while it validates, and reports their errors', () => {
  const outdir = tempDir();
  const app = new App({ outdir });
  const offering = new SaaSOffering(app, 'shop', shop);
  offering.addTenant('acme', hosted('acme', { plan: 'small' }));
  app.synth();
  const written = [...readTree(outdir)].filter(([file]) => file.endsWith('.k8s.yaml'));
  expect(written.some(([, content]) => content.includes('kind: Deployment') && content.includes('name: acme-web'))).toBe(true);

  const failing = new App({ outdir: tempDir() });
  new SaaSOffering(failing, 'shop', shop).addTenant('acme', { plan: 'small', parameters: { ingress: { host: 'login.example.org' } } });
  expect(() => failing.synth()).toThrow(/Validation failed[\s\S]*tenant "acme" of offering "shop" cannot use the chart: .*"login.example.org"/);
});
