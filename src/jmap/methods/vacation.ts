// VacationResponse/get and /set (RFC 8621 §8): one object per account, id "singleton"; it
// cannot be created or destroyed (singleton). The replies themselves are made at delivery
// (core/vacation.ts, RFC 3834).
import { getVacation, setVacation, type Vacation } from '../../core/vacation.ts';
import { accountModseq } from '../../core/messages.ts';
import { CAP_VACATION } from '../limits.ts';
import { mustAccount, parseArgs, stateOf, utcDate, type Method } from '../context.ts';
import { checkIdsLimit, getSchema, pick, properties } from '../get.ts';
import {
  attempt,
  beginSet,
  emptyResult,
  invalid,
  setResponse,
  setSchema,
  SetFailure,
} from '../set.ts';

const KNOWN = ['id', 'isEnabled', 'fromDate', 'toDate', 'subject', 'textBody', 'htmlBody'];
const ID = 'singleton';

function view(v: Vacation): Record<string, unknown> {
  return {
    id: ID,
    isEnabled: v.isEnabled,
    fromDate: v.fromDate === null ? null : utcDate(v.fromDate),
    toDate: v.toDate === null ? null : utcDate(v.toDate),
    subject: v.subject,
    textBody: v.textBody,
    htmlBody: v.htmlBody,
  };
}

export const vacationGet: Method = {
  capability: CAP_VACATION,
  async run(ctx, raw) {
    const args = parseArgs(getSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    checkIdsLimit(args.ids);
    const props = properties(args.properties, KNOWN);
    const wanted = args.ids ?? [ID];
    const v = view(await getVacation(ctx.core, accountId));
    return {
      accountId: args.accountId,
      state: stateOf(await accountModseq(ctx.core.db, accountId)),
      list: wanted.filter((id) => id === ID).map(() => pick(v, props)),
      notFound: wanted.filter((id) => id !== ID),
    };
  },
};

function patch(cur: Vacation, obj: Record<string, unknown>): Vacation {
  const out = { ...cur };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'id') {
      if (v !== ID) throw invalid(k, 'the id is "singleton"');
    } else if (k === 'isEnabled') {
      if (typeof v !== 'boolean') throw invalid(k, 'isEnabled must be a boolean');
      out.isEnabled = v;
    } else if (k === 'fromDate' || k === 'toDate') {
      if (v === null) out[k] = null;
      else {
        const t = typeof v === 'string' ? Date.parse(v) : NaN;
        if (!Number.isFinite(t)) throw invalid(k, `${k} must be a UTCDate or null`);
        out[k] = t;
      }
    } else if (k === 'subject' || k === 'textBody' || k === 'htmlBody') {
      if (v !== null && (typeof v !== 'string' || v.length > 256 * 1024))
        throw invalid(k, `${k} must be text or null`);
      out[k] = v as string | null;
    } else throw invalid(k, `unknown property ${k}`);
  }
  return out;
}

export const vacationSet: Method = {
  capability: CAP_VACATION,
  async run(ctx, raw) {
    const args = parseArgs(setSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const oldState = await beginSet(ctx, accountId, args);
    const r = emptyResult();
    for (const cid of Object.keys(args.create ?? {}))
      r.notCreated[cid] = { type: 'singleton', description: 'there is one vacation response' };
    for (const id of args.destroy ?? [])
      r.notDestroyed[id] = { type: 'singleton', description: 'there is one vacation response' };
    for (const [id, obj] of Object.entries(args.update ?? {}))
      await attempt(
        async () => {
          if (id !== ID) throw new SetFailure('notFound');
          await setVacation(
            ctx.core,
            accountId,
            patch(await getVacation(ctx.core, accountId), obj),
          );
          r.updated[id] = null;
        },
        (e) => (r.notUpdated[id] = e),
      );
    return setResponse(ctx, accountId, args.accountId, oldState, r);
  },
};
