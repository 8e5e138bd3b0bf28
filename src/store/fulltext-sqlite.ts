// Full-text search on SQLite (see fulltext.ts): FTS5 over the `fulltext` table.
// 'word': one FTS5 query on `fulltext_words`, the account's id a token of its own column, so
// FTS5 intersects the doclists. 'contains': a word of three characters or more is looked up
// with GLOB in `fulltext_trigram` (the index finds candidates, SQLite checks the text); a
// shorter one, and any piece of the body (which has no trigrams: they cost more than the rest
// of a delivery), with LIKE over the account's rows. The header fields, asked for by name,
// have their own trigram table (`fulltext_headers`) and are not in `fulltext_words`.
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
  const all = queryFields(q).map((f) => COLUMN[f]);
  // The header fields have a trigram index of their own (migration 0014), not in fulltext_words.
  const headers = all.includes('headers');
  const cols = all.filter((c) => c !== 'headers');
  const conds: RawBuilder<unknown>[] = [];
  if (q.match === 'word') {
    const terms = words.filter((w) => TOKEN.test(w));
    const filter = `{${cols.join(' ')}}`;
    const fts = (ts: string[]): RawBuilder<unknown> => {
      const expr = [
        `account_id : "${q.accountId}"`,
        ...ts.map((w) => `${filter} : ${ftsString(w)}`),
      ];
      return sql`f.id in (select rowid from fulltext_words where fulltext_words match ${expr.join(' AND ')})`;
    };
    if (terms.length > 0 && !headers) conds.push(fts(terms));
    else
      for (const w of terms) {
        const inHeaders = sql`(' ' || f.headers || ' ') like ${`% ${likeEscape(w)} %`} escape '\\'`;
        conds.push(cols.length ? sql`(${fts([w])} or ${inHeaders})` : inHeaders);
      }
  } else {
    for (const w of words) {
      const long = [...w].length >= 3;
      const any = cols.map((c) =>
        // The body has no trigrams (migration 0004): a body piece is a scan of the account.
        long && c !== 'body'
          ? sql`f.id in (select rowid from fulltext_trigram where ${sql.ref(`fulltext_trigram.${c}`)} glob ${globContains(w)})`
          : sql`${sql.ref(`f.${c}`)} like ${`%${likeEscape(w)}%`} escape '\\'`,
      );
      if (headers)
        any.push(
          long
            ? sql`f.id in (select rowid from fulltext_headers where headers glob ${globContains(w)})`
            : sql`f.headers like ${`%${likeEscape(w)}%`} escape '\\'`,
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
