// Posting to push subscriptions (RFC 8620 §7.2): the PushVerification of a new subscription,
// and a StateChange (§7.1) for each change of its account to every verified, unexpired
// subscription whose types match. JSON over HTTPS with TTL (RFC 8030 §5.2); a failed post is
// logged and dropped (the client catches up with /changes). Certificates are verified;
// `trustPushCa` lets tests trust their own.
import { request } from 'node:https';
import type { Core } from '../core/core.ts';
import { listPushSubscriptions } from '../core/pushsubs.ts';
import { accountIdOf } from '../jmap/context.ts';
import { stateChange } from '../jmap/push.ts';
import { errorMessage } from '../util/errors.ts';

export interface PushSender {
  post(url: string, body: Record<string, unknown>): void;
  close(): void;
}

let extraCa: string | Buffer | undefined;

/** Trusts one more certificate authority for push URLs (tests with their own certificate). */
export function trustPushCa(ca: string | Buffer | undefined): void {
  extraCa = ca;
}

const TIMEOUT_MS = 10_000;

export function pushSender(core: Core): PushSender {
  const post = (url: string, body: Record<string, unknown>): void => {
    const data = JSON.stringify(body);
    try {
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(data),
            TTL: '86400',
          },
          timeout: TIMEOUT_MS,
          ...(extraCa ? { ca: extraCa } : {}),
        },
        (res) => {
          res.resume();
          if ((res.statusCode ?? 0) >= 300)
            core.log.info({ url: new URL(url).origin, status: res.statusCode }, 'push refused');
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) =>
        core.log.info({ err: errorMessage(err), url: new URL(url).origin }, 'push failed'),
      );
      req.end(data);
    } catch (err) {
      core.log.info({ err: errorMessage(err) }, 'push failed');
    }
  };
  const unsubscribe = core.bus.subscribeAll((e) => {
    if (e.accountId <= 0) return;
    void listPushSubscriptions(core, e.accountId)
      .then((subs) => {
        for (const s of subs) {
          if (!s.verified) continue;
          const change = stateChange(
            accountIdOf(e.accountId),
            e,
            s.types ? new Set(s.types) : null,
          );
          if (change) post(s.url, change);
        }
      })
      .catch((err: unknown) => core.log.warn({ err: errorMessage(err) }, 'push lookup failed'));
  });
  return { post, close: unsubscribe };
}
