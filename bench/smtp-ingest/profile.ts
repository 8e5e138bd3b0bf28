// Summarises a V8 CPU profile (`node --cpu-prof`) of the serve process: self time per
// function and per package or source file, so the report can say where the time goes.
// Also runnable on its own: `node bench/smtp-ingest/profile.ts FILE.cpuprofile`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileLine {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle (every sample but "(idle)"). */
  busyMs: number;
  functions: ProfileLine[];
  places: ProfileLine[];
  /** Our own functions (src/) with the time of everything they called, synchronously. */
  inclusive: ProfileLine[];
}

/** Where a script lives, for grouping: a package, a file of ours, or Node's internals. */
function placeOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  const ours = /\/((?:src|bench)\/.*)$/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return url;
  return url;
}

export function summarise(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, number>();
  const places = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') idle += us;
    const short = url.replace(/^.*\/(node_modules|src|bench)\//, '$1/');
    const key =
      `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const busy = total - idle;

  // Inclusive time of our functions: walk the call tree, counting a function once per path
  // even when it recurses.
  const inclusive = new Map<string, number>();
  const onStack = new Map<string, number>();
  const keyOf = (n: ProfileNode): string | null => {
    const m = /\/(src\/.*)$/.exec(n.callFrame.url);
    return m
      ? `${n.callFrame.functionName || '(anonymous)'} ${m[1]}:${n.callFrame.lineNumber + 1}`
      : null;
  };
  const root = p.nodes[0];
  const walk = (n: ProfileNode): number => {
    const key = keyOf(n);
    if (key) onStack.set(key, (onStack.get(key) ?? 0) + 1);
    let t = self.get(n.id) ?? 0;
    for (const c of n.children ?? []) {
      const child = byId.get(c);
      if (child) t += walk(child);
    }
    if (key) {
      const depth = onStack.get(key)! - 1;
      onStack.set(key, depth);
      if (depth === 0) inclusive.set(key, (inclusive.get(key) ?? 0) + t);
    }
    return t;
  };
  if (root) walk(root);
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: lines(fns),
    places: lines(places),
    inclusive: lines(inclusive),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const row = (l: ProfileLine): string =>
    `  ${(l.share * 100).toFixed(1).padStart(5)}%  ${l.ms.toFixed(0).padStart(7)} ms  ${l.name}`;
  return [
    `CPU profile: ${s.totalMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms busy (shares are of busy time)`,
    'Self time by package or file:',
    ...s.places.map(row),
    'Self time by function:',
    ...s.functions.map(row),
    'Inclusive time of our own functions (synchronous part of each call and its callees):',
    ...s.inclusive.map(row),
  ].join('\n');
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/smtp-ingest/profile.ts FILE.cpuprofile');
    process.exit(2);
  }
  console.log(formatSummary(summarise(file)));
}
