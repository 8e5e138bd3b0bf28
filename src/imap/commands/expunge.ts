// EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, UIDPLUS RFC 4315 §2.1): removes the \Deleted
// messages (of the given UIDs) from the selected mailbox through core's removeFromMailbox;
// the view then reports `* n EXPUNGE` for each, highest sequence number first (or VANISHED
// under QRESYNC), and with CONDSTORE on the tagged OK carries the new HIGHESTMODSEQ.
import { emailsByIds } from '../../core/messages.ts';
import { removeFromMailbox } from '../../core/expunge.ts';
import { mailboxById } from '../../core/mailboxes.ts';
import type { SeqSet } from '../proto/seqset.ts';
import { permitSelected, selectedRights } from '../access.ts';
import type { Session } from '../session.ts';
import { SELECTED, type Handler } from './types.ts';

/** Expunges \Deleted messages (limited to `uids` when given); `report` sends EXPUNGE lines. */
export async function expungeDeleted(
  s: Session,
  uids: SeqSet | null,
  report: boolean,
): Promise<void> {
  const sel = s.selected!;
  const idx = uids ? sel.view.select(uids, true) : sel.view.uids.map((_, i) => i);
  const ids = idx.map((i) => sel.view.emailIds[i]!);
  const accountId = sel.view.accountId;
  const rows = await emailsByIds(s.core.db, accountId, ids);
  const deleted = ids.filter((id) => rows.get(id)?.keywords.includes('$deleted'));
  await removeFromMailbox(s.core, accountId, sel.id, deleted);
  if (report) await sel.view.sync(s, true);
}

/** Whether the session may expunge the selected mailbox (CLOSE's silent expunge). */
export async function canExpunge(s: Session): Promise<boolean> {
  return (await selectedRights(s)).includes('e');
}

export const expunge: Handler<'EXPUNGE' | 'UID EXPUNGE'> = {
  states: SELECTED,
  async run(s, args, tag) {
    if (s.selected!.readOnly) {
      await s.finish(tag, 'NO', 'READ-ONLY', 'Mailbox is read-only');
      return;
    }
    if (!(await permitSelected(s, tag, 'e'))) return; // RFC 4314 §4
    await expungeDeleted(s, args.name === 'UID EXPUNGE' ? args.set : null, true);
    let code: string | null = null;
    if (s.condstore) {
      // RFC 7162 §3.2.10 (example) / §3.1.2: the new HIGHESTMODSEQ once the removals are told;
      // no higher than the view, so nothing above it is taken as known.
      const sel = s.selected!;
      const mb = await mailboxById(s.core.db, sel.view.accountId, sel.id);
      code = `HIGHESTMODSEQ ${Math.min(sel.view.modseq, Number(mb?.modseq ?? 0))}`;
    }
    await s.finish(tag, 'OK', code, `${args.name} completed`);
  },
};
