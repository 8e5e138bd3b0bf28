// Email/set (RFC 8621 §4.6, RFC 8620 §5.3): create, update keywords and mailboxIds, destroy. Every
// change goes through the same core functions IMAP uses (updateKeywords, copyEmails,
// removeFromMailbox), so both doors see one truth and one change log. Keywords and
// mailboxIds may be replaced whole or patched ("keywords/$seen": true | null). Create builds
// the message from the JMAP object (emailcreate.ts) and stores it like IMAP APPEND.
import { z } from 'zod';
import { accountModseq, emailsByIds } from '../../core/messages.ts';
import { emailMailboxIds } from '../../core/mailquery.ts';
import { listMailboxes } from '../../core/mailboxes.ts';
import { updateKeywords } from '../../core/keywords.ts';
import { copyEmails } from '../../core/copy.ts';
import { removeFromMailbox } from '../../core/expunge.ts';
import { flagToKeyword } from '../../mail/keywords.ts';
import { CAP_MAIL, CORE_LIMITS } from '../limits.ts';
import {
  idSchema,
  mustAccount,
  parseArgs,
  stateOf,
  type CallContext,
  type Method,
} from '../context.ts';
import { MethodError, type SetError } from '../errors.ts';
import { attempt } from '../set.ts';
import { composeEmail } from '../emailcreate.ts';
import { storeEmail } from '../emailstore.ts';

const schema = z.object({
  accountId: z.string(),
  ifInState: z.string().nullable().optional(),
  create: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  update: z.record(idSchema, z.record(z.string(), z.unknown())).nullable().optional(),
  destroy: z.array(idSchema).nullable().optional(),
});

class Invalid extends Error {
  readonly properties: string[];
  constructor(property: string, why: string) {
    super(why);
    this.properties = [property];
  }
}

function keywordOf(k: string, property: string): string {
  const kw = flagToKeyword(k);
  if (kw === null || k.startsWith('\\')) throw new Invalid(property, `${k} is not a valid keyword`);
  return kw;
}

function trueMap(v: unknown, property: string): string[] {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Invalid(property, `${property} must be an object`);
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.every(([, x]) => x === true))
    throw new Invalid(property, `every value of ${property} must be true`);
  return entries.map(([k]) => k);
}

async function updateOne(
  ctx: CallContext,
  accountId: number,
  id: string,
  patch: Record<string, unknown>,
  current: { keywords: string[]; mailboxes: string[] },
  mailboxIds: Set<string>,
): Promise<void> {
  const keywords = new Set(current.keywords);
  const boxes = new Set(current.mailboxes);
  for (const [path, value] of Object.entries(patch)) {
    if (path === 'keywords') {
      keywords.clear();
      for (const k of trueMap(value, 'keywords')) keywords.add(keywordOf(k, 'keywords'));
    } else if (path.startsWith('keywords/')) {
      const k = keywordOf(path.slice(9).replace(/~1/g, '/').replace(/~0/g, '~'), path);
      if (value === true) keywords.add(k);
      else if (value === null) keywords.delete(k);
      else throw new Invalid(path, `${path} must be true or null`);
    } else if (path === 'mailboxIds') {
      boxes.clear();
      for (const m of trueMap(value, 'mailboxIds')) boxes.add(ctx.createdIds.get(m.slice(1)) ?? m);
    } else if (path.startsWith('mailboxIds/')) {
      const raw = path.slice(11);
      const m = raw.startsWith('#') ? (ctx.createdIds.get(raw.slice(1)) ?? raw) : raw;
      if (value === true) boxes.add(m);
      else if (value === null) boxes.delete(m);
      else throw new Invalid(path, `${path} must be true or null`);
    } else throw new Invalid(path, `${path} cannot be changed`);
  }
  for (const m of boxes) if (!mailboxIds.has(m)) throw new Invalid('mailboxIds', `no mailbox ${m}`);
  if (boxes.size === 0)
    throw new Invalid('mailboxIds', 'an email must stay in at least one mailbox');
  const sorted = [...keywords].sort();
  if (sorted.join(' ') !== [...current.keywords].sort().join(' '))
    await updateKeywords(ctx.core, accountId, [id], 'set', sorted);
  // Add first, then remove: a crash in between leaves the email in both, never in none.
  for (const m of boxes)
    if (!current.mailboxes.includes(m)) await copyEmails(ctx.core, accountId, [id], m);
  for (const m of current.mailboxes)
    if (!boxes.has(m)) await removeFromMailbox(ctx.core, accountId, m, [id]);
}

