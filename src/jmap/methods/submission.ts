// EmailSubmission/get, /changes, /query and /set (RFC 8621 §7) over core/submission.ts. A
// created submission is held for the undo window; setting undoStatus "canceled" stops it
// (cannotUnsend once it has left). onSuccessUpdateEmail / onSuccessDestroyEmail run as an
// implicit Email/set after this call's response (§7.5), e.g. to file the sent draft in Sent
// and drop $draft. Envelope and From are checked against the account's addresses.
import { z } from 'zod';
import {
  cancelSubmission,
  createSubmission,
  destroySubmission,
  listSubmissions,
  SubmissionError,
  type Envelope,
  type Submission,
} from '../../core/submission.ts';
import { accountModseq } from '../../core/messages.ts';
import { CAP_SUBMISSION } from '../limits.ts';
import {
  mustAccount,
  parseArgs,
  stateOf,
  uintSchema,
  utcDate,
  withImplicit,
  type Method,
} from '../context.ts';
import { MethodError } from '../errors.ts';
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
import { emailSet } from './email-set.ts';

const KNOWN = [
  'id',
  'identityId',
  'emailId',
  'threadId',
  'envelope',
  'sendAt',
  'undoStatus',
  'deliveryStatus',
  'dsnBlobIds',
  'mdnBlobIds',
];

function view(s: Submission): Record<string, unknown> {
  return {
    id: s.id,
    identityId: s.identityId,
    emailId: s.emailId,
    threadId: s.threadId,
    envelope: s.envelope,
    sendAt: utcDate(s.sendAt),
    undoStatus: s.undoStatus,
    deliveryStatus: s.deliveryStatus,
    dsnBlobIds: [],
    mdnBlobIds: [],
  };
}

export const submissionGet: Method = {
  capability: CAP_SUBMISSION,
  async run(ctx, raw) {
    const args = parseArgs(getSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    checkIdsLimit(args.ids);
    const props = properties(args.properties, KNOWN);
    const all = new Map((await listSubmissions(ctx.core, accountId)).map((s) => [s.id, s]));
    const wanted = args.ids ?? [...all.keys()];
    return {
      accountId: args.accountId,
      state: stateOf(await accountModseq(ctx.core.db, accountId)),
      list: wanted.filter((id) => all.has(id)).map((id) => pick(view(all.get(id)!), props)),
      notFound: wanted.filter((id) => !all.has(id)),
    };
  },
};

export const submissionChanges: Method = {
  capability: CAP_SUBMISSION,
  run: (ctx, args) => changesMethod(ctx, args, 'EmailSubmission'),
};

const querySchema = z.object({
  accountId: z.string(),
  filter: z
    .object({
      identityIds: z.array(z.string()).optional(),
      emailIds: z.array(z.string()).optional(),
      threadIds: z.array(z.string()).optional(),
      undoStatus: z.enum(['pending', 'final', 'canceled']).optional(),
      before: z.string().optional(),
      after: z.string().optional(),
    })
    .strict()
    .nullable()
    .optional(),
  sort: z
    .array(z.object({ property: z.string(), isAscending: z.boolean().optional() }))
    .nullable()
    .optional(),
  position: z.number().int().min(0).optional(),
  limit: uintSchema.nullable().optional(),
  calculateTotal: z.boolean().optional(),
});

export const submissionQuery: Method = {
  capability: CAP_SUBMISSION,
  async run(ctx, raw) {
    const r = querySchema.safeParse(raw);
    if (!r.success)
      throw new MethodError(
        r.error.issues.some((i) => i.path[0] === 'filter')
          ? 'unsupportedFilter'
          : 'invalidArguments',
        r.error.issues[0]?.message,
      );
    const args = r.data;
    const accountId = mustAccount(ctx, args.accountId);
    const f = args.filter ?? {};
    const before = f.before ? Date.parse(f.before) : Infinity;
    const after = f.after ? Date.parse(f.after) : -Infinity;
    let list = (await listSubmissions(ctx.core, accountId)).filter(
      (s) =>
        (!f.identityIds || f.identityIds.includes(s.identityId)) &&
        (!f.emailIds || f.emailIds.includes(s.emailId)) &&
        (!f.threadIds || f.threadIds.includes(s.threadId)) &&
        (!f.undoStatus || f.undoStatus === s.undoStatus) &&
        s.sendAt < before &&
        s.sendAt >= after,
    );
    for (const c of [...(args.sort ?? [{ property: 'sentAt', isAscending: false }])].reverse()) {
      const key = { emailId: 'emailId', threadId: 'threadId', sentAt: 'sendAt' }[c.property] as
        'emailId' | 'threadId' | 'sendAt' | undefined;
      if (!key) throw new MethodError('unsupportedSort', `cannot sort by ${c.property}`);
      const dir = c.isAscending === false ? -1 : 1;
      list = list.sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : 0));
    }
    const position = args.position ?? 0;
    const ids = list.map((s) => s.id);
    return {
      accountId: args.accountId,
      queryState: stateOf(await accountModseq(ctx.core.db, accountId)),
      canCalculateChanges: false,
      position,
      ids: args.limit == null ? ids.slice(position) : ids.slice(position, position + args.limit),
      ...(args.calculateTotal ? { total: ids.length } : {}),
    };
  },
};

const addressSchema = z.object({
  email: z.string(),
  parameters: z.record(z.string(), z.string().nullable()).nullable().optional(),
});
const envelopeSchema = z.object({ mailFrom: addressSchema, rcptTo: z.array(addressSchema) });

const schema = setSchema.extend({
  onSuccessUpdateEmail: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .nullable()
    .optional(),
  onSuccessDestroyEmail: z.array(z.string()).nullable().optional(),
});

