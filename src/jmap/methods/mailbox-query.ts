// Mailbox/query (RFC 8621 §2.3) and Mailbox/queryChanges (§2.4). Filters: parentId, name
// (contained, case-insensitive), role, hasAnyRole, isSubscribed, with AND/OR/NOT. Sorts:
// sortOrder, name. filterAsTree keeps a mailbox only when its ancestors match too;
// sortAsTree puts each parent before its children, siblings in the sort's order.
import { z } from 'zod';
import { accountModseq } from '../../core/messages.ts';
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
import { jmapMailboxes, type JmapMailbox } from '../mailboxes.ts';
import { changedSince, queryChangesFields, queryChangesResponse } from '../querychanges.ts';

const sortSchema = z
  .array(
    z.object({
      property: z.string(),
      isAscending: z.boolean().optional(),
      collation: z.string().optional(),
    }),
  )
  .nullable()
  .optional();

const common = {
  filter: z.record(z.string(), z.unknown()).nullable().optional(),
  sort: sortSchema,
  filterAsTree: z.boolean().optional(),
  sortAsTree: z.boolean().optional(),
};

const querySchema = z.object({
  accountId: z.string(),
  ...common,
  position: z.number().int().optional(),
  anchor: z.string().nullable().optional(),
  anchorOffset: z.number().int().optional(),
  limit: uintSchema.nullable().optional(),
  calculateTotal: z.boolean().optional(),
});

const changesSchema = z.object({ ...queryChangesFields, ...common });

type Test = (m: JmapMailbox) => boolean;

function compile(f: Record<string, unknown>): Test {
  const bad = (why: string): never => {
    throw new MethodError('unsupportedFilter', why);
  };
  if ('operator' in f) {
    const conds = f.conditions;
    if (!Array.isArray(conds)) return bad('conditions must be an array');
    const parts = conds.map((c) => compile(c as Record<string, unknown>));
    if (f.operator === 'AND') return (m) => parts.every((p) => p(m));
    if (f.operator === 'OR') return (m) => parts.some((p) => p(m));
    if (f.operator === 'NOT') return (m) => !parts.some((p) => p(m));
    return bad(`unknown operator ${String(f.operator)}`);
  }
  const tests: Test[] = [];
  for (const [k, v] of Object.entries(f)) {
    if (k === 'parentId') {
      if (v !== null && typeof v !== 'string') bad('parentId must be an id or null');
      tests.push((m) => m.parentId === v);
    } else if (k === 'name') {
      if (typeof v !== 'string') bad('name must be a string');
      const needle = (v as string).normalize('NFC').toLowerCase();
      tests.push((m) => m.name.toLowerCase().includes(needle));
    } else if (k === 'role') {
      if (v !== null && typeof v !== 'string') bad('role must be a string or null');
      tests.push((m) => m.role === v);
    } else if (k === 'hasAnyRole' || k === 'isSubscribed') {
      if (typeof v !== 'boolean') bad(`${k} must be a boolean`);
      tests.push(k === 'hasAnyRole' ? (m) => (m.role !== null) === v : (m) => m.isSubscribed === v);
    } else bad(`filter ${k} is not supported`);
  }
  return (m) => tests.every((t) => t(m));
}

type Cmp = (a: JmapMailbox, b: JmapMailbox) => number;

function comparator(sort: z.infer<typeof sortSchema>): Cmp {
  const keys = (sort ?? []).map((s) => {
    if (s.property !== 'sortOrder' && s.property !== 'name')
      throw new MethodError('unsupportedSort', `cannot sort by ${s.property}`);
    const dir = s.isAscending === false ? -1 : 1;
    const prop = s.property;
    return (a: JmapMailbox, b: JmapMailbox) =>
      dir * (prop === 'name' ? a.name.localeCompare(b.name) : a.sortOrder - b.sortOrder);
  });
  return (a, b) => {
    for (const k of keys) {
      const c = k(a, b);
      if (c !== 0) return c;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/** The ids of the query's results, in order. */
async function results(
  ctx: CallContext,
  accountId: number,
  args: {
    filter?: Record<string, unknown> | null;
    sort?: z.infer<typeof sortSchema>;
    filterAsTree?: boolean;
    sortAsTree?: boolean;
  },
): Promise<string[]> {
  const all = await jmapMailboxes(ctx.core.db, accountId);
  const byId = new Map(all.map((m) => [m.id, m]));
  const test = compile(args.filter ?? {});
  let kept = all.filter(test);
  if (args.filterAsTree) {
    const ok = new Set(kept.map((m) => m.id));
    const chainOk = (m: JmapMailbox): boolean =>
      m.parentId === null || (ok.has(m.parentId) && chainOk(byId.get(m.parentId)!));
    kept = kept.filter(chainOk);
  }
  const cmp = comparator(args.sort);
  if (!args.sortAsTree) return kept.sort(cmp).map((m) => m.id);
  const keptIds = new Set(kept.map((m) => m.id));
  const out: string[] = [];
  const visit = (parentId: string | null): void => {
    for (const m of all.filter((x) => x.parentId === parentId).sort(cmp)) {
      if (keptIds.has(m.id)) out.push(m.id);
      visit(m.id);
    }
  };
  visit(null);
  return out;
}

export const mailboxQuery: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(querySchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const state = await accountModseq(ctx.core.db, accountId);
    const ids = await results(ctx, accountId, args);
    let position = args.position ?? 0;
    if (args.anchor != null) {
      const at = ids.indexOf(args.anchor);
      if (at < 0) throw new MethodError('anchorNotFound');
      position = Math.max(0, at + (args.anchorOffset ?? 0));
    } else if (position < 0) position = Math.max(0, ids.length + position);
    const page =
      args.limit == null ? ids.slice(position) : ids.slice(position, position + args.limit);
    return {
      accountId: args.accountId,
      queryState: stateOf(state),
      canCalculateChanges: true,
      position,
      ids: page,
      ...(args.calculateTotal ? { total: ids.length } : {}),
    };
  },
};

export const mailboxQueryChanges: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(changesSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const changed = await changedSince(ctx, accountId, 'Mailbox', args.sinceQueryState);
    return queryChangesResponse(args, changed, await results(ctx, accountId, args));
  },
};
