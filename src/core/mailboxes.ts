// Mailboxes: the mail collections of an account. Every account starts with the special-use
// set of RFC 6154 (INBOX plus Drafts, Sent, Junk, Trash, Archive). UIDVALIDITY is fixed at
// creation and UIDs are taken from uid_next, never reused (RFC 9051 §2.3.1.1).
import type { Insertable } from 'kysely';
import type { Mailbox, MailboxTable, Db } from '../store/schema.ts';
import { newId } from './ids.ts';
import { nextModseq, recordChanges } from './changes.ts';

export const DEFAULT_MAILBOXES: { name: string; role: string }[] = [
  { name: 'INBOX', role: 'inbox' },
  { name: 'Drafts', role: 'drafts' },
  { name: 'Sent', role: 'sent' },
  { name: 'Junk', role: 'junk' },
  { name: 'Trash', role: 'trash' },
  { name: 'Archive', role: 'archive' },
];

/** UIDVALIDITY of an account's first mailboxes: seconds since the epoch at creation. */
function uidValidity(now: number): number {
  return Math.floor(now / 1000) % 0xffffffff;
}

/**
 * UIDVALIDITY for a mailbox created now: the time in seconds, but always above every value
 * the account gave before, so a mailbox made again under a deleted one's name never gets the
 * old value, even within the same second (RFC 3501 §2.3.1.1, RFC 9051 §2.3.1.1). The caller
 * holds the account's modseq (nextModseq), which serialises creations of one account.
 */
async function nextUidValidity(trx: Db, accountId: number, now: number): Promise<number> {
  const acc = await trx
    .selectFrom('accounts')
    .select('uid_validity_last')
    .where('id', '=', accountId)
    .executeTakeFirst();
  const top = await trx
    .selectFrom('mailboxes')
    .select((eb) => eb.fn.max('uid_validity').as('v'))
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const v = Math.max(
    uidValidity(now),
    Number(acc?.uid_validity_last ?? 0) + 1,
    Number(top?.v ?? 0) + 1,
  );
  await trx
    .updateTable('accounts')
    .set({ uid_validity_last: v })
    .where('id', '=', accountId)
    .execute();
  return v;
}

/** The rows of a new account's default mailboxes, all under `modseq`. */
export function defaultMailboxRows(
  accountId: number,
  modseq: number,
  now: number,
): Insertable<MailboxTable>[] {
  return DEFAULT_MAILBOXES.map((m) => ({
    account_id: accountId,
    id: newId('B'),
    name: m.name,
    role: m.role,
    uid_validity: uidValidity(now),
    uid_next: 1,
    subscribed: 1,
    modseq,
    created_at: now,
  }));
}

export async function createDefaultMailboxes(
  trx: Db,
  accountId: number,
  now = Date.now(),
): Promise<void> {
  const modseq = await nextModseq(trx, accountId);
  const rows = defaultMailboxRows(accountId, modseq, now);
  await trx.insertInto('mailboxes').values(rows).execute();
  await recordChanges(
    trx,
    accountId,
    modseq,
    rows.map((r) => ({ type: 'Mailbox', id: r.id, op: 'c' as const })),
  );
}

export async function mailboxByRole(
  db: Db,
  accountId: number,
  role: string,
): Promise<Mailbox | undefined> {
  return db
    .selectFrom('mailboxes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('role', '=', role)
    .executeTakeFirst();
}

export async function mailboxByName(
  db: Db,
  accountId: number,
  name: string,
): Promise<Mailbox | undefined> {
  // INBOX is case-insensitive (RFC 9051 §5.1).
  const n = name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
  return db
    .selectFrom('mailboxes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name', '=', n)
    .executeTakeFirst();
}

export async function mailboxById(
  db: Db,
  accountId: number,
  id: string,
): Promise<Mailbox | undefined> {
  return db
    .selectFrom('mailboxes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listMailboxes(db: Db, accountId: number): Promise<Mailbox[]> {
  return db
    .selectFrom('mailboxes')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('name')
    .execute();
}

/** Creates a mailbox (used by import and later by IMAP CREATE / JMAP Mailbox/set). */
export async function createMailbox(
  trx: Db,
  accountId: number,
  name: string,
  now = Date.now(),
): Promise<Mailbox> {
  const modseq = await nextModseq(trx, accountId);
  const row = {
    account_id: accountId,
    id: newId('B'),
    name,
    role: null,
    uid_validity: await nextUidValidity(trx, accountId, now),
    uid_next: 1,
    subscribed: 1,
    modseq,
    created_at: now,
    sort_order: null,
    recent_uid: 1,
  };
  await trx.insertInto('mailboxes').values(row).execute();
  // A subscription kept for a deleted mailbox of this name belongs to the new one again.
  await trx
    .deleteFrom('orphan_subscriptions')
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .execute();
  await recordChanges(trx, accountId, modseq, [{ type: 'Mailbox', id: row.id, op: 'c' }]);
  return row;
}

/** Whether an email is (still) in a mailbox. */
export async function inMailbox(
  db: Db,
  accountId: number,
  mailboxId: string,
  emailId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('email_mailboxes')
    .select('uid')
    .where('account_id', '=', accountId)
    .where('mailbox_id', '=', mailboxId)
    .where('email_id', '=', emailId)
    .executeTakeFirst();
  return row !== undefined;
}
