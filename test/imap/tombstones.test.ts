// Pruning of the change history (core/changes.ts) seen from IMAP QRESYNC, on both stores:
// after old log rows and tombstones are pruned, a client whose modseq is older than the
// horizon still learns every UID that is gone (RFC 7162 §3.2.5.1 lets the server report all
// UIDs not in the mailbox) and every message whose flags changed, one at or above it gets the
// exact answer, and canCalculateChanges (what JMAP /changes asks) says which is which.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { accountModseq } from '../../src/core/messages.ts';
import { canCalculateChanges, pruneHistory, tombstoneHorizon } from '../../src/core/changes.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

async function login(env: ImapTestEnv): Promise<RawImap> {
  const c = await RawImap.open(env.doors.ports.imaps);
  assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
  assert.match(await c.cmd('e', 'ENABLE QRESYNC'), /^\* ENABLED QRESYNC\r\n/m);
  return c;
}

function code(text: string, name: string): number {
  const m = new RegExp(`\\[${name} (\\d+)\\]`).exec(text);
  assert.ok(m, `${name} in ${text}`);
  return Number(m[1]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

forEachStore('IMAP QRESYNC after tombstone pruning', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
    for (let i = 1; i <= 6; i++)
      await ingest(env.core, Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n`), [
        { accountId: env.alice.id },
      ]);
  });
  after(async () => env.close());

  test('older than the horizon: every missing UID is vanished; newer: exactly', async () => {
    const a = await login(env);
    const sel = await a.cmd('s', 'SELECT INBOX');
    const uidValidity = code(sel, 'UIDVALIDITY');
    const m0 = code(sel, 'HIGHESTMODSEQ');
    assert.match(await a.cmd('fl', 'UID STORE 4 +FLAGS.SILENT (\\Flagged)'), /^fl OK/m);
    assert.match(await a.cmd('d', 'UID STORE 2:3 +FLAGS.SILENT (\\Deleted)'), /^d OK/m);
    assert.match(await a.cmd('x', 'UID EXPUNGE 2:3'), /^\* VANISHED 2:3\r\n/m);
    const st = await a.cmd('st', 'STATUS INBOX (HIGHESTMODSEQ)');
    const m1 = Number(/HIGHESTMODSEQ (\d+)\)/.exec(st)?.[1]);
    await sleep(20);
    const cutoff = Date.now();
    await sleep(20);
    assert.match(await a.cmd('d2', 'UID STORE 5 +FLAGS.SILENT (\\Deleted)'), /^d2 OK/m);
    assert.match(await a.cmd('x2', 'UID EXPUNGE 5'), /^\* VANISHED 5\r\n/m);
    await a.cmd('z', 'LOGOUT');
    a.close();

    const db = env.core.db;
    assert.equal(await canCalculateChanges(db, env.alice.id, m0), true);
    // Everything up to the first expunge is older than the cutoff: its tombstones and the
    // log rows go, those of the second expunge stay.
    const logRows = async (op: '<=' | '>'): Promise<number> =>
      (
        await db
          .selectFrom('changes')
          .select('modseq')
          .where('account_id', '=', env.alice.id)
          .where('modseq', op, m1)
          .execute()
      ).length;
    const after = await logRows('>');
    assert.ok((await pruneHistory(db, cutoff)) > 2);
    assert.equal(await tombstoneHorizon(db, env.alice.id), m1);
    assert.equal(await logRows('<='), 0);
    assert.equal(await logRows('>'), after);
    assert.equal(await canCalculateChanges(db, env.alice.id, m0), false);
    assert.equal(await canCalculateChanges(db, env.alice.id, m1), true);
    // Bob's whole history (his folders made) is older too: his current state still answers.
    const bobNow = await accountModseq(db, env.bob.id);
    assert.equal(await canCalculateChanges(db, env.bob.id, bobNow), true);
    assert.equal(await canCalculateChanges(db, env.bob.id, 0), bobNow === 0);

    const b = await login(env);
    // From before the horizon: 2:3 and 5 are gone, and the server cannot tell more finely.
    const old = await b.cmd('q', `SELECT INBOX (QRESYNC (${uidValidity} ${m0}))`);
    assert.match(old, /^\* VANISHED \(EARLIER\) 2:3,5\r\n/m);
    assert.match(old, /^q OK/m);
    // known-uids limits the answer to what the client may hold.
    const known = await b.cmd('q2', `SELECT INBOX (QRESYNC (${uidValidity} ${m0} 3:6))`);
    assert.match(known, /^\* VANISHED \(EARLIER\) 3,5\r\n/m);
    // At the horizon the tombstones kept are exact: only 5.
    const exact = await b.cmd('q3', `SELECT INBOX (QRESYNC (${uidValidity} ${m1}))`);
    assert.match(exact, /^\* VANISHED \(EARLIER\) 5\r\n/m);
    const f = await b.cmd('f', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${m0} VANISHED)`);
    assert.match(f, /^\* VANISHED \(EARLIER\) 2:3,5\r\n/m);
    // The flag set before the horizon is still reported, though its log row is gone.
    assert.match(f, /^\* \d+ FETCH \([^\r]*UID 4\b[^\r]*\\Flagged/m);
    await b.cmd('z', 'LOGOUT');
    b.close();
    // Pruning again changes nothing; the horizon never goes down.
    assert.equal(await pruneHistory(db, cutoff), 0);
    assert.equal(await tombstoneHorizon(db, env.alice.id), m1);
  });
});
