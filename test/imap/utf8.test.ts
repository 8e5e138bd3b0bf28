// UTF8=ACCEPT (RFC 6855) over raw TLS on both stores: ENABLE, UTF-8 mailbox names and
// header strings passed as they are, APPEND of a message with 8-bit (RFC 6532) headers in
// the `UTF8 (~{n}…)` form, and what a client that did not enable it gets. Also imapflow,
// which turns UTF8=ACCEPT on when offered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../helpers/stores.ts';
import { encodeMutf7 } from '../../src/imap/proto/utf7.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

const FOLDER = 'ເອກະສານ'; // "documents"
const SUBJECT = 'ກອງປະຊຸມ ວັນຈັນ'; // "meeting on Monday"
const message = Buffer.from(
  `From: ສົມໃຈ <somjai@test.example>\r\nTo: alice@test.example\r\nSubject: ${SUBJECT}\r\n` +
    'Message-ID: <utf8-1@test.example>\r\nMIME-Version: 1.0\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
    'ສະບາຍດີ\r\n',
  'utf8',
);

async function login(env: ImapTestEnv): Promise<RawImap> {
  const c = await RawImap.open(env.doors.ports.imaps);
  assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
  return c;
}

forEachStore('IMAP UTF8=ACCEPT', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
  });
  after(async () => env.close());

  test('UTF-8 names and headers pass as they are once enabled', async () => {
    const c = await login(env);
    assert.match(await c.cmd('c', 'CAPABILITY'), /^\* CAPABILITY .*\bUTF8=ACCEPT\b/m);
    assert.match(await c.cmd('e', 'ENABLE UTF8=ACCEPT'), /^\* ENABLED UTF8=ACCEPT\r\n/m);
    assert.match(await c.cmd('f', `CREATE "${FOLDER}"`), /^f OK/m);
    assert.match(
      await c.cmd('g', 'LIST "" "*"'),
      new RegExp(`^\\* LIST \\(.*\\) "/" "${FOLDER}"`, 'm'),
    );
    c.send(
      Buffer.concat([
        Buffer.from(`h APPEND "${FOLDER}" UTF8 (~{${message.length}+}\r\n`),
        message,
        Buffer.from(')\r\n'),
      ]),
    );
    assert.match(await c.until(/^h (OK|NO|BAD).*\r\n/m), /^h OK \[APPENDUID \d+ 1\]/m);
    assert.match(await c.cmd('i', `SELECT "${FOLDER}"`), /^\* 1 EXISTS/m);
    const f = await c.cmd('j', 'FETCH 1 (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    // Quoted UTF-8, not literals: the client said it reads UTF-8 (RFC 6855 §3).
    assert.match(
      f,
      new RegExp(
        `ENVELOPE \\((?:NIL|"[^"]*") "${SUBJECT}" \\(\\("ສົມໃຈ" NIL "somjai" "test.example"\\)\\)`,
      ),
    );
    assert.match(f, new RegExp(`Subject: ${SUBJECT}\\r\\n`));
    // Searching finds the Lao subject words.
    assert.match(await c.cmd('k', 'SEARCH SUBJECT "ວັນຈັນ"'), /^\* SEARCH 1\r\n/m);
    // Once a mailbox is selected, UTF8=ACCEPT is no longer turned on (nor off).
    assert.match(await c.cmd('m', 'ENABLE UTF8=ACCEPT'), /^\* ENABLED\r\n/m);
    await c.cmd('z', 'LOGOUT');
    c.close();
  });

  test('a client that did not enable it gets modified UTF-7 names and no UTF8 APPEND', async () => {
    const c = await login(env);
    // The name in modified UTF-7 (RFC 3501 §5.1.3).
    const utf7 = encodeMutf7(FOLDER);
    assert.match(utf7, /^&[A-Za-z0-9+,]+-$/);
    const list = await c.cmd('a', 'LIST "" "*"');
    assert.ok(list.includes(` "/" ${utf7}\r\n`) || list.includes(` "/" "${utf7}"\r\n`), list);
    assert.doesNotMatch(list, new RegExp(FOLDER));
    c.send(`b APPEND INBOX UTF8 (~{${message.length}+}\r\n`);
    c.send(Buffer.concat([message, Buffer.from(')\r\n')]));
    assert.match(await c.until(/^b (OK|NO|BAD).*\r\n/m), /^b BAD .*UTF8=ACCEPT/m);
    // A header string with 8-bit text goes out as a literal, never as a broken quoted string.
    assert.match(await c.cmd('s', `SELECT "${utf7}"`), /^s OK/m);
    const f = await c.cmd('f', 'FETCH 1 (ENVELOPE)');
    assert.match(f, /ENVELOPE \((?:NIL|"[^"]*") \{\d+\}\r\n/);
    assert.match(f, new RegExp(SUBJECT));
    await c.cmd('z', 'LOGOUT');
    c.close();
  });

  test('imapflow turns it on and sees the Lao folder by name', async () => {
    const c = await env.client();
    assert.ok(c.enabled.has('UTF8=ACCEPT'), `enabled: ${[...c.enabled].join(' ')}`);
    const folders = await c.list();
    assert.ok(folders.some((f) => f.path === FOLDER));
    const lock = await c.getMailboxLock(FOLDER);
    try {
      const m = await c.fetchOne('1', { envelope: true });
      assert.ok(m);
      assert.equal(m.envelope?.subject, SUBJECT);
      assert.equal(m.envelope?.from?.[0]?.name, 'ສົມໃຈ');
    } finally {
      lock.release();
    }
  });
});
