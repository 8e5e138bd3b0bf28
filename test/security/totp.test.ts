// TOTP (RFC 6238) without storage: the Appendix B test vectors for SHA-1, SHA-256 and SHA-512,
// base32, the ±1 step window and the otpauth:// URI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32Decode,
  base32Encode,
  otpauthUri,
  totp,
  verifyTotpCode,
  type TotpAlgorithm,
} from '../../src/mail/totp.ts';

// RFC 6238 Appendix B: seeds are the ASCII strings repeated to the hash's length.
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

test('RFC 6238 Appendix B vectors (8 digits, SHA-1/256/512)', () => {
  for (const [t, s1, s256, s512] of VECTORS) {
    assert.equal(totp(SEEDS.sha1, t * 1000, { digits: 8 }), s1, `SHA-1 at ${t}`);
    assert.equal(totp(SEEDS.sha256, t * 1000, { digits: 8, algorithm: 'sha256' }), s256);
    assert.equal(totp(SEEDS.sha512, t * 1000, { digits: 8, algorithm: 'sha512' }), s512);
  }
});

test('base32 round trip and the RFC 4648 §10 vector', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(base32Decode('mzxw6ytboi======')?.toString(), 'foobar');
  assert.equal(base32Decode('not base32!'), null);
});

test('a 6-digit code is accepted one step either side, not two', () => {
  const secret = base32Encode(SEEDS.sha1);
  const t = 1111111111 * 1000;
  const code = totp(SEEDS.sha1, t);
  assert.equal(code.length, 6);
  const step = Math.floor(t / 30_000);
  assert.equal(verifyTotpCode(secret, code, t), step);
  assert.equal(verifyTotpCode(secret, code, t + 30_000), step);
  assert.equal(verifyTotpCode(secret, code, t - 30_000), step);
  assert.equal(verifyTotpCode(secret, code, t + 60_000), null);
  assert.equal(verifyTotpCode(secret, '12345', t), null);
});

test('otpauth URI follows the Key Uri Format', () => {
  const uri = otpauthUri('JBSWY3DPEHPK3PXP', 'alice@test.example', 'mail.test');
  assert.equal(
    uri,
    'otpauth://totp/mail.test:alice%40test.example?secret=JBSWY3DPEHPK3PXP&issuer=mail.test&algorithm=SHA1&digits=6&period=30',
  );
});
