// IMAP over real sockets with imapflow, on both stores: login over STARTTLS and 993, special-use
// LIST, SELECT, FETCH of messages delivered by ingest() (envelope, bodystructure, source, a Lao
// subject), STORE seen by a second session, APPEND, MOVE to Archive, EXPUNGE, IDLE wake-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImapFlow, StatusObject } from 'imapflow';
import { ingest } from '../../src/core/deliver.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, type ImapTestEnv } from './setup.ts';

const LAO = 'ກອງປະຊຸມ ກະຊວງສຶກສາທິການ ແລະ ກິລາ';

async function mustStatus(
  c: ImapFlow,
  path: string,
  q: Parameters<ImapFlow['status']>[1],
): Promise<StatusObject> {
  const st = await c.status(path, q);
  assert.ok(st, `STATUS ${path} failed`);
  return st;
}

function message(subject: string, body = 'Hello there\r\n'): Buffer {
  return Buffer.from(
    `From: Bob <bob@test.example>\r\nTo: Alice <alice@test.example>\r\nSubject: ${subject}\r\nDate: Wed, 7 Feb 2024 10:00:00 +0700\r\nMessage-ID: <${Math.random()}@test.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n--b1\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Disposition: attachment; filename="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n`,
    'utf8',
  );
}

forEachStore('IMAP with imapflow', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
    await ingest(env.core, message('First'), [{ accountId: env.alice.id }]);
    await ingest(env.core, message(LAO, 'ສະບາຍດີ\r\n'), [{ accountId: env.alice.id }]);
  });
  after(async () => env.close());

  test('login over STARTTLS (143) and implicit TLS (993); list special-use mailboxes', async () => {
    const c143 = await env.client({ secure: false });
    assert.ok(c143.secureConnection || c143.usable);
    const boxes = await c143.list();
    const byUse = Object.fromEntries(boxes.map((b) => [b.specialUse ?? b.path, b.path]));
    assert.equal(byUse['\\Drafts'], 'Drafts');
    assert.equal(byUse['\\Sent'], 'Sent');
    assert.equal(byUse['\\Junk'], 'Junk');
    assert.equal(byUse['\\Trash'], 'Trash');
    assert.equal(byUse['\\Archive'], 'Archive');
    assert.ok(boxes.some((b) => b.path === 'INBOX'));
    const c993 = await env.client();
    const st = await mustStatus(c993, 'INBOX', { messages: true, unseen: true, uidNext: true });
    assert.equal(st.messages, 2);
    assert.equal(st.unseen, 2);
    assert.equal(st.uidNext, 3);
  });

  test('select and fetch envelope, bodystructure and source; Lao subject intact', async () => {
    const c = await env.client();
    const mb = await c.mailboxOpen('INBOX');
    assert.equal(mb.exists, 2);
    const msgs = [];
    for await (const m of c.fetch('1:*', {
      envelope: true,
      bodyStructure: true,
      source: true,
      uid: true,
      flags: true,
    }))
      msgs.push(m);
    assert.equal(msgs.length, 2);
    assert.equal(msgs[0]!.envelope!.subject, 'First');
    assert.equal(msgs[0]!.envelope!.from![0]!.address, 'bob@test.example');
    assert.equal(msgs[1]!.envelope!.subject, LAO);
    const bs = msgs[0]!.bodyStructure!;
    assert.equal(bs.type, 'multipart/mixed');
    assert.equal(bs.childNodes![1]!.type, 'application/pdf');
    assert.equal(bs.childNodes![1]!.disposition, 'attachment');
    assert.match(msgs[1]!.source!.toString('utf8'), /ສະບາຍດີ/);
    const part = await c.download('2', '1', { uid: false });
    const chunks: Buffer[] = [];
    for await (const ch of part.content!) chunks.push(ch as Buffer);
    assert.equal(Buffer.concat(chunks).toString('utf8'), 'ສະບາຍດີ\r\n');
  });

  test('flags stored in one session are seen by another; append and fetch back', async () => {
    const a = await env.client();
    await a.mailboxOpen('INBOX');
    await a.messageFlagsAdd('1', ['\\Flagged', '\\Seen', '$Work']);
    const b = await env.client();
    await b.mailboxOpen('INBOX');
    const m = await b.fetchOne('1', { flags: true });
    assert.ok(m && m.flags);
    assert.ok(m.flags.has('\\Flagged') && m.flags.has('\\Seen'));
    assert.ok([...m.flags].some((f) => f.toLowerCase() === '$work'));
    const res = await b.append('Drafts', message('Draft ສະບາຍດີ'), ['\\Draft']);
    assert.ok(res && res.uid === 1);
    await b.mailboxOpen('Drafts');
    const d = await b.fetchOne('*', { envelope: true, flags: true });
    assert.ok(d && d.envelope && d.flags);
    assert.equal(d.envelope.subject, 'Draft ສະບາຍດີ');
    assert.ok(d.flags.has('\\Draft'));
  });

  test('move to Archive, expunge, and IDLE wakes on delivery', async () => {
    const c = await env.client();
    await c.mailboxOpen('INBOX');
    const moved = await c.messageMove('1', 'Archive');
    assert.ok(moved && moved.uidMap && moved.uidMap.size === 1);
    assert.equal(c.mailbox && c.mailbox.exists, 1);
    const st = await mustStatus(c, 'Archive', { messages: true });
    assert.equal(st.messages, 1);
    await c.messageFlagsAdd('1', ['\\Deleted']);
    await c.mailboxClose();
    const st2 = await mustStatus(c, 'INBOX', { messages: true });
    assert.equal(st2.messages, 0);

    const idler = await env.client();
    await idler.mailboxOpen('INBOX');
    const woke = new Promise<number>((resolve) =>
      idler.on('exists', (e: { count: number }) => resolve(e.count)),
    );
    void idler.idle();
    await new Promise((r) => setTimeout(r, 100));
    await ingest(env.core, message('Wake up'), [{ accountId: env.alice.id }]);
    assert.equal(await woke, 1);
  });
});
