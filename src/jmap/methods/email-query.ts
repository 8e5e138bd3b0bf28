// Email/query (RFC 8621 §4.4, RFC 8620 §5.5). Filters: inMailbox, inMailboxOtherThan,
// before/after, minSize/maxSize, hasKeyword/notKeyword, and text/from/to/cc/bcc/subject/body
// through the shared full-text index (core/search.ts, whole words, so Lao works), combined
// with AND/OR/NOT operators. Sorts: receivedAt (default, newest first), sentAt, size.
// collapseThreads keeps the first email of each thread. A plain condition without text is
// answered by SQL reading only the requested page, with collapseThreads, a negative position
// or an anchor too (core/emaillist.ts: the list view of a 100,000-message mailbox, paged
// from anywhere); the rest filters the candidates in memory. queryChanges:
// email-querychanges.ts.
import { z } from 'zod';
import { accountModseq } from '../../core/messages.ts';
import {
  countEmails,
  emailIndex,
  emailPage,
  listEmails,
  type EmailListFilter,
  type EmailListItem,
  type EmailSortKey,
} from '../../core/emaillist.ts';
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

function size(v: unknown, key: string): number {
  return typeof v === 'number' && v >= 0 ? v : bad(`${key} must be a number`);
}

/**
 * A FilterCondition's SQL part (every key but the text ones) and its text searches. Keys
 * are checked here, so a bad filter fails before anything is read.
 */
export function condition(f: Record<string, unknown>): {
  sql: EmailListFilter;
  text: [string, string][];
} {
  const q: EmailListFilter = {};
  const text: [string, string][] = [];
  for (const [key, v] of Object.entries(f)) {
    if (key === 'inMailbox') q.inMailbox = str(v, key);
    else if (key === 'inMailboxOtherThan') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) bad(`${key} must be ids`);
      q.inMailboxOtherThan = v as string[];
    } else if (key === 'before') q.before = date(v, key);
    else if (key === 'after') q.after = date(v, key);
    else if (key === 'minSize') q.minSize = size(v, key);
    else if (key === 'maxSize') q.maxSize = size(v, key);
    else if (key === 'hasKeyword') q.hasKeyword = keyword(v, key);
    else if (key === 'notKeyword') q.notKeyword = keyword(v, key);
    else if (key in TEXT_FIELDS) text.push([key, str(v, key)]);
    else bad(`filter ${key} is not supported`);
  }
  return { sql: q, text };
}

function inMemory(q: EmailListFilter): Predicate {
  const tests: Predicate[] = [];
  if (q.before !== undefined) tests.push((e) => e.receivedAt < q.before!);
  if (q.after !== undefined) tests.push((e) => e.receivedAt >= q.after!);
  if (q.minSize !== undefined) tests.push((e) => e.size >= q.minSize!);
  if (q.maxSize !== undefined) tests.push((e) => e.size < q.maxSize!);
  if (q.hasKeyword !== undefined) tests.push((e) => e.keywords.includes(q.hasKeyword!));
  if (q.notKeyword !== undefined) tests.push((e) => !e.keywords.includes(q.notKeyword!));
  return (e) => tests.every((t) => t(e));
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
  const { sql, text } = condition(f);
  const tests: Predicate[] = [inMemory(sql)];
  for (const [key, value] of text) {
    const ids = await searchText(ctx.core, accountId, value, {
      fields: TEXT_FIELDS[key]!,
      match: 'word',
    });
    tests.push((e) => ids.has(e.id));
  }
  if (sql.inMailbox !== undefined || sql.inMailboxOtherThan !== undefined) {
    const where: EmailListFilter = {
      ...(sql.inMailbox !== undefined ? { inMailbox: sql.inMailbox } : {}),
      ...(sql.inMailboxOtherThan !== undefined
        ? { inMailboxOtherThan: sql.inMailboxOtherThan }
        : {}),
    };
    const members = new Set((await listEmails(ctx.core.db, accountId, where, [])).map((e) => e.id));
    tests.push((e) => members.has(e.id));
  }
  return (e) => tests.every((t) => t(e));
}

type Sort = { key: EmailSortKey; ascending: boolean }[];

