// The full-text index of mail (DESIGN.md, "Search that reads Lao"), behind one narrow
// interface with a backend per dialect; test/store/fulltext.test.ts runs on both.
// The store never cuts text into words: callers hand it documents and queries already cut
// (src/mail/segment.ts), words joined by single spaces. One row per (account, email):
//   - SQLite: the `fulltext` table holds the text; two FTS5 indexes over it (external content,
//     kept by triggers): `fulltext_words` (unicode61 over letters, digits and marks, so Lao
//     vowel and tone marks stay inside their word) and `fulltext_trigram` (detail=none; GLOB
//     finds pieces inside compounds, checked against the text).
//   - PostgreSQL: the same table, a generated tsvector of the words (GIN; each word a lexeme as
//     cut, like the 'simple' configuration), and a pg_trgm GIN index over all the text when the
//     extension could be installed (else LIKE scans the account's rows).
// The header fields (IMAP TEXT, RFC 9051 §6.4.4) are a column of their own, looked in only when
// a query names the field: SQLite gives it a trigram index of its own (`fulltext_headers`,
// migration 0014, so the older indexes were not rebuilt); rows written before it hold null
// until `indexHeadersMissing` (core/indexer.ts) fills them in.
// Two ways to match, every query word required (AND):
//   - 'word': the word is a word of the field (JMAP Email/query text filters);
//   - 'contains': the word occurs in the field's text, inside a longer word too (IMAP SEARCH is
//     substring matching, RFC 9051 §6.4.4; ສຶກສາ inside ກະຊວງສຶກສາທິການ).
// Invariants: rows of an account are written and deleted in the caller's transaction together
// with the email rows they describe; a query never reads another account's rows.
import type { Db, FullTextTable } from './schema.ts';

export type TextField =
  'subject' | 'from' | 'to' | 'cc' | 'bcc' | 'body' | 'attachments' | 'headers';

/**
 * The fields a query with no fields looks in: the message's text as JMAP reads it. The
 * header fields ('headers') are looked in only when asked for by name (IMAP TEXT).
 */
export const TEXT_FIELDS: readonly TextField[] = [
  'subject',
  'from',
  'to',
  'cc',
  'bcc',
  'body',
  'attachments',
];

/** Every field a document holds. */
export const INDEXED_FIELDS: readonly TextField[] = [...TEXT_FIELDS, 'headers'];

/** Field → column of the `fulltext` table. */
export const COLUMN: Record<TextField, keyof FullTextTable & string> = {
  subject: 'subject',
  from: 'from_text',
  to: 'to_text',
  cc: 'cc_text',
  bcc: 'bcc_text',
  body: 'body',
  attachments: 'attachments',
  headers: 'headers',
};

/** The text columns, in field order. */
export const TEXT_COLUMNS = INDEXED_FIELDS.map((f) => COLUMN[f]);

/** One email's text, each field already cut into words joined by single spaces. */
export interface IndexDoc {
  accountId: number;
  emailId: string;
  fields: Record<TextField, string>;
}

export interface TextQuery {
  accountId: number;
  /** The query's words (already cut); all must match. No words: every indexed email. */
  words: string[];
  /** Where to look: a word may match in any of these. Empty: every field. */
  fields: readonly TextField[];
  match: 'word' | 'contains';
  /** Only these emails (e.g. one mailbox's). */
  within?: string[];
}

export interface FullTextIndex {
  add(db: Db, docs: IndexDoc[]): Promise<void>;
  /** Sets the header text of rows written before it was indexed (`headers` null). */
  setHeaders(db: Db, accountId: number, emailId: string, headers: string): Promise<void>;
  /** Up to `limit` rows whose header text is not indexed yet. */
  missingHeaders(db: Db, limit: number): Promise<{ accountId: number; emailId: string }[]>;
  remove(db: Db, accountId: number, emailIds: string[]): Promise<void>;
  removeAccount(db: Db, accountId: number): Promise<void>;
  /** Gives `toEmailId` the indexed text of `fromEmailId` (a copy sharing the message). */
  copy(db: Db, accountId: number, fromEmailId: string, toEmailId: string): Promise<void>;
  /** The ids of the matching emails, in no particular order. */
  search(db: Db, q: TextQuery): Promise<string[]>;
}

