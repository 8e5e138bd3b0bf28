// Full-text search on SQLite (see fulltext.ts): FTS5 over the `fulltext` table.
// 'word': one FTS5 query on `fulltext_words`, the account's id a token of its own column, so
// FTS5 intersects the doclists. 'contains': a word of three characters or more is looked up
// with GLOB in `fulltext_trigram` (the index finds candidates, SQLite checks the text); a
// shorter one, and any piece of the body (which has no trigrams: they cost more than the rest
// of a delivery), with LIKE over the account's rows.
import { sql, type RawBuilder } from 'kysely';
import {
  allIndexed,
  COLUMN,
  likeEscape,
  queryFields,
  queryWords,
  restrict,
  type SearchFn,
} from './fulltext.ts';

/** An FTS5 string (a phrase of the tokens the table's tokenizer finds in it). */
function ftsString(word: string): string {
  return `"${word.replace(/"/g, '""')}"`;
}

/** GLOB pattern for "contains word" (the text is lower-case already). */
function globContains(word: string): string {
  return `*${word.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
}

/** Whether FTS5's unicode61 (letters, digits, marks, private use) finds a token in it. */
const TOKEN = /[\p{L}\p{N}\p{M}\p{Co}]/u;

export const sqliteSearch: SearchFn = async (db, q) => {
  const words = queryWords(q);
  const cols = queryFields(q).map((f) => COLUMN[f]);
  const conds: RawBuilder<unknown>[] = [];
  if (q.match === 'word') {
    const terms = words.filter((w) => TOKEN.test(w));
    if (terms.length > 0) {
      const filter = `{${cols.join(' ')}}`;
      const expr = [
        `account_id : "${q.accountId}"`,
        ...terms.map((w) => `${filter} : ${ftsString(w)}`),
      ].join(' AND ');
      conds.push(
        sql`f.id in (select rowid from fulltext_words where fulltext_words match ${expr})`,
      );
    }
  } else {
    for (const w of words) {
      const any = cols.map((c) =>
        // The body has no trigrams (migration 0004): a body piece is a scan of the account.
        [...w].length >= 3 && c !== 'body'
          ? sql`f.id in (select rowid from fulltext_trigram where ${sql.ref(`fulltext_trigram.${c}`)} glob ${globContains(w)})`
          : sql`${sql.ref(`f.${c}`)} like ${`%${likeEscape(w)}%`} escape '\\'`,
      );
      conds.push(sql`(${sql.join(any, sql` or `)})`);
    }
  }
  if (conds.length === 0) return restrict(await allIndexed(db, q.accountId), q.within);
  const r = await sql<{ email_id: string }>`select f.email_id from fulltext f
    where f.account_id = ${q.accountId} and ${sql.join(conds, sql` and `)}`.execute(db);
  return restrict(
    r.rows.map((x) => x.email_id),
    q.within,
  );
};
