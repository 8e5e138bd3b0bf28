// SEARCH keys on the envelope, SORT by addresses and THREAD REFERENCES over real sockets, on
// both stores. FROM/TO/CC/BCC/SUBJECT are substrings of the envelope's fields, every address
// and group name included, RFC 2047 names decoded (RFC 9051 §6.4.4); TEXT looks in every
// header field, mail indexed before header fields were included once they are filled in
// (migration 0014, indexHeadersMissing); SENT* take the day the
// Date header names in the sender's own zone; HEADER looks at every field of the name; SORT
// FROM/TO/CC use the first envelope address's mailbox, a group's name for a group (RFC 5256
// §3), DISPLAYTO its display value (RFC 5957 §3); THREAD REFERENCES drops a link a truncated
// References made when a later message names its real parent (RFC 5256 §4 step 1B).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { indexHeadersMissing } from '../../src/core/indexer.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

function message(headers: string[], body = 'text'): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`, 'utf8');
}

function numbers(text: string, verb: 'SEARCH' | 'SORT'): number[] {
  const m = new RegExp(`^\\* ${verb}([\\d ]*)\\r\\n`, 'm').exec(text);
  assert.ok(m, `${verb} in ${text}`);
  return m[1]!.trim() ? m[1]!.trim().split(' ').map(Number) : [];
}

forEachStore('IMAP SEARCH, SORT and THREAD on the envelope', (kind) => {
  let env: ImapTestEnv;
  let c: RawImap;
  before(async () => {
    env = await imapEnv(kind);
    const into = (mailbox: string) => [{ accountId: env.alice.id, mailbox }];
    c = await RawImap.open(env.doors.ports.imaps);
    assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
    for (const m of ['Keys', 'Sorted', 'Threads'])
      assert.match(await c.cmd('c', `CREATE ${m}`), /^c OK/m);

    // Keys: 1 and 2 were sent at the same instant (21:30 UTC), on two different days as
    // their writers' clocks read.
    for (const h of [
      [
        'From: Somchai <somchai@school.test>',
        'Date: Sat, 24 Mar 2007 23:30:00 +0200',
        'Subject: hello world',
      ],
      ['From: somchai1@school.test, somchai2@school.test', 'Date: Sun, 25 Mar 2007 00:30:00 +0300'],
      [
        'From: x@x.test',
        'To: teachers: a@x.test, b@x.test;',
        'Cc: =?utf-8?q?L=C3=A9a?= <lea@x.test>',
      ],
      ['From: x@x.test', 'X-Extra: first value', 'X-Extra: second value'],
    ])
      await ingest(env.core, message(h), into('Keys'));

    // Sorted: a group, then a plain address with the same mailbox as the group's name; To
    // names as RFC 5957 reads them.
    for (const h of [
      ['Cc: bb: zz@x.test;', 'To: =?iso-8859-1?q?zz_top?= <e@f.test>'],
      ['Cc: bb@x.test', 'To: foo bar <a@b.test>'],
      ['Cc: aa@x.test (Zed)', 'To: staff: x@y.test;'],
    ])
      await ingest(env.core, message(h), into('Sorted'));

    // Threads: the second message's References name the third before the third exists.
    for (const h of [
      ['Message-ID: <p1@t>', 'Date: Fri, 22 Feb 2008 17:00:00 +0000', 'Subject: one'],
      [
        'Message-ID: <p2@t>',
        'References: <p1@t> <p3@t>',
        'Date: Fri, 22 Feb 2008 15:00:00 +0000',
        'Subject: two',
      ],
      [
        'Message-ID: <p3@t>',
        'References: <p2@t>',
        'Date: Fri, 22 Feb 2008 16:00:00 +0000',
        'Subject: three',
      ],
    ])
      await ingest(env.core, message(h), into('Threads'));
  });
  after(async () => {
    c.close();
    await env.close();
  });

  test('FROM, TO, CC, SUBJECT are substrings of the envelope fields', async () => {
    await c.cmd('s', 'SELECT Keys');
    const search = async (key: string) => numbers(await c.cmd('k', `SEARCH ${key}`), 'SEARCH');
    // The words somchai, school, test are in 2 as well, but not this string.
    assert.deepEqual(await search('FROM somchai@school.test'), [1]);
    assert.deepEqual(await search('FROM somchai2'), [2]);
    assert.deepEqual(await search('FROM "Somchai <somchai@"'), [1]);
    assert.deepEqual(await search('TO teachers'), [3]);
    assert.deepEqual(await search('TO b@x.test'), [3]);
    assert.deepEqual(await search('CHARSET UTF-8 CC {4+}\r\nLéa'), [3]);
    assert.deepEqual(await search('SUBJECT "lo wor"'), [1]);
    assert.deepEqual(await search('SUBJECT "world hello"'), []);
    assert.deepEqual(await search('HEADER X-Extra second'), [4]);
    assert.deepEqual(await search('NOT HEADER X-Extra ""'), [1, 2, 3]);
  });

  test('TEXT looks in every header field, also of mail indexed before header fields were', async () => {
    await c.cmd('s', 'SELECT Keys');
    const search = async (key: string) => numbers(await c.cmd('k', `SEARCH ${key}`), 'SEARCH');
    assert.deepEqual(await search('TEXT "second value"'), [4]);
    assert.deepEqual(await search('TEXT econd'), [4]);
    assert.deepEqual(await search('BODY econd'), []);
    // Index rows from before migration 0014 have no header text until it is filled in.
    await env.core.db.updateTable('fulltext').set({ headers: null }).execute();
    assert.deepEqual(await search('TEXT econd'), []);
    assert.ok((await indexHeadersMissing(env.core)) >= 4);
    assert.deepEqual(await search('TEXT econd'), [4]);
    assert.equal(await indexHeadersMissing(env.core), 0);
  });

  test("SENT* take the day the Date header names, in the sender's zone", async () => {
    await c.cmd('s', 'SELECT Keys');
    const search = async (key: string) => numbers(await c.cmd('k', `SEARCH ${key}`), 'SEARCH');
    assert.deepEqual(await search('SENTON 24-Mar-2007'), [1]);
    assert.deepEqual(await search('SENTON 25-Mar-2007'), [2]);
    assert.deepEqual(await search('SENTBEFORE 25-Mar-2007'), [1]);
    assert.deepEqual(await search('1:2 SENTSINCE 25-Mar-2007'), [2]);
    assert.deepEqual(await search('1:2 NOT SENTON 24-Mar-2007'), [2]);
  });

  test('SORT by CC takes a group by its name; DISPLAYTO decodes names', async () => {
    await c.cmd('s', 'SELECT Sorted');
    assert.deepEqual(numbers(await c.cmd('a', 'SORT (CC) UTF-8 ALL'), 'SORT'), [3, 1, 2]);
    assert.deepEqual(numbers(await c.cmd('b', 'SORT (REVERSE CC) UTF-8 ALL'), 'SORT'), [1, 2, 3]);
    assert.deepEqual(numbers(await c.cmd('d', 'SORT (DISPLAYTO) UTF-8 ALL'), 'SORT'), [2, 3, 1]);
    assert.deepEqual(numbers(await c.cmd('e', 'SORT (TO) UTF-8 ALL'), 'SORT'), [2, 1, 3]);
  });

  test('THREAD REFERENCES: a link from a truncated References gives way to the real parent', async () => {
    await c.cmd('s', 'SELECT Threads');
    const r = await c.cmd('t', 'THREAD REFERENCES UTF-8 ALL');
    assert.match(r, /^\* THREAD \(3 2\)\(1\)\r\n/m);
  });
});
