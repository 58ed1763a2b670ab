// The cdk8s validation plugin through the real cdk8s CLI (`cdk8s synth`, which validates by
// default): the example app passes; an app of plain cdk8s objects that breaks every invariant
// fails the synthesis, each breach reported with its rule, resource, location and manifest.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './fixtures';
import { SaaSplaneValidation } from '../../src/constructs';

const ROOT = path.join(__dirname, '..', '..');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const PLUGIN = path.join(ROOT, 'examples', 'cdk8s', 'validation.js');

interface Violating { resourceName: string; locations: string[]; manifestPath: string }
interface Report {
  violations: Array<{ ruleName: string; recommendation: string; violatingConstructs: Violating[] }>;
  summary: { status: string; metadata: Record<string, string> };
}

/** `cdk8s synth` in `dir` into `outdir` (the upgrade check would ask npm's registry). */
function synth(dir: string, outdir = path.join(dir, 'dist')): { code: number | null; output: string; reports: Report[] } {
  const reportFile = path.join(tempDir(), 'reports.json');
  const run = spawnSync(CDK8S, ['synth', '--no-check-upgrade', '-o', outdir, '--validation-reports-output-file', reportFile], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const reports = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')).reports : [];
  return { code: run.status, output: run.stdout + run.stderr, reports };
}

test('the example app passes `cdk8s synth` with the plugin from its cdk8s.yaml', () => {
  const { code, output, reports } = synth(path.join(ROOT, 'examples', 'cdk8s'), tempDir());
  expect({ code, output }).toMatchObject({ code: 0 });
  expect(reports).toHaveLength(1);
  expect(reports[0].summary).toMatchObject({ status: 'success', metadata: { violations: '0' } });
  expect(Number(reports[0].summary.metadata.objects)).toBeGreaterThan(60);
});

test('an app that breaks every invariant fails `cdk8s synth`, each breach named', () => {
  const dir = tempDir();
  const cdk8s = JSON.stringify(path.join(ROOT, 'node_modules', 'cdk8s'));
  const constructs = JSON.stringify(path.join(ROOT, 'node_modules', 'constructs'));
  fs.writeFileSync(path.join(dir, 'app.js'), `
const { App, Chart, ApiObject } = require(${cdk8s});
const app = new App();
const chart = new Chart(app, 'tenant');
const o = (id, props) => new ApiObject(chart, id, props);
o('stray', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
o('ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-acme', labels: { 'saasplane.io/offering': 'shop', 'saasplane.io/tenant': 'acme' } } });
o('quota', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'shop-acme', labels: { 'saasplane.io/plan': 'small' } }, spec: { hard: { pods: '1' } } });
o('web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop-acme' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } });
o('role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'everything' }, rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] });
require(${constructs});
app.synth();
`);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `language: typescript\napp: node app.js\nvalidations:\n  - package: ${PLUGIN}\n    version: 0.0.0\n    class: SaaSplaneValidation\n`);
  const { code, output, reports } = synth(dir);
  expect(code).not.toBe(0);
  expect(output).toContain('Validation failed');
  const violations = reports[0].violations.map((v) => [v.ruleName, v.violatingConstructs[0].resourceName, v.violatingConstructs[0].locations[0],
    path.basename(v.violatingConstructs[0].manifestPath)]);
  expect(violations).toEqual([
    ['saasplane-namespace-labels', 'Namespace scratch', 'metadata.labels', 'tenant.k8s.yaml'],
    ['saasplane-default-deny', 'Deployment shop-acme/web', 'metadata.namespace', 'tenant.k8s.yaml'],
    ['saasplane-rbac-wildcard', 'ClusterRole everything', 'rules[0].resources', 'tenant.k8s.yaml'],
    ['saasplane-default-deny', 'Namespace shop-acme', 'metadata.name', 'tenant.k8s.yaml'],
    ['saasplane-plan-fit', 'ResourceQuota shop-acme/q', 'spec.hard', 'tenant.k8s.yaml'],
  ]);
  expect(reports[0].violations[4].recommendation).toBe('plan "small" cannot hold the chart: pods 3 needed (Deployment "web": 3 pods incl. 1 surge for rolling updates) '
    + 'but the quota allows 1; raise quota.pods or lower the replicas');
});

test('an unknown rule to skip is refused with the rules there are', () => {
  expect(() => new SaaSplaneValidation({ skip: ['saasplane-wildcards' as never] })).toThrow(
    'saasplane validation: unknown rule "saasplane-wildcards" in "skip": use one of saasplane-namespace-labels, saasplane-default-deny, saasplane-rbac-wildcard, saasplane-plan-fit');
});
