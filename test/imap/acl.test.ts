// Shared mailboxes over IMAP ACL (RFC 4314) and the other users' namespace (RFC 2342), over
// raw TLS exchanges on both stores: alice shares "Projects" with bob, bob's rights decide what
// he may do there; and the per-account session limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { addMailbox } from '../../src/core/mailboxset.ts';
import { addUser } from '../../src/core/accounts.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

async function login(env: ImapTestEnv, user: string): Promise<RawImap> {
  const c = await RawImap.open(env.doors.ports.imaps);
  assert.match(await c.cmd('l', `LOGIN ${user}@test.example ${PASSWORD}`), /^l OK/m);
  return c;
}

/** LOGOUT, so the server has closed the session (and freed its slot) when this returns. */
async function bye(...cs: RawImap[]): Promise<void> {
  for (const c of cs) {
    await c.cmd('bye', 'LOGOUT');
    c.close();
  }
}

const SHARED = '"Other Users/alice@test.example/Projects"';

forEachStore('IMAP ACL and shared mailboxes', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind, { maxConnectionsPerAccount: 3 });
    await addMailbox(env.core, env.alice.id, 'Projects');
    await addUser(env.core, { email: 'carol@test.example', password: PASSWORD });
    const msg = Buffer.from(
      'From: carol@test.example\r\nTo: alice@test.example\r\nSubject: Plan\r\n\r\nsecret plan\r\n',
    );
    await ingest(env.core, msg, [{ accountId: env.alice.id, mailbox: 'Projects' }]);
  });
  after(async () => env.close());

  test('a grantee sees, reads and changes a shared mailbox as far as its rights go', async () => {
    const alice = await login(env, 'alice');
    const bob = await login(env, 'bob');
    assert.match(
      await bob.cmd('n', 'NAMESPACE'),
      /^\* NAMESPACE \(\("" "\/"\)\) \(\("Other Users\/" "\/"\)\) NIL\r\n/m,
    );
    assert.doesNotMatch(await bob.cmd('a', 'LIST "" "*"'), /Projects/);
    assert.match(await bob.cmd('a2', `SELECT ${SHARED}`), /^a2 NO \[NONEXISTENT\]/m);

    assert.match(await alice.cmd('s1', 'SETACL Projects bob@test.example lr'), /^s1 OK/m);
    const list = await bob.cmd('b', 'LIST "" "*"');
    assert.match(list, /^\* LIST \([^)]*\\Noselect[^)]*\) "\/" "Other Users"\r\n/m);
    assert.match(
      list,
      /^\* LIST \(\\HasNoChildren\) "\/" "Other Users\/alice@test.example\/Projects"\r\n/m,
    );
    assert.match(await bob.cmd('m', `MYRIGHTS ${SHARED}`), /^\* MYRIGHTS .+ lr\r\n/m);

    const sel = await bob.cmd('c', `SELECT ${SHARED}`);
    assert.match(sel, /^\* 1 EXISTS/m);
    assert.match(sel, /\[PERMANENTFLAGS \(\)\]/);
    const f = await bob.cmd('d', 'FETCH 1 (BODY[TEXT] FLAGS)');
    assert.match(f, /secret plan/);
    assert.match(f, /^d OK/m);
    // Without s the read leaves the message unseen for alice.
    const st = await alice.cmd('st', 'STATUS Projects (UNSEEN)');
    assert.match(st, /UNSEEN 1\)/);
    assert.match(await bob.cmd('e', 'STORE 1 +FLAGS (\\Seen)'), /^e NO \[NOPERM\]/m);
    assert.match(await bob.cmd('e2', `APPEND ${SHARED} {5+}\r\nhello`), /^e2 NO \[NOPERM\]/m);
    assert.match(
      await bob.cmd('e3', `SETACL ${SHARED} bob@test.example lrswi`),
      /^e3 NO \[NOPERM\]/m,
    );

    assert.match(await alice.cmd('s2', 'SETACL Projects bob@test.example +si'), /^s2 OK/m);
    assert.match(
      await bob.cmd('g', 'STORE 1 +FLAGS (\\Seen)'),
      /^\* 1 FETCH \(FLAGS \(\\Recent \\Seen\)\)/m, // bob's session saw it first
    );
    assert.match(await alice.cmd('st2', 'STATUS Projects (UNSEEN)'), /UNSEEN 0\)/);
    const msg = 'Subject: From bob\r\n\r\nhi\r\n';
    assert.match(
      await bob.cmd('h', `APPEND ${SHARED} {${msg.length}+}\r\n${msg}`),
      /^h OK \[APPENDUID \d+ 2\]/m,
    );
    assert.match(await bob.cmd('h2', 'EXPUNGE'), /^h2 NO \[NOPERM\]/m);

    const acl = await alice.cmd('i', 'GETACL Projects');
    assert.match(
      acl,
      /^\* ACL "Projects" "alice@test\.example" lrswipkxtecda "bob@test\.example" lrsi\r\n/m,
    );
    assert.match(
      await alice.cmd('j', 'LISTRIGHTS Projects bob@test.example'),
      /^\* LISTRIGHTS "Projects" "bob@test\.example" "" l r s w i p k x t e c d a\r\n/m,
    );
    assert.match(
      await alice.cmd('j2', 'LISTRIGHTS Projects alice@test.example'),
      /^\* LISTRIGHTS "Projects" "alice@test\.example" lrswipkxtecda\r\n/m,
    );
    // The obsolete d stands for x, t and e (RFC 4314 §2.1.1).
    assert.match(await alice.cmd('k', 'SETACL Projects bob@test.example +d'), /^k OK/m);
    assert.match(await bob.cmd('k2', `MYRIGHTS ${SHARED}`), /^\* MYRIGHTS .+ lrsixted\r\n/m);
    assert.match(await bob.cmd('k3', 'STORE 2 +FLAGS (\\Deleted)'), /^k3 OK/m);
    assert.match(await bob.cmd('k4', 'EXPUNGE'), /^\* 2 EXPUNGE\r\n[^]*^k4 OK/m);

    assert.match(await alice.cmd('x', 'DELETEACL Projects bob@test.example'), /^x OK/m);
    assert.doesNotMatch(await bob.cmd('y', 'LIST "" "*"'), /Projects/);
    assert.match(await bob.cmd('y2', 'FETCH 1 (FLAGS)'), /^y2 NO \[NOPERM\]/m);
    assert.match(await bob.cmd('z', `SELECT ${SHARED}`), /^z NO \[NONEXISTENT\]/m);
    assert.match(
      await alice.cmd('acl2', 'GETACL Projects'),
      /^\* ACL "Projects" "alice@test\.example" lrswipkxtecda\r\n/m,
    );
    await bye(alice, bob);
  });

  test('anyone, and a grantee with a may share further', async () => {
    const alice = await login(env, 'alice');
    const bob = await login(env, 'bob');
    assert.match(await alice.cmd('a', 'SETACL Projects anyone l'), /^a OK/m);
    assert.match(
      await bob.cmd('b', 'LIST "" "Other Users/*"'),
      /Other Users\/alice@test\.example\/Projects/,
    );
    assert.match(await bob.cmd('c', `SELECT ${SHARED}`), /^c NO \[NOPERM\]/m);
    assert.match(await bob.cmd('d', `GETACL ${SHARED}`), /^d NO \[NOPERM\]/m);
    assert.match(await alice.cmd('e', 'SETACL Projects bob@test.example lra'), /^e OK/m);
    assert.match(await bob.cmd('f', `SETACL ${SHARED} anyone -l`), /^f OK/m);
    assert.match(
      await alice.cmd('g', 'GETACL Projects'),
      /^\* ACL "Projects" "alice@test\.example" lrswipkxtecda "bob@test\.example" lra\r\n/m,
    );
    assert.match(await alice.cmd('h', 'SETACL Projects nobody@test.example lr'), /^h NO/m);
    assert.match(await alice.cmd('i', 'SETACL Projects bob@test.example lrq'), /^i NO/m);
    assert.match(await alice.cmd('j', 'DELETEACL Projects bob@test.example'), /^j OK/m);
    await bye(alice, bob);
  });

  test('negative rights take away what other grants give (RFC 4314 §2)', async () => {
    const alice = await login(env, 'alice');
    const bob = await login(env, 'bob');
    const carol = await login(env, 'carol');
    assert.match(await alice.cmd('a', 'SETACL Projects anyone lrsw'), /^a OK/m);
    assert.match(await bob.cmd('b', `MYRIGHTS ${SHARED}`), /^\* MYRIGHTS .+ lrsw\r\n/m);
    assert.match(await alice.cmd('c', 'SETACL Projects -bob@test.example sw'), /^c OK/m);
    assert.match(await bob.cmd('d', `MYRIGHTS ${SHARED}`), /^\* MYRIGHTS .+ lr\r\n/m);
    // Only bob is denied: carol still holds what anyone holds.
    assert.match(await carol.cmd('d2', `MYRIGHTS ${SHARED}`), /^\* MYRIGHTS .+ lrsw\r\n/m);
    assert.match(await bob.cmd('e', `SELECT ${SHARED}`), /\[PERMANENTFLAGS \(\)\]/);
    assert.match(await bob.cmd('f', 'STORE 1 +FLAGS (\\Flagged)'), /^f NO \[NOPERM\]/m);
    assert.match(
      await alice.cmd('g', 'GETACL Projects'),
      /^\* ACL "Projects" "alice@test\.example" lrswipkxtecda "anyone" lrsw "-bob@test\.example" sw\r\n/m,
    );
    assert.match(
      await alice.cmd('h', 'LISTRIGHTS Projects -bob@test.example'),
      /^\* LISTRIGHTS "Projects" "-bob@test\.example" "" l r s w i p k x t e c d a\r\n/m,
    );
    assert.match(
      await alice.cmd('h2', 'LISTRIGHTS Projects -alice@test.example'),
      /^\* LISTRIGHTS "Projects" "-alice@test\.example" ""\r\n/m,
    );
    assert.match(await alice.cmd('h3', 'SETACL Projects -alice@test.example w'), /^h3 NO/m);
    // Denying l hides the mailbox altogether, even from the selected session.
    assert.match(await alice.cmd('i', 'SETACL Projects -bob@test.example +lr'), /^i OK/m);
    assert.match(await bob.cmd('j', 'FETCH 1 (FLAGS)'), /^j NO \[NOPERM\]/m);
    assert.doesNotMatch(await bob.cmd('k', 'LIST "" "*"'), /Projects/);
    assert.match(await bob.cmd('k2', `MYRIGHTS ${SHARED}`), /^k2 NO \[NONEXISTENT\]/m);
    assert.match(await carol.cmd('k3', 'LIST "" "Other Users/*"'), /Projects/);
    // Removing the negative grant gives the rights back.
    assert.match(await alice.cmd('l', 'DELETEACL Projects -bob@test.example'), /^l OK/m);
    assert.match(await bob.cmd('m', `MYRIGHTS ${SHARED}`), /^\* MYRIGHTS .+ lrsw\r\n/m);
    assert.match(await alice.cmd('n', 'SETACL Projects -anyone w'), /^n OK/m);
    assert.match(await carol.cmd('o', `MYRIGHTS ${SHARED}`), /^\* MYRIGHTS .+ lrs\r\n/m);
    assert.match(await alice.cmd('p', 'DELETEACL Projects -anyone'), /^p OK/m);
    assert.match(await alice.cmd('q', 'DELETEACL Projects anyone'), /^q OK/m);
    await bye(alice, bob, carol);
  });

  test('sessions per account are limited, and a closed one frees its slot', async () => {
    const open = [await login(env, 'alice'), await login(env, 'alice'), await login(env, 'alice')];
    const extra = await RawImap.open(env.doors.ports.imaps);
    assert.match(await extra.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l NO \[LIMIT\]/m);
    // Another account is not affected.
    const bob = await login(env, 'bob');
    await open[0]!.cmd('o', 'LOGOUT');
    open[0]!.close();
    assert.match(await extra.cmd('l2', `LOGIN alice@test.example ${PASSWORD}`), /^l2 OK/m);
    // A dropped connection frees its slot too, once the server sees the close.
    open[1]!.close();
    let again: RawImap | null = null;
    for (let i = 0; i < 50 && !again; i++) {
      const c = await RawImap.open(env.doors.ports.imaps);
      if (/^l OK/m.test(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`))) again = c;
      else {
        c.close();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(again, 'a slot is free again after a disconnect');
    await bye(open[2]!, extra, bob, again);
  });
});
