// `saasplane upgrade-plan`: the blast radius of each offering's rollout, wave by wave, before a
// wave is promoted. The user's cdk8s app runs with SAASPLANE_UPGRADE_PLAN set: SaaSApp then writes
// its offerings' upgrade plans there instead of its output.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, CommandError, help, outputFormat, parseCommandArgs, UsageError } from './command';
import { readProject, runApp } from './project';
import { formatUpgradePlan, UPGRADE_PLAN_ENV, UpgradePlan } from '../core';

const USAGE = `saasplane upgrade-plan [--config FILE | --app CMD] [--offering O]... [--output text|json]

Runs the cdk8s app (the \`app\` command of ./cdk8s.yaml) to preview each
offering's rollout: per wave, every tenant the rollout's channel would move is
resolved against the new chart's values.schema.json, rendered and compared
with what it runs now. Blocked tenants (values the new version refuses) are
named with the reason, objects that need a replacement with theirs. Nothing is
written. Exit code 0: no tenant blocked; 1: a tenant is blocked; 2: an error.

  --config FILE     the cdk8s.yaml (default: ./cdk8s.yaml)
  --app CMD         the command that synthesizes the app (default: cdk8s.yaml's \`app\`)
  --offering O      only offering O (repeatable)
  --output FORMAT   text (default) or json`;

export const upgradePlanCommand: Command = {
  name: 'upgrade-plan',
  summary: 'preview a rollout wave by wave: who moves to the new chart version, who is blocked and why, what is replaced',
  usage: USAGE,
  failureExitCode: 2,
  async run(args, io) {
    const { values } = parseCommandArgs('upgrade-plan', args, {
      config: { type: 'string' },
      app: { type: 'string' },
      offering: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o' },
    });
    if (values.help) return help(io, USAGE);
    const format = outputFormat(values.output, ['text', 'json']);
    const project = readProject(values.config, values.app === undefined);
    const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'saasplane-upgrade-plan-'));
    try {
      const file = path.join(temporary, 'plans.json');
      // CDK8S_OUTDIR too: an app that ignores the request writes there, not to the GitOps output
      await runApp(values.app ?? project.app!, project.dir, { ...io.env, [UPGRADE_PLAN_ENV]: file, CDK8S_OUTDIR: path.join(temporary, 'out') });
      if (!fs.existsSync(file)) {
        throw new CommandError(`the app wrote no upgrade plan: synthesize it with a SaaSApp (from saasplane), whose synth() writes the plans to $${UPGRADE_PLAN_ENV}`);
      }
      const all = JSON.parse(fs.readFileSync(file, 'utf8')) as UpgradePlan[];
      const unknown = (values.offering ?? []).filter((o) => !all.some((p) => p.offering === o));
      if (unknown.length > 0 && all.length > 0) {
        throw new UsageError(`--offering ${unknown.join(', ')}: no such offering declares a rollout; those that do: ${all.map((p) => p.offering).join(', ')}`);
      }
      const plans = all.filter((p) => !values.offering?.length || values.offering.includes(p.offering));
      if (plans.length === 0) {
        throw new CommandError(`no offering${values.offering?.length ? ` named ${values.offering.join(', ')}` : ''} declares a rollout: `
          + 'add rollout: { channel: "canary", waves: [["internal"], ["small"]] } to the offering, with the channel in its channels');
      }
      io.stdout(format === 'json' ? `${JSON.stringify(plans, null, 2)}\n` : plans.map(formatUpgradePlan).join('\n'));
      return plans.some((p) => p.summary.blocked > 0) ? 1 : 0;
    } finally {
      fs.rmSync(temporary, { recursive: true, force: true });
    }
  },
};
