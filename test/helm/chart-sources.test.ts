// Chart sources and rendering through the real helm: directory, packaged archive, HTTP
// repository (served from a child process on loopback), and the pinned version.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ChartSource, HelmRenderer, helmBinary, loadChart, PINNED_HELM_VERSION } from '../../src/core';
import { EXAMPLE_CHART, isolateHelmHomes, tempDir } from '../constructs/fixtures';

function helm(args: string[]): string {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe('helm rendering', () => {
  const chart = loadChart(ChartSource.fromDirectory(EXAMPLE_CHART));

  test('uses the pinned helm version, the same the set-up script installs', () => {
    expect(helm(['version', '--short']).trim()).toMatch(new RegExp(`^${PINNED_HELM_VERSION.replace(/\./g, '\\.')}`));
    const script = fs.readFileSync(path.join(__dirname, '..', '..', 'scripts', 'install-tools.sh'), 'utf8');
    expect(script).toContain(`HELM_VERSION=${PINNED_HELM_VERSION}`);
  });

  test('reads the chart: name, version, defaults, schema and a content digest', () => {
    expect([chart.name, chart.version]).toEqual(['shop', '1.4.0']);
    expect(chart.defaults.replicaCount).toBe(1);
    expect(chart.schema).toBeDefined();
    expect(chart.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(loadChart(ChartSource.fromDirectory(EXAMPLE_CHART)).digest).toBe(chart.digest);
  });

  test('renders the example chart with the given values, release and namespace', () => {
    const objects = new HelmRenderer().render({ chart, releaseName: 'acme', namespace: 'shop-acme', values: { replicaCount: 3 }, kubeVersion: '1.34.0' });
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort()).toEqual([
      'ConfigMap/acme-config', 'Deployment/acme-web', 'Ingress/acme', 'Service/acme-db', 'Service/acme-web', 'StatefulSet/acme-db',
    ]);
    const web = objects.find((o) => o.object.kind === 'Deployment')!;
    expect((web.object.spec as any).replicas).toBe(3);
    expect(web.template).toBe('shop/templates/web-deployment.yaml');
  });

  test('renders identical output for identical requests', () => {
    const request = { chart, releaseName: 'acme', namespace: 'shop-acme', values: { theme: 'ocean' }, kubeVersion: '1.34.0' };
    expect(new HelmRenderer().render(request)).toEqual(new HelmRenderer().render(request));
  });

  test('loads a packaged chart archive', () => {
    const dir = tempDir();
    helm(['package', EXAMPLE_CHART, '-d', dir]);
    process.env.XDG_CACHE_HOME = tempDir();
    try {
      const archived = loadChart(ChartSource.fromArchive(path.join(dir, 'shop-1.4.0.tgz')));
      expect([archived.name, archived.version]).toEqual(['shop', '1.4.0']);
      expect(archived.directory.startsWith(process.env.XDG_CACHE_HOME)).toBe(true);
      expect(new HelmRenderer().render({ chart: archived, releaseName: 'a', namespace: 'n', values: {}, kubeVersion: '1.34.0' })).toHaveLength(6);
    } finally {
      delete process.env.XDG_CACHE_HOME;
    }
  });

  describe('from an HTTP chart repository', () => {
    let server: ChildProcess;
    let url: string;
    const saved = { ...process.env };

    beforeAll(async () => {
      const repo = tempDir();
      helm(['package', EXAMPLE_CHART, '-d', repo]);
      // helm pull runs synchronously, so the repository is served by another process
      server = spawn(process.execPath, ['-e', `
        const http = require('http'), fs = require('fs'), path = require('path');
        const s = http.createServer((req, res) => {
          const file = path.join(${JSON.stringify(repo)}, path.basename(req.url));
          fs.readFile(file, (err, data) => { if (err) { res.statusCode = 404; res.end(); } else res.end(data); });
        }).listen(0, '127.0.0.1', () => console.log(s.address().port));`]);
      const port = await new Promise<string>((resolve) => server.stdout!.once('data', (d) => resolve(String(d).trim())));
      url = `http://127.0.0.1:${port}`;
      helm(['repo', 'index', repo, '--url', url]);
      isolateHelmHomes();
    });

    afterAll(() => {
      server?.kill();
      process.env = saved;
    });

    test('fails with helm\'s message when the version does not exist', () => {
      expect(() => loadChart(ChartSource.fromRepository({ repo: url, chart: 'shop', version: '9.9.9' })))
        .toThrow(/helm failed while pulling chart "shop" version "9.9.9"/);
    });
    test('pulls the pinned version once into the cache and renders it', () => {
      const source = ChartSource.fromRepository({ repo: url, chart: 'shop', version: '1.4.0' });
      const pulled = loadChart(source);
      expect([pulled.name, pulled.version]).toEqual(['shop', '1.4.0']);
      expect(pulled.directory.startsWith(process.env.XDG_CACHE_HOME!)).toBe(true);
      expect(new HelmRenderer().render({ chart: pulled, releaseName: 'a', namespace: 'n', values: {}, kubeVersion: '1.34.0' })).toHaveLength(6);
      server.kill(); // a second load comes from the cache, without the network
      expect(loadChart(source).directory).toBe(pulled.directory);
    });

  });
});
