// The HTTP doors of Champa: HTTPS on the https port (the same certificate as the other doors)
// and plain HTTP on the http port, which only redirects to HTTPS (308) except for
// /.well-known/acme-challenge/ (404 until ACME is added). Every response carries the security
// headers (respond.ts); JSON is compressed when the client accepts; request bodies are
// bounded; errors are JSON. Routes: the JMAP door (jmap.ts) and the admin API under
// /api/admin (admin.ts), the web app's account routes (account.ts), mail app set-up
// (clientsetup.ts: autoconfig, autodiscover, the iPhone profile) and the web app's files
// (web.ts). close() stops accepting, ends
// EventSource streams and idle keep-alive connections and resolves once in-flight requests
// are answered.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Core } from '../core/core.ts';
import { portOf } from '../core/config.ts';
import { listen } from '../util/listen.ts';
import type { Clock } from '../util/ratelimit.ts';
import { accountRoutes } from './account.ts';
import { adminRoutes } from './admin/index.ts';
import { HttpAuth } from './auth.ts';
import { clientSetupRoutes } from './clientsetup.ts';
import { directoryRoutes } from './directory.ts';
import { jmapRoutes } from './jmap.ts';
import { securityHeaders, sendProblem } from './respond.ts';
import { webRoutes } from './web.ts';

export interface HttpDoors {
  ports: { http: number; https: number };
  close(): Promise<void>;
}

export interface HttpOptions {
  /** For the failed-sign-in block and the credential cache (tests). */
  clock?: Clock;
  /** The built web app (default web/dist). */
  webDir?: string;
  /** The ports the other doors listen on, told to mail apps (clientsetup.ts). */
  listening?: Record<string, number>;
}

/** Longest time to receive a request's headers, and a whole request. */
const HEADERS_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 120_000;

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

export async function startHttp(
  core: Core,
  tls: { key: string | Buffer; cert: string | Buffer },
  opts: HttpOptions = {},
): Promise<HttpDoors> {
  const log = core.log.child({ module: 'http' });
  const address = core.config.listen.address;
  const auth = new HttpAuth(core, opts.clock);
  const jmap = jmapRoutes(core, auth);
  const admin = adminRoutes(core, auth);
  const account = accountRoutes(core, auth);
  const web = webRoutes(log, opts.webDir);
  const clientSetup = clientSetupRoutes(
    core,
    auth,
    opts.listening ? { listening: opts.listening } : {},
  );
  let httpsPort = 0;

  const handleSecure = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res, true);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://localhost');
    } catch {
      sendProblem(req, res, 400, 'about:blank', 'malformed request target');
      return;
    }
    try {
      if (await jmap.handle(req, res, url)) return;
      if (await admin.handle(req, res, url)) return;
      if (await clientSetup.handle(req, res, url)) return;
      if (await account.handle(req, res, url)) return;
      if (await directoryRoutes(core, auth).handle(req, res, url)) return;
      if (web.handle(req, res, url)) return;
      sendProblem(req, res, 404, 'about:blank', `nothing at ${url.pathname}`);
    } catch (err) {
      if (err instanceof URIError) {
        if (!res.headersSent)
          sendProblem(req, res, 400, 'about:blank', 'malformed percent-encoding', {
            code: 'badPercentEncoding',
            params: {},
          });
        return;
      }
      log.error({ err, path: url.pathname }, 'HTTP request failed');
      if (!res.headersSent)
        sendProblem(req, res, 500, 'about:blank', 'internal error', {
          code: 'internal',
          params: {},
        });
      else res.destroy();
    }
  };

  const handlePlain = (req: IncomingMessage, res: ServerResponse): void => {
    securityHeaders(res, false);
    const path = req.url ?? '/';
    if (path.startsWith('/.well-known/acme-challenge/')) {
      sendProblem(req, res, 404, 'about:blank', 'no ACME challenge is pending');
      return;
    }
    const host = (req.headers.host ?? core.config.hostname).replace(/:\d+$/, '');
    const safeHost = /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(host)
      ? host
      : core.config.hostname;
    const port = httpsPort === 443 ? '' : `:${httpsPort}`;
    res.setHeader('Location', `https://${safeHost}${port}${path.startsWith('/') ? path : '/'}`);
    res.statusCode = 308;
    res.end();
  };

  const serverOpts = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS };
  const https = createHttpsServer({ key: tls.key, cert: tls.cert, ...serverOpts }, (req, res) => {
    void handleSecure(req, res);
  });
  https.on('upgrade', jmap.upgrade); // the JMAP WebSocket (RFC 8887)
  const http = createHttpServer(serverOpts, handlePlain);
  try {
    httpsPort = await listen(https, portOf(core.config, 'https'), address);
    const httpPort = await listen(http, portOf(core.config, 'http'), address);
    return {
      ports: { http: httpPort, https: httpsPort },
      async close() {
        jmap.close(); // open EventSource streams would hold the server open
        await Promise.all([stop(http), stop(https)]);
      },
    };
  } catch (err) {
    if (https.listening) await stop(https);
    throw err;
  }
}
