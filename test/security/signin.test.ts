// Sign-in security on both stores: lockout with doubling backoff (injected clock), no oracle
// while locked, unlock by helpdesk (a user is refused), the password policy's messages, the
// forced change, TOTP replay and recovery codes, app passwords, sessions, and audit rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser, authenticate, changeOwnPassword, setPassword } from '../../src/core/accounts.ts';
import { listAudit } from '../../src/core/audit.ts';
import { performAdmin, grantRole } from '../../src/core/roles.ts';
import { lockoutState, unlockAccount } from '../../src/core/lockout.ts';
import { verifySignIn } from '../../src/core/signin.ts';
import { beginTotp, confirmTotp, verifyTotp } from '../../src/core/totp.ts';
import {
  createAppPassword,
  listAppPasswords,
  revokeAppPassword,
} from '../../src/core/apppasswords.ts';
import {
  createSession,
  listSessions,
  revokeAllSessions,
  revokeSession,
  sessionAccount,
} from '../../src/core/sessions.ts';
import { base32Decode, totp } from '../../src/mail/totp.ts';
import { ForbiddenError } from '../../src/util/errors.ts';

const PW = 'correct-horse-battery';
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const MIN = 60_000;

forEachStore('sign-in security', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  let n = 0;
  const newUser = async (): Promise<{ id: number; email: string }> => {
    const a = await addUser(core, { email: `u${++n}@test.example`, password: PW });
    return { id: a.id, email: a.email };
  };
  const web = (email: string, password: string, now: number, code?: string) =>
    verifySignIn(core, { email, password, door: 'web', ip: '192.0.2.7', now, code });

  before(async () => {
    const h = await makeCore(kind, { security: { lockoutThreshold: 3 } });
    core = h.core;
    close = h.close;
    await addDomain(core, 'test.example');
  });
  after(() => close());

  test('lockout after 3 failures, doubling 1, 2, 4 min; a right password is refused while locked', async () => {
    const u = await newUser();
    let now = T0;
    const lockOnce = async (): Promise<number> => {
      for (let i = 0; i < 3; i++)
        assert.equal((await web(u.email, 'wrong-password', now)).ok, false);
      return (await lockoutState(core, u.id))!.lockedUntil - now;
    };
    assert.equal(await lockOnce(), 1 * MIN);
    const locked = await web(u.email, PW, now + 30_000);
    const wrong = await web('nobody@test.example', PW, now + 30_000);
    assert.deepEqual(locked, wrong, 'locked looks exactly like an unknown address');
    now += MIN + 1;
    assert.ok((await web(u.email, PW, now)).ok, 'the lock ends by itself');
    assert.equal(await lockOnce(), 2 * MIN);
    now += 2 * MIN + 1;
    assert.equal(await lockOnce(), 4 * MIN);
    now += 2 * 24 * 60 * MIN; // a quiet day resets the doubling
    assert.equal(await lockOnce(), 1 * MIN);
  });

  test('unlock: helpdesk of the unit may, a plain user may not', async () => {
    const u = await newUser();
    const helper = await newUser();
    const plain = await newUser();
    await grantRole(core, helper.email, 'helpdesk', '/', 'test');
    for (let i = 0; i < 3; i++) await web(u.email, 'wrong-password', T0);
    const unlock = (actor: number) =>
      performAdmin(
        core,
        { kind: 'account', accountId: actor },
        'account.unlock',
        { email: u.email },
        () => unlockAccount(core, u.id),
      );
    await assert.rejects(unlock(plain.id), ForbiddenError);
    assert.equal((await web(u.email, PW, T0 + 1000)).ok, false, 'still locked');
    await unlock(helper.id);
    assert.ok((await web(u.email, PW, T0 + 2000)).ok, 'unlocked at once');
    const rows = await listAudit(core, { action: 'account.unlock' });
    assert.deepEqual(rows.map((r) => r.outcome).sort(), ['denied', 'ok']);
  });

  test('every failure is audited with door and address, repeats folded per minute', async () => {
    const u = await newUser();
    await verifySignIn(core, {
      email: u.email,
      password: 'nope-nope-1',
      door: 'imap',
      ip: '198.51.100.9',
      now: T0,
    });
    await verifySignIn(core, {
      email: u.email,
      password: 'nope-nope-2',
      door: 'imap',
      ip: '198.51.100.9',
      now: T0 + 1000,
    });
    await verifySignIn(core, {
      email: 'ghost@test.example',
      password: 'x',
      door: 'smtp',
      ip: '198.51.100.10',
      now: T0,
    });
    const rows = await listAudit(core, { action: 'signin.failure' });
    const mine = rows.filter((r) => r.target === u.email);
    assert.equal(mine.length, 1, 'one row for two failures in the same minute');
    assert.equal(mine[0]!.ip, '198.51.100.9');
    assert.equal(mine[0]!.outcome, 'denied');
    assert.deepEqual(mine[0]!.detail, { door: 'imap', reason: 'invalid', count: 2 });
    const ghost = rows.find((r) => r.actor === 'ghost@test.example');
    assert.equal(ghost?.detail.door, 'smtp');
  });

  test('password policy names the rule', async () => {
    const add = (email: string, password: string) => addUser(core, { email, password });
    await assert.rejects(add('p1@test.example', 'short'), /at least 10 characters/);
    await assert.rejects(add('p2@test.example', 'password123'), /most common passwords/);
    await assert.rejects(add('somchai@test.example', 'xx-Somchai-2026'), /user name/);
  });

  test('forced change: protocol doors refuse with a reason until the user changes it', async () => {
    const u = await newUser();
    await setPassword(core, u.email, 'temporary-pass-1', { temporary: true });
    const imap = await verifySignIn(core, {
      email: u.email,
      password: 'temporary-pass-1',
      door: 'imap',
    });
    assert.equal(imap.ok, false);
    assert.equal(!imap.ok && imap.reason, 'must_change_password');
    const w = await web(u.email, 'temporary-pass-1', T0);
    assert.ok(w.ok && w.mustChangePassword, 'the web signs in and demands a change');
    await changeOwnPassword(core, u.id, 'temporary-pass-1', 'my-own-choice-77');
    assert.ok(await authenticate(core, u.email, 'my-own-choice-77'));
  });

  test('TOTP: enrol, code needed on the web, a used code is refused, recovery code works once; app passwords for IMAP', async () => {
    const u = await newUser();
    const { secret, uri } = await beginTotp(core, u.id, T0);
    assert.match(uri, /^otpauth:\/\/totp\//);
    const key = base32Decode(secret)!;
    const recovery = await confirmTotp(core, u.id, totp(key, T0), T0);
    assert.equal(recovery.length, 10);
    const later = T0 + 5 * MIN;
    assert.equal((await web(u.email, PW, later)).ok, false);
    const noCode = await web(u.email, PW, later);
    assert.equal(!noCode.ok && noCode.reason, 'totp_required');
    const code = totp(key, later);
    assert.ok((await web(u.email, PW, later, code)).ok);
    const replay = await web(u.email, PW, later, code);
    assert.equal(!replay.ok && replay.reason, 'totp_invalid', 'a used step is refused');
    assert.equal(await verifyTotp(core, u.id, totp(key, later - 30_000), later), false);
    const r1 = await web(u.email, PW, later, recovery[0]);
    assert.ok(r1.ok && r1.method === 'recovery_code');
    assert.equal((await web(u.email, PW, later, recovery[0])).ok, false, 'only once');
    // Protocol doors: the main password no longer works; an app password does.
    const main = await verifySignIn(core, { email: u.email, password: PW, door: 'imap' });
    assert.equal(!main.ok && main.reason, 'app_password_required');
    const app = await createAppPassword(core, u.id, 'Thunderbird');
    const viaApp = await verifySignIn(core, {
      email: u.email,
      password: app.password,
      door: 'imap',
    });
    assert.ok(viaApp.ok && viaApp.method === 'app_password');
    assert.equal((await listAppPasswords(core, u.id))[0]?.label, 'Thunderbird');
    assert.ok(await revokeAppPassword(core, u.id, app.id));
    assert.equal(await authenticate(core, u.email, app.password), null);
  });

  test('sessions: create, use, list, revoke one and all', async () => {
    const u = await newUser();
    const s1 = await createSession(core, u.id, { ip: '192.0.2.1', userAgent: 'Firefox' }, T0);
    const s2 = await createSession(core, u.id, { ip: '192.0.2.2', userAgent: 'Chromium' }, T0);
    assert.equal((await sessionAccount(core, s1.token, T0 + 1000))?.id, u.id);
    assert.equal(await sessionAccount(core, `${u.id}.${'A'.repeat(43)}`, T0), null);
    const list = await listSessions(core, u.id);
    assert.deepEqual(list.map((s) => s.userAgent).sort(), ['Chromium', 'Firefox']);
    assert.ok(await revokeSession(core, u.id, s1.id));
    assert.equal(await sessionAccount(core, s1.token, T0 + 2000), null);
    const s3 = await createSession(core, u.id, {}, T0);
    assert.equal(await revokeAllSessions(core, u.id, s3.token), 1);
    assert.equal(await sessionAccount(core, s2.token, T0 + 3000), null);
    assert.equal((await sessionAccount(core, s3.token, T0 + 3000))?.id, u.id);
  });
});
