// Mailbox/set (RFC 8621 §2.5): create (under a parent, with a role and sort order), update
// (name, parentId, role, sortOrder, isSubscribed), destroy (mailboxHasChild; mailboxHasEmail
// unless onDestroyRemoveEmails, then its emails leave it and go when in no other mailbox).
// Names are one level: not empty, no "/" (our hierarchy separator), no control characters,
// unique among siblings; every change goes through core/mailboxset.ts as IMAP's do.
import { z } from 'zod';
import {
  addMailbox,
  deleteMailbox,
  renameMailbox,
  setSubscribed,
  SEPARATOR,
  normalizeMailboxName,
} from '../../core/mailboxset.ts';
import { setMailboxProps, SETTABLE_ROLES } from '../../core/mailboxprops.ts';
import { mailboxCounts } from '../../core/messages.ts';
import { UserError } from '../../util/errors.ts';
import { CAP_MAIL, MAIL_ACCOUNT_CAPABILITY } from '../limits.ts';
import { mustAccount, parseArgs, uintSchema, type CallContext, type Method } from '../context.ts';
import { jmapMailboxes, type JmapMailbox } from '../mailboxes.ts';
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
import { ALL_RIGHTS } from './mailbox-get.ts';

const schema = setSchema.extend({ onDestroyRemoveEmails: z.boolean().optional() });

const SERVER_SET = [
  'id',
  'totalEmails',
  'unreadEmails',
  'totalThreads',
  'unreadThreads',
  'myRights',
];
const SETTABLE = ['name', 'parentId', 'role', 'sortOrder', 'isSubscribed'];

interface Wanted {
  name?: string;
  parentId?: string | null;
  role?: string | null;
  sortOrder?: number;
  isSubscribed?: boolean;
}

function checkName(v: unknown): string {
  if (typeof v !== 'string') throw invalid('name', 'name must be a string');
  const n = v.normalize('NFC');
  if (n.length === 0 || n.trim() !== n)
    throw invalid('name', 'a name may not be empty nor start or end with a space');
  if (n.includes(SEPARATOR)) throw invalid('name', `a name may not contain "${SEPARATOR}"`);
  if (Buffer.byteLength(n) > MAIL_ACCOUNT_CAPABILITY.maxSizeMailboxName)
    throw invalid('name', 'the name is too long');
  if (normalizeMailboxName(n) === null)
    throw invalid('name', 'the name has characters not allowed');
  return n;
}

function parse(ctx: CallContext, obj: Record<string, unknown>, creating: boolean): Wanted {
  const w: Wanted = {};
  for (const [k, v] of Object.entries(obj)) {
    if (SERVER_SET.includes(k)) {
      if (creating || k !== 'myRights') throw invalid(k, `${k} is set by the server`);
      continue;
    }
    if (!SETTABLE.includes(k)) throw invalid(k, `unknown property ${k}`);
    if (k === 'name') w.name = checkName(v);
    else if (k === 'parentId') {
      if (v === null) w.parentId = null;
      else if (typeof v === 'string') {
        const id = resolveId(ctx, v);
        if (!id) throw invalid('parentId', `no mailbox ${v}`);
        w.parentId = id;
      } else throw invalid('parentId', 'parentId must be an id or null');
    } else if (k === 'role') {
      if (v !== null && (typeof v !== 'string' || !SETTABLE_ROLES.has(v)))
        throw invalid('role', `${String(v)} is not a role a mailbox may be given`);
      w.role = v;
    } else if (k === 'sortOrder') {
      const r = uintSchema.max(2 ** 31 - 1).safeParse(v);
      if (!r.success) throw invalid('sortOrder', 'sortOrder must be an unsigned integer');
      w.sortOrder = r.data;
    } else if (k === 'isSubscribed') {
      if (typeof v !== 'boolean') throw invalid('isSubscribed', 'isSubscribed must be a boolean');
      w.isSubscribed = v;
    }
  }
  return w;
}

function coreFailure(err: unknown, property: string): never {
  if (err instanceof UserError) {
    if (err.code === 'exists' && /role|use/.test(err.message)) throw invalid('role', err.message);
    if (err.code === 'exists' || err.code === 'invalid') throw invalid(property, err.message);
    if (err.code === 'not_found') throw new SetFailure('notFound', err.message);
  }
  throw err;
}

