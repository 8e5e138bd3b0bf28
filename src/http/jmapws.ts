// The JMAP WebSocket door (RFC 8887) on the wire, with the `ws` package: GET /jmap/ws/
// upgraded with the "jmap" subprotocol, signed in the way every JMAP route is (Basic, or the
// web app's session cookie — browsers cannot send Authorization on a WebSocket; a cookie
// from another site's page is refused), messages bounded by maxSizeRequest and answered in
// order (jmap/websocket.ts) and counted with the account's HTTP API requests against
// maxConcurrentRequests (jmap/concurrency.ts), StateChange pushes from the change bus once
// enabled (§4.3.5), with pushState so a client coming back learns whether it missed
// something.
// Invariants: the bus subscription ends with the socket; close() ends every socket.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/core.ts';
import { accountModseq } from '../core/messages.ts';
import type { Account } from '../store/schema.ts';
import { jmapAccountId, stateOf, type PushPost } from '../jmap/context.ts';
import type { ConcurrencyGate } from '../jmap/concurrency.ts';
import { CORE_LIMITS } from '../jmap/limits.ts';
import { stateChange } from '../jmap/push.ts';
import { handleWsMessage, WEBSOCKET_PROTOCOL } from '../jmap/websocket.ts';
import { foreignOrigin, type HttpAuth } from './auth.ts';

export interface JmapSockets {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ type: 'about:blank', status, detail: text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function jmapSockets(
  core: Core,
  auth: HttpAuth,
  path: string,
  pushVerify: PushPost,
  requests: ConcurrencyGate,
): JmapSockets {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: CORE_LIMITS.maxSizeRequest,
    handleProtocols: (offered) => (offered.has(WEBSOCKET_PROTOCOL) ? WEBSOCKET_PROTOCOL : false),
  });
  const open = new Set<WebSocket>();

  const serve = (ws: WebSocket, account: Account): void => {
    open.add(ws);
    const id = jmapAccountId(account);
    let unsubscribe: (() => void) | null = null;
    let chain = Promise.resolve();
    const send = (obj: unknown): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(obj));
    };
    const stopPush = (): void => {
      unsubscribe?.();
      unsubscribe = null;
    };
    ws.on('close', () => {
      stopPush();
      open.delete(ws);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'JMAP messages are text');
        return;
      }
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.concat(data as Buffer[]).toString('utf8');
      // In order, one at a time: a client's requests are answered as sent.
      chain = chain.then(async () => {
        try {
          const out = await handleWsMessage({ core, account, pushVerify }, text, requests);
          if (out.reply) send(out.reply);
          if (!out.push) return;
          stopPush();
          if (!out.push.enable) return;
          const types = out.push.dataTypes;
          unsubscribe = core.bus.subscribe(account.id, (e) => {
            const change = stateChange(id, e, types);
            if (change) send({ ...change, pushState: stateOf(e.modseq) });
          });
          // §4.3.5.2: a pushState older than now means changes were missed while away.
          const now = stateOf(await accountModseq(core.db, account.id));
          if (out.push.pushState !== null && out.push.pushState !== now) {
            const all = [
              'Mailbox',
              'Email',
              'Thread',
              'EmailSubmission',
              'Identity',
              'VacationResponse',
            ];
            const change = stateChange(
              id,
              { accountId: account.id, modseq: Number(now), types: all },
              types,
            );
            if (change) send({ ...change, pushState: now });
          }
        } catch (err) {
          core.log.error({ err }, 'JMAP WebSocket message failed');
          send({
            '@type': 'RequestError',
            type: 'urn:ietf:params:jmap:error:serverFail',
            status: 500,
            detail: 'internal error',
          });
        }
      });
    });
  };

  return {
    upgrade(req, socket, head) {
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://localhost');
        if (url.pathname !== path) return refuseUpgrade(socket, 404, 'Not Found');
        const offered = (req.headers['sec-websocket-protocol'] ?? '')
          .split(',')
          .map((p) => p.trim());
        if (!offered.includes(WEBSOCKET_PROTOCOL))
          return refuseUpgrade(socket, 400, 'Bad Request: the jmap subprotocol is required');
        const r = await auth.check(req);
        if ('error' in r)
          return refuseUpgrade(
            socket,
            r.error === 'blocked' ? 429 : 401,
            r.error === 'blocked' ? 'Too Many Requests' : 'Unauthorized',
          );
        // A page of another site cannot open a socket with the user's cookie (CSWSH).
        if (r.via === 'session' && foreignOrigin(req))
          return refuseUpgrade(socket, 403, 'Forbidden');
        if (r.via === 'apikey' || (r.via === 'session' && r.account.must_change_password))
          return refuseUpgrade(socket, 403, 'Forbidden');
        wss.handleUpgrade(req, socket, head, (ws) => serve(ws, r.account));
      })().catch((err: unknown) => {
        core.log.error({ err }, 'JMAP WebSocket upgrade failed');
        socket.destroy();
      });
    },
    close() {
      for (const ws of open) ws.close(1001, 'server stopping');
      for (const ws of open) ws.terminate();
      wss.close();
    },
  };
}
