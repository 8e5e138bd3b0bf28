// The benchmark's report: the figures of several rounds folded into one (the median of every
// rate and time, the highest memory peak), the comparison rows, and the text table.
import type { FanoutFigures, FloodFigures } from './scenarios.ts';
import type { MemoryPeak } from './procmem.ts';

export interface SystemFigures {
  reused: FloodFigures;
  newConnection: FloodFigures | null;
  fanout: FanoutFigures & { blobFilesAdded?: number };
}

function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0 || v.length < xs.length) return null; // a round that never finished
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

function peak(ms: MemoryPeak[]): MemoryPeak {
  return {
    rssMiB: Math.max(...ms.map((m) => m.rssMiB)),
    pssMiB: Math.max(...ms.map((m) => m.pssMiB)),
    processes: Math.max(...ms.map((m) => m.processes)),
  };
}

function foldFlood(fs: FloodFigures[]): FloodFigures {
  const first = fs[0]!;
  const failed = fs.reduce((n, f) => n + f.failed, 0);
  const firstError = fs.find((f) => f.firstError)?.firstError;
  return {
    messages: first.messages,
    accepted: Math.min(...fs.map((f) => f.accepted)),
    failed,
    ...(firstError ? { firstError } : {}),
    acceptSeconds: median(fs.map((f) => f.acceptSeconds))!,
    deliverSeconds: median(fs.map((f) => f.deliverSeconds)),
    acceptedPerSecond: median(fs.map((f) => f.acceptedPerSecond))!,
    deliveredPerSecond: median(fs.map((f) => f.deliveredPerSecond)),
    memory: peak(fs.map((f) => f.memory)),
  };
}

/** One figure per metric from several rounds: medians of rates and times, peak memory. */
export function fold(rounds: SystemFigures[]): SystemFigures {
  const fan = rounds.map((r) => r.fanout);
  const blobs = fan.map((f) => f.blobFilesAdded).filter((b): b is number => b !== undefined);
  const newConns = rounds.map((r) => r.newConnection).filter((n): n is FloodFigures => n !== null);
  return {
    reused: foldFlood(rounds.map((r) => r.reused)),
    newConnection: newConns.length ? foldFlood(newConns) : null,
    fanout: {
      recipients: fan[0]!.recipients,
      accepted: Math.min(...fan.map((f) => f.accepted)),
      acceptSeconds: median(fan.map((f) => f.acceptSeconds))!,
      deliverSeconds: median(fan.map((f) => f.deliverSeconds)),
      memory: peak(fan.map((f) => f.memory)),
      ...(blobs.length ? { blobFilesAdded: Math.max(...blobs) } : {}),
    },
  };
}

export interface Row {
  scenario: string;
  metric: string;
  champa: number | null;
  postfixDovecot: number | null;
  /** Champa ÷ Postfix+Dovecot for rates and memory; the inverse for times (> 1: Champa faster). */
  ratio: number | null;
  digits: number;
}

export interface RowParams {
  messages: number;
  size: number;
  concurrency: number;
  newconn: number;
  fanout: number;
}

export function rowsOf(c: SystemFigures | null, x: SystemFigures | null, p: RowParams): Row[] {
  const rows: Row[] = [];
  const add = (
    scenario: string,
    metric: string,
    a: number | null | undefined,
    b: number | null | undefined,
    kind: 'rate' | 'time' | 'mem',
    digits = 0,
  ): void => {
    const r = a && b ? (kind === 'time' ? b / a : a / b) : null;
    rows.push({ scenario, metric, champa: a ?? null, postfixDovecot: b ?? null, ratio: r, digits });
  };
  const a = `(a) ${p.messages} × ${p.size} B, ${p.concurrency} reused conns`;
  add(a, 'accepted msg/s', c?.reused.acceptedPerSecond, x?.reused.acceptedPerSecond, 'rate');
  add(a, 'delivered msg/s', c?.reused.deliveredPerSecond, x?.reused.deliveredPerSecond, 'rate');
  add(a, 'peak RSS MiB (sum)', c?.reused.memory.rssMiB, x?.reused.memory.rssMiB, 'mem');
  add(a, 'peak PSS MiB (sum)', c?.reused.memory.pssMiB, x?.reused.memory.pssMiB, 'mem');
  if (c?.newConnection || x?.newConnection) {
    const n = `(a') ${p.newconn} msgs, new conn each (info)`;
    const [cn, xn] = [c?.newConnection, x?.newConnection];
    add(n, 'accepted msg/s', cn?.acceptedPerSecond, xn?.acceptedPerSecond, 'rate');
    add(n, 'delivered msg/s', cn?.deliveredPerSecond, xn?.deliveredPerSecond, 'rate');
  }
  const b = `(b) 1 msg → ${p.fanout} rcpts`;
  add(b, 'accept s', c?.fanout.acceptSeconds, x?.fanout.acceptSeconds, 'time', 3);
  add(b, 'deliver s', c?.fanout.deliverSeconds, x?.fanout.deliverSeconds, 'time', 3);
  add(b, 'peak RSS MiB (sum)', c?.fanout.memory.rssMiB, x?.fanout.memory.rssMiB, 'mem');
  add(b, 'peak PSS MiB (sum)', c?.fanout.memory.pssMiB, x?.fanout.memory.pssMiB, 'mem');
  return rows;
}

/** The text table; `other` names the reference system's column. */
export function formatTable(rows: Row[], other = 'Postfix+Dovecot'): string {
  const fmt = (n: number | null, d: number): string => (n === null ? '—' : n.toFixed(d));
  const header = ['scenario', 'metric', 'Champa', other, 'ratio'];
  const table = [
    header,
    ...rows.map((r) => [
      r.scenario,
      r.metric,
      fmt(r.champa, r.digits),
      fmt(r.postfixDovecot, r.digits),
      r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((t) => t[i]!.length)));
  const lines = table.map((t) =>
    t
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}
