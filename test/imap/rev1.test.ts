// IMAP4rev1 behaviour over real sockets, on both stores, as several sessions see it:
// \Recent belongs to exactly one session (RFC 3501 §2.3.2) — the first read-write SELECT or
// the selected session that notices new mail —, EXAMINE and STATUS leave it (§6.3.2), SEARCH
// RECENT/NEW/OLD read it; a keyword is announced in FLAGS and PERMANENTFLAGS before a FETCH
// names it (§7.2.6); SELECT tells the first unseen message; a mailbox made again under a
// deleted one's name gets a new UIDVALIDITY (§2.3.1.1); the first CONDSTORE-enabling command
// returns HIGHESTMODSEQ (RFC 7162 §3.1); ESEARCH MIN/MAX carry their own MODSEQ (RFC 4731
// §3.2); MOVE into the selected mailbox renumbers (RFC 6851 §3.3).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

function msg(subject: string): Buffer {
  return Buffer.from(`From: bob@test.example\r\nSubject: ${subject}\r\n\r\nbody ${subject}\r\n`);
}

function code(text: string, name: string): number {
  const m = new RegExp(`\\[${name} (\\d+)\\]`).exec(text);
  assert.ok(m, `${name} in ${text}`);
  return Number(m[1]);
}

function searchHits(text: string): number[] {
  const m = /^\* SEARCH([\d ]*)\r\n/m.exec(text);
  assert.ok(m, `SEARCH in ${text}`);
  return m[1]!.trim() ? m[1]!.trim().split(' ').map(Number) : [];
}

