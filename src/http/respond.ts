// Writing HTTP responses for every HTTP door: the security headers that go on each response
// (CSP, nosniff, no referrer, HSTS on HTTPS), compression of text bodies (brotli or gzip,
// as the client's Accept-Encoding allows, RFC 9110 §12.5.3), JSON and problem+json errors
// (RFC 9457), and reading a request body with a size bound (413 beyond it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Problem } from '../util/problems.ts';

/** Bodies smaller than this are sent as they are: compressing them gains nothing. */
const COMPRESS_MIN = 256;
const HSTS = 'max-age=31536000';

export function securityHeaders(res: ServerResponse, secure: boolean): void {
  res.setHeader('Content-Security-Policy', "default-src 'self'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (secure) res.setHeader('Strict-Transport-Security', HSTS);
}

/** The best encoding the client accepts: 'br', 'gzip' or null (identity). */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | null {
  if (!accept) return null;
  const q = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const v = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(v) ? v : 0);
  }
  const weight = (n: string): number => q.get(n) ?? q.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return null;
}

/** Sends a body, compressed when it is text-like, large enough and the client accepts. */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  type: string,
  headers: Record<string, string> = {},
): void {
  let data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', type);
  const compressible = /^(application\/(.+\+)?json|text\/)/.test(type);
  if (compressible) res.setHeader('Vary', 'Accept-Encoding');
  const enc =
    compressible && data.length >= COMPRESS_MIN
      ? pickEncoding(req.headers['accept-encoding'])
      : null;
  if (enc === 'br')
    data = brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    });
  else if (enc === 'gzip') data = gzipSync(data, { level: 6 });
  if (enc) res.setHeader('Content-Encoding', enc);
  res.setHeader('Content-Length', String(data.length));
  res.statusCode = status;
  res.end(req.method === 'HEAD' ? undefined : data);
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(req, res, status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
}

/** An error as problem details (RFC 9457): `type` is a URI, `detail` for people. */
export function sendProblem(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  send(
    req,
    res,
    status,
    JSON.stringify({ type, status, detail, ...extra }),
    'application/problem+json; charset=utf-8',
    headers,
  );
}

/** A coded problem (util/problems.ts) as problem details, with its code and parameters. */
export function sendCoded(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  p: Problem,
  headers: Record<string, string> = {},
): void {
  sendProblem(
    req,
    res,
    status,
    'about:blank',
    p.message,
    { code: p.code, params: p.params },
    headers,
  );
}

export class BodyTooLarge extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`request body over ${limit} bytes`);
    this.limit = limit;
  }
}

/**
 * Reads a request body of at most `limit` bytes. A Content-Length over the limit is refused
 * before anything is read; a body that grows past it stops being read (BodyTooLarge).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
