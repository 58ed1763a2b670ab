// kube-score (built from its Go module) on a tenant's synthesized output: no CRITICAL finding on
// any object saasplane generates; on the chart's own objects only the findings accepted, with
// reasons, in kube-score.json.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exampleApp } from '../../examples/cdk8s/app';
import { findTool } from '../../src/cli';
import { tempDir } from '../constructs/fixtures';

const kubeScore = findTool('kube-score');
if (!kubeScore) {
  if (process.env.CI === 'true') throw new Error('kube-score missing: run bash scripts/build-control-plane.sh');
  console.warn('SKIPPING the kube-score test: kube-score missing, run bash scripts/build-control-plane.sh');
}
const describeKubeScore = kubeScore ? describe : describe.skip;

interface Scored {
  object_name: string;
  file_name: string;
  type_meta: { kind: string };
  checks: Array<{ check: { id: string }; grade: number; skipped: boolean; comments: Array<{ summary: string }> | null }>;
}

/** kube-score's grade for a CRITICAL finding. */
const CRITICAL = 1;

describeKubeScore('kube-score', () => {
  const accepted = Object.keys(JSON.parse(fs.readFileSync(path.join(__dirname, 'kube-score.json'), 'utf8')).acceptedOnChartObjects);
  const outdir = tempDir();
  exampleApp(outdir).synth();

  test.each(['acme', 'globex'])('finds nothing critical on what saasplane generates for %s', (tenant) => {
    const files = ['_shared', tenant].flatMap((d) => fs.readdirSync(path.join(outdir, 'shop', d)).map((f) => path.join(outdir, 'shop', d, f)));
    const run = spawnSync(kubeScore!, ['score', '--kubernetes-version', 'v1.34', '-o', 'json', ...files], { encoding: 'utf8' });
    const scored = JSON.parse(run.stdout) as Scored[];
    const critical = scored.flatMap((o) => o.checks.filter((c) => !c.skipped && c.grade === CRITICAL).map((c) => ({
      object: o.object_name, file: path.basename(o.file_name), check: c.check.id, why: (c.comments ?? []).map((m) => m.summary).join('; '),
    })));
    // NetworkPolicies are scored too (each must select a pod): saasplane's guardrails are in the input
    expect(scored.filter((o) => o.type_meta.kind === 'NetworkPolicy').length).toBeGreaterThan(3);
    expect(critical.filter((c) => c.file !== '30-app.yaml')).toEqual([]);
    expect(critical.filter((c) => !accepted.includes(c.check))).toEqual([]);
  });
});
