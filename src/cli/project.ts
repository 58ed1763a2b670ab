// The user's cdk8s project, as `cdk8s synth` reads it: cdk8s.yaml's folder, its `app` command and
// `output` folder; and running that app the way `cdk8s synth` does.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CommandError, UsageError } from './command';
import { isPlainObject } from '../core';

export interface Project {
  readonly dir: string;
  readonly app?: string;
  readonly output: string;
}

/**
 * The cdk8s project: cdk8s.yaml's folder, `app` and `output`. Required only when the app command
 * comes from it; `otherwise` names the command's other ways (e.g. "--app CMD or --new DIR").
 */
export function readProject(config: string | undefined, needApp: boolean, otherwise = '--app CMD'): Project {
  const file = path.resolve(config ?? 'cdk8s.yaml');
  if (!fs.existsSync(file)) {
    if (config !== undefined || needApp) {
      throw new UsageError(`${file} does not exist: run in your cdk8s project, pass --config FILE, or give ${otherwise}`);
    }
    return { dir: process.cwd(), output: 'dist' };
  }
  const parsed: unknown = YAML.parse(fs.readFileSync(file, 'utf8'));
  const app = isPlainObject(parsed) && typeof parsed.app === 'string' ? parsed.app : undefined;
  if (needApp && !app) throw new UsageError(`${file} has no \`app\` command: add one (app: npx ts-node main.ts) or pass --app CMD`);
  const output = isPlainObject(parsed) && typeof parsed.output === 'string' ? parsed.output : 'dist';
  return { dir: path.dirname(file), app, output };
}

/** Runs the app command in `cwd` with `env`; throws with the end of its stderr when it fails. */
export async function runApp(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(command, { cwd, shell: true, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new CommandError(`the app \`${command}\` failed (exit code ${code}) in ${cwd}:\n${stderr.trimEnd()}`);
}
