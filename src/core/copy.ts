// Copying and moving emails between mailboxes of one account (IMAP COPY/MOVE, JMAP
// Email/set mailboxIds). Mail is JMAP-shaped: a copy adds the email to the target mailbox
// under a fresh UID (one blob, one keyword set). Only when the email is already in the target
// (IMAP COPY into the same mailbox) is a new email row made, sharing the blob (and the
// thread, which the change log then records as updated) and keeping the internal date
// (RFC 9051 §6.4.7). Move = copy, then `removeFromMailbox` on the source: two transactions,
// so a crash between them leaves the message in both mailboxes, never in none. A MOVE into
// the same mailbox only renumbers (`renumberInMailbox`).
import { UserError } from '../util/errors.ts';
import { flushIndex } from './indexer.ts';
import type { Core } from './core.ts';
import {
  nextModseq,
  PendingEvents,
  recordChanges,
  recordTombstones,
  touchMailboxesOf,
} from './changes.ts';
import { newId } from './ids.ts';
import { takeBlob } from './blobrefs.ts';
import { removeFromMailbox } from './expunge.ts';

export interface Copied {
  emailId: string;
  /** The email in the target (a new id only for a copy into a mailbox that had it). */
  targetEmailId: string;
  uid: number;
}

/** Copies emails, in the given order, to the target; ids of unknown emails are skipped. */
export async function copyEmails(
  core: Core,
  accountId: number,
  emailIds: string[],
  targetMailboxId: string,
  now = Date.now(),
): Promise<Copied[]> {
  if (emailIds.length === 0) return [];
  const events = new PendingEvents();
  await flushIndex(core); // the source's index row must exist before it is copied
  const out = await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    const target = await trx
      .selectFrom('mailboxes')
      .select(['id', 'uid_next'])
      .where('account_id', '=', accountId)
      .where('id', '=', targetMailboxId)
      .executeTakeFirst();
    if (!target) throw new UserError('not_found', 'no such mailbox');
    let uid = Number(target.uid_next);
    const copied: Copied[] = [];
    const changes: { type: string; id: string; op: 'c' | 'u' }[] = [];
    let addedBytes = 0;
    const touched: string[] = [];
    for (const emailId of emailIds) {
      const email = await trx
        .selectFrom('emails')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('id', '=', emailId)
        .executeTakeFirst();
      if (!email) continue;
      const present = await trx
        .selectFrom('email_mailboxes')
        .select('uid')
        .where('account_id', '=', accountId)
        .where('mailbox_id', '=', targetMailboxId)
        .where('email_id', '=', emailId)
        .executeTakeFirst();
      let targetId = emailId;
      if (present) {
        targetId = newId('M');
        await trx
          .insertInto('emails')
          .values({ ...email, id: targetId, modseq })
          .execute();
        await core.store.fulltext.copy(trx, accountId, emailId, targetId);
        await takeBlob(trx, email.blob_hash, Number(email.size), 1, now);
        addedBytes += Number(email.size);
        changes.push({ type: 'Email', id: targetId, op: 'c' });
        // The new email joins the thread of the one it copies (RFC 8621 §3).
        changes.push({ type: 'Thread', id: email.thread_id, op: 'u' });
      } else {
        await trx
          .updateTable('emails')
          .set({ modseq })
          .where('account_id', '=', accountId)
          .where('id', '=', emailId)
          .execute();
        changes.push({ type: 'Email', id: emailId, op: 'u' });
        touched.push(emailId);
      }
      await trx
        .insertInto('email_mailboxes')
        .values({
          account_id: accountId,
          mailbox_id: targetMailboxId,
          uid,
          email_id: targetId,
          modseq,
        })
        .execute();
      copied.push({ emailId, targetEmailId: targetId, uid });
      uid++;
    }
    // The source mailboxes' HIGHESTMODSEQ follows the emails' modseq (changes.ts).
    await touchMailboxesOf(trx, accountId, touched, modseq);
    await trx
      .updateTable('mailboxes')
      .set({ uid_next: uid, modseq })
      .where('account_id', '=', accountId)
      .where('id', '=', targetMailboxId)
      .execute();
    if (addedBytes > 0)
      await trx
        .updateTable('accounts')
        .set((eb) => ({ used_bytes: eb('used_bytes', '+', addedBytes) }))
        .where('id', '=', accountId)
        .execute();
    await recordChanges(trx, accountId, modseq, [
      ...changes,
      { type: 'Mailbox', id: targetMailboxId, op: 'u' },
    ]);
    events.add(accountId, modseq, 'Email');
    events.add(accountId, modseq, 'Mailbox');
    if (changes.some((c) => c.type === 'Thread')) events.add(accountId, modseq, 'Thread');
    return copied;
  });
  events.publish(core);
  return out;
}

