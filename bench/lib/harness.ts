// What every side-by-side benchmark needs around its scenarios: an exit trap that stops
// everything the run started (also on Ctrl-C or an error), a description of the machine for
// the results file, and the results file itself under bench/results/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Registers cleanups run once, in reverse order, on exit, SIGINT or SIGTERM. */
export function exitTrap(log: (s: string) => void): { add(c: () => void): void; run(): void } {
  const cleanups: (() => void)[] = [];
  let stopping = false;
  const run = (): void => {
    if (stopping) return;
    stopping = true;
    for (const c of cleanups.reverse()) {
      try {
        c();
      } catch {
        // keep stopping the others
      }
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      log(`${sig}: stopping everything started by the benchmark`);
      run();
      process.exit(130);
    });
  process.on('exit', run);
  return { add: (c) => void cleanups.push(c), run };
}

export function versionOf(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The machine, for the results file; `extra` adds the versions of the reference systems. */
export function machine(extra: Record<string, string | undefined>): Record<string, unknown> {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    debian: (() => {
      try {
        return readFileSync('/etc/debian_version', 'utf8').trim();
      } catch {
        return 'unknown';
      }
    })(),
    node: process.version,
    ...extra,
  };
}

/** Writes bench/results/<name>-<time>.json and returns its path. */
export function writeResults(name: string, data: Record<string, unknown>): string {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(dir, `${name}-${stamp}.json`);
  writeFileSync(
    out,
    JSON.stringify({ benchmark: name, at: new Date().toISOString(), ...data }, null, 2) + '\n',
  );
  return out;
}
