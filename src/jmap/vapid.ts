// VAPID (RFC 8292) for JMAP push (RFC 9749). Push services such as the one behind Chrome
// accept a message only from the application server whose public key the subscription was
// made with, and prove it by a signed token on every post. The server has one P-256 key pair,
// made at first use and kept in the database (`server_keys`, so every node of a cluster signs
// with the same key); the Session announces its public key under the
// `urn:ietf:params:jmap:webpush-vapid` capability (RFC 9749 §3) for clients to pass to the
// push service, and every push (the PushVerification included) carries
// `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292 §2, §3): an ES256 JWT whose `aud` is
// the push resource's origin, `exp` at most 24 hours ahead (§2), and `sub` a contact address.
// The key is never rotated by the server: a new key would break every subscription made with
// the old one (RFC 9749 §5).
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import type { Core } from '../core/core.ts';

export interface VapidKey {
  /** The public key as the Session and the `k` parameter give it: base64url, uncompressed. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

const NAME = 'vapid';
/** Lifetime of a token: well inside RFC 8292 §2's 24 hours, so a slow clock does no harm. */
const TOKEN_SECONDS = 12 * 3600;

const keys = new WeakMap<Core, Promise<VapidKey>>();

/** The raw uncompressed point (0x04 || X || Y) of a P-256 public key, base64url. */
function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  return Buffer.concat([Buffer.from([4]), x, y]).toString('base64url');
}

async function load(core: Core): Promise<VapidKey> {
  const read = () =>
    core.db
      .selectFrom('server_keys')
      .select('private_key')
      .where('name', '=', NAME)
      .executeTakeFirst();
  let row = await read();
  if (!row) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    // Two nodes starting at once: the first key written wins, and both read it back.
    await core.db
      .insertInto('server_keys')
      .values({ name: NAME, private_key: pem, created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    row = await read();
    if (!row) throw new Error('the VAPID key could not be stored');
  }
  const privateKey = createPrivateKey(row.private_key);
  return { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}

/** The server's VAPID key, made and stored at first use. */
export function vapidKey(core: Core): Promise<VapidKey> {
  let k = keys.get(core);
  if (!k) {
    k = load(core);
    keys.set(core, k);
    k.catch(() => keys.delete(core)); // a failed read is tried again next time
  }
  return k;
}

/** The Authorization header for a post to `endpoint` (RFC 8292 §3.1). */
export function vapidAuthorization(
  key: VapidKey,
  endpoint: URL,
  contact: string,
  now = Date.now(),
): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ typ: 'JWT', alg: 'ES256' })}.${part({
    aud: endpoint.origin,
    exp: Math.floor(now / 1000) + TOKEN_SECONDS,
    sub: `mailto:${contact}`,
  })}`;
  // JWS ES256 (RFC 7518 §3.4): the signature is R || S, 32 octets each.
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `vapid t=${input}.${signature.toString('base64url')}, k=${key.publicKey}`;
}
