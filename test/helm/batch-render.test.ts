// The batch renderer (tools/render, built by the set-up) against the real `helm template` of the
// same version: byte-identical output for the example chart and for a chart with a subchart,
// helpers, files, hooks, `lookup` and `.Capabilities`; the same failure messages; request order
// kept while rendering in parallel; and the render cache passing its misses on as one batch.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  BatchHelmRenderer, batchRendererBinary, ChartRenderer, ChartSource, DiskRenderCache, helmBinary, HelmRenderer, loadChart, RenderRequest,
  SaaSplaneError, Values,
} from '../../src/core';
import { EXAMPLE_CHART, FIXTURE_CHARTS, tempDir } from '../constructs/fixtures';

const binary = batchRendererBinary();
const FIDELITY = path.join(FIXTURE_CHARTS, 'fidelity');

test('the set-up built the batch renderer against the pinned helm', () => {
  expect(binary).toBeDefined();
  const source = fs.readFileSync(path.join(path.dirname(binary!), 'source.sha256'), 'utf8').trim();
  expect(new BatchHelmRenderer(binary).id).toBe(`${new HelmRenderer().id.replace(/\+.*$/, '')} (saasplane-render ${source})`);
});

type Rendered = { manifest?: string; error?: string };
type BatchRequest = { chart: string; release: string; namespace: string; kubeVersion: string; values: unknown };

/** What `helm template` prints for a request, or its error message. */
function helmTemplate(chart: string, release: string, namespace: string, kubeVersion: string, values: unknown): Rendered {
  const result = spawnSync(helmBinary(), ['template', release, chart, '--namespace', namespace, '--kube-version', kubeVersion, '--values', '-'],
    { input: JSON.stringify(values), encoding: 'utf8' });
  if (result.status === 0) return { manifest: result.stdout };
  return { error: result.stderr.replace(/^Error: /, '').replace(/\n\nUse --debug flag to render out invalid YAML\n$/, '').trim() };
}

