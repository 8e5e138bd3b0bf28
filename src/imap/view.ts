// The selected mailbox as one session sees it: message sequence number n is `uids[n-1]`
// (RFC 9051 §2.3.1.2). `sync` reads what changed in the mailbox since the view's modseq from
// the shared change log (core's mailboxChangesSince: changed emails and tombstones, never a
// reload of the whole mailbox) and reports it: removals as `* n EXPUNGE` (highest first, so the
// numbers stay right) or, once QRESYNC is enabled, one `* VANISHED uids` (RFC 7162 §3.2.10),
// and only when allowed (RFC 9051 §7.5.1); `* n EXISTS` for new messages (with `* n RECENT`
// for IMAP4rev1 clients); `* n FETCH (UID FLAGS [MODSEQ])` for changes made elsewhere. The
// session's own .SILENT stores are not echoed (RFC 9051 §6.4.6).
// Two more pieces of per-session state live here:
// - \Recent (RFC 3501 §2.3.2): the UIDs this session claimed (core/recent.ts) — on a
//   read-write SELECT, and whenever it notices new messages; an EXAMINE session shows the
//   unclaimed ones as recent without claiming them. IMAP4rev2 sessions claim but never show.
// - the keywords announced in FLAGS: a keyword is never sent in a FETCH before an updated
//   FLAGS and PERMANENTFLAGS named it (RFC 3501 §7.2.6, RFC 9051 §7.3.5).
import type { Core } from '../core/core.ts';
import { accountModseq, mailboxChangesSince, mailboxMessages } from '../core/messages.ts';
import { claimRecent, recentMark } from '../core/recent.ts';
import { keywordToFlag, SYSTEM_FLAGS } from '../mail/keywords.ts';
import { raw, type Value } from './proto/writer.ts';
import { formatSeqSet, inRanges, resolveSeqSet, type SeqSet } from './proto/seqset.ts';

export interface ViewSink {
  untagged(items: Value[]): void;
  /** CONDSTORE is on: unsolicited FETCH carries MODSEQ (RFC 7162 §3.1.4). */
  condstore: boolean;
  /** QRESYNC is on: removals are VANISHED, not EXPUNGE (RFC 7162 §3.2.10). */
  qresync: boolean;
  /** IMAP4rev2 is on: no \Recent flag and no RECENT response (RFC 9051 Appendix E). */
  rev2: boolean;
}

/** `* n FETCH (UID u FLAGS (...) [MODSEQ (m)])`, as sync and QRESYNC send it. */
export function flagsFetch(
  seq: number,
  uid: number,
  flags: Value[],
  modseq: number | null,
): Value[] {
  const items: Value[] = [raw('UID'), uid, raw('FLAGS'), flags];
  if (modseq !== null) items.push(raw('MODSEQ'), [modseq]);
  return [seq, raw('FETCH'), items];
}

/** Which flags the session may change (RFC 4314 §4), for PERMANENTFLAGS. */
export interface FlagRights {
  readOnly: boolean;
  /** The session's rights on the mailbox (s: \Seen, t: \Deleted, w: the rest). */
  rights: string;
}

const SYSTEM_KEYWORDS = new Set(['$seen', '$flagged', '$answered', '$draft', '$deleted']);

export class MailboxView {
  readonly core: Core;
  readonly accountId: number;
  readonly mailboxId: string;
  uids: number[] = [];
  emailIds: string[] = [];
  /** Account modseq the view reflects: every change at or below it has been reported. */
  modseq = 0;
  /** Modseqs of this session's own silent changes, not to be echoed. */
  readonly own = new Set<number>();
  /** The saved search result "$" (RFC 5182), as UIDs; empty on every new SELECT. */
  saved = new Set<number>();
  /** UIDs gone from the store but still in the view, waiting for a command that may tell. */
  readonly #gone = new Set<number>();
  /** Sequence number of the first message without \Seen when loaded (0: none). */
  firstUnseen = 0;
  /** UIDs that are \Recent in this session. */
  readonly #recent = new Set<number>();
  /** Keywords (not system flags) named in the last FLAGS response. */
  readonly #keywords = new Set<string>();
  readonly #flagRights: FlagRights;

  constructor(core: Core, accountId: number, mailboxId: string, flagRights: FlagRights) {
    this.core = core;
    this.accountId = accountId;
    this.mailboxId = mailboxId;
    this.#flagRights = flagRights;
  }

  /** Reads the mailbox and, unless read-only, claims its unclaimed messages as \Recent. */
  async load(): Promise<void> {
    // The modseq first: a change committed between the two reads is reported again, not lost.
    this.modseq = await accountModseq(this.core.db, this.accountId);
    const list = await mailboxMessages(this.core.db, this.accountId, this.mailboxId);
    this.uids = list.map((m) => m.uid);
    this.emailIds = list.map((m) => m.emailId);
    for (const m of list)
      for (const k of m.keywords) if (!SYSTEM_KEYWORDS.has(k)) this.#keywords.add(k);
    this.firstUnseen = list.findIndex((m) => !m.keywords.includes('$seen')) + 1;
    await this.#markRecent(this.uids);
  }

