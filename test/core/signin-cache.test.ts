// Remembered successful password checks (core/passwords.ts) never outlive what they stand
// for: a new password, a disabled account or a revoked app password counts at the next
// sign-in, over a real IMAP door and through core alike, on both stores.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate, setDisabled, setPassword } from '../../src/core/accounts.ts';
import { verifyPassword, hashPassword } from '../../src/core/passwords.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from '../imap/setup.ts';

async function imapLogin(env: ImapTestEnv, password: string): Promise<string> {
  const c = await RawImap.open(env.doors.ports.imaps);
  try {
    return await c.cmd('l', `LOGIN bob@test.example "${password}"`);
  } finally {
    c.close();
  }
}

test('a remembered success is keyed by the stored hash and the password', async () => {
  const phc = await hashPassword('Ministry-2026-load-test');
  assert.equal(await verifyPassword('Ministry-2026-load-test', phc), true);
  assert.equal(await verifyPassword('Ministry-2026-load-test', phc), true);
  assert.equal(await verifyPassword('Ministry-2026-load-tesT', phc), false);
  // The same password against another hash of it is checked afresh, and still matches.
  const other = await hashPassword('Ministry-2026-load-test');
  assert.equal(await verifyPassword('Ministry-2026-load-test', other), true);
  assert.equal(await verifyPassword('wrong-horse-battery', other), false);
});

forEachStore('remembered sign-ins', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
  });
  after(async () => env.close());

  test('a new password or a disabled account counts at once', async () => {
    assert.match(await imapLogin(env, PASSWORD), /^l OK/m);
    assert.match(await imapLogin(env, PASSWORD), /^l OK/m); // now remembered
    await setPassword(env.core, 'bob@test.example', 'Vientiane-river-2026');
    assert.match(await imapLogin(env, PASSWORD), /^l NO \[AUTHENTICATIONFAILED\]/m);
    assert.ok(await authenticate(env.core, 'bob@test.example', 'Vientiane-river-2026'));
    assert.match(await imapLogin(env, 'Vientiane-river-2026'), /^l OK/m);
    await setDisabled(env.core, 'bob@test.example', true);
    assert.match(await imapLogin(env, 'Vientiane-river-2026'), /^l NO/m);
    assert.equal(await authenticate(env.core, 'bob@test.example', 'Vientiane-river-2026'), null);
    await setDisabled(env.core, 'bob@test.example', false);
    assert.match(await imapLogin(env, 'Vientiane-river-2026'), /^l OK/m);
  });
});