function refusal(err: SubmissionError, max: { size: number; rcpts: number }): SetFailure {
  switch (err.refusal) {
    case 'invalid_identity':
      return invalid('identityId', err.message);
    case 'no_email':
      return invalid('emailId', err.message);
    case 'forbidden_from':
      return new SetFailure('forbiddenFrom', err.message);
    case 'forbidden_mail_from':
      return new SetFailure('forbiddenMailFrom', err.message);
    case 'no_recipients':
      return new SetFailure('noRecipients', err.message);
    case 'invalid_recipients': {
      const f = new SetFailure('invalidRecipients', err.message);
      Object.assign(f.error, { invalidRecipients: err.detail });
      return f;
    }
    case 'too_many_recipients': {
      const f = new SetFailure('tooManyRecipients', err.message);
      Object.assign(f.error, { maxRecipients: max.rcpts });
      return f;
    }
    case 'too_large': {
      const f = new SetFailure('tooLarge', err.message);
      Object.assign(f.error, { maxSize: max.size });
      return f;
    }
  }
}

export const submissionSet: Method = {
  capability: CAP_SUBMISSION,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const oldState = await beginSet(ctx, accountId, args);
    const r = emptyResult();
    const core = ctx.core;
    const max = { size: core.config.smtp.maxMessageSize, rcpts: core.config.smtp.maxRecipients };
    /** Submission id (and "#creationId") → its email, for the onSuccess actions. */
    const succeeded = new Map<string, string>();
    for (const [cid, obj] of Object.entries(args.create ?? {}))
      await attempt(
        async () => {
          for (const k of Object.keys(obj))
            if (!['identityId', 'emailId', 'envelope', 'undoStatus'].includes(k))
              throw invalid(k, `${k} is set by the server`);
          if (obj.undoStatus !== undefined && obj.undoStatus !== 'pending')
            throw invalid('undoStatus', 'a new submission is pending');
          if (typeof obj.identityId !== 'string')
            throw invalid('identityId', 'identityId is needed');
          const emailId = typeof obj.emailId === 'string' ? resolveId(ctx, obj.emailId) : null;
          if (!emailId) throw invalid('emailId', 'emailId names no email');
          let envelope: Envelope | null = null;
          if (obj.envelope !== undefined && obj.envelope !== null) {
            const e = envelopeSchema.safeParse(obj.envelope);
            if (!e.success) throw invalid('envelope', 'the envelope is not valid');
            envelope = {
              mailFrom: {
                email: e.data.mailFrom.email,
                parameters: e.data.mailFrom.parameters ?? null,
              },
              rcptTo: e.data.rcptTo.map((a) => ({
                email: a.email,
                parameters: a.parameters ?? null,
              })),
            };
          }
          let s: Submission;
          try {
            s = await createSubmission(core, accountId, {
              identityId: resolveId(ctx, obj.identityId) ?? obj.identityId,
              emailId,
              envelope,
            });
          } catch (err) {
            if (err instanceof SubmissionError) throw refusal(err, max);
            throw err;
          }
          ctx.createdIds.set(cid, s.id);
          succeeded.set(`#${cid}`, s.emailId);
          succeeded.set(s.id, s.emailId);
          r.created[cid] = {
            id: s.id,
            threadId: s.threadId,
            sendAt: utcDate(s.sendAt),
            undoStatus: 'pending',
          };
        },
        (e) => (r.notCreated[cid] = e),
      );
    const all = new Map((await listSubmissions(core, accountId)).map((s) => [s.id, s]));
    for (const [rawId, obj] of Object.entries(args.update ?? {}))
      await attempt(
        async () => {
          const id = resolveId(ctx, rawId) ?? rawId;
          const cur = all.get(id);
          if (!cur) throw new SetFailure('notFound');
          for (const [k, v] of Object.entries(obj)) {
            if (k !== 'undoStatus') throw invalid(k, `${k} cannot be changed`);
            if (v === cur.undoStatus) continue;
            if (v !== 'canceled') throw invalid('undoStatus', 'only "canceled" may be set');
            const got = await cancelSubmission(core, accountId, id);
            if (got === 'final')
              throw new SetFailure('cannotUnsend', 'the message has already been sent');
            if (got === 'not_found') throw new SetFailure('notFound');
          }
          succeeded.set(id, cur.emailId);
          r.updated[rawId] = null;
        },
        (e) => (r.notUpdated[rawId] = e),
      );
    for (const rawId of args.destroy ?? [])
      await attempt(
        async () => {
          const id = resolveId(ctx, rawId) ?? rawId;
          const cur = all.get(id);
          if (!cur || !(await destroySubmission(core, accountId, id)))
            throw new SetFailure('notFound');
          succeeded.set(id, cur.emailId);
          r.destroyed.push(rawId);
        },
        (e) => (r.notDestroyed[rawId] = e),
      );
    const result = await setResponse(ctx, accountId, args.accountId, oldState, r);
    // §7.5: the Email changes for the submissions that succeeded, as an implicit Email/set.
    const update: Record<string, Record<string, unknown>> = {};
    const destroy: string[] = [];
    for (const [key, patch] of Object.entries(args.onSuccessUpdateEmail ?? {})) {
      const emailId = succeeded.get(key);
      if (emailId) update[emailId] = patch;
    }
    for (const key of args.onSuccessDestroyEmail ?? []) {
      const emailId = succeeded.get(key);
      if (emailId) destroy.push(emailId);
    }
    if (Object.keys(update).length === 0 && destroy.length === 0) return result;
    const implicit = await emailSet.run(ctx, { accountId: args.accountId, update, destroy });
    return withImplicit(result, [['Email/set', implicit]]);
  },
};
