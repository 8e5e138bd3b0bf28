// The receiving end of JMAP push in tests: an HTTPS push endpoint on loopback that records what
// arrives and answers as told, and a Web Push user agent's decryption written from the steps of
// RFC 8291 §3.3–3.4 and RFC 8188 §2 with plain HMAC-SHA-256 (not node's hkdf, which the server
// uses), so a server that encrypts wrongly cannot pass by sharing the same mistake.
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  randomBytes,
  verify,
  type ECDH,
} from 'node:crypto';
import { generate } from 'selfsigned';
import type { Logger } from '../../src/util/log.ts';
import { pino } from 'pino';

export interface Arrival {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Receiver {
  port: number;
  /** The certificate (for 127.0.0.1 and push.test) to trust. */
  cert: string;
  arrivals: Arrival[];
  /** Resolves once `n` requests have arrived in all. */
  arrived(n: number): Promise<void>;
  /** Status codes to answer, in turn, for a path (then 201); a 3xx gets a Location; 0 never answers. */
  answers: Map<string, number[]>;
  close(): void;
}

export async function startReceiver(): Promise<Receiver> {
  const pem = await generate([{ name: 'commonName', value: 'push.test' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'push.test' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const arrivals: Arrival[] = [];
  const waiters: (() => void)[] = [];
  const answers = new Map<string, number[]>();
  let port = 0;
  const server: Server = createServer({ key: pem.private, cert: pem.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      arrivals.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      const status = answers.get(path)?.shift() ?? 201;
      for (const w of waiters.splice(0)) w();
      if (status === 0) return; // never answered
      if (status >= 300 && status < 400)
        res.setHeader('Location', `https://127.0.0.1:${port}/elsewhere`);
      res.writeHead(status).end('a body the sender should not need');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
  return {
    port,
    cert: pem.cert,
    arrivals,
    answers,
    arrived: (n) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (arrivals.length >= n) resolve();
          else waiters.push(check);
        };
        check();
      }),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A Web Push user agent's keys (RFC 8291 §3.1, §3.2), and what it would give a server. */
export interface UserAgentKeys {
  ecdh: ECDH;
  authSecret: Buffer;
  keys: { p256dh: string; auth: string };
}

export function userAgentKeys(privateKey?: Buffer, authSecret?: Buffer): UserAgentKeys {
  const ecdh = createECDH('prime256v1');
  if (privateKey) ecdh.setPrivateKey(privateKey);
  else ecdh.generateKeys();
  const auth = authSecret ?? randomBytes(16);
  return {
    ecdh,
    authSecret: auth,
    keys: {
      p256dh: ecdh.getPublicKey(null, 'uncompressed').toString('base64url'),
      auth: auth.toString('base64url'),
    },
  };
}

const hmac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();
const bytes = (...parts: (Buffer | string | number[])[]): Buffer =>
  Buffer.concat(
    parts.map((p) =>
      typeof p === 'string' ? Buffer.from(p, 'latin1') : Array.isArray(p) ? Buffer.from(p) : p,
    ),
  );

export interface Derived {
  salt: Buffer;
  recordSize: number;
  asPublic: Buffer;
  ecdhSecret: Buffer;
  ikm: Buffer;
  prk: Buffer;
  cek: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

/** Reads the aes128gcm header and derives the keys as the user agent does. */
export function derive(body: Buffer, ua: UserAgentKeys): Derived {
  // RFC 8188 §2.1: salt (16) || rs (uint32) || idlen (1) || keyid (idlen).
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const uaPublic = ua.ecdh.getPublicKey(null, 'uncompressed');
  // RFC 8291 §3.3: ecdh_secret, then PRK_key = HMAC(auth_secret, ecdh_secret) and
  // IKM = HMAC(PRK_key, "WebPush: info" || 0x00 || ua_public || as_public || 0x01).
  const ecdhSecret = ua.ecdh.computeSecret(asPublic);
  const prkKey = hmac(ua.authSecret, ecdhSecret);
  const ikm = hmac(prkKey, bytes('WebPush: info\0', uaPublic, asPublic, [1]));
  // RFC 8188 §2.2, §2.3: PRK = HMAC(salt, IKM); CEK and NONCE are the first 16 and 12 octets.
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, bytes('Content-Encoding: aes128gcm\0', [1])).subarray(0, 16);
  const nonce = hmac(prk, bytes('Content-Encoding: nonce\0', [1])).subarray(0, 12);
  return { salt, recordSize, asPublic, ecdhSecret, ikm, prk, cek, nonce, ciphertext };
}

/** Decrypts a one-record aes128gcm push body; returns the plaintext without padding. */
export function decryptPush(body: Buffer, ua: UserAgentKeys): Buffer {
  const d = derive(body, ua);
  if (d.ciphertext.length > d.recordSize) throw new Error('more than one record');
  const decipher = createDecipheriv('aes-128-gcm', d.cek, d.nonce);
  decipher.setAuthTag(d.ciphertext.subarray(-16));
  const record = Buffer.concat([decipher.update(d.ciphertext.subarray(0, -16)), decipher.final()]);
  // §2: padding is zeros after the delimiter; the last record's delimiter is 0x02.
  let end = record.length - 1;
  while (end >= 0 && record[end] === 0) end--;
  if (record[end] !== 0x02) throw new Error(`bad padding delimiter ${record[end]}`);
  return record.subarray(0, end);
}

/** A logger whose lines the test can read and wait for. */
export function captureLog(): {
  logger: Logger;
  lines: Record<string, unknown>[];
  /** The first line (from index `from` on) that matches, as soon as it is written. */
  waitFor(
    pred: (line: Record<string, unknown>) => boolean,
    from?: number,
  ): Promise<Record<string, unknown>>;
} {
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(s: string) {
        lines.push(JSON.parse(s) as Record<string, unknown>);
        for (const w of waiters.splice(0)) w();
      },
    },
  );
  return {
    logger,
    lines,
    waitFor: (pred, from = 0) =>
      new Promise((resolve) => {
        const check = (): void => {
          const hit = lines.slice(from).find(pred);
          if (hit) resolve(hit);
          else waiters.push(check);
        };
        check();
      }),
  };
}

/**
 * What a push service checks of a VAPID post (RFC 8292 §2–§3), from the header alone: the
 * `vapid` scheme with `t` (a JWT) and `k` (the uncompressed P-256 key, base64url); the JWT's
 * ES256 signature verified with `k`; `aud` the push resource's origin; `exp` in the future and
 * at most 24 hours ahead; `sub` a mailto: or https: contact. Returns `k` and the claims.
 */
export function checkVapid(
  authorization: string | undefined,
  origin: string,
  now = Date.now(),
): { key: string; claims: { aud: string; exp: number; sub: string } } {
  const m = /^vapid\s+(.+)$/i.exec(authorization ?? '');
  if (!m) throw new Error(`not a vapid Authorization: ${authorization}`);
  const params = new Map(
    m[1]!.split(',').map((p) => {
      const [k, ...v] = p.trim().split('=');
      return [k!.toLowerCase(), v.join('=')] as const;
    }),
  );
  const token = params.get('t') ?? '';
  const key = params.get('k') ?? '';
  const raw = Buffer.from(key, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const [head, body, sig] = token.split('.');
  const header = JSON.parse(Buffer.from(head ?? '', 'base64url').toString()) as { alg?: string };
  if (header.alg !== 'ES256') throw new Error(`alg ${header.alg}`);
  const signature = Buffer.from(sig ?? '', 'base64url');
  if (signature.length !== 64) throw new Error('an ES256 signature is 64 octets');
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    signature,
  );
  if (!ok) throw new Error('the JWT signature does not verify with k');
  const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as {
    aud: string;
    exp: number;
    sub: string;
  };
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud}, not ${origin}`);
  const secs = now / 1000;
  if (!(claims.exp > secs && claims.exp <= secs + 86_400)) throw new Error(`exp ${claims.exp}`);
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error(`sub ${claims.sub}`);
  return { key, claims };
}
