// A small HTTPS client for the HTTP door tests: node's own https over a real socket, trusting
// the test certificate (servername mail.test), so TLS is verified as a browser would.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { testCert } from '../helpers/tls.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Decoded body (gzip/br undone). */
  body: Buffer;
  /** Bytes as they came over the wire. */
  wireBytes: number;
  json(): unknown;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  auth?: { user: string; pass: string };
  plain?: boolean;
}

export async function call(port: number, path: string, o: RequestOptions = {}): Promise<Reply> {
  const { cert } = await testCert();
  const headers: Record<string, string> = { host: 'mail.test', ...o.headers };
  if (o.auth)
    headers.authorization =
      'Basic ' + Buffer.from(`${o.auth.user}:${o.auth.pass}`).toString('base64');
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  const common = {
    host: '127.0.0.1',
    port,
    path,
    method: o.method ?? 'GET',
    headers,
    agent: false as const,
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const body =
          enc === 'gzip' ? gunzipSync(raw) : enc === 'br' ? brotliDecompressSync(raw) : raw;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          wireBytes: raw.length,
          json: () => JSON.parse(body.toString('utf8')) as unknown,
        });
      });
      res.on('error', reject);
    };
    const req = o.plain
      ? httpRequest(common, onResponse)
      : httpsRequest({ ...common, ca: cert, servername: 'mail.test' }, onResponse);
    req.on('error', reject);
    req.end(o.body);
  });
}
