// Runs the real `champa` command line as a child process (Node 24 on src/main.ts), and makes
// empty data folders for `champa init` on the store under test.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/core/config.ts';
import { closeCore, openCore, type Core } from '../../src/core/core.ts';
import { makeEnv, type StoreKind } from './stores.ts';

export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to the child's stdin (then closed). */
  input?: string | Uint8Array;
  env?: NodeJS.ProcessEnv;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      NODE_COMPILE_CACHE: join(tmpdir(), 'champa-test-compile-cache'),
      ...process.env,
      ...opts.env,
    };
    delete env.CHAMPA_DATA;
    delete env.CHAMPA_DATABASE;
    delete env.CHAMPA_PORT_BASE;
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(opts.input ?? '');
  });
}

export interface CliEnv {
  /** A data folder that does not exist yet (for `champa init --data`). */
  data: string;
  /** `--database URL` for PostgreSQL (a schema of its own), nothing on SQLite. */
  initArgs: string[];
  cleanup(): Promise<void>;
}

export async function makeCliEnv(kind: StoreKind): Promise<CliEnv> {
  const env = await makeEnv(kind);
  return {
    data: join(env.dir, 'data'),
    initArgs: kind === 'postgres' ? ['--database', env.config.database] : [],
    cleanup: () => env.cleanup(),
  };
}

/** Fails unless the output is free of a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}

export const ADMIN_PASSWORD = 'a password long enough';

/**
 * `champa init` of `env.data` for a domain on the store under test, with the administrator
 * password ADMIN_PASSWORD (so nothing random is printed); `extra` adds options.
 */
export async function initData(
  env: CliEnv,
  domain: string,
  extra: string[] = [],
): Promise<CliResult> {
  const pw = join(env.data, '..', `${domain}.pw`);
  await writeFile(pw, `${ADMIN_PASSWORD}\n`);
  const r = await runCli([
    'init',
    '--data',
    env.data,
    '--domain',
    domain,
    '--admin-password-file',
    pw,
    ...env.initArgs,
    ...extra,
  ]);
  if (r.code !== 0) throw new Error(`champa init failed: ${r.stderr}`);
  return r;
}

/** Opens the core of a data folder in the test process, for checks; always closes it. */
export async function withDataCore<T>(data: string, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore(loadConfig(data, {}));
  try {
    return await fn(core);
  } finally {
    await closeCore(core);
  }
}
