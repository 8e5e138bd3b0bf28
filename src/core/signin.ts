// Sign-in for every door: one decision, so IMAP, POP3, SMTP submission, HTTP and DAV agree.
// - Protocol doors (anything but 'web'): the account's password, or one of its app passwords.
//   With TOTP on, ONLY app passwords: the main password is refused with
//   'app_password_required'. While `must_change_password` is set, the main password is refused
//   with 'must_change_password' (the user changes it on the web first).
// - The web ('web'): the main password, then (TOTP on) a code from the app or a recovery code;
//   without a code the answer is 'totp_required'. `mustChangePassword` is returned so the web
//   can demand a new password before anything else.
// Invariants: an unknown address, a disabled account, a wrong password and a locked account
// get the same 'invalid' answer and cost one Argon2id check each (no oracle, core/lockout.ts);
// every refusal is audited (core/signinaudit.ts); wrong passwords and wrong codes count
// towards the account's lockout; answers that follow a right password do not.
import type { Account } from '../store/schema.ts';
import type { Core } from './core.ts';
import { getAccount } from './accounts.ts';
import { hasAppPasswords, matchAppPassword } from './apppasswords.ts';
import { isLocked, recordFailure, recordSuccess } from './lockout.ts';
import { PHC_PREFIX, verifyPassword } from './passwords.ts';
import { auditSignInFailure } from './signinaudit.ts';
import { totpEnabled, useRecoveryCode, verifyTotp } from './totp.ts';

/** Which door asks: 'web' is the web app's login; every other door is a protocol door. */
export type SignInDoor = 'imap' | 'pop3' | 'smtp' | 'http' | 'dav' | 'web' | 'other';

export interface SignInRequest {
  email: string;
  password: string;
  door: SignInDoor;
  ip?: string | undefined;
  /** Web only: a code from the authenticator app, or a recovery code. */
  code?: string | undefined;
  now?: number;
}

export type SignInFailure =
  'invalid' | 'must_change_password' | 'app_password_required' | 'totp_required' | 'totp_invalid';

export type SignInResult =
  | {
      ok: true;
      account: Account;
      /** The web must have the user choose a new password before anything else. */
      mustChangePassword: boolean;
      method: 'password' | 'app_password' | 'totp' | 'recovery_code';
    }
  | { ok: false; reason: SignInFailure; message: string };

/** The text each refusal shows the user (doors may word it for their protocol). */
export const SIGNIN_MESSAGES: Record<SignInFailure, string> = {
  invalid: 'Invalid user name or password',
  must_change_password:
    'Your password must be changed before mail apps can sign in: sign in on the web and choose a new one',
  app_password_required:
    'This account uses two-step sign-in: mail apps must use an app password (create one on the web)',
  totp_required: 'Enter the code from your authenticator app',
  totp_invalid: 'That code is not right; try the next one, or a recovery code',
};

// Costs exactly what a real hash of today's cost does (same PHC prefix).
const DUMMY_HASH = `${PHC_PREFIX}c29tZXNhbHRzb21lc2FsdA$Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI`;

function refuse(reason: SignInFailure): SignInResult {
  return { ok: false, reason, message: SIGNIN_MESSAGES[reason] };
}

export async function verifySignIn(core: Core, req: SignInRequest): Promise<SignInResult> {
  const now = req.now ?? Date.now();
  const a = await getAccount(core, req.email);
  const fail = async (
    reason: string,
    count: boolean,
    answer: SignInFailure = 'invalid',
  ): Promise<SignInResult> => {
    if (a && count) await recordFailure(core, a.id, now);
    await auditSignInFailure(
      core,
      { name: req.email, account: a, door: req.door, ip: req.ip, reason },
      now,
    );
    return refuse(answer);
  };
  if (!a) {
    await verifyPassword(req.password, DUMMY_HASH);
    return fail('invalid', false);
  }
  const locked = await isLocked(core, a.id, now);
  const web = req.door === 'web';
  // Protocol doors: an app password first (they are shaped so most passwords skip this).
  if (!web && !locked && !a.disabled && (await hasAppPasswords(core, a.id))) {
    if (await matchAppPassword(core, a.id, req.password, now)) {
      await recordSuccess(core, a.id);
      return { ok: true, account: a, mustChangePassword: false, method: 'app_password' };
    }
  }
  const right = await verifyPassword(req.password, a.password_hash);
  if (locked) return fail('locked', false);
  if (!right) return fail('invalid', !a.disabled);
  if (a.disabled) return fail('disabled', false);
  const totp = await totpEnabled(core, a.id);
  if (!web) {
    const why = totp
      ? 'app_password_required'
      : a.must_change_password
        ? 'must_change_password'
        : null;
    if (why) {
      await auditSignInFailure(
        core,
        { name: req.email, account: a, door: req.door, ip: req.ip, reason: why },
        now,
      );
      return refuse(why);
    }
  }
  let method: 'password' | 'totp' | 'recovery_code' = 'password';
  if (web && totp) {
    const code = req.code?.trim() ?? '';
    if (!code) return refuse('totp_required');
    if (await verifyTotp(core, a.id, code, now)) method = 'totp';
    else if (await useRecoveryCode(core, a.id, code, now)) method = 'recovery_code';
    else return fail('totp_invalid', true, 'totp_invalid');
  }
  await recordSuccess(core, a.id);
  return { ok: true, account: a, mustChangePassword: a.must_change_password === 1, method };
}
