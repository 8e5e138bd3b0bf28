// Memory of the system under test, read from /proc: the process trees under given root pids,
// and a sampler that keeps the peak of their summed RSS (and PSS, which shares library pages
// fairly between processes, so a many-process system is not over-counted).
import { readdirSync, readFileSync } from 'node:fs';

/** The pids of every process whose ancestry reaches one of the roots (roots included). */
export function processTree(roots: readonly number[]): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) comes after the command name, which is in parentheses and may hold spaces.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(rest[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const want = new Set(roots.filter((r) => parent.has(r)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent)
      if (!want.has(pid) && want.has(ppid)) {
        want.add(pid);
        grew = true;
      }
  }
  return [...want];
}

/** Resident and proportional set size of one process, in KiB (0 if it is gone). */
export function memoryOf(pid: number): { rss: number; pss: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = /^Rss:\s+(\d+)/m.exec(text);
    const pss = /^Pss:\s+(\d+)/m.exec(text);
    return { rss: Number(rss?.[1] ?? 0), pss: Number(pss?.[1] ?? 0) };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

export interface MemoryPeak {
  /** Highest sum of RSS over the sampled processes, MiB. */
  rssMiB: number;
  /** Highest sum of PSS, MiB. */
  pssMiB: number;
  /** Most processes seen at once. */
  processes: number;
}

/** Samples the summed memory of `pids()` every `everyMs` until stopped; returns the peaks. */
export function sampleMemory(pids: () => number[], everyMs = 100): { stop(): MemoryPeak } {
  let rss = 0;
  let pss = 0;
  let procs = 0;
  const tick = (): void => {
    let r = 0;
    let p = 0;
    const list = pids();
    for (const pid of list) {
      const m = memoryOf(pid);
      r += m.rss;
      p += m.pss;
    }
    rss = Math.max(rss, r);
    pss = Math.max(pss, p);
    procs = Math.max(procs, list.length);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop(): MemoryPeak {
      clearInterval(timer);
      tick();
      return { rssMiB: rss / 1024, pssMiB: pss / 1024, processes: procs };
    },
  };
}
