// PushSubscription/get and /set (RFC 8620 §7.2): no accountId, no state. A new subscription
// gets a PushVerification posted to its URL (§7.2.2) and receives StateChanges only once the
// client has set the verification code it got. url and keys are write-only (never returned);
// expires is bounded by the server. Only https URLs; keys (RFC 8291 encryption) are not
// offered and refused as invalidProperties.
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
          let url: URL;
          try {
            url = new URL(String(obj.url));
          } catch {
            throw invalid('url', 'url is not a URL');
          }
          if (url.protocol !== 'https:') throw invalid('url', 'push URLs must be https');
          if (obj.keys !== undefined && obj.keys !== null)
            throw invalid('keys', 'encrypted push (RFC 8291) is not offered; leave keys out');
          const wanted = expiresOf(obj.expires);
          const sub = await createPushSubscription(ctx.core, accountId, {
            deviceClientId: obj.deviceClientId,
            url: url.href,
            keys: null,
            expires: boundExpiry(wanted),
            types: typesOf(obj.types),
          });
          ctx.pushVerify?.(sub.url, {
            '@type': 'PushVerification',
            pushSubscriptionId: sub.id,
            verificationCode: sub.verificationCode,
          });
          ctx.createdIds.set(cid, sub.id);
          r.created[cid] = {
            id: sub.id,
            keys: null,
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