/** Most rows per insert, and most text per insert (bytes, roughly). */
const ROWS = 100;
const BYTES = 4 * 1024 * 1024;
const CHUNK = 500;

function rowOf(d: IndexDoc): FullTextTable {
  const f = d.fields;
  return {
    account_id: d.accountId,
    email_id: d.emailId,
    subject: f.subject,
    from_text: f.from,
    to_text: f.to,
    cc_text: f.cc,
    bcc_text: f.bcc,
    body: f.body,
    attachments: f.attachments,
    headers: f.headers,
  };
}

async function add(db: Db, docs: IndexDoc[]): Promise<void> {
  let batch: FullTextTable[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length > 0) await db.insertInto('fulltext').values(batch).execute();
    batch = [];
    bytes = 0;
  };
  for (const d of docs) {
    const row = rowOf(d);
    batch.push(row);
    bytes += row.body.length * 3 + row.subject.length * 3;
    if (batch.length >= ROWS || bytes >= BYTES) await flush();
  }
  await flush();
}

async function remove(db: Db, accountId: number, emailIds: string[]): Promise<void> {
  for (let i = 0; i < emailIds.length; i += CHUNK)
    await db
      .deleteFrom('fulltext')
      .where('account_id', '=', accountId)
      .where('email_id', 'in', emailIds.slice(i, i + CHUNK))
      .execute();
}

async function removeAccount(db: Db, accountId: number): Promise<void> {
  await db.deleteFrom('fulltext').where('account_id', '=', accountId).execute();
}

async function copy(db: Db, accountId: number, fromId: string, toId: string): Promise<void> {
  await db
    .insertInto('fulltext')
    .columns(['account_id', 'email_id', ...TEXT_COLUMNS])
    .expression((eb) =>
      eb
        .selectFrom('fulltext')
        .select(['account_id', eb.val(toId).as('email_id'), ...TEXT_COLUMNS])
        .where('account_id', '=', accountId)
        .where('email_id', '=', fromId),
    )
    .execute();
}

/** The query's words, deduplicated and without empties. */
export function queryWords(q: TextQuery): string[] {
  return [...new Set(q.words.filter((w) => w.length > 0))];
}

export function queryFields(q: TextQuery): readonly TextField[] {
  return q.fields.length > 0 ? q.fields : TEXT_FIELDS;
}

/** Restricts a result to `within` (when given). */
export function restrict(ids: string[], within: string[] | undefined): string[] {
  if (!within) return ids;
  const keep = new Set(within);
  return ids.filter((id) => keep.has(id));
}

/** Escapes %, _ and \ for LIKE … ESCAPE '\'. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type SearchFn = (db: Db, q: TextQuery) => Promise<string[]>;

async function setHeaders(db: Db, accountId: number, emailId: string, headers: string) {
  await db
    .updateTable('fulltext')
    .set({ headers })
    .where('account_id', '=', accountId)
    .where('email_id', '=', emailId)
    .where('headers', 'is', null)
    .execute();
}

async function missingHeaders(db: Db, limit: number) {
  // The partial index fulltext_headers_missing (migration 0014) holds exactly these rows.
  const rows = await db
    .selectFrom('fulltext')
    .select(['account_id', 'email_id'])
    .where('headers', 'is', null)
    .limit(limit)
    .execute();
  return rows.map((r) => ({ accountId: Number(r.account_id), emailId: r.email_id }));
}

export function makeIndex(search: SearchFn): FullTextIndex {
  return { add, remove, removeAccount, copy, search, setHeaders, missingHeaders };
}

/** Every indexed email of the account (a query of no words). */
export async function allIndexed(db: Db, accountId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('fulltext')
    .select('email_id')
    .where('account_id', '=', accountId)
    .execute();
  return rows.map((r) => r.email_id);
}
