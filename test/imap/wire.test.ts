// Exact wire exchanges no real client makes: LOGINDISABLED before TLS, literals and LITERAL+,
// BAD on garbage with the server still answering, [TOOBIG] for an oversized literal, the
// EXPUNGE rule of RFC 9051 §7.5.1 between two sessions. Plus BODYSTRUCTURE over the shared
// corpus of real messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { ingest } from '../../src/core/deliver.ts';
import { parseMime } from '../../src/mail/mimeparts.ts';
import { bodyStructure, envelope } from '../../src/imap/proto/structure.ts';
import { writeLine } from '../../src/imap/proto/writer.ts';
import { sectionBytes } from '../../src/imap/commands/fetch.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testdataFiles } from '../helpers/testdata.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

forEachStore('IMAP wire format', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind, { limits: { maxLiteral: 1000 } });
    for (const s of ['one', 'two', 'three'])
      await ingest(env.core, Buffer.from(`Subject: ${s}\r\n\r\nbody ${s}\r\n`), [
        { accountId: env.alice.id },
      ]);
  });
  after(async () => env.close());

  test('port 143 before STARTTLS: LOGINDISABLED, and LOGIN refused', async () => {
    const sock = connect(env.doors.ports.imap, '127.0.0.1');
    let buf = '';
    sock.on('data', (d: Buffer) => (buf += d.toString()));
    const wait = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 100 && !re.test(buf); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await wait(/\r\n/);
    assert.match(buf, /^\* OK \[CAPABILITY [^\]]*STARTTLS LOGINDISABLED/);
    assert.doesNotMatch(buf, /AUTH=PLAIN/);
    sock.write(`a LOGIN alice@test.example ${PASSWORD}\r\n`);
    await wait(/^a /m);
    assert.match(buf, /^a NO \[PRIVACYREQUIRED\]/m);
    sock.destroy();
  });

  test('literals, LITERAL+, garbage and TOOBIG', async () => {
    const c = await RawImap.open(env.doors.ports.imaps);
    c.send('a1 LOGIN {18}\r\n');
    assert.match(await c.until(/^\+ /m), /^\+ Ready/m);
    c.send(`alice@test.example {${PASSWORD.length}+}\r\n${PASSWORD}\r\n`);
    assert.match(await c.until(/^a1 /m), /^a1 OK \[CAPABILITY /m);
    c.send('\x00\xff garbage (((\r\n');
    assert.match(await c.until(/BAD/), /^\* BAD/m);
    c.send('a2 FETCH 1 (FLAGS\r\n');
    assert.match(await c.until(/^a2 /m), /^a2 BAD/m);
    c.send('a3 LOGIN {5000}\r\n');
    assert.match(await c.until(/^a3 /m), /^a3 BAD \[TOOBIG\]/m);
    c.send('a4 SELECT INBOX\r\n');
    const sel = await c.until(/^a4 /m);
    assert.match(sel, /^\* 3 EXISTS/m);
    assert.match(sel, /^\* OK \[UIDVALIDITY \d+\]/m);
    assert.match(sel, /^\* OK \[UIDNEXT 4\]/m);
    assert.match(sel, /^a4 OK \[READ-WRITE\]/m);
    c.send('a5 UID FETCH 2 (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n');
    const f = await c.until(/^a5 /m);
    // This session selected the mailbox first after the APPENDs: \Recent is its (RFC 3501 §2.3.2).
    assert.match(
      f,
      /^\* 2 FETCH \(UID 2 FLAGS \(\\Recent\) BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{16\}\r\nSubject: two\r\n\r\n\)/m,
    );
    c.send('a6 UID SEARCH SUBJECT tw\r\n');
    assert.match(await c.until(/^a6 /m), /^\* SEARCH 2\r\n/m);
    c.send('a7 LOGOUT\r\n');
    assert.match(await c.until(/^a7 /m), /^\* BYE/m);
    c.close();
  });

  test('an expunge by another session is not reported during FETCH, but is at NOOP', async () => {
    const a = await RawImap.open(env.doors.ports.imaps);
    const b = await RawImap.open(env.doors.ports.imaps);
    for (const c of [a, b]) {
      c.send(`l LOGIN alice@test.example ${PASSWORD}\r\ns SELECT INBOX\r\n`);
      await c.until(/^s OK/m);
    }
    b.send('x STORE 1 +FLAGS.SILENT (\\Deleted)\r\ny EXPUNGE\r\n');
    assert.match(await b.until(/^y /m), /^\* 1 EXPUNGE\r\ny OK/m);
    a.send('f FETCH 1:* (UID)\r\n');
    const fetched = await a.until(/^f /m);
    assert.doesNotMatch(fetched, /EXPUNGE/);
    a.send('n NOOP\r\n');
    assert.match(await a.until(/^n /m), /^\* 1 EXPUNGE\r\n/m);
    a.close();
    b.close();
  });
});

test('BODYSTRUCTURE, ENVELOPE and every part over the shared MIME corpus', () => {
  const files = testdataFiles('mime');
  assert.ok(files.length > 100);
  for (const file of files) {
    const buf = readFileSync(file);
    const root = parseMime(buf);
    const line = writeLine([bodyStructure(buf, root, true), envelope(root.headers)], {
      utf8: false,
    });
    assert.ok(line.length > 0, file);
    const walk = (p: typeof root, path: number[]): void => {
      const bytes = sectionBytes(buf, root, { part: path, text: null, fields: [] });
      assert.ok(bytes !== null, `${file} part ${path.join('.')}`);
      p.children.forEach((c, i) => walk(c, [...path, i + 1]));
    };
    root.children.forEach((c, i) => walk(c, [i + 1]));
  }
});
