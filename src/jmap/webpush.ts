// Web Push message encryption (RFC 8291) in the aes128gcm content coding (RFC 8188), with
// node:crypto only, and the check of the `keys` a client gives a JMAP PushSubscription. RFC 8620
// §7.2: when a subscription has keys, every push to it (PushVerification and StateChange) MUST
// be encrypted this way. No sockets and no storage here.
//
// Invariants: a message is one record (RFC 8291 §4), so the plaintext, its delimiter and the
// 16-octet tag fit in `recordSize`; a fresh ephemeral key pair and salt are drawn for every
// message unless a test fixes them (RFC 8291 Appendix A).
import { createCipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from 'node:crypto';

export interface PushKeys {
  /** The user agent's P-256 public key, uncompressed point, base64url (RFC 8291 §3.1). */
  p256dh: string;
  /** The 16-octet authentication secret, base64url (RFC 8291 §3.2). */
  auth: string;
}

/** Record size written in the header: 4096, the size a push service must accept (§4). */
export const RECORD_SIZE = 4096;
/** Header: salt (16) || rs (4) || idlen (1) || keyid = the sender's public key (65). */
const HEADER_LENGTH = 16 + 4 + 1 + 65;
const TAG_LENGTH = 16;
/** Largest plaintext one record of RECORD_SIZE carries: its delimiter and tag take 17. */
export const MAX_PLAINTEXT = RECORD_SIZE - HEADER_LENGTH - TAG_LENGTH - 1;

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decode(s: string): Buffer | null {
  if (!B64URL.test(s)) return null;
  return Buffer.from(s.replace(/=+$/, ''), 'base64url');
}

/**
 * The keys of a PushSubscription/set create, validated: p256dh a point on P-256 in uncompressed
 * form (65 octets starting 0x04), auth 16 octets, both base64url (RFC 4648 §5, padding allowed).
 * A string saying what is wrong otherwise.
 */
export function parsePushKeys(v: unknown): PushKeys | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'keys must be an object with p256dh and auth';
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'p256dh' && k !== 'auth') return `keys has an unknown property ${k}`;
  if (typeof o.p256dh !== 'string' || typeof o.auth !== 'string')
    return 'keys.p256dh and keys.auth must be base64url strings';
  const pub = decode(o.p256dh);
  if (!pub || pub.length !== 65 || pub[0] !== 0x04)
    return 'keys.p256dh must be an uncompressed P-256 public key (65 octets) in base64url';
  try {
    // computeSecret refuses a point that is not on the curve.
    const probe = createECDH('prime256v1');
    probe.generateKeys();
    probe.computeSecret(pub);
  } catch {
    return 'keys.p256dh is not a point on the P-256 curve';
  }
  const auth = decode(o.auth);
  if (!auth || auth.length !== 16)
    return 'keys.auth must be 16 octets in base64url (RFC 8291 §3.2)';
  return { p256dh: o.p256dh, auth: o.auth };
}

export interface EncryptOptions {
  /** The sender's ephemeral private key (32 octets); tests fix it, otherwise a fresh one. */
  senderPrivateKey?: Buffer;
  /** 16 octets of salt; tests fix it, otherwise random. */
  salt?: Buffer;
  /** Octets of zero padding after the delimiter (RFC 8188 §2), to hide the length. */
  padding?: number;
}

/** The plaintext does not fit in one record (RFC 8291 §4). */
export class PushTooLarge extends Error {
  constructor(size: number) {
    super(`a push message of ${size} octets is over the ${MAX_PLAINTEXT} one record carries`);
    this.name = 'PushTooLarge';
  }
}

function concat(...parts: (Buffer | string)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
}

/** HKDF-SHA-256 (RFC 5869) of `length` octets. */
function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/**
 * Encrypts one push message for a subscription's keys: the aes128gcm body (RFC 8188 §2.1
 * header, then one record) to POST with `Content-Encoding: aes128gcm`.
 */
export function encryptPush(plaintext: Buffer, keys: PushKeys, opts: EncryptOptions = {}): Buffer {
  const padding = opts.padding ?? 0;
  if (plaintext.length + padding > MAX_PLAINTEXT) throw new PushTooLarge(plaintext.length);
  const uaPublic = decode(keys.p256dh);
  const authSecret = decode(keys.auth);
  if (!uaPublic || !authSecret) throw new Error('push keys are not base64url');

  // RFC 8291 §3.1: an ephemeral ECDH key pair on P-256, and the shared secret.
  const sender: ECDH = createECDH('prime256v1');
  if (opts.senderPrivateKey) sender.setPrivateKey(opts.senderPrivateKey);
  else sender.generateKeys();
  const asPublic = sender.getPublicKey(null, 'uncompressed');
  const ecdhSecret = sender.computeSecret(uaPublic);

  // §3.3–3.4: IKM = HKDF(salt = auth_secret, ecdh_secret,
  //   "WebPush: info" || 0x00 || ua_public || as_public, 32).
  const ikm = hkdf(authSecret, ecdhSecret, concat('WebPush: info\0', uaPublic, asPublic), 32);
  // RFC 8188 §2.2–2.3: CEK and NONCE from the record's salt.
  const salt = opts.salt ?? randomBytes(16);
  if (salt.length !== 16) throw new Error('the salt must be 16 octets');
  const cek = hkdf(salt, ikm, concat('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, concat('Content-Encoding: nonce\0'), 12);

  // RFC 8188 §2: the last record ends its data with the delimiter 0x02, then zero padding.
  // One record, sequence number 0, so the nonce is used as derived (§2.3).
  const record = Buffer.concat([plaintext, Buffer.from([0x02]), Buffer.alloc(padding)]);
  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  const sealed = Buffer.concat([cipher.update(record), cipher.final(), cipher.getAuthTag()]);

  const header = Buffer.alloc(21);
  salt.copy(header, 0);
  header.writeUInt32BE(RECORD_SIZE, 16);
  header.writeUInt8(asPublic.length, 20);
  return Buffer.concat([header, asPublic, sealed]);
}
