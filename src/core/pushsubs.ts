// Push subscriptions (JMAP RFC 8620 §7.2): URLs a user's devices gave to be told of changes,
// each verified by a code posted to it before anything else is sent there, expiring after
// at most MAX_EXPIRY_MS. Kept per account; not in the change log (they have no /changes).
import type { Core } from './core.ts';
import { newId } from './ids.ts';

export const MAX_EXPIRY_MS = 7 * 24 * 3600_000;

export interface PushSubscription {
  id: string;
  deviceClientId: string;
  url: string;
  keys: { p256dh: string; auth: string } | null;
  verificationCode: string;
  verified: boolean;
  expires: number;
  types: string[] | null;
}

type Row = Awaited<ReturnType<typeof rows>>[number];

function rows(core: Core, accountId: number) {
  return core.db
    .selectFrom('push_subscriptions')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
}

function fromRow(r: Row): PushSubscription {
  return {
    id: r.id,
    deviceClientId: r.device_client_id,
    url: r.url,
    keys: r.keys === null ? null : (JSON.parse(r.keys) as PushSubscription['keys']),
    verificationCode: r.verification_code,
    verified: Number(r.verified) === 1,
    expires: Number(r.expires),
    types: r.types === null ? null : (JSON.parse(r.types) as string[]),
  };
}

/** The account's subscriptions that have not expired. */
export async function listPushSubscriptions(
  core: Core,
  accountId: number,
  now = Date.now(),
): Promise<PushSubscription[]> {
  return (await rows(core, accountId)).map(fromRow).filter((s) => s.expires > now);
}

/** An expiry the server accepts: at most MAX_EXPIRY_MS away (§7.2: the server may shorten). */
export function boundExpiry(wanted: number | null, now = Date.now()): number {
  return wanted === null ? now + MAX_EXPIRY_MS : Math.min(wanted, now + MAX_EXPIRY_MS);
}

export async function createPushSubscription(
  core: Core,
  accountId: number,
  s: Omit<PushSubscription, 'id' | 'verificationCode' | 'verified'>,
  now = Date.now(),
): Promise<PushSubscription> {
  const sub: PushSubscription = {
    ...s,
    id: newId('P'),
    verificationCode: newId('P').slice(1) + newId('P').slice(1),
    verified: false,
  };
  await core.db
    .insertInto('push_subscriptions')
    .values({
      account_id: accountId,
      id: sub.id,
      device_client_id: sub.deviceClientId,
      url: sub.url,
      keys: sub.keys === null ? null : JSON.stringify(sub.keys),
      verification_code: sub.verificationCode,
      verified: 0,
      expires: sub.expires,
      types: sub.types === null ? null : JSON.stringify(sub.types),
      created_at: now,
    })
    .execute();
  return sub;
}

export async function updatePushSubscription(
  core: Core,
  accountId: number,
  id: string,
  patch: { verified?: boolean; expires?: number; types?: string[] | null },
): Promise<void> {
  await core.db
    .updateTable('push_subscriptions')
    .set({
      ...(patch.verified !== undefined ? { verified: patch.verified ? 1 : 0 } : {}),
      ...(patch.expires !== undefined ? { expires: patch.expires } : {}),
      ...(patch.types !== undefined
        ? { types: patch.types === null ? null : JSON.stringify(patch.types) }
        : {}),
    })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}

export async function deletePushSubscription(
  core: Core,
  accountId: number,
  id: string,
): Promise<boolean> {
  const r = await core.db
    .deleteFrom('push_subscriptions')
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
