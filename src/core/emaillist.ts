// Listing an account's emails for Email/query (RFC 8621 §4.4, RFC 8620 §5.5) in SQL: filters
// without text, sorts, collapseThreads, and paging by position or by anchor, reading only the
// requested page. The results are in a total order: the sort keys, then the id in the
// direction of the first key, so (account, received_at, id) serves the usual newest-first
// list from its index and an email's place in the results is well defined. A message without
// a Date sorts by sentAt at its received time (on both stores alike; SQL NULLs would not).
// With collapseThreads the results keep the first email of each thread in this order (a
// window function per thread). An anchor's index is the count of results sorting before it
// (of threads, with collapseThreads), so no page before it is read.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../store/schema.ts';
import { parseKeywords } from '../mail/keywords.ts';

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

export interface EmailSort {
  key: EmailSortKey;
  ascending: boolean;
}

export interface ListOptions {
  /** Keep only the first email of each thread, in the sort order (RFC 8621 §4.4.3). */
  collapseThreads?: boolean;
}

interface SortKey {
  expr: RawBuilder<unknown>;
  ascending: boolean;
}

/** The sort keys over the columns of table alias `t`, the id last (a total order). */
function sortKeys(t: 'e' | 'r', sort: EmailSort[]): SortKey[] {
  const col = (name: string): RawBuilder<unknown> => sql`${sql.ref(`${t}.${name}`)}`;
  const expr = (key: EmailSortKey): RawBuilder<unknown> =>
    key === 'receivedAt'
      ? col('received_at')
      : key === 'size'
        ? col('size')
        : sql`coalesce(${col('sent_at')}, ${col('received_at')})`;
  const keys = sort.map((s) => ({ expr: expr(s.key), ascending: s.ascending }));
  keys.push({ expr: col('id'), ascending: sort[0]?.ascending ?? true });
  return keys;
}

function orderList(keys: SortKey[]): RawBuilder<unknown> {
  return sql.join(keys.map((k) => sql`${k.expr} ${sql.raw(k.ascending ? 'asc' : 'desc')}`));
}

/**
 * Results sorting before the row whose key values are `at`: some key sorts before its value
 * and every key ahead of it is equal (RFC 8620 §5.5's index of the anchor).
 */
function sortsBefore(keys: SortKey[], at: unknown[]): RawBuilder<boolean> {
  const alternatives = keys.map((k, i) => {
    const equal = keys.slice(0, i).map((p, j) => sql`${p.expr} = ${at[j]}`);
    const before = k.ascending ? sql`${k.expr} < ${at[i]}` : sql`${k.expr} > ${at[i]}`;
    return sql`(${sql.join([...equal, before], sql` and `)})`;
  });
  return sql<boolean>`(${sql.join(alternatives, sql` or `)})`;
}

/**
 * One page of the results, as ids. Without collapseThreads a plain ordered read (the
 * index serves the newest-first list); with it, each email's rank in its thread by the same
 * order is computed over the few columns the order needs, and the first of each is kept.
 */
export async function emailPage(
  db: Db,
  accountId: number,
  filter: EmailListFilter,
  sort: EmailSort[],
  page: { offset: number; limit: number },
  opts: ListOptions = {},
): Promise<string[]> {
  if (!opts.collapseThreads) {
    const rows = await filtered(db, accountId, filter)
      .select('e.id')
      .orderBy(orderList(sortKeys('e', sort)))
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return rows.map((r) => r.id);
  }
  const ranked = filtered(db, accountId, filter).select([
    'e.id',
    'e.received_at',
    'e.sent_at',
    'e.size',
    sql<number>`row_number() over (partition by e.thread_id order by ${orderList(
      sortKeys('e', sort),
    )})`.as('rank'),
  ]);
  const rows = await db
    .selectFrom(ranked.as('r'))
    .select('r.id')
    .where('r.rank', '=', 1)
    .orderBy(orderList(sortKeys('r', sort)))
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((r) => r.id);
}

/** Every result with what in-memory filters read (Email/queryChanges, text searches). */
export async function listEmails(
  db: Db,
  accountId: number,
  filter: EmailListFilter,
  sort: EmailSort[],
): Promise<EmailListItem[]> {
  const rows = await filtered(db, accountId, filter)
    .select(['e.id', 'e.thread_id', 'e.keywords', 'e.received_at', 'e.sent_at', 'e.size'])
    .orderBy(orderList(sortKeys('e', sort)))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    keywords: parseKeywords(r.keywords),
    receivedAt: Number(r.received_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    size: Number(r.size),
  }));
}

/**
 * The index of an email in the results (RFC 8620 §5.5 anchor), or null when it is not among
 * them. Two reads: the email's sort keys (by primary key), then one count of what sorts
 * before them. With collapseThreads the index counts threads: a thread stands before the
 * anchor exactly when one of its emails sorts before it (its first one then does too), and
 * the anchor stands for its own thread only when none of that thread does.
 */
export async function emailIndex(
  db: Db,
  accountId: number,
  filter: EmailListFilter,
  sort: EmailSort[],
  emailId: string,
  opts: ListOptions = {},
): Promise<number | null> {
  const keys = sortKeys('e', sort);
  const row = await filtered(db, accountId, filter)
    .select([...keys.map((k, i) => k.expr.as(`k${i}`)), 'e.thread_id'])
    .where('e.id', '=', emailId)
    .executeTakeFirst();
  if (!row) return null;
  const at = keys.map((_, i) => (row as Record<string, unknown>)[`k${i}`]);
  const before = await filtered(db, accountId, filter)
    .select([
      opts.collapseThreads
        ? sql<number>`count(distinct e.thread_id)`.as('n')
        : sql<number>`count(*)`.as('n'),
      sql<number>`sum(case when e.thread_id = ${row.thread_id} then 1 else 0 end)`.as('own'),
    ])
    .where(sortsBefore(keys, at))
    .executeTakeFirst();
  if (opts.collapseThreads && Number(before?.own ?? 0) > 0) return null;
  return Number(before?.n ?? 0);
}

/** How many results there are (with collapseThreads: how many threads). */
export async function countEmails(
  db: Db,
  accountId: number,
  filter: EmailListFilter,
  opts: ListOptions = {},
): Promise<number> {
  const keys = Object.keys(filter).filter((k) => filter[k as keyof EmailListFilter] !== undefined);
  if (keys.length === 1 && filter.inMailbox !== undefined && !opts.collapseThreads) {
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
    .select(
      opts.collapseThreads
        ? sql<number>`count(distinct e.thread_id)`.as('n')
        : sql<number>`count(*)`.as('n'),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
