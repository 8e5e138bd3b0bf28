// The JMAP Session resource (RFC 8620 §2): capabilities with their limits, the accounts the
// user reaches (today their own), primary accounts, and the URL templates of the API,
// download, upload and push endpoints. `state` changes only when this object would.
import { createHash } from 'node:crypto';
import type { Account } from '../store/schema.ts';
import { jmapAccountId } from './context.ts';
import {
  CAP_CORE,
  CAP_MAIL,
  CAP_SUBMISSION,
  CAP_VACATION,
  CAP_VAPID,
  CAP_WEBSOCKET,
  CORE_LIMITS,
  MAIL_ACCOUNT_CAPABILITY,
  SUBMISSION_ACCOUNT_CAPABILITY,
} from './limits.ts';

/** Paths under the origin that http/ serves the JMAP endpoints at. */
export const JMAP_PATHS = {
  session: '/jmap/session',
  api: '/jmap/api',
  download: '/jmap/download/{accountId}/{blobId}/{name}?type={type}',
  upload: '/jmap/upload/{accountId}/',
  eventSource: '/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}',
  websocket: '/jmap/ws/',
} as const;

/** Changes when the session object would (the account's address, name, capabilities). */
export function sessionState(account: Account): string {
  return createHash('sha256')
    .update(
      JSON.stringify([account.id, account.email, account.name, [...Object.keys(CORE_LIMITS)]]),
    )
    .digest('base64url')
    .slice(0, 16);
}

/**
 * The Session object for a signed-in account; `origin` is e.g. "https://mail.example",
 * `vapidPublicKey` the server's VAPID key (jmap/vapid.ts; never rotated, so not in `state`).
 */
export function sessionResource(
  account: Account,
  origin: string,
  vapidPublicKey: string,
): Record<string, unknown> {
  const id = jmapAccountId(account);
  return {
    capabilities: {
      [CAP_CORE]: CORE_LIMITS,
      [CAP_MAIL]: {},
      [CAP_SUBMISSION]: {},
      [CAP_VACATION]: {},
      // RFC 8887 §4: where the WebSocket is, and that it pushes.
      [CAP_WEBSOCKET]: {
        url: origin.replace(/^http/, 'ws') + JMAP_PATHS.websocket,
        supportsPush: true,
      },
      // RFC 9749 §3: the key to give the push service when subscribing.
      [CAP_VAPID]: { applicationServerKey: vapidPublicKey },
    },
    accounts: {
      [id]: {
        name: account.email,
        isPersonal: true,
        isReadOnly: false,
        accountCapabilities: {
          [CAP_MAIL]: MAIL_ACCOUNT_CAPABILITY,
          [CAP_SUBMISSION]: SUBMISSION_ACCOUNT_CAPABILITY,
          [CAP_VACATION]: {},
        },
      },
    },
    primaryAccounts: { [CAP_MAIL]: id, [CAP_SUBMISSION]: id, [CAP_VACATION]: id },
    username: account.email,
    apiUrl: origin + JMAP_PATHS.api,
    downloadUrl: origin + JMAP_PATHS.download,
    uploadUrl: origin + JMAP_PATHS.upload,
    eventSourceUrl: origin + JMAP_PATHS.eventSource,
    state: sessionState(account),
  };
}
