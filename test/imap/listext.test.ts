// LIST-EXTENDED and subscriptions over real sockets, on both stores: unknown options and a
// lone RECURSIVEMATCH are BAD (RFC 5258 §3); RECURSIVEMATCH names a parent whose
// subscribed child the pattern misses, with CHILDINFO (RFC 9051 §6.3.9.6); a deleted
// mailbox stays subscribed and is listed \NonExistent (RFC 3501 §6.3.6, RFC 5258 §3.1) until
// unsubscribed or made again; LSUB "%" names the unsubscribed parent of a subscribed
// mailbox \Noselect (RFC 3501 §6.3.9).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

/** The untagged lines of a LIST or LSUB answer, without the "* " prefix. */
function lines(text: string, verb = 'LIST'): string[] {
  return text
    .split('\r\n')
    .filter((l) => l.startsWith(`* ${verb} `))
    .map((l) => l.slice(2));
}

forEachStore('IMAP LIST-EXTENDED and subscriptions', (kind) => {
  let env: ImapTestEnv;
  let c: RawImap;
  before(async () => {
    env = await imapEnv(kind);
    c = await RawImap.open(env.doors.ports.imaps);
    assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
    for (const name of ['T/a', 'T/b/c', 'T/d/e'])
      assert.match(await c.cmd('c', `CREATE ${name}`), /^c OK/m);
    // Created mailboxes are subscribed (RFC 9051 §6.3.4 allows it): take some back.
    for (const name of ['T', 'T/b', 'T/d', 'T/d/e'])
      assert.match(await c.cmd('u', `UNSUBSCRIBE ${name}`), /^u OK/m);
  });
  after(async () => {
    c.close();
    await env.close();
  });

  test('unknown options and RECURSIVEMATCH alone are BAD', async () => {
    assert.match(await c.cmd('a', 'LIST (IMAPTEST) "" "*"'), /^a BAD/m);
    assert.match(await c.cmd('b', 'LIST (RECURSIVEMATCH) "" "*"'), /^b BAD/m);
    assert.match(await c.cmd('c', 'LIST (RECURSIVEMATCH REMOTE) "" "*"'), /^c BAD/m);
    assert.match(await c.cmd('d', 'LIST "" "*" RETURN (IMAPTEST)'), /^d BAD/m);
    assert.match(await c.cmd('e', 'LIST (REMOTE) "" "T"'), /^e OK/m);
  });

  test('RECURSIVEMATCH: a parent with a subscribed child the pattern misses gets CHILDINFO', async () => {
    const r = await c.cmd('a', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "T/%" RETURN (CHILDREN)');
    assert.deepEqual(lines(r), [
      'LIST (\\HasNoChildren \\Subscribed) "/" "T/a"',
      'LIST (\\HasChildren) "/" "T/b" ("CHILDINFO" ("SUBSCRIBED"))',
    ]);
    // Without RECURSIVEMATCH only the subscribed names; with a pattern that reaches the
    // child, no CHILDINFO (it would be redundant, §6.3.9.6).
    assert.deepEqual(lines(await c.cmd('b', 'LIST (SUBSCRIBED) "" "T/%"')), [
      'LIST (\\HasNoChildren \\Subscribed) "/" "T/a"',
    ]);
    assert.deepEqual(lines(await c.cmd('c', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "T/b*"')), [
      'LIST (\\HasNoChildren \\Subscribed) "/" "T/b/c"',
    ]);
    // RETURN (SUBSCRIBED) tells the state of every listed mailbox.
    assert.deepEqual(lines(await c.cmd('d', 'LIST "" "T/%" RETURN (SUBSCRIBED)')), [
      'LIST (\\HasNoChildren \\Subscribed) "/" "T/a"',
      'LIST (\\HasChildren) "/" "T/b"',
      'LIST (\\HasChildren) "/" "T/d"',
    ]);
  });

  test('LSUB "%" names the unsubscribed parent of a subscribed mailbox \\Noselect', async () => {
    assert.deepEqual(lines(await c.cmd('a', 'LSUB "" "T/%"'), 'LSUB'), [
      'LSUB () "/" "T/a"',
      'LSUB (\\Noselect) "/" "T/b"',
    ]);
    assert.deepEqual(lines(await c.cmd('b', 'LSUB "" "T/*"'), 'LSUB'), [
      'LSUB () "/" "T/a"',
      'LSUB () "/" "T/b/c"',
    ]);
  });

  test('a deleted mailbox stays subscribed, \\NonExistent, until unsubscribed or made again', async () => {
    assert.match(await c.cmd('c', 'CREATE Gone'), /^c OK/m);
    assert.match(await c.cmd('d', 'DELETE Gone'), /^d OK/m);
    assert.deepEqual(lines(await c.cmd('a', 'LIST (SUBSCRIBED) "" "Gone"')), [
      'LIST (\\NonExistent \\Subscribed) "/" "Gone"',
    ]);
    assert.deepEqual(lines(await c.cmd('b', 'LIST "" "Gone"')), []);
    assert.deepEqual(lines(await c.cmd('l', 'LSUB "" "Gone"'), 'LSUB'), [
      'LSUB (\\Noselect) "/" "Gone"',
    ]);
    // Made again: the same name is an ordinary subscribed mailbox.
    assert.match(await c.cmd('c2', 'CREATE Gone'), /^c2 OK/m);
    assert.deepEqual(lines(await c.cmd('e', 'LIST (SUBSCRIBED) "" "Gone"')), [
      'LIST (\\HasNoChildren \\Subscribed) "/" "Gone"',
    ]);
    // Deleted again and unsubscribed by name: gone from the list; unsubscribing a name
    // nobody subscribed is not an error (RFC 9051 §6.3.8).
    assert.match(await c.cmd('d2', 'DELETE Gone'), /^d2 OK/m);
    assert.match(await c.cmd('u', 'UNSUBSCRIBE Gone'), /^u OK/m);
    assert.deepEqual(lines(await c.cmd('f', 'LIST (SUBSCRIBED) "" "Gone"')), []);
    assert.match(await c.cmd('u2', 'UNSUBSCRIBE Never/Was'), /^u2 OK/m);
  });
});
