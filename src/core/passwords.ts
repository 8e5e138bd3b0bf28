// Password hashing with Argon2id (RFC 9106), using Node's built-in crypto.argon2, stored as
// a PHC string: $argon2id$v=19$m=19456,t=2,p=1$salt$hash. The cost is OWASP's recommended
// Argon2id setting (19 MiB, 2 passes, 1 lane): tens of milliseconds per hash, so a province's
// 1,500 accounts import in seconds and a login storm does not starve the server, while an
// offline guess still costs 19 MiB of memory. Verification reads the cost from the string,
// so changing it later keeps old hashes valid (hashes made with RFC 9106 §4's 64 MiB option
// by earlier versions still verify).
// Successful verifications are remembered for a while (like Dovecot's auth_cache), so a mail
// app that signs in for every check (IMAP, POP3, SMTP, HTTP Basic on every request) does not
// pay Argon2id each time. The key is an HMAC, under a secret made at start, of the stored
// hash and the password: nothing usable is kept, only successes are, and the stored hash is
// part of the key, so a password change (or a revoked app password) takes effect at once.
// Everything else a sign-in checks (disabled, locked, two-step) is checked on every sign-in
// by the callers (core/signin.ts). A wrong password always costs a full Argon2id check.
import { argon2, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { problem, type Problem } from '../util/problems.ts';
import { COMMON_PASSWORDS } from './commonpasswords.ts';

const MEMORY_KIB = 19456;
const PASSES = 2;
const PARALLELISM = 1;
const TAG = 32;

/** The PHC prefix of hashes made now (algorithm, version and cost). */
export const PHC_PREFIX = `$argon2id$v=19$m=${MEMORY_KIB},t=${PASSES},p=${PARALLELISM}$`;

function run(
  password: string,
  nonce: Buffer,
  memory: number,
  passes: number,
  parallelism: number,
  len: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      { message: password, nonce, memory, passes, parallelism, tagLength: len },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
  });
}

const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await run(password, salt, MEMORY_KIB, PASSES, PARALLELISM, TAG);
  return `${PHC_PREFIX}${b64(salt)}$${b64(hash)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const VERIFIED_MS = 15 * 60_000;
const VERIFIED_MAX = 10_000;
const verifiedSecret = randomBytes(32);
/** HMAC(stored hash, password) → when the remembered success expires. Oldest first. */
const verified = new Map<string, number>();

function verifiedKey(password: string, phc: string): string {
  return createHmac('sha256', verifiedSecret)
    .update(phc)
    .update('\0')
    .update(password)
    .digest('base64');
}

/** Whether `password` matches the PHC string `phc` (a remembered success, or Argon2id). */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const key = verifiedKey(password, phc);
  const until = verified.get(key);
  const now = Date.now();
  if (until !== undefined) {
    if (until > now) return true;
    verified.delete(key);
  }
  const ok = await argon2Matches(password, phc);
  if (ok) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(key, now + VERIFIED_MS);
  }
  return ok;
}

async function argon2Matches(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const [, mem, t, p, salt, hash] = m;
  const expected = Buffer.from(hash!, 'base64');
  const got = await run(
    password,
    Buffer.from(salt!, 'base64'),
    Number(mem),
    Number(t),
    Number(p),
    expected.length,
  );
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A random password for a new account: 16 characters, no look-alikes. */
export function generatePassword(length = 16): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

export interface PasswordPolicy {
  /** Shortest length accepted (config `security.passwordMinLength`, default 10). */
  minLength?: number;
  /** The account's address: a password containing its local part is refused. */
  email?: string;
}

/**
 * Why a password is refused, naming the rule, or null when it passes: at least `minLength`
 * characters, at most 1024, not one of the most common passwords, and not containing the
 * account's user name (the local part of its address, when 3 characters or longer).
 */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy = {}): Problem | null {
  const min = policy.minLength ?? 10;
  if ([...password].length < min) return problem('passwordTooShort', { min });
  if (password.length > 1024) return problem('passwordTooLong', { max: 1024 });
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return problem('passwordCommon');
  const local = (policy.email ?? '').split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && lower.includes(local)) return problem('passwordHasUserName');
  return null;
}