export const emailSet: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const db = ctx.core.db;
    const oldState = stateOf(await accountModseq(db, accountId));
    if (args.ifInState != null && args.ifInState !== oldState)
      throw new MethodError('stateMismatch');
    const creates = Object.keys(args.create ?? {});
    const updates = Object.entries(args.update ?? {});
    const destroys = args.destroy ?? [];
    if (creates.length + updates.length + destroys.length > CORE_LIMITS.maxObjectsInSet)
      throw new MethodError(
        'requestTooLarge',
        `at most ${CORE_LIMITS.maxObjectsInSet} objects in one /set`,
      );
    const notCreated: Record<string, SetError> = {};
    const created: Record<string, Record<string, unknown>> = {};
    for (const [cid, obj] of Object.entries(args.create ?? {}))
      await attempt(
        async () => {
          const e = await composeEmail(ctx, accountId, obj);
          const stored = await storeEmail(
            ctx,
            accountId,
            e.raw,
            e.mailboxIds,
            e.keywords,
            e.receivedAt,
          );
          ctx.createdIds.set(cid, stored.id);
          created[cid] = { ...stored };
        },
        (err) => (notCreated[cid] = err),
      );
    const ids = [...new Set([...updates.map(([id]) => id), ...destroys])];
    const rows = await emailsByIds(db, accountId, ids);
    const memberships = await emailMailboxIds(db, accountId, ids);
    const mailboxIds = new Set((await listMailboxes(db, accountId)).map((m) => m.id));
    const updated: Record<string, null> = {};
    const notUpdated: Record<string, SetError> = {};
    for (const [id, patch] of updates) {
      const row = rows.get(id);
      if (!row) {
        notUpdated[id] = { type: 'notFound' };
        continue;
      }
      try {
        await updateOne(
          ctx,
          accountId,
          id,
          patch,
          { keywords: row.keywords, mailboxes: memberships.get(id) ?? [] },
          mailboxIds,
        );
        updated[id] = null;
      } catch (err) {
        if (!(err instanceof Invalid)) throw err;
        notUpdated[id] = {
          type: 'invalidProperties',
          description: err.message,
          properties: err.properties,
        };
      }
    }
    const destroyed: string[] = [];
    const notDestroyed: Record<string, SetError> = {};
    for (const id of destroys) {
      const boxes = (await emailMailboxIds(db, accountId, [id])).get(id);
      if (!rows.has(id) || !boxes) {
        notDestroyed[id] = { type: 'notFound' };
        continue;
      }
      for (const m of boxes) await removeFromMailbox(ctx.core, accountId, m, [id]);
      destroyed.push(id);
    }
    const out: Record<string, unknown> = {
      accountId: args.accountId,
      oldState,
      newState: stateOf(await accountModseq(db, accountId)),
      created: Object.keys(created).length > 0 ? created : null,
      updated: updates.length > 0 ? updated : null,
      destroyed: destroys.length > 0 ? destroyed : null,
      notCreated: Object.keys(notCreated).length > 0 ? notCreated : null,
      notUpdated: Object.keys(notUpdated).length > 0 ? notUpdated : null,
      notDestroyed: Object.keys(notDestroyed).length > 0 ? notDestroyed : null,
    };
    return out;
  },
};
