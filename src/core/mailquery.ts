// Read side of mail for JMAP-shaped doors (the JMAP door, later the web app's needs): the
// mailboxes of emails, the emails of threads, per-mailbox email and thread counts in one
// aggregate, email listing with simple filters and sorts, change-log reads by type, and
// whether an account may read a blob. Reads only; writes go through keywords.ts, copy.ts,
// expunge.ts and mailboxset.ts.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { parseKeywords } from '../mail/keywords.ts';

type Db = Kysely<Database> | Transaction<Database>;

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

export interface EmailListFilter {
  inMailbox?: string;
  /** Emails in at least one mailbox other than these. */
  inMailboxOtherThan?: string[];
  before?: number;
  after?: number;
  minSize?: number;
  maxSize?: number;
  /** Emails with / without this keyword. */
  hasKeyword?: string;
  notKeyword?: string;
}

export interface EmailListItem {
  id: string;
  threadId: string;
  keywords: string[];
  receivedAt: number;
  sentAt: number | null;
  size: number;
}

export type EmailSortKey = 'receivedAt' | 'sentAt' | 'size';

const SORT_COLUMN = { receivedAt: 'e.received_at', sentAt: 'e.sent_at', size: 'e.size' } as const;

/** A LIKE pattern matching a keyword inside the stored JSON array. */
function keywordPattern(k: string): string {
  return '%' + JSON.stringify(k).replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

function filtered(db: Db, accountId: number, filter: EmailListFilter) {
  let q = db.selectFrom('emails as e').where('e.account_id', '=', accountId);
  if (filter.inMailbox !== undefined) {
    const mb = filter.inMailbox;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('email_mailboxes as em')
          .select('em.uid')
          .where('em.account_id', '=', accountId)
          .whereRef('em.email_id', '=', 'e.id')
          .where('em.mailbox_id', '=', mb),
      ),
    );
  }
  if (filter.inMailboxOtherThan !== undefined) {
    const not = filter.inMailboxOtherThan;
    q = q.where((eb) => {
      let sub = eb
        .selectFrom('email_mailboxes as em')
        .select('em.uid')
        .where('em.account_id', '=', accountId)
        .whereRef('em.email_id', '=', 'e.id');
      if (not.length > 0) sub = sub.where('em.mailbox_id', 'not in', not);
      return eb.exists(sub);
    });
  }
  if (filter.before !== undefined) q = q.where('e.received_at', '<', filter.before);
  if (filter.after !== undefined) q = q.where('e.received_at', '>=', filter.after);
  if (filter.minSize !== undefined) q = q.where('e.size', '>=', filter.minSize);
  if (filter.maxSize !== undefined) q = q.where('e.size', '<', filter.maxSize);
  if (filter.hasKeyword !== undefined)
    q = q.where(sql<boolean>`e.keywords like ${keywordPattern(filter.hasKeyword)} escape '\\'`);
  if (filter.notKeyword !== undefined)
    q = q.where(sql<boolean>`e.keywords not like ${keywordPattern(filter.notKeyword)} escape '\\'`);
  return q;
}

/**
 * The account's emails matching the filter, sorted; ties are broken by id in the direction of
 * the first sort key, so (account, received_at, id) serves the usual newest-first order from
 * its index. `page` reads only a window of the result (JMAP Email/query's position/limit).
 */
export async function listEmails(
  db: Db,
  accountId: number,
  filter: EmailListFilter,
  sort: { key: EmailSortKey; ascending: boolean }[],
  page?: { offset: number; limit: number },
): Promise<EmailListItem[]> {
  let q = filtered(db, accountId, filter).select([
    'e.id',
    'e.thread_id',
    'e.keywords',
    'e.received_at',
    'e.sent_at',
    'e.size',
  ]);
  for (const s of sort) q = q.orderBy(SORT_COLUMN[s.key], s.ascending ? 'asc' : 'desc');
  q = q.orderBy('e.id', sort[0] && !sort[0].ascending ? 'desc' : 'asc');
  if (page) q = q.limit(page.limit).offset(page.offset);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    keywords: parseKeywords(r.keywords),
    receivedAt: Number(r.received_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    size: Number(r.size),
  }));
}

/** How many of the account's emails match the filter. */
export async function countEmails(
  db: Db,
  accountId: number,
  filter: EmailListFilter,
): Promise<number> {
  const keys = Object.keys(filter).filter((k) => filter[k as keyof EmailListFilter] !== undefined);
  if (keys.length === 1 && filter.inMailbox !== undefined) {
    // A mailbox alone: its memberships, counted on the primary key without the emails.
    const one = await db
      .selectFrom('email_mailboxes')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', accountId)
      .where('mailbox_id', '=', filter.inMailbox)
      .executeTakeFirst();
    return Number(one?.n ?? 0);
  }
  const row = await filtered(db, accountId, filter)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
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
