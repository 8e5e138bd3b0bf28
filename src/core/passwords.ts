// Password hashing with Argon2id (RFC 9106), using Node's built-in crypto.argon2, stored as
// a PHC string: $argon2id$v=19$m=65536,t=3,p=4$salt$hash. The cost follows RFC 9106 §4's
// second recommended option (64 MiB memory); verification reads the cost from the string,
// so raising it later keeps old hashes valid.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

const MEMORY_KIB = 65536;
const PASSES = 3;
const PARALLELISM = 4;
const TAG = 32;

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
  return `$argon2id$v=19$m=${MEMORY_KIB},t=${PASSES},p=${PARALLELISM}$${b64(salt)}$${b64(hash)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
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

/** Minimal policy until the policy editor lands: length and not all one class. */
export function checkPasswordPolicy(password: string): string | null {
  if (password.length < 10) return 'password must be at least 10 characters long';
  if (password.length > 1024) return 'password is too long (at most 1024 characters)';
  return null;
}
