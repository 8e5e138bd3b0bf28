// The extensions clients lean on, over raw TLS exchanges on both stores: QUOTA, APPENDLIMIT,
// LIST-STATUS, STATUS=SIZE, SEARCHRES, ACL (own mailboxes), COMPRESS=DEFLATE (a compressed
// session, IDLE push included), SORT, THREAD (ORDEREDSUBJECT, REFERENCES), BINARY.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import { ingest } from '../../src/core/deliver.ts';
import { setQuota } from '../../src/core/accounts.ts';
import { addMailbox } from '../../src/core/mailboxset.ts';
import { baseSubject } from '../../src/mail/basesubject.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

async function login(env: ImapTestEnv): Promise<RawImap> {
  const c = await RawImap.open(env.doors.ports.imaps);
  assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
  return c;
}

function mail(headers: string, body = 'hello\r\n'): Buffer {
  return Buffer.from(
    `From: bob@test.example\r\nTo: alice@test.example\r\n${headers}\r\n\r\n${body}`,
  );
}

test('base subject (RFC 5256 §2.1)', () => {
  assert.equal(baseSubject('Re: [list] Fwd: Hello  world (fwd)'), 'HELLO WORLD');
  assert.equal(baseSubject('[Fwd: Re: ກອງປະຊຸມ]'), 'ກອງປະຊຸມ');
  assert.equal(baseSubject('[only blob]'), '[ONLY BLOB]');
  assert.equal(baseSubject('RE [x]: re: topic'), 'TOPIC');
});

