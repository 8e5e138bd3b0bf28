// Email/query (RFC 8621 §4.4, RFC 8620 §5.5). Filters: inMailbox, inMailboxOtherThan,
// before/after, minSize/maxSize, hasKeyword/notKeyword, and text/from/to/cc/bcc/subject/body
// through the shared full-text index (core/search.ts, whole words, so Lao works), combined
// with AND/OR/NOT operators. Sorts: receivedAt (default, newest first), sentAt, size.
// collapseThreads keeps the first email of each thread. queryChanges is not offered yet
// (canCalculateChanges: false).
import { z } from 'zod';
import { accountModseq } from '../../core/messages.ts';
import {
  listEmails,
  type EmailListFilter,
  type EmailListItem,
  type EmailSortKey,
} from '../../core/mailquery.ts';
import { searchText, type TextField } from '../../core/search.ts';
import { flagToKeyword } from '../../mail/keywords.ts';
import { CAP_MAIL } from '../limits.ts';
import {
  mustAccount,
  parseArgs,
  stateOf,
  uintSchema,
  type CallContext,
  type Method,
} from '../context.ts';
import { MethodError } from '../errors.ts';

/** Most ids in one answer when the client asks for more (or none). */
const MAX_LIMIT = 1000;

const schema = z.object({
  accountId: z.string(),
  filter: z.record(z.string(), z.unknown()).nullable().optional(),
  sort: z
    .array(
      z.object({
        property: z.string(),
        isAscending: z.boolean().optional(),
        collation: z.string().optional(),
      }),
    )
    .nullable()
    .optional(),
  position: z.number().int().optional(),
  anchor: z.string().nullable().optional(),
  anchorOffset: z.number().int().optional(),
  limit: uintSchema.nullable().optional(),
  calculateTotal: z.boolean().optional(),
  collapseThreads: z.boolean().optional(),
});

const TEXT_FIELDS: Record<string, TextField[]> = {
  text: [],
  from: ['from'],
  to: ['to'],
  cc: ['cc'],
  bcc: ['bcc'],
  subject: ['subject'],
  body: ['body'],
};

type Predicate = (e: EmailListItem) => boolean;

const bad = (why: string): never => {
  throw new MethodError('unsupportedFilter', why);
};

function str(v: unknown, key: string): string {
  return typeof v === 'string' ? v : bad(`${key} must be a string`);
}

function date(v: unknown, key: string): number {
  const t = Date.parse(str(v, key));
  return Number.isFinite(t) ? t : bad(`${key} must be a UTCDate`);
}

function keyword(v: unknown, key: string): string {
  return flagToKeyword(str(v, key)) ?? bad(`${key} is not a valid keyword`);
}

async function compile(
  ctx: CallContext,
  accountId: number,
  f: Record<string, unknown>,
): Promise<Predicate> {
  if ('operator' in f) {
    const op = f.operator;
    const conds = f.conditions;
    if (!Array.isArray(conds) || !conds.every((c) => c && typeof c === 'object'))
      return bad('conditions must be an array of filters');
    const parts = await Promise.all(
      conds.map((c) => compile(ctx, accountId, c as Record<string, unknown>)),
    );
    if (op === 'AND') return (e) => parts.every((p) => p(e));
    if (op === 'OR') return (e) => parts.some((p) => p(e));
    if (op === 'NOT') return (e) => !parts.some((p) => p(e));
    return bad(`unknown operator ${String(op)}`);
  }
  const tests: Predicate[] = [];
  const sql: EmailListFilter = {};
  let useSql = false;
  for (const [key, v] of Object.entries(f)) {
    if (key === 'inMailbox') {
      sql.inMailbox = str(v, key);
      useSql = true;
    } else if (key === 'inMailboxOtherThan') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) bad(`${key} must be ids`);
      sql.inMailboxOtherThan = v as string[];
      useSql = true;
    } else if (key === 'before') {
      const t = date(v, key);
      tests.push((e) => e.receivedAt < t);
    } else if (key === 'after') {
      const t = date(v, key);
      tests.push((e) => e.receivedAt >= t);
    } else if (key === 'minSize' || key === 'maxSize') {
      if (typeof v !== 'number' || v < 0) bad(`${key} must be a number`);
      const n = v as number;
      tests.push(key === 'minSize' ? (e) => e.size >= n : (e) => e.size < n);
    } else if (key === 'hasKeyword' || key === 'notKeyword') {
      const k = keyword(v, key);
      const want = key === 'hasKeyword';
      tests.push((e) => e.keywords.includes(k) === want);
    } else if (key in TEXT_FIELDS) {
      const ids = await searchText(ctx.core, accountId, str(v, key), {
        fields: TEXT_FIELDS[key]!,
        match: 'word',
      });
      tests.push((e) => ids.has(e.id));
    } else bad(`filter ${key} is not supported`);
  }
  if (useSql) {
    const members = new Set((await listEmails(ctx.core.db, accountId, sql, [])).map((e) => e.id));
    tests.push((e) => members.has(e.id));
  }
  return (e) => tests.every((t) => t(e));
}

export const emailQuery: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const sort: { key: EmailSortKey; ascending: boolean }[] = [];
    for (const c of args.sort ?? [{ property: 'receivedAt', isAscending: false }]) {
      if (c.property !== 'receivedAt' && c.property !== 'sentAt' && c.property !== 'size')
        throw new MethodError('unsupportedSort', `cannot sort by ${c.property}`);
      sort.push({ key: c.property, ascending: c.isAscending ?? true });
    }
    const state = await accountModseq(ctx.core.db, accountId);
    const filter = args.filter ?? {};
    // A plain condition with a mailbox goes to SQL whole; anything else is tested per email.
    const base: EmailListFilter = {};
    if (!('operator' in filter) && typeof filter.inMailbox === 'string')
      base.inMailbox = filter.inMailbox;
    const test = await compile(ctx, accountId, filter);
    let items = (await listEmails(ctx.core.db, accountId, base, sort)).filter(test);
    if (args.collapseThreads) {
      const seen = new Set<string>();
      items = items.filter((e) => !seen.has(e.threadId) && seen.add(e.threadId));
    }
    const total = items.length;
    let position = args.position ?? 0;
    if (args.anchor !== undefined && args.anchor !== null) {
      const at = items.findIndex((e) => e.id === args.anchor);
      if (at < 0) throw new MethodError('anchorNotFound');
      position = Math.max(0, at + (args.anchorOffset ?? 0));
    } else if (position < 0) position = Math.max(0, total + position);
    const limit = Math.min(args.limit ?? MAX_LIMIT, MAX_LIMIT);
    const ids = items.slice(position, position + limit).map((e) => e.id);
    return {
      accountId: args.accountId,
      queryState: stateOf(state),
      canCalculateChanges: false,
      position,
      ids,
      ...(args.calculateTotal ? { total } : {}),
      ...(args.limit === undefined || args.limit === null || args.limit > MAX_LIMIT
        ? { limit }
        : {}),
    };
  },
};
