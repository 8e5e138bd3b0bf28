// The web app's sign-in and account routes over HTTPS: a session cookie that opens JMAP,
// the forced password change, two-step sign-in with a code, sessions listed and revoked,
// sign-out, and the refusals (wrong password audited, foreign Origin, blocked address).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDomain } from '../../src/core/domains.ts';
import { addUser, setPassword } from '../../src/core/accounts.ts';
import { listAudit } from '../../src/core/audit.ts';
import { startHttp } from '../../src/http/server.ts';
import { base32Decode, totp } from '../../src/mail/totp.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { call, type Reply } from './client.ts';

const PASSWORD = 'correct-horse-battery';

forEachStore('web sign-in and account routes', (kind) => {
  test(`web sign-in, forced change, TOTP, sessions, sign-out`, async () => {
    let now = Date.now();
    const h = await makeCore(kind);
    await addDomain(h.core, 'test.example');
    await addUser(h.core, { email: 'noy@test.example', password: 'first-Temp-2026' });
    await setPassword(h.core, 'noy@test.example', 'first-Temp-2026', { temporary: true });
    const doors = await startHttp(h.core, await testCert(), { clock: () => now });
    const port = doors.ports.https;
    const json = (method: string, path: string, body: unknown, cookie?: string): Promise<Reply> =>
      call(port, path, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(cookie ? { cookie } : {}),
        },
        body: JSON.stringify(body),
      });
    const get = (path: string, cookie: string): Promise<Reply> =>
      call(port, path, { headers: { cookie } });
    const cookieFrom = (r: Reply): string => {
      const set = r.headers['set-cookie'];
      const line = Array.isArray(set) ? set[0]! : String(set);
      assert.match(line, /HttpOnly/);
      assert.match(line, /Secure/);
      assert.match(line, /SameSite=Strict/);
      return line.split(';')[0]!;
    };
    try {
      // A wrong password: 401 with a reason, no cookie, and an audit row.
      let r = await json('POST', '/api/session', { email: 'noy@test.example', password: 'nope' });
      assert.equal(r.status, 401);
      assert.equal((r.json() as { reason: string }).reason, 'invalid');
      assert.equal(r.headers['set-cookie'], undefined);
      const audit = await listAudit(h.core, { action: 'signin.failure' });
      assert.ok(audit.some((e) => e.target === 'noy@test.example'));

      // The temporary password signs in, but only the password change is open.
      r = await json('POST', '/api/session', {
        email: 'noy@test.example',
        password: 'first-Temp-2026',
      });
      assert.equal(r.status, 200);
      const cookie = cookieFrom(r);
      assert.equal((r.json() as { mustChangePassword: boolean }).mustChangePassword, true);
      r = await get('/jmap/session', cookie);
      assert.equal(r.status, 403);
      r = await json(
        'POST',
        '/api/account/password',
        { current: 'first-Temp-2026', password: 'short' },
        cookie,
      );
      assert.equal(r.status, 400);
      assert.equal((r.json() as { errors: { field: string }[] }).errors[0]!.field, 'password');
      r = await json(
        'POST',
        '/api/account/password',
        { current: 'first-Temp-2026', password: PASSWORD },
        cookie,
      );
      assert.equal(r.status, 204);
      r = await get('/jmap/session', cookie);
      assert.equal(r.status, 200, 'the same session opens JMAP after the change');
      assert.ok((r.json() as { username: string }).username === 'noy@test.example');

      // A request with the cookie from another site's page is refused.
      r = await call(port, '/api/account/totp', {
        method: 'POST',
        headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(r.status, 403);

      // Two-step sign-in: enrol with a code from the secret, then sign in with a code.
      r = await json('POST', '/api/account/totp', {}, cookie);
      assert.equal(r.status, 200);
      const { secret, uri } = r.json() as { secret: string; uri: string };
      assert.match(uri, /^otpauth:\/\/totp\//);
      const key = base32Decode(secret)!;
      r = await json('POST', '/api/account/totp/confirm', { code: totp(key, now) }, cookie);
      assert.equal(r.status, 200);
      const { recoveryCodes } = r.json() as { recoveryCodes: string[] };
      assert.equal(recoveryCodes.length, 10);

      r = await json('POST', '/api/session', { email: 'noy@test.example', password: PASSWORD });
      assert.equal(r.status, 401);
      assert.equal((r.json() as { reason: string }).reason, 'totp_required');
      now += 30_000; // the code of the enrolment step may not be used twice (RFC 6238 §5.2)
      r = await json('POST', '/api/session', {
        email: 'noy@test.example',
        password: PASSWORD,
        code: totp(key, now),
      });
      assert.equal(r.status, 200);
      const second = cookieFrom(r);
      assert.equal((r.json() as { totp: boolean }).totp, true);

      // Both sessions listed; the first revoked from the second; it no longer opens JMAP.
      r = await get('/api/account/sessions', second);
      const sessions = r.json() as { id: string; current: boolean }[];
      assert.equal(sessions.length, 2);
      const other = sessions.find((s) => !s.current)!;
      r = await call(port, `/api/account/sessions/${other.id}`, {
        method: 'DELETE',
        headers: { cookie: second },
      });
      assert.equal(r.status, 204);
      r = await get('/jmap/session', cookie);
      assert.equal(r.status, 401);
      assert.equal(r.headers['www-authenticate'], undefined, 'no browser password dialog');

      // Sign out: the cookie is cleared and the session is gone.
      r = await call(port, '/api/session', { method: 'DELETE', headers: { cookie: second } });
      assert.equal(r.status, 204);
      assert.match(String(r.headers['set-cookie']), /Max-Age=0/);
      r = await get('/api/session', second);
      assert.equal(r.status, 401);
    } finally {
      await doors.close();
      await h.close();
    }
  });

  test(`sign-in refused after repeated failures from one address`, async () => {
    const h = await makeCore(kind);
    await addDomain(h.core, 'test.example');
    await addUser(h.core, { email: 'kham@test.example', password: PASSWORD });
    const doors = await startHttp(h.core, await testCert());
    try {
      let last = 0;
      for (let i = 0; i < 12; i++) {
        const r = await call(doors.ports.https, '/api/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `nobody${i}@test.example`, password: 'wrong' }),
        });
        last = r.status;
      }
      assert.equal(last, 429);
      const r = await call(doors.ports.https, '/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'kham@test.example', password: PASSWORD }),
      });
      assert.equal(r.status, 429, 'even the right password waits while the address is blocked');
    } finally {
      await doors.close();
      await h.close();
    }
  });
});