forEachStore('IMAP extensions', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
    const a = env.alice.id;
    await addMailbox(env.core, a, 'Threads');
    const put = (h: string, body?: string) =>
      ingest(env.core, mail(h, body), [{ accountId: a, mailbox: 'Threads' }]);
    await put('Subject: Budget\r\nDate: Mon, 5 Feb 2024 10:00:00 +0000\r\nMessage-ID: <a@x>');
    await put(
      'Subject: Re: Budget\r\nDate: Tue, 6 Feb 2024 10:00:00 +0000\r\nMessage-ID: <b@x>\r\nIn-Reply-To: <a@x>',
    );
    await put('Subject: Agenda\r\nDate: Sun, 4 Feb 2024 10:00:00 +0000\r\nMessage-ID: <c@x>');
    await put(
      'Subject: Re: Budget\r\nDate: Wed, 7 Feb 2024 10:00:00 +0000\r\nMessage-ID: <d@x>\r\nReferences: <a@x> <b@x>',
      'a longer body to be larger\r\n',
    );
    await put(
      'Subject: Re: Budget\r\nDate: Thu, 8 Feb 2024 10:00:00 +0000\r\nMessage-ID: <e@x>\r\nReferences: <a@x>',
    );
  });
  after(async () => env.close());

  test('QUOTA from the account, APPENDLIMIT, LIST-STATUS and STATUS=SIZE', async () => {
    await setQuota(env.core, 'alice@test.example', 10 * 1024 * 1024);
    const c = await login(env);
    const caps = await c.cmd('c', 'CAPABILITY');
    for (const cap of [
      'QUOTA',
      'QUOTA=RES-STORAGE',
      'LIST-STATUS',
      'STATUS=SIZE',
      'SEARCHRES',
      'COMPRESS=DEFLATE',
      'SORT',
      'THREAD=REFERENCES',
      'BINARY',
      'ACL',
    ])
      assert.match(caps, new RegExp(` ${cap.replace(/[=+]/g, '\\$&')}[ \\r]`), cap);
    assert.match(caps, / APPENDLIMIT=\d+/);
    const q = await c.cmd('q', 'GETQUOTAROOT INBOX');
    assert.match(q, /^\* QUOTAROOT "?INBOX"? ""\r\n/m);
    const m = /^\* QUOTA "" \(STORAGE (\d+) (\d+)\)/m.exec(q);
    assert.ok(m, q);
    assert.ok(Number(m[1]) >= 1, 'five messages use at least 1 KiB');
    assert.equal(Number(m[2]), 10 * 1024);
    assert.match(await c.cmd('sq', 'SETQUOTA "" (STORAGE 99999999)'), /^sq NO/m);
    const l = await c.cmd('ls', 'LIST "" "*" RETURN (STATUS (MESSAGES SIZE APPENDLIMIT))');
    assert.match(
      l,
      /^\* LIST \(\\HasNoChildren\) "\/" "?Threads"?\r\n\* STATUS "?Threads"? \(MESSAGES 5 SIZE \d+ APPENDLIMIT \d+\)/m,
    );
    const r = await c.cmd('r', 'MYRIGHTS Threads');
    assert.match(r, /^\* MYRIGHTS "?Threads"? "?lrswipkxtecda"?\r\n/m);
    assert.match(
      await c.cmd('g', 'GETACL INBOX'),
      /^\* ACL "?INBOX"? "alice@test\.example" "?lrswipkxtecda"?/m,
    );
    c.close();
  });

  test('SEARCHRES: RETURN (SAVE) then "$" in FETCH and SEARCH', async () => {
    const c = await login(env);
    await c.cmd('s', 'SELECT Threads');
    const saved = await c.cmd('a', 'UID SEARCH RETURN (SAVE) SUBJECT budget');
    assert.doesNotMatch(saved, /ESEARCH|\* SEARCH/);
    const f = await c.cmd('b', 'UID FETCH $ (UID)');
    assert.deepEqual(
      [...f.matchAll(/UID (\d+)/g)].map((x) => Number(x[1])),
      [1, 2, 4, 5],
    );
    const s2 = await c.cmd('d', 'SEARCH RETURN (ALL) $ HEADER References a@x');
    assert.match(s2, /^\* ESEARCH \(TAG "d"\) ALL 4:5\r\n/m);
    await c.cmd('u', 'UNSELECT');
    await c.cmd('s2', 'SELECT Threads');
    assert.doesNotMatch(await c.cmd('e', 'FETCH $ (UID)'), /FETCH \(/);
    c.close();
  });

  test('SORT and THREAD', async () => {
    const c = await login(env);
    await c.cmd('s', 'SELECT Threads');
    assert.match(await c.cmd('a', 'SORT (SUBJECT DATE) UTF-8 ALL'), /^\* SORT 3 1 2 4 5\r\n/m);
    assert.match(await c.cmd('b', 'SORT (REVERSE DATE) UTF-8 ALL'), /^\* SORT 5 4 2 1 3\r\n/m);
    assert.match(await c.cmd('c', 'UID SORT (REVERSE SIZE) UTF-8 SUBJECT budget'), /^\* SORT 4 /m);
    assert.match(
      await c.cmd('d', 'THREAD ORDEREDSUBJECT UTF-8 ALL'),
      /^\* THREAD \(3\)\(1 \(2\)\(4\)\(5\)\)\r\n/m,
    );
    assert.match(
      await c.cmd('e', 'THREAD REFERENCES UTF-8 ALL'),
      /^\* THREAD \(3\)\(1 \(2 4\)\(5\)\)\r\n/m,
    );
    assert.match(await c.cmd('f', 'THREAD NOSUCH UTF-8 ALL'), /^f BAD/m);
    c.close();
  });

  test('BINARY decodes base64 and quoted-printable parts; unknown encodings fail cleanly', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0xff]);
    const body =
      '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nau lait\r\n' +
      `--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${pdf.toString('base64')}\r\n` +
      '--b\r\nContent-Type: application/x-odd\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--b--\r\n';
    await ingest(
      env.core,
      mail(
        'Subject: binary\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"',
        body,
      ),
      [{ accountId: env.alice.id, role: 'drafts' }],
    );
    const c = await login(env);
    await c.cmd('s', 'SELECT Drafts');
    const f = await c.cmd('a', 'FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[2])');
    assert.match(f, /BINARY\[1\] ~\{13\}\r\ncafé au lait BINARY\.SIZE\[2\] 7\)/);
    assert.match(f, /BINARY\.SIZE\[2\] 7/);
    c.socket.removeAllListeners('data');
    const chunks: Buffer[] = [];
    c.socket.on('data', (d: Buffer) => chunks.push(d));
    c.send('b FETCH 1 (BINARY.PEEK[2])\r\n');
    for (let i = 0; i < 50 && !Buffer.concat(chunks).includes('b OK'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const bytes = Buffer.concat(chunks);
    const at = bytes.indexOf('~{7}\r\n') + 6;
    assert.ok(at > 5);
    assert.deepEqual(bytes.subarray(at, at + 7), pdf);
    chunks.length = 0;
    c.send('c FETCH 1 (BINARY.PEEK[3])\r\n');
    for (let i = 0; i < 50 && !Buffer.concat(chunks).includes('c '); i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.match(Buffer.concat(chunks).toString(), /^c NO \[UNKNOWN-CTE\]/m);
    c.close();
  });

  test('COMPRESS=DEFLATE: a compressed session selects, fetches and is woken from IDLE', async () => {
    const c = await login(env);
    assert.match(await c.cmd('z', 'COMPRESS DEFLATE'), /^z OK/m);
    c.socket.removeAllListeners('data');
    const inflate = createInflateRaw();
    const deflate = createDeflateRaw();
    let text = '';
    c.socket.on('data', (d: Buffer) => inflate.write(d));
    inflate.on('data', (d: Buffer) => (text += d.toString('utf8')));
    deflate.on('data', (d: Buffer) => c.socket.write(d));
    const say = (line: string): void => {
      deflate.write(line + '\r\n');
      deflate.flush(constants.Z_SYNC_FLUSH);
    };
    const until = async (re: RegExp): Promise<string> => {
      for (let i = 0; i < 250 && !re.test(text); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(text, re);
      const t = text;
      text = '';
      return t;
    };
    say('a SELECT Threads');
    assert.match(await until(/^a OK/m), /^\* 5 EXISTS/m);
    say('b FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    assert.match(await until(/^b OK/m), /Subject: Budget/);
    say('c CAPABILITY');
    assert.doesNotMatch(await until(/^c OK/m), /COMPRESS=DEFLATE/);
    say('d COMPRESS DEFLATE');
    assert.match(await until(/^d /m), /^d NO \[COMPRESSIONACTIVE\]/m);
    say('i IDLE');
    await until(/^\+ /m);
    await ingest(env.core, mail('Subject: wake'), [
      { accountId: env.alice.id, mailbox: 'Threads' },
    ]);
    await until(/^\* 6 EXISTS/m);
    say('DONE');
    await until(/^i OK/m);
    say('o LOGOUT');
    await until(/^\* BYE/m);
    c.close();
  });
});
