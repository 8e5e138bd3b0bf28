// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3): opens a mailbox view. A failed SELECT leaves
// the session unselected (§6.3.2); a new SELECT first closes the old one with [CLOSED]
// (RFC 7162 §3.2.11, part of IMAP4rev2). Every SELECT answers HIGHESTMODSEQ (we always have
// modseqs, so never NOMODSEQ); (CONDSTORE) enables CONDSTORE (RFC 7162 §3.1.8); (QRESYNC
// (uidvalidity modseq [known-uids])) reports what changed since modseq: `* VANISHED (EARLIER)`
// for UIDs that left, then FETCH (UID FLAGS MODSEQ) for messages changed (§3.2.5). A modseq
// older than the pruned tombstones gets every known UID not in the mailbox as vanished.
import { mailboxChangesSince } from '../../core/messages.ts';
import type { Qresync } from '../proto/grammar.ts';
import {
  formatRanges,
  formatSeqSet,
  inRanges,
  rangesWithout,
  resolveSeqSet,
} from '../proto/seqset.ts';
import { raw } from '../proto/writer.ts';
import { permit, resolveMailbox } from '../access.ts';
import type { Session } from '../session.ts';
import { flagsFetch, MailboxView } from '../view.ts';
import { specialUse } from './list.ts';
import { AUTHED, type Handler } from './types.ts';

async function resync(s: Session, view: MailboxView, q: Qresync, uidNext: number): Promise<void> {
  const { changed, vanished, present } = await mailboxChangesSince(
    s.core.db,
    view.accountId,
    view.mailboxId,
    q.modseq,
  );
  // "*" in known-uids is the highest UID the mailbox ever gave.
  const known = q.knownUids ? resolveSeqSet(q.knownUids, Math.max(uidNext - 1, 1)) : null;
  if (present) {
    // The tombstones of that time are pruned: every UID the client may know of that is not
    // here is reported, which §3.2.5.1 allows (UIDs it never saw are ignored by it). Only
    // UIDs not in this view, as below.
    const here = [...new Set([...present, ...view.uids])].sort((a, b) => a - b);
    const gone = rangesWithout(known ?? [[1, Math.max(uidNext - 1, 1)]], here);
    if (gone.length) s.untagged([raw('VANISHED'), raw('(EARLIER)'), raw(formatRanges(gone))]);
  } else {
    // Only UIDs not in this view: one that left after the view was loaded is reported later.
    const gone = vanished.filter((u) => view.seqOf(u) === 0 && (!known || inRanges(known, u)));
    if (gone.length) s.untagged([raw('VANISHED'), raw('(EARLIER)'), raw(formatSeqSet(gone))]);
  }
  for (const m of changed) {
    const seq = view.seqOf(m.uid);
    if (seq > 0)
      s.untagged(flagsFetch(seq, m.uid, view.flags(m.uid, m.keywords, s.rev2), m.modseq));
  }
}

export const select: Handler<'SELECT' | 'EXAMINE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    if (args.qresync && !s.qresync) {
      await s.finish(tag, 'BAD', null, 'ENABLE QRESYNC first');
      return;
    }
    if (s.selected) {
      s.selected = null;
      s.state = 'auth';
      s.untagged([raw('OK'), raw('[CLOSED]'), 'Previous mailbox closed']);
    }
    if (args.condstore) s.condstore = true; // the answer below carries HIGHESTMODSEQ
    const ref = await resolveMailbox(s, s.decodeName(args.mailbox));
    if (!ref) {
      await s.finish(tag, 'NO', 'NONEXISTENT', 'No such mailbox');
      return;
    }
    if (!(await permit(s, tag, ref, 'r'))) return; // RFC 4314 §4: SELECT/EXAMINE need r
    const { mailbox: mb, accountId } = ref;
    // Read before the view loads: every change at or below it is in what the view shows.
    const highest = Number(mb.modseq);
    const readOnly = args.name === 'EXAMINE';
    // A read-write SELECT claims the messages no session has seen as \Recent (RFC 3501
    // §2.3.2); EXAMINE shows them as recent and leaves them so (§6.3.2).
    const view = new MailboxView(s.core, accountId, mb.id, { readOnly, rights: ref.rights });
    await view.load();
    s.untagged([view.exists, raw('EXISTS')]);
    if (!s.rev2) s.untagged([view.recent, raw('RECENT')]);
    view.flagResponses(s); // FLAGS and PERMANENTFLAGS, with every keyword in use
    // RFC 3501 §6.3.1 (IMAP4rev1 only; RFC 9051 dropped it): the first unseen message.
    if (!s.rev2 && view.firstUnseen > 0)
      s.untagged([raw('OK'), raw(`[UNSEEN ${view.firstUnseen}]`), 'First unseen']);
    s.untagged([raw('OK'), raw(`[UIDVALIDITY ${Number(mb.uid_validity)}]`), 'UIDs valid']);
    s.untagged([raw('OK'), raw(`[UIDNEXT ${Number(mb.uid_next)}]`), 'Predicted next UID']);
    s.untagged([raw('OK'), raw(`[HIGHESTMODSEQ ${highest}]`), 'Highest']);
    s.untagged([raw('OK'), raw(`[MAILBOXID (${mb.id})]`), 'Mailbox id']); // RFC 8474 §4.2
    const use = specialUse(mb.role);
    s.untagged([raw('LIST'), use ? [raw(use)] : [], '/', s.encodeName(ref.name)]);
    // §3.2.5.2: a different UIDVALIDITY means the client's cache is void; nothing to resync.
    if (args.qresync && args.qresync.uidValidity === Number(mb.uid_validity))
      await resync(s, view, args.qresync, Number(mb.uid_next));
    s.selected = {
      id: mb.id,
      name: ref.name,
      readOnly,
      uidValidity: Number(mb.uid_validity),
      view,
    };
    s.state = 'selected';
    await s.finish(tag, 'OK', readOnly ? 'READ-ONLY' : 'READ-WRITE', `${args.name} completed`);
  },
};
