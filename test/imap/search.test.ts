// IMAP SEARCH text keys through the full-text index, with imapflow on both stores: a Lao word
// inside a body written without spaces, a piece of a Lao compound in a subject, English words
// and pieces of words, addresses, OR/NOT around text keys, CHARSET handling on the wire.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, RawImap, PASSWORD, type ImapTestEnv } from './setup.ts';

function message(subject: string, body: string, extra = ''): Buffer {
  return Buffer.from(
    `From: Bob <bob@test.example>\r\nTo: Alice <alice@test.example>\r\n${extra}Subject: ${subject}\r\n` +
      `Date: Wed, 7 Feb 2024 10:00:00 +0700\r\nMessage-ID: <${Math.random()}@test.example>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
    'utf8',
  );
}

const LAO_BODY = 'ກອງປະຊຸມຄູສອນແຂວງວຽງຈັນຈະຈັດຂຶ້ນວັນຈັນ';
const LAO_SUBJECT = 'ກະຊວງສຶກສາທິການແລະກິລາ';

forEachStore('IMAP SEARCH through the full-text index', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
    const alice = [{ accountId: env.alice.id }];
    await ingest(env.core, message(LAO_SUBJECT, LAO_BODY), alice);
    await ingest(
      env.core,
      message('Budget', 'The quarterly budget report is attached.', 'Cc: Carol <carol@x.test>\r\n'),
      alice,
    );
    // Bob has the Lao message too: never found from Alice's mailbox.
    await ingest(env.core, message(LAO_SUBJECT, LAO_BODY), [{ accountId: env.bob.id }]);
  });
  after(async () => env.close());

  test('a Lao word inside a body written without spaces finds only that message', async () => {
    const c = await env.client();
    await c.mailboxOpen('INBOX');
    assert.deepEqual(await c.search({ body: 'ແຂວງ' }, { uid: true }), [1]);
    assert.deepEqual(await c.search({ body: 'ວຽງຈັນ' }, { uid: true }), [1]);
    assert.deepEqual(await c.search({ text: 'ຄູສອນແຂວງ' }, { uid: true }), [1]);
    assert.deepEqual(await c.search({ body: 'ແຂວງ ກິລາ' }, { uid: true }), []);
  });

  test('subject: a Lao word and a piece inside a Lao compound', async () => {
    const c = await env.client();
    await c.mailboxOpen('INBOX');
    assert.deepEqual(await c.search({ subject: 'ກິລາ' }, { uid: true }), [1]);
    assert.deepEqual(await c.search({ subject: 'ສຶກສາ' }, { uid: true }), [1]);
    assert.deepEqual(await c.search({ body: 'ສຶກສາ' }, { uid: true }), []);
    assert.deepEqual(await c.search({ subject: 'budget' }, { uid: true }), [2]);
  });

  test('English words, pieces of words, addresses, OR and NOT', async () => {
    const c = await env.client();
    await c.mailboxOpen('INBOX');
    assert.deepEqual(await c.search({ body: 'Quarterly' }, { uid: true }), [2]);
    assert.deepEqual(await c.search({ body: 'quarter' }, { uid: true }), [2]);
    assert.deepEqual(await c.search({ text: 'report attached' }, { uid: true }), [2]);
    assert.deepEqual(await c.search({ body: 'budget invoice' }, { uid: true }), []);
    assert.deepEqual(await c.search({ from: 'bob@test.example' }, { uid: true }), [1, 2]);
    assert.deepEqual(await c.search({ to: 'alice' }, { uid: true }), [1, 2]);
    assert.deepEqual(await c.search({ cc: 'carol' }, { uid: true }), [2]);
    assert.deepEqual(await c.search({ to: 'carol' }, { uid: true }), []);
    assert.deepEqual(
      await c.search({ or: [{ body: 'ແຂວງ' }, { subject: 'budget' }] }, { uid: true }),
      [1, 2],
    );
    assert.deepEqual(await c.search({ not: { body: 'ແຂວງ' } }, { uid: true }), [2]);
    assert.deepEqual(await c.search({ seen: false, body: 'budget' }, { uid: true }), [2]);
  });

  test('on the wire: CHARSET UTF-8 with a Lao literal; an unknown charset is refused', async () => {
    const r = await RawImap.open(env.doors.ports.imaps);
    try {
      r.send(`a LOGIN alice@test.example ${PASSWORD}\r\n`);
      await r.until(/^a OK/m);
      r.send('b SELECT INBOX\r\n');
      await r.until(/^b OK/m);
      const word = Buffer.from('ແຂວງ', 'utf8');
      r.send(`c UID SEARCH CHARSET UTF-8 BODY {${word.length}+}\r\n`);
      r.send(Buffer.concat([word, Buffer.from('\r\n')]));
      assert.match(await r.until(/^c OK/m), /^\* SEARCH 1\r$/m);
      r.send('d SEARCH CHARSET KOI8-R TEXT x\r\n');
      assert.match(await r.until(/^d /m), /^d NO \[BADCHARSET/m);
      r.send('e LOGOUT\r\n');
      await r.until(/^e OK/m);
    } finally {
      r.close();
    }
  });
});