forEachStore('IMAP4rev1 state: \\Recent, FLAGS, UIDVALIDITY, CONDSTORE', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
  });
  after(async () => env.close());

  async function login(user = 'alice@test.example'): Promise<RawImap> {
    const c = await RawImap.open(env.doors.ports.imaps);
    assert.match(await c.cmd('l', `LOGIN ${user} ${PASSWORD}`), /^l OK/m);
    return c;
  }

  test('\\Recent: EXAMINE and STATUS leave it, the first SELECT takes it, nobody else has it', async () => {
    const a = await login();
    assert.match(await a.cmd('c', 'CREATE Recent1'), /^c OK/m);
    for (const s of ['r1', 'r2'])
      assert.match(await a.cmd('a', `APPEND Recent1 {${msg(s).length}+}\r\n${msg(s)}`), /^a OK/m);
    const ex = await a.cmd('e', 'EXAMINE Recent1');
    assert.match(ex, /^\* 2 EXISTS\r\n\* 2 RECENT\r\n/m);
    assert.match(ex, /^\* OK \[UNSEEN 1\]/m);
    assert.match(ex, /^\* OK \[PERMANENTFLAGS \(\)\]/m);
    assert.deepEqual(searchHits(await a.cmd('s', 'SEARCH RECENT')), [1, 2]);
    assert.match(await a.cmd('c2', 'CLOSE'), /^c2 OK/m);
    assert.match(await a.cmd('st', 'STATUS Recent1 (RECENT MESSAGES)'), /RECENT 2 MESSAGES 2\)/);

    const b = await login();
    const sel = await b.cmd('s', 'SELECT Recent1');
    assert.match(sel, /^\* 2 RECENT\r\n/m);
    assert.match(await b.cmd('st', 'STATUS Recent1 (RECENT)'), /RECENT 0\)/);
    // Another session selecting now sees nothing recent, and SEARCH agrees in both.
    const c = await login();
    assert.match(await c.cmd('s', 'SELECT Recent1'), /^\* 0 RECENT\r\n/m);
    assert.deepEqual(searchHits(await c.cmd('r', 'SEARCH RECENT')), []);
    assert.deepEqual(searchHits(await c.cmd('o', 'SEARCH OLD')), [1, 2]);
    assert.deepEqual(searchHits(await b.cmd('r', 'SEARCH RECENT')), [1, 2]);
    assert.deepEqual(searchHits(await b.cmd('o', 'SEARCH OLD')), []);
    // FETCH FLAGS shows \Recent in the session that has it, and only there.
    assert.match(await b.cmd('ff', 'FETCH 1:2 (FLAGS)'), /^\* 1 FETCH \(FLAGS \(\\Recent\)\)/m);
    assert.match(await c.cmd('ff', 'FETCH 1:2 (FLAGS)'), /^\* 1 FETCH \(FLAGS \(\)\)/m);
    // A keyword another session sets is named in FLAGS before a FETCH shows it.
    assert.match(await c.cmd('kw', 'STORE 2 +FLAGS.SILENT ($Budget2027)'), /^kw OK/m);
    const fetched = await b.cmd('fk', 'FETCH 2 (FLAGS)');
    const announced = fetched.search(/^\* FLAGS \([^)]*\$Budget2027/im);
    const shown = fetched.search(/^\* 2 FETCH \(FLAGS \([^)]*\$Budget2027/im);
    assert.ok(announced >= 0 && shown > announced, fetched);
    // NEW is RECENT and not \Seen.
    assert.match(await b.cmd('f', 'STORE 1 +FLAGS (\\Seen)'), /FLAGS \(\\Recent \\Seen\)/);
    assert.deepEqual(searchHits(await b.cmd('n', 'SEARCH NEW')), [2]);
    assert.match(await c.cmd('n0', 'NOOP'), /^\* 1 FETCH \(UID 1 FLAGS \(\\Seen\)\)/m);

    // New mail: the selected session that notices it first takes it, with EXISTS and RECENT.
    await ingest(env.core, msg('r3'), [{ accountId: env.alice.id, mailbox: 'Recent1' }]);
    const seen = await c.cmd('n1', 'NOOP');
    assert.match(seen, /^\* 3 EXISTS\r\n\* 1 RECENT\r\n/m);
    const later = await b.cmd('n1', 'NOOP');
    assert.match(later, /^\* 3 EXISTS\r\n\* 2 RECENT\r\n/m);
    assert.deepEqual(searchHits(await c.cmd('r2', 'SEARCH RECENT')), [3]);
    assert.deepEqual(searchHits(await b.cmd('r2', 'SEARCH RECENT')), [1, 2]);
    // IMAP4rev2 has no \Recent: no RECENT response, no \Recent flag.
    const d = await login();
    await d.cmd('e', 'ENABLE IMAP4rev2');
    await ingest(env.core, msg('r4'), [{ accountId: env.alice.id, mailbox: 'Recent1' }]);
    const rev2 = await d.cmd('s', 'SELECT Recent1');
    assert.doesNotMatch(rev2, /RECENT|UNSEEN/);
    assert.match(
      await d.cmd('f', 'STORE 4 +FLAGS (\\Flagged)'),
      /^\* 4 FETCH \(FLAGS \(\\Flagged\)\)/m,
    );
    for (const x of [a, b, c, d]) x.close();
  });

  test('a new keyword is announced in FLAGS and PERMANENTFLAGS before a FETCH names it', async () => {
    await ingest(env.core, msg('k1'), [{ accountId: env.bob.id, keywords: ['$label1'] }]);
    const a = await login('bob@test.example');
    const sel = await a.cmd('s', 'SELECT INBOX');
    assert.match(sel, /^\* FLAGS \(\\Seen \\Flagged \\Answered \\Draft \\Deleted \$label1\)\r\n/m);
    assert.match(sel, /^\* OK \[PERMANENTFLAGS \([^)]*\$label1 \\\*\)\]/m);
    const b = await login('bob@test.example');
    await b.cmd('s', 'SELECT INBOX');
    const st = await a.cmd('f', 'STORE 1 +FLAGS ($Project)');
    assert.match(
      st,
      /^\* FLAGS \([^)]*\$label1 \$project\)\r\n\* OK \[PERMANENTFLAGS \([^)]*\$project \\\*\)\][^\r]*\r\n\* 1 FETCH \(FLAGS \([^)]*\$project\)\)/m,
    );
    // The other session learns the keyword from FLAGS before the FETCH that carries it.
    const upd = await b.cmd('n', 'NOOP');
    assert.match(
      upd,
      /^\* FLAGS \([^)]*\$project\)\r\n\* OK \[PERMANENTFLAGS[^\r]*\r\n\* 1 FETCH \(UID 1 FLAGS \([^)]*\$project\)\)/m,
    );
    // A keyword already announced is not announced again.
    assert.doesNotMatch(await a.cmd('f2', 'STORE 1 -FLAGS ($Project)'), /^\* FLAGS/m);
    a.close();
    b.close();
  });

  test('a mailbox deleted and made again at once gets another UIDVALIDITY', async () => {
    const a = await login();
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      assert.match(await a.cmd('c', 'CREATE Again'), /^c OK/m);
      const st = await a.cmd('s', 'STATUS Again (UIDVALIDITY)');
      const v = Number(/UIDVALIDITY (\d+)/.exec(st)![1]);
      assert.ok(!seen.has(v), `UIDVALIDITY ${v} given twice`);
      seen.add(v);
      assert.match(await a.cmd('d', 'DELETE Again'), /^d OK/m);
    }
    a.close();
  });

  test('the first CONDSTORE-enabling command returns HIGHESTMODSEQ; MIN/MAX carry their MODSEQ', async () => {
    for (const s of ['m1', 'm2', 'm3'])
      await ingest(env.core, msg(s), [{ accountId: env.alice.id, role: 'drafts' }]);
    const a = await login();
    await a.cmd('s', 'SELECT Drafts');
    const f = await a.cmd('f', 'FETCH 1 (MODSEQ)');
    const highest = code(f, 'HIGHESTMODSEQ');
    assert.ok(highest > 0);
    // Only the first one.
    assert.doesNotMatch(await a.cmd('f2', 'FETCH 1 (MODSEQ)'), /HIGHESTMODSEQ/);
    const mod: number[] = [];
    for (const n of [1, 3, 2]) {
      const r = await a.cmd('t', `STORE ${n} +FLAGS (\\Seen)`);
      mod[n] = Number(new RegExp(`^\\* ${n} FETCH \\(.*MODSEQ \\((\\d+)\\)`, 'm').exec(r)![1]);
    }
    const min = await a.cmd('a', `SEARCH RETURN (MIN) 1:3 MODSEQ ${highest + 1}`);
    assert.match(min, new RegExp(`^\\* ESEARCH \\(TAG "a"\\) MIN 1 MODSEQ ${mod[1]}\\r\\n`, 'm'));
    const max = await a.cmd('b', `SEARCH RETURN (MAX) 1:3 MODSEQ ${highest + 1}`);
    assert.match(max, new RegExp(`^\\* ESEARCH \\(TAG "b"\\) MAX 3 MODSEQ ${mod[3]}\\r\\n`, 'm'));
    const all = await a.cmd('c', `SEARCH RETURN (ALL) 1:3 MODSEQ ${highest + 1}`);
    assert.match(all, new RegExp(`ALL 1:3 MODSEQ ${mod[2]}\\r\\n`));
    a.close();
  });

  test('MOVE into the selected mailbox: new UID, EXPUNGE, EXISTS; keywords and date kept', async () => {
    const a = await login();
    assert.match(await a.cmd('c', 'CREATE Same'), /^c OK/m);
    const m = msg('same');
    await a.cmd('a', `APPEND Same (\\Flagged) "01-Feb-2024 10:00:00 +0000" {${m.length}+}\r\n${m}`);
    await a.cmd('a2', `APPEND Same {${m.length}+}\r\n${m}`);
    const sel = await a.cmd('s', 'SELECT Same');
    const validity = code(sel, 'UIDVALIDITY');
    const moved = await a.cmd('m', 'MOVE 1 Same');
    assert.match(
      moved,
      new RegExp(
        `^\\* OK \\[COPYUID ${validity} 1 3\\][^\\r]*\\r\\n\\* 1 EXPUNGE\\r\\n\\* 2 EXISTS\\r\\n`,
        'm',
      ),
    );
    const f = await a.cmd('f', 'FETCH 1:* (UID FLAGS INTERNALDATE)');
    assert.match(f, /^\* 1 FETCH \(UID 2 /m);
    assert.match(
      f,
      /^\* 2 FETCH \(UID 3 FLAGS \([^)]*\\Flagged\) INTERNALDATE "01-Feb-2024 10:00:00 \+0000"\)/m,
    );
    assert.match(await a.cmd('st', 'STATUS Same (MESSAGES)'), /MESSAGES 2\)/);
    a.close();
  });
});
