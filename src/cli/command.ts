// What every command of the \`saasplane\` CLI shares: its shape, where it writes, usage errors, and
// argument parsing with one-line errors that point to the command's help.
import * as os from 'os';
import * as path from 'path';
import { parseArgs, ParseArgsConfig } from 'util';
import { dnsLabelProblem } from '../core/names';

/** Where a command writes, and the environment it reads. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** Bad arguments: the message names the value and the fix; exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure a command expects (an app that fails, a cluster that refuses): the message is shown without a stack. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** A command of `saasplane`. `run` returns the exit code; it may throw UsageError (exit 2) or any error (exit 1). */
export interface Command {
  readonly name: string;
  /** One line for `saasplane --help`. */
  readonly summary: string;
  /** Full help, shown by `saasplane <name> --help`. */
  readonly usage: string;
  /** The exit code of a failure (an error thrown by \`run\`). @default 1 */
  readonly failureExitCode?: number;
  run(args: string[], io: CliIo): Promise<number>;
}

/** The option table of node:util parseArgs. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** What `parseCommandArgs` returns: each option's value (string or boolean; an array when `multiple`), `help`, and the positionals. */
export interface ParsedCommandArgs<O extends Options> {
  readonly values: { [K in keyof O]?: O[K] extends { multiple: true }
    ? (O[K]['type'] extends 'boolean' ? boolean[] : string[])
    : (O[K]['type'] extends 'boolean' ? boolean : string) } & { help?: boolean };
  readonly positionals: string[];
}

/** node:util parseArgs with errors turned into one-line usage errors that point to the command's help. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O, allowPositionals = false): ParsedCommandArgs<O> {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true }) as ParsedCommandArgs<O>;
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new UsageError(`${message}: see \`saasplane ${command} --help\``);
  }
}

/** Prints a command's help; exit code 0. */
export function help(io: CliIo, text: string): number {
  io.stdout(`${text}\n`);
  return 0;
}

// --- argument helpers

export function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a whole number from ${min} to ${max}`);
  }
  return n;
}

export function dnsLabel(flag: string, value: string): void {
  const problem = dnsLabelProblem(flag, value, 63);
  if (problem) throw new UsageError(problem);
}

/** The caller's kubeconfig: the first file of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfig(env: NodeJS.ProcessEnv): string {
  const first = (env.KUBECONFIG ?? '').split(path.delimiter).find((p) => p.length > 0);
  return first ?? path.join(os.homedir(), '.kube', 'config');
}

/** Rows as aligned columns, two spaces apart and the last column unpadded: the header line first, then one line per row. */
export function tableLines(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [header, ...rows].map(line);
}

/** The `--output` format: `value`, or the first of `formats` when not given; another is a usage error naming the formats. */
export function outputFormat<F extends string>(value: unknown, formats: readonly F[]): F {
  const format = typeof value === 'string' ? value : formats[0];
  if (!(formats as readonly string[]).includes(format)) throw new UsageError(`--output ${JSON.stringify(format)} is not a format: use ${formats.join(' or ')}`);
  return format as F;
}
