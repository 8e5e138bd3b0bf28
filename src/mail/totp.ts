// Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), base32 secrets (RFC 4648 §6)
// and the `otpauth://` Key Uri Format that authenticator apps scan. No storage here: callers
// keep the secret and the last accepted step (replay protection lives in core/totp.ts).
// Defaults are what every authenticator app uses: HMAC-SHA1, 30-second steps, 6 digits.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  algorithm?: TotpAlgorithm;
  digits?: number;
  /** Step length in seconds (RFC 6238 §4.1 X, default 30). */
  period?: number;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32, ignoring case, spaces and '=' padding; null on any other character. */
export function base32Decode(text: string): Buffer | null {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const v = B32.indexOf(ch);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new random secret: 20 bytes (160 bits, RFC 4226 §4 R6), base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** HOTP (RFC 4226 §5.3): HMAC over the 8-byte counter, dynamic truncation, `digits` digits. */
export function hotp(
  key: Uint8Array,
  counter: number,
  digits = 6,
  algorithm: TotpAlgorithm = 'sha1',
): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The time step of a moment (RFC 6238 §4.2: T = floor((now - T0) / X), T0 = 0). */
export function totpStep(timeMs: number, period = 30): number {
  return Math.floor(timeMs / 1000 / period);
}

/** The code for a moment. */
export function totp(key: Uint8Array, timeMs: number, opts: TotpOptions = {}): string {
  return hotp(key, totpStep(timeMs, opts.period), opts.digits ?? 6, opts.algorithm);
}

/**
 * Checks a code against the steps around now (±`window`, RFC 6238 §5.2 allows for clock drift
 * and network delay). Returns the step that matched (for the caller's replay check), or null.
 */
export function verifyTotpCode(
  secret: string,
  code: string,
  timeMs: number,
  window = 1,
  opts: TotpOptions = {},
): number | null {
  const key = base32Decode(secret);
  const digits = opts.digits ?? 6;
  const given = code.replace(/\s/g, '');
  if (!key || !new RegExp(`^\\d{${digits}}$`).test(given)) return null;
  const now = totpStep(timeMs, opts.period);
  let matched: number | null = null;
  for (let s = now - window; s <= now + window; s++) {
    const want = hotp(key, s, digits, opts.algorithm);
    // Compare every candidate in constant time, and do not stop early.
    if (timingSafeEqual(Buffer.from(want), Buffer.from(given)) && matched === null) matched = s;
  }
  return matched;
}

/**
 * The provisioning URI (Key Uri Format, github.com/google/google-authenticator/wiki):
 * otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
 */
export function otpauthUri(secret: string, account: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const q = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${q.toString().replace(/\+/g, '%20')}`;
}
