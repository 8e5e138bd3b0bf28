// The selected mailbox as one session sees it: message sequence number n is `uids[n-1]`
// (RFC 9051 §2.3.1.2). `sync` compares the view with the store when the account's modseq has
// moved, and reports what changed: `* n EXPUNGE` (only when allowed, highest first so the
// numbers stay right), `* n EXISTS` for new messages, and `* n FETCH (UID FLAGS)` for flag
// changes made elsewhere. The session's own .SILENT stores are not echoed (RFC 9051 §6.4.6).
import type { Core } from '../core/core.ts';
import { accountModseq, mailboxMessages } from '../core/messages.ts';
import { keywordToFlag } from '../mail/keywords.ts';
import { raw, type Value } from './proto/writer.ts';
import { inRanges, resolveSeqSet, type SeqSet } from './proto/seqset.ts';

export interface ViewSink {
  untagged(items: Value[]): void;
}

export class MailboxView {
  readonly core: Core;
  readonly accountId: number;
  readonly mailboxId: string;
  uids: number[] = [];
  emailIds: string[] = [];
  /** Account modseq the view reflects. */
  modseq = 0;
  /** Modseqs of this session's own silent changes, not to be echoed. */
  readonly own = new Set<number>();
  /** Messages gone from the store but still in the view, waiting for a command that may tell. */
  #expungePending = false;

  constructor(core: Core, accountId: number, mailboxId: string) {
    this.core = core;
    this.accountId = accountId;
    this.mailboxId = mailboxId;
  }

  async load(): Promise<void> {
    this.modseq = await accountModseq(this.core.db, this.accountId);
    const list = await mailboxMessages(this.core.db, this.accountId, this.mailboxId);
    this.uids = list.map((m) => m.uid);
    this.emailIds = list.map((m) => m.emailId);
  }

  get exists(): number {
    return this.uids.length;
  }

  /** Sequence number of a UID, or 0. */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid]!;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Indices (0-based) into the view of the messages a sequence set names, in order. */
  select(set: SeqSet, uid: boolean): number[] {
    const out: number[] = [];
    if (this.uids.length === 0) return out;
    if (!uid) {
      for (const [lo, hi] of resolveSeqSet(set, this.uids.length))
        for (let n = lo; n <= Math.min(hi, this.uids.length); n++) out.push(n - 1);
      return out;
    }
    // RFC 9051 §6.4.8: "*" is the highest UID; a range covers the UIDs that exist in it.
    const ranges = resolveSeqSet(set, this.uids[this.uids.length - 1]!);
    this.uids.forEach((u, i) => {
      if (inRanges(ranges, u)) out.push(i);
    });
    return out;
  }

  async sync(out: ViewSink, mayExpunge: boolean): Promise<void> {
    const now = await accountModseq(this.core.db, this.accountId);
    if (now === this.modseq && !(mayExpunge && this.#expungePending)) return;
    const list = await mailboxMessages(this.core.db, this.accountId, this.mailboxId);
    const present = new Map(list.map((m) => [m.uid, m]));
    this.#expungePending = false;
    if (!mayExpunge) this.#expungePending = this.uids.some((u) => !present.has(u));
    else {
      for (let i = this.uids.length - 1; i >= 0; i--) {
        if (present.has(this.uids[i]!)) continue;
        this.uids.splice(i, 1);
        this.emailIds.splice(i, 1);
        out.untagged([i + 1, raw('EXPUNGE')]);
      }
    }
    const last = this.uids[this.uids.length - 1] ?? 0;
    const before = this.uids.length;
    for (const m of list) {
      if (m.uid <= last) continue;
      this.uids.push(m.uid);
      this.emailIds.push(m.emailId);
    }
    if (this.uids.length !== before) out.untagged([this.uids.length, raw('EXISTS')]);
    for (const m of list) {
      if (m.modseq <= this.modseq || m.uid > last || this.own.has(m.modseq)) continue;
      const seq = this.seqOf(m.uid);
      if (seq === 0) continue;
      out.untagged([
        seq,
        raw('FETCH'),
        [raw('UID'), m.uid, raw('FLAGS'), m.keywords.map((k) => raw(keywordToFlag(k)))],
      ]);
    }
    this.modseq = now;
    this.own.clear();
  }
}
