// Read side of mail for JMAP-shaped doors (the JMAP door, later the web app's needs): the
// mailboxes of emails, the emails of threads, per-mailbox email and thread counts in one
// aggregate, change-log reads by type, and whether an account may read a blob (listing
// emails with filters, sorts and paging: emaillist.ts). Reads only; writes go through keywords.ts, copy.ts,
// expunge.ts and mailboxset.ts.
import { sql } from 'kysely';
import type { Db } from '../store/schema.ts';

const CHUNK = 500;
const UNSEEN = sql<number>`case when e.keywords like '%"$seen"%' then 0 else 1 end`;

/** The mailbox ids of each email (emails in no mailbox, or unknown, are absent). */
export async function emailMailboxIds(
  db: Db,
  accountId: number,
  emailIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < emailIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('email_mailboxes')
      .select(['email_id', 'mailbox_id'])
      .where('account_id', '=', accountId)
      .where('email_id', 'in', emailIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) {
      const list = out.get(r.email_id);
      if (list) list.push(r.mailbox_id);
      else out.set(r.email_id, [r.mailbox_id]);
    }
  }
  return out;
}

/** The email ids of each thread, oldest first (RFC 8621 §3: Thread emailIds order). */
export async function threadEmailIds(
  db: Db,
  accountId: number,
  threadIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < threadIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('emails')
      .select(['id', 'thread_id'])
      .where('account_id', '=', accountId)
      .where('thread_id', 'in', threadIds.slice(i, i + CHUNK))
      .orderBy('received_at')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.thread_id);
      if (list) list.push(r.id);
      else out.set(r.thread_id, [r.id]);
    }
  }
  return out;
}

export interface MailboxTotals {
  totalEmails: number;
  unreadEmails: number;
  totalThreads: number;
  unreadThreads: number;
}

/** Email and thread counts of every non-empty mailbox of the account, in one aggregate. */
export async function mailboxTotals(
  db: Db,
  accountId: number,
): Promise<Map<string, MailboxTotals>> {
  const rows = await db
    .selectFrom('email_mailboxes as em')
    .innerJoin('emails as e', (j) =>
      j.onRef('e.account_id', '=', 'em.account_id').onRef('e.id', '=', 'em.email_id'),
    )
    .select((eb) => [
      'em.mailbox_id',
      eb.fn.countAll().as('total'),
      eb.fn.sum(UNSEEN).as('unread'),
      sql<number>`count(distinct e.thread_id)`.as('threads'),
      sql<number>`count(distinct case when e.keywords like '%"$seen"%' then null else e.thread_id end)`.as(
        'unread_threads',
      ),
    ])
    .where('em.account_id', '=', accountId)
    .groupBy('em.mailbox_id')
    .execute();
  return new Map(
    rows.map((r) => [
      r.mailbox_id,
      {
        totalEmails: Number(r.total),
        unreadEmails: Number(r.unread ?? 0),
        totalThreads: Number(r.threads),
        unreadThreads: Number(r.unread_threads),
      },
    ]),
  );
}

/** The ids of the emails in these threads (e.g. to see which one now stands for a thread). */
export async function emailsOfThreads(
  db: Db,
  accountId: number,
  threadIds: string[],
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < threadIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('emails')
      .select('id')
      .where('account_id', '=', accountId)
      .where('thread_id', 'in', threadIds.slice(i, i + CHUNK))
      .execute();
    out.push(...rows.map((r) => r.id));
  }
  return out;
}

export interface LoggedChange {
  modseq: number;
  id: string;
  op: 'c' | 'u' | 'd';
}

/** The change log of one type after `since`, oldest first, at most `limit` rows. */
export async function changesOfType(
  db: Db,
  accountId: number,
  type: string,
  since: number,
  limit: number,
): Promise<LoggedChange[]> {
  const rows = await db
    .selectFrom('changes')
    .select(['modseq', 'object_id', 'op'])
    .where('account_id', '=', accountId)
    .where('type', '=', type)
    .where('modseq', '>', since)
    .orderBy('modseq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    modseq: Number(r.modseq),
    id: r.object_id,
    op: r.op as LoggedChange['op'],
  }));
}

/** Mailboxes whose modseq is above `since` (their contents or counts changed). */
export async function mailboxesChangedSince(
  db: Db,
  accountId: number,
  since: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('mailboxes')
    .select('id')
    .where('account_id', '=', accountId)
    .where('modseq', '>', since)
    .execute();
  return rows.map((r) => r.id);
}

/** True when one of the account's emails is stored as this blob (it may read the blob). */
export async function accountHasBlob(db: Db, accountId: number, hash: string): Promise<boolean> {
  const row = await db
    .selectFrom('emails')
    .select('id')
    .where('account_id', '=', accountId)
    .where('blob_hash', '=', hash)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
