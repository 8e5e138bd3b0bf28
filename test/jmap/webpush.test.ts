// Web Push encryption (RFC 8291, aes128gcm of RFC 8188) without sockets: the worked example of
// RFC 8291 Appendix A comes out byte for byte from encryptPush with its fixed keys and salt, and
// the receiver's own derivation (test/jmap/pushreceiver.ts) reaches the RFC's intermediate
// values; fresh keys round-trip with padding; a message over one record is refused; and the
// keys a client gives are checked (an uncompressed P-256 point, a 16-octet secret, base64url).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encryptPush, MAX_PLAINTEXT, parsePushKeys, PushTooLarge } from '../../src/jmap/webpush.ts';
import { decryptPush, derive, userAgentKeys } from './pushreceiver.ts';

const b64 = (s: string): Buffer => Buffer.from(s, 'base64url');

// RFC 8291 Appendix A, copied from the RFC.
const A = {
  plaintext: 'V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  asPublic:
    'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublic:
    'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  ecdhSecret: 'kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs',
  ikm: 'S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg',
  prk: '09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc',
  cek: 'oIhVW04MRdy2XN9CiKLxTg',
  nonce: '4h_95klXJ5E_qnoN',
  body:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWA' +
    'mS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxs' +
    'j_Qulcy4a-fN',
};

test('RFC 8291 Appendix A: the example message, byte for byte', () => {
  const ua = userAgentKeys(b64(A.uaPrivate), b64(A.auth));
  assert.equal(ua.keys.p256dh, A.uaPublic);
  const body = encryptPush(b64(A.plaintext), ua.keys, {
    senderPrivateKey: b64(A.asPrivate),
    salt: b64(A.salt),
  });
  assert.equal(body.toString('base64url'), A.body);
  assert.equal(b64(A.plaintext).toString('utf8'), 'When I grow up, I want to be a watermelon');
});

test("RFC 8291 Appendix A: the receiver's derivation reaches the RFC's values and decrypts", () => {
  const ua = userAgentKeys(b64(A.uaPrivate), b64(A.auth));
  const d = derive(b64(A.body), ua);
  assert.equal(d.salt.toString('base64url'), A.salt);
  assert.equal(d.recordSize, 4096);
  assert.equal(d.asPublic.toString('base64url'), A.asPublic);
  assert.equal(d.ecdhSecret.toString('base64url'), A.ecdhSecret);
  assert.equal(d.ikm.toString('base64url'), A.ikm);
  assert.equal(d.prk.toString('base64url'), A.prk);
  assert.equal(d.cek.toString('base64url'), A.cek);
  assert.equal(d.nonce.toString('base64url'), A.nonce);
  assert.deepEqual(decryptPush(b64(A.body), ua), b64(A.plaintext));
});

test('fresh keys and salt every message; padding and Lao text round-trip', () => {
  const ua = userAgentKeys();
  const text = Buffer.from(JSON.stringify({ '@type': 'StateChange', note: 'ສະບາຍດີ' }), 'utf8');
  const one = encryptPush(text, ua.keys);
  const two = encryptPush(text, ua.keys, { padding: 100 });
  assert.notDeepEqual(one.subarray(0, 16), two.subarray(0, 16), 'a new salt');
  assert.notDeepEqual(one.subarray(21, 86), two.subarray(21, 86), 'a new sender key');
  assert.equal(two.length - one.length, 100);
  assert.deepEqual(decryptPush(one, ua), text);
  assert.deepEqual(decryptPush(two, ua), text);
  // Another user agent's keys cannot open it.
  assert.throws(() => decryptPush(one, userAgentKeys()));
});

test('a message over one 4096-octet record is refused', () => {
  const ua = userAgentKeys();
  const fits = encryptPush(Buffer.alloc(MAX_PLAINTEXT, 0x61), ua.keys);
  assert.equal(fits.length, 4096);
  assert.throws(() => encryptPush(Buffer.alloc(MAX_PLAINTEXT + 1), ua.keys), PushTooLarge);
});

test('parsePushKeys: an uncompressed P-256 point and a 16-octet secret, base64url', () => {
  const good = userAgentKeys().keys;
  assert.deepEqual(parsePushKeys(good), good);
  assert.deepEqual(parsePushKeys({ ...good, auth: `${good.auth}==` }), {
    ...good,
    auth: `${good.auth}==`,
  });
  const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url');
  const compressed = createCompressed(good.p256dh);
  const bad: [unknown, RegExp][] = [
    [null, /object/],
    ['BCVx', /object/],
    [{ p256dh: good.p256dh }, /base64url/],
    [{ ...good, extra: 1 }, /unknown/],
    [{ ...good, p256dh: 'a' }, /65 octets/],
    [{ ...good, p256dh: compressed }, /uncompressed/],
    [{ ...good, p256dh: offCurve }, /curve/],
    [{ ...good, p256dh: good.p256dh.replace(/^B/, '+') }, /base64url/],
    [{ ...good, auth: Buffer.alloc(15).toString('base64url') }, /16 octets/],
    [{ ...good, auth: 'not/base64' }, /16 octets/],
  ];
  for (const [keys, why] of bad) {
    const r = parsePushKeys(keys);
    assert.equal(typeof r, 'string', JSON.stringify(keys));
    assert.match(r as string, why);
  }
});

/** The compressed form (0x02/0x03 || x) of an uncompressed point. */
function createCompressed(p256dh: string): string {
  const p = b64(p256dh);
  const y = p.subarray(33);
  return Buffer.concat([Buffer.from([2 + (y[31]! & 1)]), p.subarray(1, 33)]).toString('base64url');
}
