// The JMAP WebSocket subprotocol (RFC 8887) without sockets: one text message in, what to
// answer and what to do with push. A Request (§4.3.1) runs as the API endpoint runs it and
// is answered as a Response with its requestId; a problem with it is a RequestError with the
// problem details of RFC 8620 §3.6.1 (§4.3.4). WebSocketPushEnable / Disable (§4.3.5) turn
// StateChange pushes on and off. http/jmapws.ts owns the sockets.
import { handleApiRequest } from './api.ts';
import type { ConcurrencyGate } from './concurrency.ts';
import { RequestError, REQUEST_ERROR } from './errors.ts';
import type { JmapContext } from './context.ts';

export const WEBSOCKET_PROTOCOL = 'jmap';

export type PushCommand =
  { enable: true; dataTypes: Set<string> | null; pushState: string | null } | { enable: false };

export interface WsOutcome {
  /** The message to send back, if any. */
  reply: Record<string, unknown> | null;
  push: PushCommand | null;
}

function requestError(err: RequestError, requestId: unknown): Record<string, unknown> {
  return {
    '@type': 'RequestError',
    ...(typeof requestId === 'string' ? { requestId } : {}),
    type: err.type,
    status: err.status,
    detail: err.message,
    ...err.extra,
  };
}

/**
 * Handles one message. A Request takes one of the account's `requests` slots while it runs
 * (maxConcurrentRequests, counted with the HTTP endpoint's); with none free it is refused
 * with the `limit` RequestError (RFC 8620 §3.6.1, RFC 8887 §4.3.4).
 */
export async function handleWsMessage(
  ctx: JmapContext,
  text: string,
  requests?: ConcurrencyGate,
): Promise<WsOutcome> {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return {
      reply: requestError(new RequestError(REQUEST_ERROR.notJSON, 'the message is not JSON'), null),
      push: null,
    };
  }
  const obj =
    msg !== null && typeof msg === 'object' && !Array.isArray(msg)
      ? (msg as Record<string, unknown>)
      : {};
  const type = obj['@type'];
  if (type === 'Request') {
    const id = obj.id;
    const leave = requests ? requests.enter(ctx.account.id) : () => undefined;
    if (!leave) return { reply: requestError(requests!.refusal(), id), push: null };
    try {
      const response = await handleApiRequest(ctx, text);
      return {
        reply: {
          '@type': 'Response',
          ...(typeof id === 'string' ? { requestId: id } : {}),
          ...response,
        },
        push: null,
      };
    } catch (err) {
      if (err instanceof RequestError) return { reply: requestError(err, id), push: null };
      throw err;
    } finally {
      leave();
    }
  }
  if (type === 'WebSocketPushEnable') {
    const dt = obj.dataTypes;
    if (
      dt !== undefined &&
      dt !== null &&
      (!Array.isArray(dt) || !dt.every((t) => typeof t === 'string'))
    )
      return {
        reply: requestError(
          new RequestError(
            REQUEST_ERROR.notRequest,
            'dataTypes must be a list of type names or null',
          ),
          null,
        ),
        push: null,
      };
    return {
      reply: null,
      push: {
        enable: true,
        dataTypes: Array.isArray(dt) ? new Set(dt as string[]) : null,
        pushState: typeof obj.pushState === 'string' ? obj.pushState : null,
      },
    };
  }
  if (type === 'WebSocketPushDisable') return { reply: null, push: { enable: false } };
  return {
    reply: requestError(
      new RequestError(
        REQUEST_ERROR.notRequest,
        'expected a Request, WebSocketPushEnable or WebSocketPushDisable',
      ),
      obj.id,
    ),
    push: null,
  };
}