/**
 * MOVE into the mailbox the messages are in (RFC 6851 §3.3: allowed where COPY is; each
 * message gets a new UID and the old one is expunged): in one transaction the memberships
 * take fresh UIDs, the old UIDs leave tombstones, and the emails keep their ids, keywords
 * and internal dates. Returns the new UIDs, in the given order.
 */
export async function renumberInMailbox(
  core: Core,
  accountId: number,
  mailboxId: string,
  emailIds: string[],
): Promise<Copied[]> {
  const ids = [...new Set(emailIds)];
  if (ids.length === 0) return [];
  const events = new PendingEvents();
  const out = await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    const mb = await trx
      .selectFrom('mailboxes')
      .select('uid_next')
      .where('account_id', '=', accountId)
      .where('id', '=', mailboxId)
      .executeTakeFirst();
    if (!mb) throw new UserError('not_found', 'no such mailbox');
    let uid = Number(mb.uid_next);
    const moved: Copied[] = [];
    const old: { id: string; uid: number }[] = [];
    for (const emailId of ids) {
      const gone = await trx
        .deleteFrom('email_mailboxes')
        .where('account_id', '=', accountId)
        .where('mailbox_id', '=', mailboxId)
        .where('email_id', '=', emailId)
        .returning('uid')
        .executeTakeFirst();
      if (!gone) continue;
      await trx
        .insertInto('email_mailboxes')
        .values({ account_id: accountId, mailbox_id: mailboxId, uid, email_id: emailId, modseq })
        .execute();
      old.push({ id: emailId, uid: Number(gone.uid) });
      moved.push({ emailId, targetEmailId: emailId, uid });
      uid++;
    }
    const touched = moved.map((m) => m.emailId);
    for (let i = 0; i < touched.length; i += 500)
      await trx
        .updateTable('emails')
        .set({ modseq })
        .where('account_id', '=', accountId)
        .where('id', 'in', touched.slice(i, i + 500))
        .execute();
    await touchMailboxesOf(trx, accountId, touched, modseq);
    await recordTombstones(trx, accountId, mailboxId, modseq, old);
    await trx
      .updateTable('mailboxes')
      .set({ uid_next: uid, modseq })
      .where('account_id', '=', accountId)
      .where('id', '=', mailboxId)
      .execute();
    await recordChanges(trx, accountId, modseq, [
      ...touched.map((id) => ({ type: 'Email', id, op: 'u' as const })),
      { type: 'Mailbox', id: mailboxId, op: 'u' },
    ]);
    events.add(accountId, modseq, 'Email');
    events.add(accountId, modseq, 'Mailbox');
    return moved;
  });
  events.publish(core);
  return out;
}

/** Moves emails from one mailbox to another (RFC 6851 MOVE semantics). */
export async function moveEmails(
  core: Core,
  accountId: number,
  sourceMailboxId: string,
  emailIds: string[],
  targetMailboxId: string,
): Promise<Copied[]> {
  if (sourceMailboxId === targetMailboxId) throw new UserError('invalid', 'source is the target');
  const copied = await copyEmails(core, accountId, emailIds, targetMailboxId);
  await removeFromMailbox(
    core,
    accountId,
    sourceMailboxId,
    copied.map((c) => c.emailId),
  );
  return copied;
}
