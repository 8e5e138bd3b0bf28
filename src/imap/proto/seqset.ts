// Sequence sets (RFC 9051 §9 sequence-set): "1:4,7,9:*". Values are message sequence numbers or
// UIDs; "*" stands for the largest one in the mailbox (and for a UID range on an empty
// mailbox, for the UIDNEXT-1 of none: no message). "$" (SEARCHRES, RFC 5182) is parsed so
// the command gets a clean error until SEARCHRES is implemented.
import { ParseError, Reader } from './reader.ts';

/** 0 stands for "*". */
export type SeqRange = [number, number];

export interface SeqSet {
  ranges: SeqRange[];
  /** "$": the saved search result (RFC 5182). */
  saved?: boolean;
}

function seqNumber(r: Reader): number {
  if (r.maybeChar('*')) return 0;
  return r.nzNumber32();
}

export function readSeqSet(r: Reader): SeqSet {
  if (r.maybeChar('$')) return { ranges: [], saved: true };
  const ranges: SeqRange[] = [];
  do {
    const a = seqNumber(r);
    const b = r.maybeChar(':') ? seqNumber(r) : a;
    ranges.push([a, b]);
  } while (r.maybeChar(','));
  return { ranges };
}

/** Parses a whole string as a sequence set (tests, the response side). */
export function parseSeqSet(text: string): SeqSet {
  const r = new Reader(Buffer.from(text, 'latin1'));
  const s = readSeqSet(r);
  if (!r.done) throw new ParseError('sequence set expected');
  return s;
}

/** Resolves a set against the largest value `max` ("*") into sorted, merged [lo, hi] ranges. */
export function resolveSeqSet(set: SeqSet, max: number): SeqRange[] {
  const out: SeqRange[] = [];
  for (const [a0, b0] of set.ranges) {
    const a = a0 === 0 ? max : a0;
    const b = b0 === 0 ? max : b0;
    out.push(a <= b ? [a, b] : [b, a]);
  }
  out.sort((x, y) => x[0] - y[0]);
  const merged: SeqRange[] = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

export function inRanges(ranges: SeqRange[], n: number): boolean {
  for (const [lo, hi] of ranges) if (n >= lo && n <= hi) return true;
  return false;
}

/** Compact text form of sorted numbers: [1,2,3,5] → "1:3,5" (COPYUID, ESEARCH). */
export function formatSeqSet(nums: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    parts.push(i === j ? `${nums[i]}` : `${nums[i]}:${nums[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The numbers of `ranges` that are not in `present` (ascending), as sorted disjoint ranges. */
export function rangesWithout(ranges: SeqRange[], present: number[]): SeqRange[] {
  const merged: SeqRange[] = [];
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  const out: SeqRange[] = [];
  let p = 0;
  for (const [lo, hi] of merged) {
    let from = lo;
    while (p < present.length && present[p]! < lo) p++;
    while (p < present.length && present[p]! <= hi) {
      if (present[p]! > from) out.push([from, present[p]! - 1]);
      from = present[p]! + 1;
      p++;
    }
    if (from <= hi) out.push([from, hi]);
  }
  return out;
}

/** Text form of sorted disjoint ranges: [[1,3],[5,5]] → "1:3,5". */
export function formatRanges(ranges: SeqRange[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}:${hi}`)).join(',');
}
