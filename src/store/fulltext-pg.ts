// Full-text search on PostgreSQL (see fulltext.ts). 'word': the generated tsvector `words`
// (GIN) holds every word of every field as a lexeme; a query is a tsquery of quoted lexemes
// (no parser, no stemming, so a Lao word is looked up exactly as it was cut), and a field
// other than "all" is checked against its column. 'contains': LIKE, over the concatenated
// text too so the pg_trgm index (when installed) finds candidates for words of 3+ characters.
import { sql, type RawBuilder } from 'kysely';
import {
  allIndexed,
  COLUMN,
  likeEscape,
  queryFields,
  queryWords,
  restrict,
  TEXT_FIELDS,
  type SearchFn,
} from './fulltext.ts';

/** The concatenated text, exactly as the trigram index of migration 0004 spells it. */
export const ALL_TEXT =
  "(subject || ' ' || from_text || ' ' || to_text || ' ' || cc_text || ' ' || bcc_text || ' ' || body || ' ' || attachments)";

/** The tsvector of migration 0004 (at most 256 Ki characters: a tsvector must stay < 1 MB). */
export const WORDS_VECTOR = `array_to_tsvector(array_remove(string_to_array(left(${ALL_TEXT}, 262144), ' '), ''))`;

/** A tsquery lexeme, quoted: tsquery input takes it as written. */
function lexeme(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export const pgSearch: SearchFn = async (db, q) => {
  const words = queryWords(q);
  if (words.length === 0) return restrict(await allIndexed(db, q.accountId), q.within);
  const fields = queryFields(q);
  const cols = fields.map((f) => COLUMN[f]);
  // The header fields (asked for by name only) are neither in `words` nor in ALL_TEXT.
  const headers = fields.includes('headers');
  const everywhere = !headers && fields.length === TEXT_FIELDS.length;
  const conds: RawBuilder<unknown>[] = [];
  if (q.match === 'word') {
    if (!headers) conds.push(sql`f.words @@ ${words.map(lexeme).join(' & ')}::tsquery`);
    if (!everywhere)
      for (const w of words) {
        const pattern = `% ${likeEscape(w)} %`;
        const any = cols.map((c) => sql`(' ' || ${sql.ref(`f.${c}`)} || ' ') like ${pattern}`);
        conds.push(sql`(${sql.join(any, sql` or `)})`);
      }
  } else {
    for (const w of words) {
      const pattern = `%${likeEscape(w)}%`;
      // ALL_TEXT first: the pg_trgm index over it finds the candidates.
      conds.push(
        headers
          ? sql`(${sql.raw(ALL_TEXT)} like ${pattern} or f.headers like ${pattern})`
          : sql`${sql.raw(ALL_TEXT)} like ${pattern}`,
      );
      if (!everywhere) {
        const any = cols.map((c) => sql`${sql.ref(`f.${c}`)} like ${pattern}`);
        conds.push(sql`(${sql.join(any, sql` or `)})`);
      }
    }
  }
  const r = await sql<{ email_id: string }>`select f.email_id from fulltext f
    where f.account_id = ${q.accountId} and ${sql.join(conds, sql` and `)}`.execute(db);
  return restrict(
    r.rows.map((x) => x.email_id),
    q.within,
  );
};
