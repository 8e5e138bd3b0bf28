// Helpers shared by the command-line commands: the `--data` option, opening the core for one
// command, reading passwords without putting them on the command line, and output.
// Invariants: results go to stdout (tables, or JSON with `--json`); messages for the person
// go to stderr; a UserError ends the command with exit code 1 and its message, never a stack.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../core/config.ts';
import { closeCore, openCore, type Core } from '../core/core.ts';
import { CLI_ACTOR, type AdminTarget } from '../core/audit.ts';
import { performAdmin, type AdminAction } from '../core/roles.ts';
import { UserError } from '../util/errors.ts';

/** The default data folder: $CHAMPA_DATA, else ./data. */
export function defaultDataDir(): string {
  return process.env.CHAMPA_DATA || './data';
}

/** Adds `--data DIR` to a command (every command takes it). */
export function withData(cmd: Command): Command {
  return cmd.option('--data <dir>', 'data folder (default: $CHAMPA_DATA, else ./data)');
}

export function dataDirOf(opts: { data?: string }): string {
  return opts.data ?? defaultDataDir();
}

export function configOf(opts: { data?: string }): LoadedConfig {
  return loadConfig(dataDirOf(opts), process.env);
}

/** Opens the core of the data folder for one command and always closes it. */
export async function withCore<T>(
  opts: { data?: string },
  fn: (core: Core) => Promise<T>,
): Promise<T> {
  const core = await openCore(configOf(opts));
  try {
    return await fn(core);
  } finally {
    await closeCore(core);
  }
}

/**
 * Runs one write command through the same door as the admin API: `authorize` as the CLI actor
 * (the machine's administrator, allowed everything) and an audit row with the outcome.
 */
export function asCli<T>(
  core: Core,
  action: AdminAction,
  target: AdminTarget,
  fn: () => Promise<T>,
  detail: Record<string, unknown> = {},
): Promise<T> {
  return performAdmin(core, CLI_ACTOR, action, target, fn, detail);
}

/** A line for the person at the terminal (stderr, so stdout stays clean for scripts). */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Columns a text takes in a terminal: one per grapheme (Lao vowel and tone marks take none). */
function width(text: string): number {
  let n = 0;
  for (const _ of graphemes.segment(text)) n++;
  return n;
}

/** Prints rows as aligned columns under a header. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c))),
      )
      .join('  ')
      .trimEnd();
  print(line(header));
  for (const r of rows) print(line(r));
}

function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface PasswordInput {
  passwordFile?: string;
  passwordStdin?: boolean;
}

/**
 * The password given through a file or stdin (one trailing newline removed), or undefined
 * when neither was given. Passwords never come from arguments: those show in `ps`.
 */
export async function readPassword(opts: PasswordInput): Promise<string | undefined> {
  if (opts.passwordFile && opts.passwordStdin)
    throw new UserError('invalid', 'give either --password-file or --password-stdin, not both');
  if (opts.passwordFile) {
    try {
      return stripNewline(await readFile(opts.passwordFile, 'utf8'));
    } catch (err) {
      throw new UserError(
        'invalid',
        `cannot read the password file ${opts.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  if (opts.passwordStdin) return stripNewline(await readStdin());
  return undefined;
}

/** The bytes of an input file named on the command line, or a UserError saying why not. */
export async function readInputFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new UserError(
      'not_found',
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

export function yesNo(flag: number | boolean): string {
  return flag ? 'yes' : 'no';
}

export function isoTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString();
}