export const mailboxSet: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const oldState = await beginSet(ctx, accountId, args);
    const r = emptyResult();
    const core = ctx.core;
    const boxes = async (): Promise<Map<string, JmapMailbox>> =>
      new Map((await jmapMailboxes(core.db, accountId)).map((b) => [b.id, b]));
    const pathUnder = (all: Map<string, JmapMailbox>, parentId: string | null, name: string) => {
      if (parentId === null) return name;
      const p = all.get(parentId);
      if (!p) throw invalid('parentId', `no mailbox ${parentId}`);
      return p.path + SEPARATOR + name;
    };
    const taken = (all: Map<string, JmapMailbox>, path: string, self?: string) =>
      [...all.values()].some(
        (b) =>
          b.id !== self &&
          (b.path === path || (b.path === 'INBOX' && path.toUpperCase() === 'INBOX')),
      );

    for (const [cid, obj] of Object.entries(args.create ?? {}))
      await attempt(
        async () => {
          const w = parse(ctx, obj, true);
          if (w.name === undefined) throw invalid('name', 'a new mailbox needs a name');
          const all = await boxes();
          const path = pathUnder(all, w.parentId ?? null, w.name);
          if (taken(all, path)) throw invalid('name', 'a sibling already has this name');
          let mb;
          try {
            mb = await addMailbox(core, accountId, path, w.role ?? null);
          } catch (err) {
            coreFailure(err, 'name');
          }
          if (w.sortOrder !== undefined)
            await setMailboxProps(core, accountId, mb.id, { sortOrder: w.sortOrder });
          if (w.isSubscribed === false) await setSubscribed(core, accountId, path, false);
          ctx.createdIds.set(cid, mb.id);
          r.created[cid] = {
            id: mb.id,
            totalEmails: 0,
            unreadEmails: 0,
            totalThreads: 0,
            unreadThreads: 0,
            myRights: ALL_RIGHTS,
            isSubscribed: w.isSubscribed ?? true,
            sortOrder: w.sortOrder ?? 100,
            role: w.role ?? null,
            parentId: w.parentId ?? null,
          };
        },
        (e) => (r.notCreated[cid] = e),
      );

    const destroying = new Set((args.destroy ?? []).map((id) => resolveId(ctx, id) ?? id));
    for (const [rawId, obj] of Object.entries(args.update ?? {})) {
      const id = resolveId(ctx, rawId) ?? rawId;
      await attempt(
        async () => {
          const all = await boxes();
          const cur = all.get(id);
          if (!cur) throw new SetFailure('notFound');
          if (destroying.has(id)) throw new SetFailure('willDestroy');
          const w = parse(ctx, obj, false);
          const name = w.name ?? cur.name;
          const parentId = w.parentId === undefined ? cur.parentId : w.parentId;
          if (name !== cur.name || parentId !== cur.parentId) {
            if (cur.role === 'inbox')
              throw new SetFailure('forbidden', 'the inbox cannot be renamed or moved');
            for (let p = parentId; p !== null; p = all.get(p)?.parentId ?? null)
              if (p === id) throw invalid('parentId', 'a mailbox cannot move under itself');
            const path = pathUnder(all, parentId, name);
            if (taken(all, path, id)) throw invalid('name', 'a sibling already has this name');
            try {
              await renameMailbox(core, accountId, cur.path, path);
            } catch (err) {
              coreFailure(err, 'name');
            }
          }
          if (w.role !== undefined || w.sortOrder !== undefined)
            try {
              await setMailboxProps(core, accountId, id, {
                ...(w.role !== undefined ? { role: w.role } : {}),
                ...(w.sortOrder !== undefined ? { sortOrder: w.sortOrder } : {}),
              });
            } catch (err) {
              coreFailure(err, 'role');
            }
          if (w.isSubscribed !== undefined && w.isSubscribed !== cur.isSubscribed) {
            const now = (await boxes()).get(id)!;
            await setSubscribed(core, accountId, now.path, w.isSubscribed);
          }
          r.updated[rawId] = null;
        },
        (e) => (r.notUpdated[rawId] = e),
      );
    }

    for (const rawId of args.destroy ?? []) {
      const id = resolveId(ctx, rawId) ?? rawId;
      await attempt(
        async () => {
          const all = await boxes();
          const cur = all.get(id);
          if (!cur) throw new SetFailure('notFound');
          if (cur.role === 'inbox')
            throw new SetFailure('forbidden', 'the inbox cannot be destroyed');
          if ([...all.values()].some((b) => b.parentId === id))
            throw new SetFailure('mailboxHasChild', 'destroy or move its child mailboxes first');
          if (
            !args.onDestroyRemoveEmails &&
            (await mailboxCounts(core.db, accountId, id)).messages > 0
          )
            throw new SetFailure(
              'mailboxHasEmail',
              'the mailbox holds emails (see onDestroyRemoveEmails)',
            );
          try {
            await deleteMailbox(core, accountId, cur.path);
          } catch (err) {
            coreFailure(err, 'id');
          }
          r.destroyed.push(rawId);
        },
        (e) => (r.notDestroyed[rawId] = e),
      );
    }
    return setResponse(ctx, accountId, args.accountId, oldState, r);
  },
};
