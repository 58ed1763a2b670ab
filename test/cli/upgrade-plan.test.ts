// `saasplane upgrade-plan` runs the user's cdk8s app for real (examples/rollout): the plan per wave,
// exit 1 while a tenant is blocked and 0 once the new version takes every tenant, JSON for bots,
// and clear errors for an app that is not a SaaSApp or an offering without a rollout.
import * as path from 'path';
import { CliIo, main } from '../../src/cli/main';

const ROOT = path.join(__dirname, '..', '..');
const CONFIG = path.join(ROOT, 'examples', 'rollout', 'cdk8s.yaml');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let [stdout, stderr] = ['', ''];
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { ...process.env } };
  const code = await main(['upgrade-plan', ...args], io);
  return { code, stdout, stderr };
}

describe('saasplane upgrade-plan', () => {
  test('the rollout example: per wave, the blocked tenant with the schema\'s reason, replacements; exit 1', async () => {
    const { code, stdout, stderr } = await run(['--config', CONFIG]);
    expect([code, stderr]).toEqual([1, '']);
    expect(stdout).toContain('wave 2 [small]\n  acme (plan small): stable 1.0.0 → canary 2.0.0: BLOCKED\n'
      + '    ! value theme = "blue" violates chart "notes" 2.0.0 (channel "canary") values.schema.json: must be equal to one of the allowed values: allowed values are "light", "dark"\n');
    expect(stdout).toContain('    ! apps/v1 Deployment notes-initech/initech-notes: Deployment spec.selector is immutable');
    expect(stdout).toMatch(/\n1 upgraded, 2 ready, 1 blocked; 2 with objects replaced\n$/);
  }, 60_000);

  test('JSON for bots; with acme\'s theme fixed, nothing is blocked: exit 0', async () => {
    const fixed = `const r = require(${JSON.stringify(path.join(ROOT, 'examples', 'rollout', 'app'))}); `
      + `const { SaaSApp } = require(${JSON.stringify(path.join(ROOT, 'src', 'constructs'))}); `
      + "const app = new SaaSApp(); r.addNotes(app, r.notes(), { ...r.TENANTS, acme: { plan: 'small', parameters: { theme: 'dark' } } }); app.synth();";
    const { code, stdout } = await run(['--config', CONFIG, '--app', `npx ts-node --transpile-only -e ${JSON.stringify(fixed)}`, '-o', 'json']);
    expect(code).toBe(0);
    const [plan] = JSON.parse(stdout);
    expect(plan.summary).toEqual({ upgraded: 1, ready: 3, blocked: 0, replacements: 3 });
    expect(plan.waves[1].tenants.find((t: any) => t.tenant === 'acme')).toMatchObject({ status: 'ready', from: { channel: 'stable', version: '1.0.0' }, to: { channel: 'canary', version: '2.0.0' } });
  }, 60_000);

  test.each([
    [['--app', 'true'], /the app wrote no upgrade plan: synthesize it with a SaaSApp/],
    [['--config', path.join(ROOT, 'examples', 'cdk8s', 'cdk8s.yaml')], /no offering declares a rollout: add rollout: \{ channel: "canary"/],
    [['--config', CONFIG, '--offering', 'shop'], /--offering shop: no such offering declares a rollout; those that do: notes/],
    [['--config', CONFIG, '-o', 'yaml'], /--output "yaml" is not a format: use text or json/],
  ])('errors name the fix (%#)', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(message);
  }, 60_000);
});
