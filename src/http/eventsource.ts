// The JMAP EventSource stream (RFC 8620 §7.3) on the wire: text/event-stream, never compressed
// or buffered (each event is written and flushed as it happens), `event: state` per change of
// the signed-in account, `event: ping` every `ping` seconds, closed after the first state
// when closeafter=state. Invariants: the bus subscription is taken before the headers go out
// (a change after the client sees them is not missed) and dropped when the stream ends,
// however it ends; close() ends every open stream so the server can stop.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core/core.ts';
import type { Account } from '../store/schema.ts';
import { jmapAccountId } from '../jmap/context.ts';
import { parsePushParams, stateChange } from '../jmap/push.ts';
import { sendProblem } from './respond.ts';

export interface EventStreams {
  open(req: IncomingMessage, res: ServerResponse, url: URL, account: Account): void;
  /** Ends every open stream. */
  close(): void;
}

export function eventStreams(core: Core): EventStreams {
  const open = new Set<() => void>();
  return {
    open(req, res, url, account) {
      const params = parsePushParams(url.searchParams);
      if (typeof params === 'string') {
        sendProblem(req, res, 400, 'about:blank', params);
        return;
      }
      const id = jmapAccountId(account);
      let ping: NodeJS.Timeout | undefined;
      let unsubscribe = (): void => {};
      const end = (): void => {
        if (!open.delete(end)) return;
        unsubscribe();
        if (ping) clearInterval(ping);
        if (!res.writableEnded) res.end();
      };
      const write = (event: string, data: unknown): void => {
        if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      open.add(end);
      unsubscribe = core.bus.subscribe(account.id, (e) => {
        const change = stateChange(id, e, params.types);
        if (!change) return;
        write('state', change);
        if (params.closeAfterState) end();
      });
      res.on('close', end);
      req.socket.setNoDelay(true);
      req.socket.setTimeout(0);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-store',
        'X-Accel-Buffering': 'no', // a proxy in front must not hold events back
      });
      res.flushHeaders();
      if (params.ping > 0)
        ping = setInterval(() => write('ping', { interval: params.ping }), params.ping * 1000);
    },
    close() {
      for (const end of [...open]) end();
    },
  };
}
