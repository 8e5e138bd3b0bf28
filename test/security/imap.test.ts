// Sign-in security at a real door: imapflow against the IMAP door. A temporary password is
// refused with an ALERT saying what to do; with TOTP on, the main password is refused and an
// app password signs in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { forEachStore } from '../helpers/stores.ts';
import { setPassword } from '../../src/core/accounts.ts';
import { createAppPassword } from '../../src/core/apppasswords.ts';
import { beginTotp, confirmTotp } from '../../src/core/totp.ts';
import { base32Decode, totp } from '../../src/mail/totp.ts';
import { imapEnv, PASSWORD, type ImapTestEnv } from '../imap/setup.ts';

forEachStore('sign-in security at the IMAP door', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
  });
  after(() => env.close());

  const login = async (user: string, pass: string): Promise<string | null> => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: env.doors.ports.imaps,
      secure: true,
      auth: { user, pass },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    try {
      await c.connect();
      await c.logout();
      return null;
    } catch (err) {
      c.close();
      const e = err as { responseText?: string; message: string };
      return e.responseText ?? e.message;
    }
  };

  test('a temporary password is refused with a clear message', async () => {
    await setPassword(env.core, 'bob@test.example', 'temporary-pass-1', { temporary: true });
    const why = await login('bob@test.example', 'temporary-pass-1');
    assert.match(why ?? '', /must be changed/);
  });

  test('with TOTP on, only an app password signs in', async () => {
    const a = env.alice;
    assert.equal(await login(a.email, PASSWORD), null, 'before TOTP the password works');
    const { secret } = await beginTotp(env.core, a.id);
    await confirmTotp(env.core, a.id, totp(base32Decode(secret)!, Date.now()));
    assert.match((await login(a.email, PASSWORD)) ?? '', /app password/);
    const app = await createAppPassword(env.core, a.id, 'imapflow');
    assert.equal(await login(a.email, app.password), null);
  });
});
