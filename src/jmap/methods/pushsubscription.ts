// PushSubscription/get and /set (RFC 8620 §7.2): no accountId, no state. A new subscription
// gets a PushVerification posted to its URL (§7.2.2) and receives StateChanges only once the
// client has set the verification code it got. url and keys are write-only (never returned);
// expires is bounded by the server. Only https URLs without userinfo, and no IP address that is
// not public unless jmap.pushAllowPrivateAddresses is on (the sender checks what host names
// resolve to). keys, when given, must be a P-256 key and a 16-octet secret (RFC 8291 §3): every
// push to such a subscription is then encrypted.
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  boundExpiry,
  createPushSubscription,
  deletePushSubscription,
  listPushSubscriptions,
  updatePushSubscription,
} from '../../core/pushsubs.ts';
import { CAP_CORE } from '../limits.ts';
import { parseArgs, utcDate, type Method } from '../context.ts';
import { MethodError } from '../errors.ts';
import { checkIdsLimit, pick } from '../get.ts';
import { attempt, emptyResult, invalid, SetFailure } from '../set.ts';
import { parsePushKeys, type PushKeys } from '../webpush.ts';
import { nonPublicReason } from '../../util/publicaddress.ts';

const getSchema = z.object({
  ids: z.array(z.string()).nullable().optional(),
  properties: z.array(z.string()).nullable().optional(),
});
const READABLE = ['id', 'deviceClientId', 'verificationCode', 'expires', 'types'];

export const pushSubscriptionGet: Method = {
  capability: CAP_CORE,
  async run(ctx, raw) {
    const args = parseArgs(getSchema, raw);
    checkIdsLimit(args.ids);
    const props = new Set(['id', ...(args.properties ?? READABLE)]);
    for (const p of props)
      if (!READABLE.includes(p))
        throw new MethodError(
          p === 'url' || p === 'keys' ? 'forbidden' : 'invalidArguments',
          `${p} cannot be read`,
        );
    const all = await listPushSubscriptions(ctx.core, ctx.account.id);
    const byId = new Map(all.map((s) => [s.id, s]));
    const wanted = args.ids ?? all.map((s) => s.id);
    return {
      list: wanted
        .filter((id) => byId.has(id))
        .map((id) => {
          const s = byId.get(id)!;
          return pick(
            {
              id: s.id,
              deviceClientId: s.deviceClientId,
              // §7.2: the code is shown only once the client has proved it got it.
              verificationCode: s.verified ? s.verificationCode : null,
              expires: utcDate(s.expires),
              types: s.types,
            },
            props,
          );
        }),
      notFound: wanted.filter((id) => !byId.has(id)),
    };
  },
};

const setSchema = z.object({
  create: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  update: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  destroy: z.array(z.string()).nullable().optional(),
});

function expiresOf(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw invalid('expires', 'expires must be a UTCDate');
  return t;
}

/** Longest push URL accepted; push services' URLs are a few hundred characters. */
export const MAX_URL_LENGTH = 2048;

/**
 * The url of a new subscription: https (RFC 8620 §7.2), no user name or password, at most
 * MAX_URL_LENGTH characters, and — unless private addresses are allowed — not an IP address
 * that is not public. Host names are checked when each push is sent (http/pushsender.ts).
 */
