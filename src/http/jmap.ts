// The JMAP door's HTTP side (RFC 8620 §2, §3.1, §6.1, §6.2, §7.3): /.well-known/jmap redirects
// to the session resource; /jmap/session, /jmap/api, /jmap/upload, /jmap/download and
// /jmap/eventsource (eventsource.ts) need Basic authentication. API requests and uploads in
// progress are counted per account (jmap/concurrency.ts) and released in a `finally`, also
// when the client disconnects mid-request.
// The JMAP logic itself lives in src/jmap/ and speaks JSON only; this file maps it to HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Core } from '../core/core.ts';
import { startSubmissionWorker } from '../core/submission.ts';
import { startUploadExpiry } from '../core/uploads.ts';
import type { Account } from '../store/schema.ts';
import { handleApiRequest } from '../jmap/api.ts';
import { RequestError, REQUEST_ERROR } from '../jmap/errors.ts';
import { ConcurrencyGate } from '../jmap/concurrency.ts';
import { CORE_LIMITS } from '../jmap/limits.ts';
import { JMAP_PATHS, sessionResource } from '../jmap/session.ts';
import { downloadBlob } from '../jmap/download.ts';
import { uploadBlob, uploadType } from '../jmap/upload.ts';
import { signedIn as signedInWith, type HttpAuth } from './auth.ts';
import { vapidKey } from '../jmap/vapid.ts';
import { eventStreams } from './eventsource.ts';
import { jmapSockets } from './jmapws.ts';
import { pushSender } from './pushsender.ts';
import { BodyTooLarge, readBody, send, sendJson, sendProblem } from './respond.ts';

export interface JmapRoutes {
  /** Handles the request if its path is a JMAP one; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Takes a WebSocket upgrade of the HTTPS server (RFC 8887, GET /jmap/ws/). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends the open EventSource streams, WebSockets and background work (before stopping). */
  close(): void;
}

const UPLOAD = /^\/jmap\/upload\/([^/]+)\/$/;
const EVENTSOURCE = '/jmap/eventsource/';
const DOWNLOAD = /^\/jmap\/download\/([^/]+)\/([^/]+)\/([^/]*)$/;

/** True when the client closed the connection before its request was read whole. */
function clientGone(req: IncomingMessage): boolean {
  return req.destroyed && !req.complete;
}

function origin(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return `https://${host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : fallback}`;
}