export interface QueryShape {
  filter?: Record<string, unknown> | null | undefined;
  sort?: { property: string; isAscending?: boolean | undefined }[] | null | undefined;
  collapseThreads?: boolean | undefined;
}

export function sortOf(args: QueryShape): Sort {
  const sort: Sort = [];
  for (const c of args.sort ?? [{ property: 'receivedAt', isAscending: false }]) {
    if (c.property !== 'receivedAt' && c.property !== 'sentAt' && c.property !== 'size')
      throw new MethodError('unsupportedSort', `cannot sort by ${c.property}`);
    sort.push({ key: c.property, ascending: c.isAscending ?? true });
  }
  return sort;
}

/** Every result of a query, in order (Email/queryChanges, and queries SQL cannot page). */
export async function queryAll(
  ctx: CallContext,
  accountId: number,
  args: QueryShape,
): Promise<EmailListItem[]> {
  const sort = sortOf(args);
  const filter = args.filter ?? {};
  // A plain condition goes to SQL whole (its text searches as id sets); operators are tested
  // per email.
  let items: EmailListItem[];
  if (!('operator' in filter)) {
    const { sql, text } = condition(filter);
    items = await listEmails(ctx.core.db, accountId, sql, sort);
    for (const [key, value] of text) {
      const ids = await searchText(ctx.core, accountId, value, {
        fields: TEXT_FIELDS[key]!,
        match: 'word',
      });
      items = items.filter((e) => ids.has(e.id));
    }
  } else {
    const test = await compile(ctx, accountId, filter);
    items = (await listEmails(ctx.core.db, accountId, {}, sort)).filter(test);
  }
  if (args.collapseThreads) {
    const seen = new Set<string>();
    items = items.filter((e) => !seen.has(e.threadId) && seen.add(e.threadId));
  }
  return items;
}

export const emailQuery: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const sort = sortOf(args);
    const state = await accountModseq(ctx.core.db, accountId);
    const filter = args.filter ?? {};
    const limit = Math.min(args.limit ?? MAX_LIMIT, MAX_LIMIT);
    const common = {
      accountId: args.accountId,
      queryState: stateOf(state),
      canCalculateChanges: true,
      ...(args.limit === undefined || args.limit === null || args.limit > MAX_LIMIT
        ? { limit }
        : {}),
    };
    const plain = !('operator' in filter) ? condition(filter) : null;
    if (plain && plain.text.length === 0) {
      // Every condition in SQL: only the page is read, the anchor placed by a count.
      const db = ctx.core.db;
      const opts = { collapseThreads: args.collapseThreads === true };
      let position = args.position ?? 0;
      let total: number | null = null;
      if (args.anchor !== undefined && args.anchor !== null) {
        // §5.5: position is ignored; the anchor's index plus anchorOffset, clamped at 0.
        const at = await emailIndex(db, accountId, plain.sql, sort, args.anchor, opts);
        if (at === null) throw new MethodError('anchorNotFound');
        position = Math.max(0, at + (args.anchorOffset ?? 0));
      } else if (position < 0) {
        total = await countEmails(db, accountId, plain.sql, opts);
        position = Math.max(0, total + position);
      }
      const ids = await emailPage(
        db,
        accountId,
        plain.sql,
        sort,
        { offset: position, limit },
        opts,
      );
      if (args.calculateTotal) total ??= await countEmails(db, accountId, plain.sql, opts);
      return {
        ...common,
        position,
        ids,
        ...(args.calculateTotal ? { total } : {}),
      };
    }
    const items = await queryAll(ctx, accountId, args);
    const total = items.length;
    let position = args.position ?? 0;
    if (args.anchor !== undefined && args.anchor !== null) {
      const at = items.findIndex((e) => e.id === args.anchor);
      if (at < 0) throw new MethodError('anchorNotFound');
      position = Math.max(0, at + (args.anchorOffset ?? 0));
    } else if (position < 0) position = Math.max(0, total + position);
    return {
      ...common,
      position,
      ids: items.slice(position, position + limit).map((e) => e.id),
      ...(args.calculateTotal ? { total } : {}),
    };
  },
};