/** What the batch renderer prints for many requests at once. */
function batch(requests: BatchRequest[], parallel = 2): Rendered[] {
  const result = spawnSync(binary!, [], { input: JSON.stringify({ parallel, requests }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // helm's warnings (a value skipped while merging) go to stderr, as helm's own do
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout) as Rendered[]).map((r) => (r.error === undefined ? r : { error: r.error.trim() }));
}

function chartCopy(from: string, change: (dir: string) => void): string {
  const dir = path.join(tempDir(), path.basename(from));
  fs.cpSync(from, dir, { recursive: true });
  change(dir);
  return dir;
}

const CASES: Array<[string, string, unknown, string?]> = [
  ['the example chart, defaults', EXAMPLE_CHART, {}],
  ['the example chart, a tenant\'s parameters', EXAMPLE_CHART, { replicaCount: 3, theme: 'dark', ingress: { host: 'acme.shop.example.com' }, database: { storage: '20Gi' } }],
  ['the example chart, another Kubernetes version', EXAMPLE_CHART, { replicaCount: 2 }, '1.30.2'],
  ['subchart, helpers, files, hooks, lookup and .Capabilities', FIDELITY, {}],
  ['values overriding the subchart and globals, numbers and unicode', FIDELITY,
    { cache: { size: '1Gi' }, global: { team: 'équipe ✓' }, replicas: 12345678901, extra: { ratio: 0.25, big: 1e21, flag: true, nothing: null } }],
  ['a disabled subchart', FIDELITY, { cache: { enabled: false } }],
  ['a template failure (required)', FIDELITY, { greeting: null }],
  ['a value of the wrong type in a template', FIDELITY, { replicas: { not: 'a number' } }],
  ['an invalid Kubernetes version', FIDELITY, {}, 'not-a-version'],
];

describe('byte-identical to helm template', () => {
  test.each(CASES)('%s', (_title, chart, values, kubeVersion = '1.34.0') => {
    const expected = helmTemplate(chart, 'acme', 'shop-acme', kubeVersion, values);
    const [actual] = batch([{ chart, release: 'acme', namespace: 'shop-acme', kubeVersion, values }]);
    expect(actual).toEqual(expected);
  });

  test('charts helm refuses before rendering: a missing subchart, a library chart', () => {
    const missing = chartCopy(FIDELITY, (dir) => fs.rmSync(path.join(dir, 'charts'), { recursive: true }));
    const library = chartCopy(FIDELITY, (dir) => fs.appendFileSync(path.join(dir, 'Chart.yaml'), 'type: library\n'));
    for (const chart of [missing, library]) {
      const expected = helmTemplate(chart, 'acme', 'shop-acme', '1.34.0', {});
      expect(expected.error).toBeDefined();
      expect(batch([{ chart, release: 'acme', namespace: 'shop-acme', kubeVersion: '1.34.0', values: {} }])).toEqual([expected]);
    }
  });

  test('many releases in parallel come back in request order, each as helm renders it alone', () => {
    const requests = Array.from({ length: 24 }, (_, i) => ({
      chart: i % 3 === 0 ? FIDELITY : EXAMPLE_CHART,
      release: `t${i}`,
      namespace: `shop-t${i}`,
      kubeVersion: '1.34.0',
      // replicaCount 0: the example chart's schema refuses it
      values: i % 3 === 0 ? { replicas: i } : { replicaCount: i % 5, ingress: { host: `t${i}.shop.example.com` } },
    }));
    const results = batch(requests, 4);
    expect(results).toHaveLength(24);
    for (const i of [0, 1, 5, 23]) {
      const r = requests[i];
      expect(results[i]).toEqual(helmTemplate(r.chart, r.release, r.namespace, r.kubeVersion, r.values));
    }
  });
});

describe('BatchHelmRenderer, the ChartRenderer', () => {
  const request = (chart: string, values: Values, release = 'acme'): RenderRequest => ({
    chart: loadChart(ChartSource.fromDirectory(chart)), releaseName: release, namespace: `shop-${release}`, values, kubeVersion: '1.34.0',
  });

  test('gives the objects and templates HelmRenderer gives', () => {
    for (const r of [request(EXAMPLE_CHART, { replicaCount: 2 }), request(FIDELITY, { cache: { enabled: false } })]) {
      expect(new BatchHelmRenderer(binary).render(r)).toEqual(new HelmRenderer().render(r));
    }
  });

  test('a refused request fails alone, with helm\'s message; the others of the batch render', () => {
    const requests = [request(FIDELITY, {}, 'a'), request(FIDELITY, { greeting: null }, 'b'), request(EXAMPLE_CHART, {}, 'c')];
    const outcomes = new BatchHelmRenderer(binary).renderMany(requests);
    expect(outcomes.map((o) => ('error' in o ? 'error' : 'objects'))).toEqual(['objects', 'error', 'objects']);
    const error = (outcomes[1] as { error: SaaSplaneError }).error;
    let helmError: SaaSplaneError | undefined;
    try {
      new HelmRenderer().render(requests[1]);
    } catch (e) {
      helmError = e as SaaSplaneError;
    }
    const helmMessage = (e: SaaSplaneError) => e.problems[0].replace(/ \((`.*` exited with \d+|helm's template code in .*)\)$/, '');
    expect(error.constructor.name).toBe('HelmFailure');
    expect(helmMessage(error)).toBe(helmMessage(helmError!));
    expect(helmMessage(error)).toContain('greeting is required');
    expect(error.message.startsWith('helm failed while rendering chart directory')).toBe(true);
    expect(error.message.slice(0, error.message.indexOf(':'))).toBe(helmError!.message.slice(0, helmError!.message.indexOf(':')));
  });

  test('a missing binary is a clear error naming it and the fix', () => {
    expect(() => new BatchHelmRenderer('/nonexistent/saasplane-render').renderMany([request(EXAMPLE_CHART, {})]))
      .toThrow(/"\/nonexistent\/saasplane-render" is not an executable: build it with `bash scripts\/install-tools.sh`/);
  });

  test('the render cache renders only its misses, as one batch', () => {
    const calls: number[] = [];
    const inner = new BatchHelmRenderer(binary);
    const counting: ChartRenderer = {
      id: inner.id,
      render: (r) => inner.render(r),
      renderMany: (rs) => {
        calls.push(rs.length);
        return inner.renderMany(rs);
      },
    };
    const cache = new DiskRenderCache(counting, tempDir());
    const requests = [1, 2, 3, 4].map((i) => request(EXAMPLE_CHART, { replicaCount: i }, `t${i}`));
    const cold = cache.renderMany(requests);
    const warm = cache.renderMany([...requests, request(EXAMPLE_CHART, { replicaCount: 9 }, 't9')]);
    expect(calls).toEqual([4, 1]);
    expect(warm.slice(0, 4)).toEqual(cold);
    expect([cache.hits, cache.misses]).toEqual([4, 5]);
  });
});
