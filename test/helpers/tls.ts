// A self-signed certificate for test servers (made once per process: RSA key generation is
// slow). Clients in tests connect with `rejectUnauthorized: false` or trust `cert`.
import { generate } from 'selfsigned';

let cached: Promise<{ key: string; cert: string }> | undefined;

export function testCert(hostname = 'mail.test'): Promise<{ key: string; cert: string }> {
  cached ??= generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] }],
  }).then((p) => ({ key: p.private, cert: p.cert }));
  return cached;
}
