// Channels and waves with a chart whose second version breaks both its values schema (theme is
// light or dark) and its Deployment selector (a replacement): examples/charts/notes, as the
// rollout example (examples/rollout) declares it.
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { readTree, tempDir } from './fixtures';
import { addNotes, CHARTS, notes, TENANTS } from '../../examples/rollout/app';
import { SaaSApp, SaaSOffering } from '../../src/constructs';
import { ChartSource, formatUpgradePlan, OfferingSpec, SaaSplaneError } from '../../src/core';

function offering(outdir: string, spec: OfferingSpec, tenants = TENANTS): { app: SaaSApp; offering: SaaSOffering } {
  const app = new SaaSApp({ outdir });
  return { app, offering: addNotes(app, spec, tenants) };
}

describe('channels and waves', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = tempDir();
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('only the tenants of promoted waves run the new version; every object carries channel, chart version and wave', () => {
    offering(outdir, notes()).app.synth();
    const tree = readTree(outdir);
    const deployment = (tenant: string) => {
      const [object] = YAML.parseAllDocuments(tree.get(`notes/${tenant}/30-app.yaml`) ?? '').map((d) => d.toJSON()).filter((o) => o?.kind === 'Deployment');
      const release = Object.entries(object.metadata.labels as Record<string, string>).filter(([k]) => /^saasplane\.io\/(channel|chart-version|wave)$/.test(k));
      const version = object.spec.template.spec.containers[0].env.find((e: any) => e.name === 'NOTES_VERSION').value;
      return [Object.fromEntries(release), version];
    };
    const release = (channel: string, version: string, wave?: string) => ({
      'saasplane.io/channel': channel, 'saasplane.io/chart-version': version, ...(wave ? { 'saasplane.io/wave': wave } : {}),
    });
    expect(deployment('internal')).toEqual([release('canary', '2.0.0', '1'), '2.0.0']);
    for (const tenant of ['acme', 'initech', 'pinned']) expect(deployment(tenant)).toEqual([release('stable', '1.0.0', '2'), '1.0.0']);
    expect(deployment('globex')).toEqual([release('stable', '1.0.0', '3'), '1.0.0']);
    expect(deployment('trialco')).toEqual([release('stable', '1.0.0'), '1.0.0']);
    expect(tree.get('notes/internal/10-guardrails.yaml')).toContain('saasplane.io/channel: canary');
    // the namespace keeps saasplane's identity labels only (the provider's namespace guard admits no others)
    expect(tree.get('notes/internal/00-namespace.yaml')).not.toContain('saasplane.io/channel');
  });

  test('the upgrade plan lists per wave who moves, who is blocked by the new schema and what is replaced', () => {
    const plan = offering(outdir, notes()).offering.upgradePlan();
    expect(plan).toMatchObject({ offering: 'notes', target: { channel: 'canary', version: '2.0.0' }, promoted: 1 });
    const byWave = plan.waves.map((w) => [w.wave, w.promoted, w.tenants.map((t) => [t.tenant, t.status])]);
    expect(byWave).toEqual([
      [1, true, [['internal', 'upgraded']]],
      [2, false, [['acme', 'blocked'], ['initech', 'ready'], ['pinned', 'pinned']]],
      [3, false, [['globex', 'ready']]],
    ]);
    expect(plan.outside.map((t) => [t.tenant, t.status, t.to.channel])).toEqual([['trialco', 'unchanged', 'stable']]);
    const [acme, initech] = plan.waves[1].tenants;
    expect(acme.problems).toEqual([
      'value theme = "blue" violates chart "notes" 2.0.0 (channel "canary") values.schema.json: must be equal to one of the allowed values: allowed values are "light", "dark"',
    ]);
    expect(initech).toMatchObject({ from: { channel: 'stable', version: '1.0.0' }, to: { channel: 'canary', version: '2.0.0' }, changes: { added: 0, removed: 0 } });
    expect(initech.changes!.changed).toBeGreaterThan(1);
    expect(initech.replacements).toEqual([
      'apps/v1 Deployment notes-initech/initech-notes: Deployment spec.selector is immutable: the update is refused; delete the Deployment and apply again (its pods restart)',
    ]);
    expect(initech.fields).toEqual(expect.arrayContaining(['metadata.labels["saasplane.io/channel"]', 'spec.selector.matchLabels["app.kubernetes.io/component"]']));
    expect(plan.summary).toEqual({ upgraded: 1, ready: 2, blocked: 1, replacements: 2 });
    const text = formatUpgradePlan(plan);
    expect(text).toContain('offering notes: rollout of channel canary (2.0.0), 1 of 3 waves promoted\nwave 1 [internal] (promoted)\n  internal (plan small): canary 2.0.0: upgraded\nwave 2 [small]\n');
    expect(text).toContain('  acme (plan small): stable 1.0.0 → canary 2.0.0: BLOCKED\n    ! value theme = "blue" violates chart "notes" 2.0.0');
    expect(text).toMatch(/ {2}initech \(plan small\): stable 1\.0\.0 → canary 2\.0\.0: ready: \d+ changed, 0 added, 0 removed; 1 replaced\n/);
    expect(text).toContain('\n1 upgraded, 2 ready, 1 blocked; 2 with objects replaced\n');
  });

  test('promoting a wave with a tenant the new version refuses fails before anything is written, naming the tenant', () => {
    offering(outdir, notes()).app.synth();
    const before = readTree(outdir);
    let error: unknown;
    try {
      offering(outdir, notes({ promoted: 2 })).app.synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SaaSplaneError);
    expect((error as SaaSplaneError).message).toContain('tenant "acme" of offering "notes" is invalid');
    expect((error as SaaSplaneError).message).toContain('value theme = "blue" violates chart "notes" 2.0.0 (channel "canary")');
    expect(readTree(outdir)).toEqual(before);
  });

  test('SAASPLANE_UPGRADE_PLAN makes synth write the plans there and no output', () => {
    const file = path.join(outdir, '..', `${path.basename(outdir)}-plan.json`);
    process.env.SAASPLANE_UPGRADE_PLAN = file;
    try {
      offering(path.join(outdir, 'out'), notes()).app.synth();
    } finally {
      delete process.env.SAASPLANE_UPGRADE_PLAN;
    }
    const plans = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.rmSync(file);
    expect(plans.map((p: any) => [p.offering, p.summary])).toEqual([['notes', { upgraded: 1, ready: 2, blocked: 1, replacements: 2 }]]);
    expect(fs.existsSync(path.join(outdir, 'out'))).toBe(false);
  });

  test.each([
    [{ rollout: { channel: 'beta', waves: [['small']] } }, 'rollout channel "beta" does not exist: choose one of "stable", "canary"'],
    [{ rollout: { channel: 'canary', waves: [['small'], ['small', 'large']] } }, 'rollout waves: "small" is in wave 1 and wave 2: name each tenant or plan once'],
    [{ rollout: { channel: 'canary', waves: [['small']], promoted: 2 } }, 'rollout promoted 2 must be a whole number from 0 to 1 (the waves whose tenants run channel "canary")'],
    [{ rollout: { channel: 'canary', waves: [] } }, 'rollout waves must be a list of non-empty lists of tenant or plan names, e.g. [["internal"], ["small"], ["large"]]'],
    [{ channels: { stable: ChartSource.fromDirectory(path.join(CHARTS, 'notes', '1.0.0')) } }, 'channels.stable is the default channel, whose chart is `chart`: remove it from channels, or set defaultChannel to another name'],
    [{ plans: { small: { quota: { cpu: '1', memory: '1Gi' }, channel: 'edge' } } }, 'plan "small" channel "edge" does not exist: choose one of "stable", "canary"'],
  ])('an invalid channel or rollout is refused with the fix (%#)', (override, message) => {
    const error = (() => {
      try {
        offering(outdir, { ...notes(), ...override } as OfferingSpec, {});
      } catch (e) {
        return e as SaaSplaneError;
      }
      throw new Error('no error');
    })();
    expect(error.problems).toContain(message);
  });

  test('a tenant pinning a channel that does not exist is refused with the channels and versions there are', () => {
    expect(() => offering(outdir, notes(), { acme: { plan: 'small', channel: '3.0.0' } }))
      .toThrow('channel "3.0.0" does not exist: choose one of "stable", "canary", or a version one of them holds: "1.0.0" (stable), "2.0.0" (canary)');
  });

  test('a tenant may pin a version: the channel holding it, and no rollout moves it', () => {
    const o = offering(outdir, notes({ promoted: 3 }), { old: { plan: 'small', channel: '1.0.0' }, early: { plan: 'large', channel: '2.0.0' } }).offering;
    expect(o.tenants.map((t) => [t.tenantName, t.resolved.release.channel, t.resolved.release.pinned, t.resolved.labels['saasplane.io/chart-version']]))
      .toEqual([['old', 'stable', true, '1.0.0'], ['early', 'canary', true, '2.0.0']]);
    expect(o.upgradePlan().waves.flatMap((w) => w.tenants.map((t) => [t.tenant, t.status]))).toEqual([['old', 'pinned'], ['early', 'pinned']]);
  });
});
