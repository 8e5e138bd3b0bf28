// Identity/get, Identity/changes and Identity/set (RFC 8621 §6): the account's identities
// (core/identities.ts): one per address it may send from, which cannot be destroyed, and any
// created for those addresses. name, replyTo, bcc, textSignature and htmlSignature may be
// changed; an identity for an address the account cannot send from is forbiddenFrom.
import { z } from 'zod';
import {
  deleteIdentity,
  listIdentities,
  saveIdentity,
  type Address,
  type Identity,
} from '../../core/identities.ts';
import { accountModseq } from '../../core/messages.ts';
import { UserError } from '../../util/errors.ts';
import { CAP_SUBMISSION } from '../limits.ts';
import { mustAccount, parseArgs, stateOf, type Method } from '../context.ts';
import { checkIdsLimit, getSchema, pick, properties } from '../get.ts';
import { changesMethod } from '../changes.ts';
import {
  attempt,
  beginSet,
  emptyResult,
  invalid,
  resolveId,
  setResponse,
  setSchema,
  SetFailure,
} from '../set.ts';

const KNOWN = [
  'id',
  'name',
  'email',
  'replyTo',
  'bcc',
  'textSignature',
  'htmlSignature',
  'mayDelete',
];

export const identityGet: Method = {
  capability: CAP_SUBMISSION,
  async run(ctx, raw) {
    const args = parseArgs(getSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    checkIdsLimit(args.ids);
    const props = properties(args.properties, KNOWN);
    const all = await listIdentities(ctx.core, accountId);
    const found = new Map(all.map((i) => [i.id, i]));
    const wanted = args.ids ?? all.map((i) => i.id);
    return {
      accountId: args.accountId,
      state: stateOf(await accountModseq(ctx.core.db, accountId)),
      list: wanted.filter((id) => found.has(id)).map((id) => pick({ ...found.get(id)! }, props)),
      notFound: wanted.filter((id) => !found.has(id)),
    };
  },
};

export const identityChanges: Method = {
  capability: CAP_SUBMISSION,
  run: (ctx, args) => changesMethod(ctx, args, 'Identity'),
};

const addressList = z
  .array(z.object({ name: z.string().nullable().optional(), email: z.string().email() }))
  .nullable();

const fields = {
  name: z.string().max(256),
  replyTo: addressList,
  bcc: addressList,
  textSignature: z.string().max(64 * 1024),
  htmlSignature: z.string().max(256 * 1024),
};

function apply(base: Identity, obj: Record<string, unknown>, creating: boolean): Identity {
  const out = { ...base };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'email') {
      if (!creating) {
        if (v !== base.email) throw invalid('email', 'the address of an identity cannot change');
        continue;
      }
      if (typeof v !== 'string') throw invalid('email', 'email must be a string');
      out.email = v;
    } else if (k in fields) {
      const r = fields[k as keyof typeof fields].safeParse(v);
      if (!r.success) throw invalid(k, `${k} is not valid`);
      const value = r.data as unknown;
      if (k === 'replyTo' || k === 'bcc')
        out[k] =
          value === null
            ? null
            : (value as { name?: string | null; email: string }[]).map((a): Address => ({
                name: a.name ?? null,
                email: a.email,
              }));
      else (out as unknown as Record<string, unknown>)[k] = value;
    } else if (k === 'id' || k === 'mayDelete') {
      if (creating || v !== base[k as 'id' | 'mayDelete'])
        throw invalid(k, `${k} is set by the server`);
    } else throw invalid(k, `unknown property ${k}`);
  }
  return out;
}

export const identitySet: Method = {
  capability: CAP_SUBMISSION,
  async run(ctx, raw) {
    const args = parseArgs(setSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const oldState = await beginSet(ctx, accountId, args);
    const r = emptyResult();
    const core = ctx.core;
    const save = async (i: Identity, id: string | null): Promise<string> => {
      try {
        return await saveIdentity(core, accountId, { ...i, id });
      } catch (err) {
        if (err instanceof UserError && err.code === 'forbidden_from')
          throw new SetFailure('forbiddenFrom', err.message);
        throw err;
      }
    };
    for (const [cid, obj] of Object.entries(args.create ?? {}))
      await attempt(
        async () => {
          if (typeof obj.email !== 'string')
            throw invalid('email', 'a new identity needs an email');
          const base: Identity = {
            id: '',
            name: ctx.account.name,
            email: obj.email,
            replyTo: null,
            bcc: null,
            textSignature: '',
            htmlSignature: '',
            mayDelete: true,
          };
          const id = await save(apply(base, obj, true), null);
          ctx.createdIds.set(cid, id);
          r.created[cid] = { id, mayDelete: true };
        },
        (e) => (r.notCreated[cid] = e),
      );
    for (const [rawId, obj] of Object.entries(args.update ?? {}))
      await attempt(
        async () => {
          const id = resolveId(ctx, rawId) ?? rawId;
          const cur = (await listIdentities(core, accountId)).find((i) => i.id === id);
          if (!cur) throw new SetFailure('notFound');
          await save(apply(cur, obj, false), id);
          r.updated[rawId] = null;
        },
        (e) => (r.notUpdated[rawId] = e),
      );
    for (const rawId of args.destroy ?? [])
      await attempt(
        async () => {
          const id = resolveId(ctx, rawId) ?? rawId;
          const cur = (await listIdentities(core, accountId)).find((i) => i.id === id);
          if (!cur) throw new SetFailure('notFound');
          if (!cur.mayDelete)
            throw new SetFailure('forbidden', 'the identity of an address of the account stays');
          await deleteIdentity(core, accountId, id);
          r.destroyed.push(rawId);
        },
        (e) => (r.notDestroyed[rawId] = e),
      );
    return setResponse(ctx, accountId, args.accountId, oldState, r);
  },
};
