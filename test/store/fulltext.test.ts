// The full-text index conformance suite (store/fulltext.ts), run on SQLite and PostgreSQL:
// documents and queries are cut by mail/segment.ts; a word is found by word and inside
// longer words, a Lao word inside a sentence without spaces, a piece of a Lao compound,
// per field, header fields only when named; deleted rows and other accounts' rows are never
// found; hostile query text matches only itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from '../../src/core/core.ts';
import { segmentText, words } from '../../src/mail/segment.ts';
import {
  INDEXED_FIELDS,
  type IndexDoc,
  type TextField,
  type TextQuery,
} from '../../src/store/fulltext.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';

function doc(accountId: number, emailId: string, f: Partial<Record<TextField, string>>): IndexDoc {
  const all = Object.fromEntries(INDEXED_FIELDS.map((k) => [k, ''])) as Record<TextField, string>;
  for (const [k, v] of Object.entries(f)) all[k as TextField] = segmentText(v);
  return { accountId, emailId, fields: all };
}

const A = 1;
const B = 2;

forEachStore('full-text index', (kind) => {
  let h: { core: Core; close(): Promise<void> };
  const find = async (
    query: string,
    o: Partial<Omit<TextQuery, 'words'>> = {},
  ): Promise<string[]> =>
    (
      await h.core.store.fulltext.search(h.core.db, {
        accountId: o.accountId ?? A,
        words: words(query),
        fields: o.fields ?? [],
        match: o.match ?? 'contains',
        ...(o.within ? { within: o.within } : {}),
      })
    ).sort();

  before(async () => {
    h = await makeCore(kind);
    await h.core.store.fulltext.add(h.core.db, [
      doc(A, 'm1', {
        subject: 'Meeting of teachers',
        from: 'Director <director@moes.gov.la>',
        to: 'Alice <alice@test.example>',
        body: 'ກອງປະຊຸມຄູສອນແຂວງວຽງຈັນຈະຈັດຂຶ້ນວັນຈັນ',
        attachments: 'agenda.pdf',
      }),
      doc(A, 'm2', {
        subject: 'ກະຊວງສຶກສາທິການແລະກິລາ',
        from: 'Bob <bob@test.example>',
        cc: 'Carol <carol@test.example>',
        body: 'The budget for 2026 is attached. 50% of it, under_score, "quoted" * star',
        headers: 'x-mailer: Thunderbird 128\nx-province: ຫຼວງພະບາງ',
      }),
      doc(A, 'm3', { subject: 'Lunch', body: 'Sandwiches in the meeting room at noon' }),
      doc(B, 'm1', { subject: 'Meeting of teachers', body: 'ກອງປະຊຸມຄູສອນແຂວງວຽງຈັນ' }),
    ]);
  });
  after(async () => h.close());

  test('an English word, by word and as a piece of a longer word', async () => {
    assert.deepEqual(await find('meeting', { match: 'word' }), ['m1', 'm3']);
    assert.deepEqual(await find('MEETING'), ['m1', 'm3']);
    assert.deepEqual(await find('meet', { match: 'word' }), []);
    assert.deepEqual(await find('meet'), ['m1', 'm3']);
    assert.deepEqual(await find('sandwich'), ['m3']);
  });

  test('a Lao word inside a sentence written without spaces', async () => {
    assert.deepEqual(await find('ແຂວງ', { match: 'word' }), ['m1']);
    assert.deepEqual(await find('ແຂວງ'), ['m1']);
    assert.deepEqual(await find('ວຽງຈັນ', { fields: ['body'] }), ['m1']);
    // Two words written together in the query are both required.
    assert.deepEqual(await find('ແຂວງວຽງຈັນ', { match: 'word' }), ['m1']);
    assert.deepEqual(await find('ແຂວງ ກິລາ'), []);
  });

  test('a piece inside a Lao compound word', async () => {
    // ICU cuts ກະຊວງສຶກສາທິການແລະກິລາ as ກະຊວງສຶກສາທິການ | ແລະ | ກິລາ.
    assert.deepEqual(words('ກະຊວງສຶກສາທິການແລະກິລາ'), ['ກະຊວງສຶກສາທິການ', 'ແລະ', 'ກິລາ']);
    assert.deepEqual(await find('ສຶກສາ'), ['m2']);
    assert.deepEqual(await find('ສຶກສາ', { match: 'word' }), []);
    assert.deepEqual(await find('ກິລາ', { match: 'word', fields: ['subject'] }), ['m2']);
    // A word shorter than a trigram still matches inside the text.
    assert.deepEqual(await find('ຈະ'), ['m1']);
  });

  test('fields: subject, from, to, cc, body, attachment names', async () => {
    assert.deepEqual(await find('teachers', { fields: ['subject'] }), ['m1']);
    assert.deepEqual(await find('teachers', { fields: ['body'] }), []);
    assert.deepEqual(await find('director@moes.gov.la', { fields: ['from'] }), ['m1']);
    assert.deepEqual(await find('bob', { fields: ['from'], match: 'word' }), ['m2']);
    assert.deepEqual(await find('alice', { fields: ['to'] }), ['m1']);
    assert.deepEqual(await find('carol', { fields: ['cc'] }), ['m2']);
    assert.deepEqual(await find('carol', { fields: ['to'] }), []);
    assert.deepEqual(await find('agenda', { fields: ['attachments'] }), ['m1']);
    assert.deepEqual(await find('agenda.pdf'), ['m1']);
    assert.deepEqual(await find('2026', { fields: ['body', 'subject'] }), ['m2']);
  });

  test('header fields: looked in only when named, by word and by piece', async () => {
    assert.deepEqual(await find('thunderbird'), []);
    const all = ['subject', 'from', 'to', 'cc', 'bcc', 'body', 'attachments', 'headers'] as const;
    assert.deepEqual(await find('thunderbird', { fields: all }), ['m2']);
    assert.deepEqual(await find('budget', { fields: ['headers'] }), []);
    assert.deepEqual(await find('underbir', { fields: ['headers'] }), ['m2']);
    assert.deepEqual(await find('x', { fields: ['headers'] }), ['m2']); // shorter than a trigram
    assert.deepEqual(await find('ພະບາງ', { fields: ['headers'] }), ['m2']);
    assert.deepEqual(await find('mailer', { fields: ['headers'], match: 'word' }), ['m2']);
    assert.deepEqual(await find('mail', { fields: ['headers'], match: 'word' }), []);
    assert.deepEqual(await find('budget mailer', { fields: all, match: 'word' }), ['m2']);
    assert.deepEqual(await find('budget mailer', { fields: all }), ['m2']);
    assert.deepEqual(await find('meeting mailer', { fields: all }), []);
  });

  test('query text with quotes, wildcards and escapes matches only itself', async () => {
    for (const q of ['"quoted"', '%', '50%', '_', 'under_score', '*', "'", '\\', 'st*r', 'x"y'])
      for (const match of ['word', 'contains'] as const) await find(q, { match }); // no error
    assert.deepEqual(await find('under_score'), ['m2']);
    assert.deepEqual(await find('der_sc'), ['m2']);
    assert.deepEqual(await find('"quoted"', { match: 'word' }), ['m2']);
    assert.deepEqual(await find('*'), ['m1', 'm2', 'm3']); // no words: everything
    // Words that reach the store as they are: LIKE, GLOB and FTS5/tsquery syntax is literal.
    const raw = async (w: string[], match: 'word' | 'contains' = 'contains') =>
      h.core.store.fulltext.search(h.core.db, { accountId: A, words: w, fields: [], match });
    assert.deepEqual(await raw(['e_b']), []); // "the budget" has "e b"
    assert.deepEqual(await raw(['e_']), []);
    assert.deepEqual(await raw(['t%t']), []);
    assert.deepEqual(await raw(['s*r']), []);
    assert.deepEqual(await raw(['[s]tar']), []);
    assert.deepEqual(await raw(["it's", 'x"y', "'", '\\', 'a:b', 'or'], 'word'), []);
    assert.deepEqual(await raw(['budget OR star'], 'word'), []);
  });

  test('within: only the given emails', async () => {
    assert.deepEqual(await find('meeting', { within: ['m3', 'm2'] }), ['m3']);
  });

  test('accounts are isolated', async () => {
    assert.deepEqual(await find('ແຂວງ', { accountId: B }), ['m1']);
    assert.deepEqual(await find('budget', { accountId: B }), []);
    assert.deepEqual(await find('sandwich', { accountId: 3 }), []);
  });

  test('copy, delete and remove an account', async () => {
    const ft = h.core.store.fulltext;
    await ft.copy(h.core.db, A, 'm3', 'm4');
    assert.deepEqual(await find('sandwich'), ['m3', 'm4']);
    await ft.remove(h.core.db, A, ['m3', 'missing']);
    assert.deepEqual(await find('sandwich'), ['m4']);
    assert.deepEqual(await find('meet'), ['m1', 'm4']);
    await ft.removeAccount(h.core.db, B);
    assert.deepEqual(await find('ແຂວງ', { accountId: B }), []);
    assert.deepEqual(await find('ແຂວງ'), ['m1']);
  });
});