function urlOf(v: unknown, allowPrivate: boolean): URL {
  if (typeof v !== 'string') throw invalid('url', 'url is needed');
  if (v.length > MAX_URL_LENGTH)
    throw invalid('url', `url is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid('url', 'url is not a URL');
  }
  if (url.protocol !== 'https:') throw invalid('url', 'push URLs must be https');
  if (url.href.length > MAX_URL_LENGTH)
    throw invalid('url', `url is longer than ${MAX_URL_LENGTH} characters`);
  if (url.username || url.password)
    throw invalid('url', 'push URLs may not hold a user name or password');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const why = isIP(host) && !allowPrivate ? nonPublicReason(host) : null;
  if (why !== null) throw invalid('url', `push URLs must reach a public address, not ${why}`);
  return url;
}

function typesOf(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string'))
    throw invalid('types', 'types must be a list of type names or null');
  return v as string[];
}

export const pushSubscriptionSet: Method = {
  capability: CAP_CORE,
  async run(ctx, raw) {
    const args = parseArgs(setSchema, raw);
    const accountId = ctx.account.id;
    const r = emptyResult();
    for (const [cid, obj] of Object.entries(args.create ?? {}))
      await attempt(
        async () => {
          for (const k of Object.keys(obj))
            if (!['deviceClientId', 'url', 'keys', 'expires', 'types'].includes(k))
              throw invalid(k, `${k} is set by the server`);
          if (typeof obj.deviceClientId !== 'string' || obj.deviceClientId.length > 255)
            throw invalid('deviceClientId', 'deviceClientId is needed');
          const url = urlOf(obj.url, ctx.core.config.jmap.pushAllowPrivateAddresses);
          let keys: PushKeys | null = null;
          if (obj.keys !== undefined && obj.keys !== null) {
            const k = parsePushKeys(obj.keys);
            if (typeof k === 'string') throw invalid('keys', k);
            keys = k;
          }
          const wanted = expiresOf(obj.expires);
          const sub = await createPushSubscription(ctx.core, accountId, {
            deviceClientId: obj.deviceClientId,
            url: url.href,
            keys,
            expires: boundExpiry(wanted),
            types: typesOf(obj.types),
          });
          // §7.2.2: the verification goes out like any push, so encrypted when there are keys.
          ctx.pushVerify?.(
            { accountId, id: sub.id, url: sub.url, keys: sub.keys },
            {
              '@type': 'PushVerification',
              pushSubscriptionId: sub.id,
              verificationCode: sub.verificationCode,
            },
          );
          ctx.createdIds.set(cid, sub.id);
          r.created[cid] = {
            id: sub.id,
            // Properties left out and given their default (RFC 8620 §5.3).
            ...(keys === null ? { keys: null } : {}),
            ...(wanted !== sub.expires ? { expires: utcDate(sub.expires) } : {}),
          };
        },
        (e) => (r.notCreated[cid] = e),
      );
    const all = new Map((await listPushSubscriptions(ctx.core, accountId)).map((s) => [s.id, s]));
    for (const [id, obj] of Object.entries(args.update ?? {}))
      await attempt(
        async () => {
          const cur = all.get(id);
          if (!cur) throw new SetFailure('notFound');
          const patch: { verified?: boolean; expires?: number; types?: string[] | null } = {};
          let bounded: number | null = null;
          for (const [k, v] of Object.entries(obj)) {
            if (k === 'verificationCode') {
              if (v !== cur.verificationCode)
                throw invalid(k, 'that is not the code posted to the URL');
              patch.verified = true;
            } else if (k === 'expires') {
              const wanted = expiresOf(v);
              patch.expires = boundExpiry(wanted);
              if (wanted !== patch.expires) bounded = patch.expires;
            } else if (k === 'types') patch.types = typesOf(v);
            else throw invalid(k, `${k} cannot be changed`);
          }
          await updatePushSubscription(ctx.core, accountId, id, patch);
          r.updated[id] = bounded === null ? null : { expires: utcDate(bounded) };
        },
        (e) => (r.notUpdated[id] = e),
      );
    for (const id of args.destroy ?? [])
      if (await deletePushSubscription(ctx.core, accountId, id)) r.destroyed.push(id);
      else r.notDestroyed[id] = { type: 'notFound' };
    const orNull = <T extends object>(o: T): T | null => (Object.keys(o).length > 0 ? o : null);
    return {
      created: orNull(r.created),
      updated: orNull(r.updated),
      destroyed: r.destroyed.length > 0 ? r.destroyed : null,
      notCreated: orNull(r.notCreated),
      notUpdated: orNull(r.notUpdated),
      notDestroyed: orNull(r.notDestroyed),
    };
  },
};
