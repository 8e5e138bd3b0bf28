// The web app's files (web/dist, built by Vite): read once at start, compressed once (brotli
// and gzip), then served from memory. Content-hashed files under /assets/ are cached by
// browsers for a year (they never change under one name); the page itself, the service
// worker and the manifest are revalidated on every visit (no-cache with an ETag), so a new
// release reaches users at once. Every other GET outside the API answers with the page
// (the app routes by the URL's hash). The page gets its own Content-Security-Policy: scripts
// only from here; inline styles allowed because mail bodies carry them; remote images only
// when the app asks for them (the reading pane blocks them until the user allows); frames
// only from here, plugins never.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { pickEncoding, sendProblem } from './respond.ts';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self'",
  "connect-src 'self'",
  // Frames: the reading pane's mail body (srcdoc) and a PDF attachment's preview, whose
  // document is the download URL itself, served inline with a policy of its own. Chromium's
  // PDF viewer runs inside that frame, so no plugin is needed here: object-src stays 'none'.
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.txt']);

interface WebFile {
  type: string;
  etag: string;
  immutable: boolean;
  raw: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Reads and compresses every file of the built app; an empty map when it is not built. */
export function loadWebFiles(dir = WEB_DIST): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  for (const path of walk(dir)) {
    const rel = '/' + relative(dir, path).split(sep).join('/');
    if (rel.startsWith('/.vite/')) continue; // the build manifest is for tools, not browsers
    const ext = extname(path);
    const raw = readFileSync(path);
    const f: WebFile = {
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`,
      immutable: rel.startsWith('/assets/'),
      raw,
    };
    if (COMPRESSIBLE.has(ext) && raw.length > 256) {
      f.br = brotliCompressSync(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      });
      f.gzip = gzipSync(raw, { level: 9 });
    }
    files.set(rel, f);
  }
  return files;
}

export interface WebRoutes {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

/** Paths that belong to the server's APIs, never to the app's page. */
const API = /^\/(api|jmap|\.well-known|dav)(\/|$)/;

export function webRoutes(log: Logger, dir = WEB_DIST): WebRoutes {
  const files = loadWebFiles(dir);
  if (files.size === 0)
    log.warn({ dir }, 'the web app is not built (npm run build:web); / answers 503');
  return {
    handle(req, res, url) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (API.test(url.pathname)) return false;
      if (files.size === 0) {
        sendProblem(req, res, 503, 'about:blank', 'the web app is not built on this server');
        return true;
      }
      let file = files.get(url.pathname);
      if (!file && url.pathname.startsWith('/assets/')) {
        sendProblem(req, res, 404, 'about:blank', `nothing at ${url.pathname}`);
        return true;
      }
      const page = !file || url.pathname === '/index.html';
      file ??= files.get('/index.html')!;
      if (page) res.setHeader('Content-Security-Policy', APP_CSP);
      res.setHeader(
        'Cache-Control',
        file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      res.setHeader('ETag', file.etag);
      res.setHeader('Content-Type', file.type);
      if (file.br) res.setHeader('Vary', 'Accept-Encoding');
      if (req.headers['if-none-match'] === file.etag) {
        res.statusCode = 304;
        res.end();
        return true;
      }
      const enc = file.br ? pickEncoding(req.headers['accept-encoding']) : null;
      const body = enc === 'br' ? file.br! : enc === 'gzip' ? file.gzip! : file.raw;
      if (enc) res.setHeader('Content-Encoding', enc);
      res.setHeader('Content-Length', body.length);
      res.statusCode = 200;
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