export function jmapRoutes(core: Core, auth: HttpAuth): JmapRoutes {
  const signedIn = (req: IncomingMessage, res: ServerResponse): Promise<Account | null> =>
    signedInWith(auth, req, res);

  const streams = eventStreams(core);
  const pusher = pushSender(core);
  // Work in progress per account, bounded as the session announces (RFC 8620 §2): API
  // requests over HTTP and over the WebSocket share one count, uploads have their own.
  const requests = new ConcurrencyGate('maxConcurrentRequests', CORE_LIMITS.maxConcurrentRequests);
  const uploads = new ConcurrencyGate('maxConcurrentUpload', CORE_LIMITS.maxConcurrentUpload);

  /** §3.6.1: over a concurrency limit the whole request is refused, its body left unread. */
  const refuse = (req: IncomingMessage, res: ServerResponse, gate: ConcurrencyGate): void => {
    const err = gate.refusal();
    res.setHeader('Connection', 'close'); // the body is not read: do not keep the connection
    sendProblem(req, res, err.status, err.type, err.message, err.extra);
  };
  const sockets = jmapSockets(core, auth, JMAP_PATHS.websocket, pusher.post, requests);
  // Mail sent from the web app leaves once its undo window is over (core/submission.ts).
  const stopSubmissions = startSubmissionWorker(core);
  // Uploads no email took are dropped after jmap.uploadTtlHours, their blobs collected.
  const stopExpiry = startUploadExpiry(core);

  return {
    upgrade: (req, socket, head) => sockets.upgrade(req, socket, head),
    close: () => {
      stopSubmissions();
      stopExpiry();
      streams.close();
      sockets.close();
      pusher.close();
    },
    async handle(req, res, url) {
      const path = url.pathname;
      if (path === '/.well-known/jmap') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return false;
        res.setHeader('Location', JMAP_PATHS.session);
        send(req, res, 307, '', 'text/plain; charset=utf-8');
        return true;
      }
      if (path === JMAP_PATHS.session && (req.method === 'GET' || req.method === 'HEAD')) {
        const account = await signedIn(req, res);
        if (account)
          sendJson(
            req,
            res,
            200,
            sessionResource(
              account,
              origin(req, core.config.hostname),
              (await vapidKey(core)).publicKey,
            ),
            {
              'Cache-Control': 'no-cache, no-store',
            },
          );
        return true;
      }
      if (path === JMAP_PATHS.api && req.method === 'POST') {
        const account = await signedIn(req, res);
        if (!account) return true;
        const leave = requests.enter(account.id);
        if (!leave) {
          refuse(req, res, requests);
          return true;
        }
        try {
          const body = await readBody(req, CORE_LIMITS.maxSizeRequest);
          const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (type !== 'application/json' && type !== '')
            throw new RequestError(
              REQUEST_ERROR.notRequest,
              'the request must be application/json',
            );
          const response = await handleApiRequest(
            { core, account, pushVerify: pusher.post },
            body.toString('utf8'),
          );
          sendJson(req, res, 200, response, { 'Cache-Control': 'no-cache, no-store' });
        } catch (err) {
          if (clientGone(req)) return true; // it went away mid-request: no one to answer
          if (err instanceof BodyTooLarge)
            sendProblem(req, res, 413, REQUEST_ERROR.limit, err.message, {
              limit: 'maxSizeRequest',
            });
          else if (err instanceof RequestError)
            sendProblem(req, res, err.status, err.type, err.message, err.extra);
          else throw err;
        } finally {
          leave();
        }
        return true;
      }
      if (path === EVENTSOURCE && req.method === 'GET') {
        const account = await signedIn(req, res);
        if (account) streams.open(req, res, url, account);
        return true;
      }
      const up = UPLOAD.exec(path);
      if (up && req.method === 'POST') {
        const account = await signedIn(req, res);
        if (!account) return true;
        const leave = uploads.enter(account.id);
        if (!leave) {
          refuse(req, res, uploads);
          return true;
        }
        try {
          const body = await readBody(req, CORE_LIMITS.maxSizeUpload);
          const r = await uploadBlob(
            core,
            account,
            decodeURIComponent(up[1]!),
            body,
            uploadType(req.headers['content-type']),
          );
          if (r) sendJson(req, res, 201, r, { 'Cache-Control': 'no-cache, no-store' });
          else sendProblem(req, res, 404, 'about:blank', 'no such account');
        } catch (err) {
          if (clientGone(req)) return true;
          if (!(err instanceof BodyTooLarge)) throw err;
          res.setHeader('Connection', 'close'); // the rest of the body is not read
          sendProblem(req, res, 413, REQUEST_ERROR.limit, err.message, {
            limit: 'maxSizeUpload',
          });
        } finally {
          leave();
        }
        return true;
      }
      const m = DOWNLOAD.exec(path);
      if (m && (req.method === 'GET' || req.method === 'HEAD')) {
        const account = await signedIn(req, res);
        if (!account) return true;
        const [accountId, blobId, name] = [m[1]!, m[2]!, m[3]!].map(decodeURIComponent) as [
          string,
          string,
          string,
        ];
        const bytes = await downloadBlob(core, account, accountId, blobId);
        if (!bytes) {
          sendProblem(req, res, 404, 'about:blank', 'no such blob');
          return true;
        }
        const type = url.searchParams.get('type');
        const safeType =
          type && /^[\w.+-]+\/[\w.+-]+(;.*)?$/.test(type) ? type : 'application/octet-stream';
        // The web app's PDF preview frames this URL with ?disposition=inline: a PDF is then
        // shown by the browser's viewer (RFC 6266 §4.2) under its name; any other type stays
        // a download whatever is asked, so no mail part is ever shown as a page here.
        const inline =
          url.searchParams.get('disposition') === 'inline' &&
          /^application\/pdf(;|$)/i.test(safeType);
        send(req, res, 200, bytes, safeType, {
          'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(name)}`,
          'Cache-Control': 'private, immutable, max-age=31536000',
          // The bytes come from mail: never let them run as a page of this origin (nosniff is
          // on every response), and only this origin's pages may frame them.
          'Content-Security-Policy': "default-src 'none'; frame-ancestors 'self'; sandbox",
        });
        return true;
      }
      return false;
    },
  };
}
