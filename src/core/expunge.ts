// Removing messages from a mailbox: POP3 UPDATE, IMAP EXPUNGE and JMAP Email/set destroy all
// end here. In one transaction, under one new modseq of the account:
//   1. the (mailbox, email) memberships go (only rows this call really deleted count, so two
//      sessions removing the same message at once remove it once);
//   2. an email left in no mailbox is destroyed: its row goes, its blob loses one reference
//      (collected later by `collectBlobs`), and the account's used bytes shrink by its size;
//   3. each removed (mailbox, UID) leaves a tombstone (IMAP VANISHED, QRESYNC), and the other
//      mailboxes of emails that stay elsewhere have their modseq raised with the email's;
//   4. the change log records Email 'd' for destroyed emails, Email 'u' for emails still in
//      another mailbox (their mailbox set changed), Mailbox 'u' for the mailbox, and for the
//      thread of each destroyed email Thread 'u' (it lost an email) or 'd' (it lost its last).
// After commit the change is published on the bus (IMAP IDLE, JMAP push…).
import type { Core } from './core.ts';
import {
  nextModseq,
  PendingEvents,
  recordChanges,
  recordTombstones,
  releaseModseq,
  touchMailboxesOf,
} from './changes.ts';
import { releaseBlobs } from './blobrefs.ts';

export interface RemovedMessage {
  emailId: string;
  /** The UID it had in the mailbox (IMAP EXPUNGE / VANISHED). */
  uid: number;
  /** True when the email was in no other mailbox and is gone altogether. */
  destroyed: boolean;
}

/** Most ids bound in one statement (SQLite allows 32,766 variables; PostgreSQL 65,535). */
const CHUNK = 500;

/**
 * Removes the given emails from one mailbox; ids not in it are ignored. Returns what was
 * removed (empty when nothing was, and then no modseq is taken and nothing is published).
 */
export async function removeFromMailbox(
  core: Core,
  accountId: number,
  mailboxId: string,
  emailIds: string[],
): Promise<RemovedMessage[]> {
  const ids = [...new Set(emailIds)];
  if (ids.length === 0) return [];
  const events = new PendingEvents();
  const removed = await core.db.transaction().execute(async (trx) => {
    // Taking the modseq first locks the account row (PostgreSQL), so changes of one account
    // are serialised; it is given back unused if nothing turns out to be removed.
    const modseq = await nextModseq(trx, accountId);
    const gone: { emailId: string; uid: number }[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await trx
        .deleteFrom('email_mailboxes')
        .where('account_id', '=', accountId)
        .where('mailbox_id', '=', mailboxId)
        .where('email_id', 'in', ids.slice(i, i + CHUNK))
        .returning(['email_id', 'uid'])
        .execute();
      for (const r of rows) gone.push({ emailId: r.email_id, uid: Number(r.uid) });
    }
    if (gone.length === 0) {
      await releaseModseq(trx, accountId, modseq);
      return [];
    }
    const destroyed = new Set<string>();
    const threads = new Set<string>();
    const hashes: string[] = [];
    let bytes = 0;
    const goneIds = gone.map((g) => g.emailId);
    for (let i = 0; i < goneIds.length; i += CHUNK) {
      const rows = await trx
        .deleteFrom('emails')
        .where('account_id', '=', accountId)
        .where('id', 'in', goneIds.slice(i, i + CHUNK))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('email_mailboxes as em')
                .select('em.email_id')
                .whereRef('em.account_id', '=', 'emails.account_id')
                .whereRef('em.email_id', '=', 'emails.id'),
            ),
          ),
        )
        .returning(['id', 'blob_hash', 'size', 'thread_id'])
        .execute();
      for (const r of rows) {
        destroyed.add(r.id);
        hashes.push(r.blob_hash);
        bytes += Number(r.size);
        threads.add(r.thread_id);
      }
    }
    // A thread that lost an email changed; one that lost its last is gone (RFC 8621 §3).
    const threadIds = [...threads];
    const remaining = new Set<string>();
    for (let i = 0; i < threadIds.length; i += CHUNK)
      for (const r of await trx
        .selectFrom('emails')
        .select('thread_id')
        .distinct()
        .where('account_id', '=', accountId)
        .where('thread_id', 'in', threadIds.slice(i, i + CHUNK))
        .execute())
        remaining.add(r.thread_id);
    const kept = goneIds.filter((id) => !destroyed.has(id));
    for (let i = 0; i < kept.length; i += CHUNK)
      await trx
        .updateTable('emails')
        .set({ modseq })
        .where('account_id', '=', accountId)
        .where('id', 'in', kept.slice(i, i + CHUNK))
        .execute();
    await touchMailboxesOf(trx, accountId, kept, modseq);
    await recordTombstones(
      trx,
      accountId,
      mailboxId,
      modseq,
      gone.map((g) => ({ id: g.emailId, uid: g.uid })),
    );
    await core.store.fulltext.remove(trx, accountId, [...destroyed]);
    if (hashes.length > 0) await releaseBlobs(trx, hashes);
    if (bytes > 0)
      await trx
        .updateTable('accounts')
        .set((eb) => ({ used_bytes: eb('used_bytes', '-', bytes) }))
        .where('id', '=', accountId)
        .execute();
    await trx
      .updateTable('mailboxes')
      .set({ modseq })
      .where('account_id', '=', accountId)
      .where('id', '=', mailboxId)
      .execute();
    await recordChanges(trx, accountId, modseq, [
      ...goneIds.map((id) => ({
        type: 'Email',
        id,
        op: destroyed.has(id) ? ('d' as const) : ('u' as const),
      })),
      { type: 'Mailbox', id: mailboxId, op: 'u' },
      ...threadIds.map((id) => ({
        type: 'Thread',
        id,
        op: remaining.has(id) ? ('u' as const) : ('d' as const),
      })),
    ]);
    events.add(accountId, modseq, 'Email');
    events.add(accountId, modseq, 'Mailbox');
    if (threadIds.length > 0) events.add(accountId, modseq, 'Thread');
    return gone.map((g) => ({ ...g, destroyed: destroyed.has(g.emailId) }));
  });
  events.publish(core);
  return removed;
}
