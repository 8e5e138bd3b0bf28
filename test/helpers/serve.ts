// Runs `champa serve` as a child process, the way an administrator runs it, and gives the
// ports it actually listens on (from its one log line per listener).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAIN, runCli } from './cli.ts';

export interface Served {
  child: ChildProcess;
  ports: Record<string, number>;
  stdout(): string;
  stderr(): string;
  /** SIGTERM and wait; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to flush or drain. */
  kill(): Promise<void>;
}

export async function serve(data: string): Promise<Served> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('champa: ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${err}${out}`)));
  });
  const ports: Record<string, number> = {};
  for (const m of out.matchAll(/"door":"(\w+)","address":"[^"]*","port":(\d+)/g))
    ports[m[1]!] = Number(m[2]);
  return {
    child,
    ports,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A TCP port free at the moment of asking (for configs that must name each other's ports). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Merges `patch` into the data folder's champa.json (one level deep for objects). */
export async function patchConfig(data: string, patch: Record<string, unknown>): Promise<void> {
  const file = join(data, 'champa.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    const old = config[k];
    config[k] =
      v && typeof v === 'object' && !Array.isArray(v) && old && typeof old === 'object'
        ? { ...(old as object), ...(v as object) }
        : v;
  }
  await writeFile(file, JSON.stringify(config, null, 2));
}

/** Polls `champa mail export` until `pred` holds for the mailbox's mbox text. */
export async function waitForMail(
  data: string,
  user: string,
  pred: (mbox: string) => boolean,
  what: string,
  tries = 150,
): Promise<string> {
  let last = '';
  for (let i = 0; i < tries; i++) {
    const r = await runCli(['mail', 'export', user, '--data', data]);
    last = r.stdout;
    if (r.code === 0 && pred(last)) return last;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(
    `timed out waiting for ${what} in ${user}'s INBOX; it holds:\n${last.slice(0, 3000)}`,
  );
}