  /** Takes the new UIDs (ascending) that are recent for this session. */
  async #markRecent(added: number[]): Promise<void> {
    if (added.length === 0) return;
    const upTo = added[added.length - 1]! + 1;
    const from = this.#flagRights.readOnly
      ? await recentMark(this.core.db, this.accountId, this.mailboxId)
      : await claimRecent(this.core.db, this.accountId, this.mailboxId, upTo);
    for (const uid of added) if (uid >= from) this.#recent.add(uid);
  }

  /** How many messages of the view are \Recent in this session. */
  get recent(): number {
    return this.#recent.size;
  }

  isRecent(uid: number): boolean {
    return this.#recent.has(uid);
  }

  /** A message's flags as this session shows them: its keywords, and \Recent for rev1. */
  flags(uid: number, keywords: readonly string[], rev2: boolean): Value[] {
    const out: Value[] = keywords.map((k) => raw(keywordToFlag(k)));
    if (!rev2 && this.#recent.has(uid)) out.unshift(raw('\\Recent'));
    return out;
  }

  /** `* FLAGS (…)` and `* OK [PERMANENTFLAGS (…)]`: system flags and the keywords in use. */
  flagResponses(out: ViewSink): void {
    const keywords = [...this.#keywords].sort();
    out.untagged([raw('FLAGS'), [...SYSTEM_FLAGS, ...keywords].map(raw)]);
    const { readOnly, rights } = this.#flagRights;
    let permanent: string[] = [];
    if (!readOnly) {
      // RFC 4314 §4: s for \Seen, t for \Deleted, w for the other flags and keywords.
      const may = (f: string): boolean =>
        f === '\\Seen'
          ? rights.includes('s')
          : f === '\\Deleted'
            ? rights.includes('t')
            : rights.includes('w');
      permanent = SYSTEM_FLAGS.filter(may);
      if (rights.includes('w')) permanent.push(...keywords, '\\*');
    }
    out.untagged([raw('OK'), raw(`[PERMANENTFLAGS (${permanent.join(' ')})]`), 'Flags permitted']);
  }

  /**
   * Before a FETCH, STORE or sync answer names these keywords: when one is new to the session,
   * an updated FLAGS and PERMANENTFLAGS go first (RFC 9051 §7.3.5).
   */
  announce(out: ViewSink, keywords: Iterable<string>): void {
    let fresh = false;
    for (const k of keywords)
      if (!SYSTEM_KEYWORDS.has(k) && !this.#keywords.has(k)) {
        this.#keywords.add(k);
        fresh = true;
      }
    if (fresh) this.flagResponses(out);
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
    if (set.saved) {
      // RFC 5182 §2.1: "$" names the saved messages still here, whether by UID or number.
      this.uids.forEach((u, i) => {
        if (this.saved.has(u)) out.push(i);
      });
      return out;
    }
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

  #report(out: ViewSink): void {
    if (this.#gone.size === 0) return;
    const vanished: number[] = [];
    for (let i = this.uids.length - 1; i >= 0; i--) {
      const uid = this.uids[i]!;
      if (!this.#gone.has(uid)) continue;
      this.uids.splice(i, 1);
      this.emailIds.splice(i, 1);
      this.#recent.delete(uid);
      if (out.qresync) vanished.push(uid);
      else out.untagged([i + 1, raw('EXPUNGE')]);
    }
    this.#gone.clear();
    if (vanished.length) out.untagged([raw('VANISHED'), raw(formatSeqSet(vanished.reverse()))]);
  }

  async sync(out: ViewSink, mayExpunge: boolean): Promise<void> {
    const now = await accountModseq(this.core.db, this.accountId);
    if (now === this.modseq) {
      if (mayExpunge) this.#report(out);
      return;
    }
    const since = this.modseq;
    const { changed, vanished, present } = await mailboxChangesSince(
      this.core.db,
      this.accountId,
      this.mailboxId,
      since,
    );
    for (const uid of vanished) if (this.seqOf(uid) > 0) this.#gone.add(uid);
    if (present) {
      // Selected since before the pruned tombstones: whatever is no longer there is gone.
      const here = new Set(present);
      for (const uid of this.uids) if (!here.has(uid)) this.#gone.add(uid);
    }
    if (mayExpunge) this.#report(out);
    const last = this.uids[this.uids.length - 1] ?? 0;
    const added: number[] = [];
    for (const m of changed) {
      if (m.uid <= last) continue;
      this.uids.push(m.uid);
      this.emailIds.push(m.emailId);
      added.push(m.uid);
    }
    this.announce(
      out,
      changed.flatMap((m) => m.keywords),
    );
    if (added.length) {
      await this.#markRecent(added);
      out.untagged([this.uids.length, raw('EXISTS')]);
      if (!out.rev2) out.untagged([this.recent, raw('RECENT')]); // RFC 3501 §7.3.2
    }
    for (const m of changed) {
      if (m.uid > last || this.own.has(m.modseq) || this.#gone.has(m.uid)) continue;
      const seq = this.seqOf(m.uid);
      if (seq === 0) continue;
      const flags = this.flags(m.uid, m.keywords, out.rev2);
      out.untagged(flagsFetch(seq, m.uid, flags, out.condstore ? m.modseq : null));
    }
    this.modseq = Math.max(now, this.modseq);
    this.own.clear();
  }
}
