// CONDSTORE and QRESYNC (RFC 7162) from the shared change log, on both stores: a session that
// left comes back with SELECT (QRESYNC …) and learns exactly which UIDs vanished and which
// messages changed while another session flagged, expunged and moved; live VANISHED instead of
// EXPUNGE; FETCH CHANGEDSINCE (VANISHED); STORE UNCHANGEDSINCE; SEARCH MODSEQ; STATUS
// HIGHESTMODSEQ per mailbox; imapflow's own qresync resync.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

function msg(subject: string): Buffer {
  return Buffer.from(`From: bob@test.example\r\nSubject: ${subject}\r\n\r\nbody ${subject}\r\n`);
}

async function login(env: ImapTestEnv, user = 'alice@test.example'): Promise<RawImap> {
  const c = await RawImap.open(env.doors.ports.imaps);
  assert.match(await c.cmd('l', `LOGIN ${user} ${PASSWORD}`), /^l OK/m);
  return c;
}

function code(text: string, name: string): number {
  const m = new RegExp(`\\[${name} (\\d+)\\]`).exec(text);
  assert.ok(m, `${name} in ${text}`);
  return Number(m[1]);
}

/** UIDs of the untagged FETCH lines, in order. */
function fetchedUids(text: string): number[] {
  return [...text.matchAll(/^\* \d+ FETCH \(.*?UID (\d+)/gm)].map((m) => Number(m[1]));
}

forEachStore('IMAP CONDSTORE and QRESYNC', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
  });
  after(async () => env.close());

  test('capabilities, ENABLE, and HIGHESTMODSEQ on SELECT; NOMODSEQ never', async () => {
    const c = await login(env);
    const caps = await c.cmd('c', 'CAPABILITY');
    assert.match(caps, /CONDSTORE/);
    assert.match(caps, /QRESYNC/);
    assert.match(await c.cmd('e', 'ENABLE QRESYNC'), /^\* ENABLED QRESYNC\r\n/m);
    const sel = await c.cmd('s', 'SELECT Drafts (CONDSTORE)');
    assert.match(sel, /^\* OK \[HIGHESTMODSEQ \d+\]/m);
    assert.doesNotMatch(sel, /NOMODSEQ/);
    c.close();
  });

  test('reconnect with QRESYNC: exactly the vanished UIDs and the changed messages', async () => {
    for (let i = 1; i <= 6; i++) await ingest(env.core, msg(`q${i}`), [{ accountId: env.bob.id }]);
    const a = await login(env, 'bob@test.example');
    await a.cmd('e', 'ENABLE QRESYNC');
    const first = await a.cmd('s', 'SELECT INBOX');
    const uidValidity = code(first, 'UIDVALIDITY');
    const known = code(first, 'HIGHESTMODSEQ');
    assert.match(first, /^\* 6 EXISTS/m);
    a.close();

    // Meanwhile, another session: flags 2, expunges 3 and 4, moves 5 away; one delivery (7).
    const b = await env.client({ user: 'bob@test.example' });
    await b.mailboxOpen('INBOX');
    await b.messageFlagsAdd('2', ['\\Flagged'], { uid: true });
    await b.messageFlagsAdd('3:4', ['\\Deleted'], { uid: true });
    await b.messageDelete('3:4', { uid: true });
    await b.messageMove('5', 'Archive', { uid: true });
    await b.logout();
    await ingest(env.core, msg('q7'), [{ accountId: env.bob.id }]);

    const again = await login(env, 'bob@test.example');
    await again.cmd('e', 'ENABLE QRESYNC');
    const sel = await again.cmd('s', `SELECT INBOX (QRESYNC (${uidValidity} ${known} 1:6))`);
    assert.match(sel, /^\* 4 EXISTS/m);
    assert.match(sel, /^\* VANISHED \(EARLIER\) 3:5\r\n/m);
    assert.deepEqual(fetchedUids(sel).sort(), [2, 7]);
    assert.match(sel, /^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)/m);
    assert.ok(code(sel, 'HIGHESTMODSEQ') > known);
    // The same question asked with the new HIGHESTMODSEQ: nothing to tell.
    const now = code(sel, 'HIGHESTMODSEQ');
    await again.cmd('u', 'UNSELECT');
    const quiet = await again.cmd('s2', `SELECT INBOX (QRESYNC (${uidValidity} ${now}))`);
    assert.doesNotMatch(quiet, /VANISHED|FETCH/);
    // A stale UIDVALIDITY: no resync data at all.
    await again.cmd('u2', 'UNSELECT');
    const stale = await again.cmd('s3', `SELECT INBOX (QRESYNC (${uidValidity + 1} ${known}))`);
    assert.doesNotMatch(stale, /VANISHED|FETCH/);

    // FETCH CHANGEDSINCE and UID FETCH … VANISHED over the same interval.
    const f = await again.cmd('f', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${known})`);
    assert.equal((f.match(/^\* \d+ FETCH .*MODSEQ \(\d+\)/gm) ?? []).length, 2);
    const v = await again.cmd('v', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${known} VANISHED)`);
    assert.match(v, /^\* VANISHED \(EARLIER\) 3:5\r\n/m);
    assert.deepEqual(fetchedUids(v).sort(), [2, 7]);
    again.close();
  });

  test('live: VANISHED instead of EXPUNGE under QRESYNC, EXPUNGE otherwise, MODSEQ in updates', async () => {
    await ingest(env.core, msg('live1'), [{ accountId: env.alice.id }]);
    await ingest(env.core, msg('live2'), [{ accountId: env.alice.id }]);
    const q = await login(env);
    await q.cmd('e', 'ENABLE QRESYNC');
    await q.cmd('s', 'SELECT INBOX');
    const plain = await login(env);
    await plain.cmd('s', 'SELECT INBOX');
    const other = await login(env);
    await other.cmd('s', 'SELECT INBOX');
    await other.cmd('f', 'UID STORE 2 +FLAGS.SILENT (\\Answered)');
    const upd = await q.cmd('n', 'NOOP');
    // q selected first: the messages are \Recent there, and only there (RFC 3501 §2.3.2).
    assert.match(upd, /^\* 2 FETCH \(UID 2 FLAGS \(\\Recent \\Answered\) MODSEQ \(\d+\)\)/m);
    const upd2 = await plain.cmd('n', 'NOOP');
    assert.match(upd2, /^\* 2 FETCH \(UID 2 FLAGS \(\\Answered\)\)/m);
    await other.cmd('d', 'UID STORE 1 +FLAGS.SILENT (\\Deleted)');
    const ex = await other.cmd('x', 'EXPUNGE');
    assert.match(ex, /^\* 1 EXPUNGE\r\n/m);
    assert.match(await q.cmd('n2', 'NOOP'), /^\* VANISHED 1\r\n/m);
    const p = await plain.cmd('n2', 'NOOP');
    assert.match(p, /^\* 1 EXPUNGE\r\n/m);
    assert.doesNotMatch(p, /VANISHED/);
    // EXPUNGE by the QRESYNC session itself: VANISHED, and the new HIGHESTMODSEQ.
    await q.cmd('d', 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
    const own = await q.cmd('x', 'EXPUNGE');
    assert.match(own, /^\* VANISHED 2\r\nx OK \[HIGHESTMODSEQ \d+\]/m);
    for (const c of [q, plain, other]) c.close();
  });

  test('STORE UNCHANGEDSINCE, SEARCH MODSEQ, STATUS HIGHESTMODSEQ per mailbox', async () => {
    await ingest(env.core, msg('c1'), [{ accountId: env.alice.id, role: 'archive' }]);
    await ingest(env.core, msg('c2'), [{ accountId: env.alice.id, role: 'archive' }]);
    const c = await login(env);
    const sel = await c.cmd('s', 'SELECT Archive (CONDSTORE)');
    const h = code(sel, 'HIGHESTMODSEQ');
    const st = await c.cmd('st', 'STATUS Drafts (HIGHESTMODSEQ)');
    const draftsBefore = Number(/HIGHESTMODSEQ (\d+)/.exec(st)![1]);
    const ok = await c.cmd('a', `UID STORE 1 (UNCHANGEDSINCE ${h}) +FLAGS (\\Seen)`);
    assert.match(ok, /^\* 1 FETCH \(UID 1 FLAGS \(\\Recent \\Seen\) MODSEQ \((\d+)\)\)/m);
    assert.match(ok, /^a OK STORE/m);
    // Message 1 changed after h now: a second conditional store on 1:2 fails for it alone.
    const conflict = await c.cmd('b', `STORE 1:2 (UNCHANGEDSINCE ${h}) +FLAGS.SILENT (\\Flagged)`);
    assert.match(conflict, /^b OK \[MODIFIED 1\]/m);
    assert.match(conflict, /^\* 2 FETCH \(MODSEQ \(\d+\)\)/m);
    const sr = await c.cmd('m', `SEARCH MODSEQ ${h + 1}`);
    const m = /^\* SEARCH ([\d ]+) \(MODSEQ (\d+)\)\r\n/m.exec(sr);
    assert.ok(m, sr);
    assert.deepEqual(m[1]!.split(' ').map(Number), [1, 2]);
    const es = await c.cmd('m2', `SEARCH RETURN (COUNT) MODSEQ ${h + 1}`);
    assert.match(es, /^\* ESEARCH \(TAG "m2"\) COUNT 2 MODSEQ \d+\r\n/m);
    // Drafts did not change, so its HIGHESTMODSEQ did not move; Archive's did.
    const st2 = await c.cmd('st2', 'STATUS Drafts (HIGHESTMODSEQ)');
    assert.equal(Number(/HIGHESTMODSEQ (\d+)/.exec(st2)![1]), draftsBefore);
    const st3 = await c.cmd('st3', 'STATUS Archive (HIGHESTMODSEQ)');
    assert.ok(Number(/HIGHESTMODSEQ (\d+)/.exec(st3)![1]) > h);
    assert.match(await c.cmd('bad', 'FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)'), /^bad BAD/m);
    c.close();
  });

  test('imapflow with qresync: true resynchronises from uidValidity and modseq', async () => {
    const acct = env.alice.id;
    await ingest(env.core, msg('flow1'), [{ accountId: acct, role: 'sent' }]);
    await ingest(env.core, msg('flow2'), [{ accountId: acct, role: 'sent' }]);
    await ingest(env.core, msg('flow3'), [{ accountId: acct, role: 'sent' }]);
    const a = await env.client({ qresync: true });
    const box = await a.mailboxOpen('Sent');
    const uidValidity = box.uidValidity;
    const modseq = box.highestModseq;
    assert.ok(modseq && modseq > 0n);
    await a.logout();

    const b = await env.client();
    await b.mailboxOpen('Sent');
    await b.messageFlagsAdd('1', ['$Important'], { uid: true });
    await b.messageDelete('3', { uid: true });

    const c = await env.client({ qresync: true });
    const vanished: number[] = [];
    const flagged: number[] = [];
    c.on('expunge', (e: { uid?: number; earlier?: boolean }) => {
      if (e.earlier && e.uid) vanished.push(e.uid);
    });
    c.on('flags', (e: { uid?: number }) => {
      if (e.uid) flagged.push(e.uid);
    });
    const again = await c.mailboxOpen('Sent', { uidValidity, changedSince: modseq });
    assert.ok('qresync' in again && again.qresync === true);
    assert.equal(again.exists, 2);
    assert.deepEqual(vanished, [3]);
    assert.deepEqual(flagged, [1]);
  });
});
