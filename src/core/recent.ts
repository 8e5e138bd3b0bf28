// IMAP4rev1's \Recent (RFC 3501 §2.3.2): a message is recent in exactly one session, the
// first to see it after it arrived. Each mailbox keeps one mark, `recent_uid`: the first UID
// no session has claimed. Messages get ever higher UIDs, so "not yet claimed" is "UID at or
// above the mark". A read-write SELECT, and a selected session that notices new messages,
// claim up to the highest UID they see by moving the mark with a compare-and-set; EXAMINE
// and STATUS only read it (§6.3.2: EXAMINE must not make messages lose \Recent).
// Invariant: the mark only rises. It is session state, not a change of the mailbox: it takes
// no modseq and is not published.
import { sql } from 'kysely';
import type { Db } from '../store/schema.ts';

/** The mailbox's mark: UIDs at or above it are recent to whoever sees them first. */
export async function recentMark(db: Db, accountId: number, mailboxId: string): Promise<number> {
  const row = await db
    .selectFrom('mailboxes')
    .select('recent_uid')
    .where('account_id', '=', accountId)
    .where('id', '=', mailboxId)
    .executeTakeFirst();
  return row ? Number(row.recent_uid) : Infinity;
}

/**
 * Claims the unclaimed UIDs below `upTo` (the highest UID the session sees, plus one) for
 * the calling session. Returns the first UID claimed: the session's recent messages are its
 * UIDs in [returned, upTo). Returns `upTo` when there was nothing to claim. Two sessions
 * claiming at once never get the same UID: the mark moves only from the value each read.
 */
export async function claimRecent(
  db: Db,
  accountId: number,
  mailboxId: string,
  upTo: number,
): Promise<number> {
  for (;;) {
    const mark = await recentMark(db, accountId, mailboxId);
    if (mark >= upTo) return upTo;
    const res = await db
      .updateTable('mailboxes')
      .set({ recent_uid: upTo })
      .where('account_id', '=', accountId)
      .where('id', '=', mailboxId)
      .where('recent_uid', '=', mark)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) return mark;
  }
}

/** How many messages of the mailbox no session has claimed (STATUS RECENT). */
export async function unclaimedCount(
  db: Db,
  accountId: number,
  mailboxId: string,
): Promise<number> {
  const row = await db
    .selectFrom('email_mailboxes as em')
    .innerJoin('mailboxes as m', (j) =>
      j.onRef('m.account_id', '=', 'em.account_id').onRef('m.id', '=', 'em.mailbox_id'),
    )
    .select(sql<number>`count(*)`.as('n'))
    .where('em.account_id', '=', accountId)
    .where('em.mailbox_id', '=', mailboxId)
    .whereRef('em.uid', '>=', 'm.recent_uid')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
