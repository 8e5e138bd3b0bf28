// Message trace over the delivery log (`delivery_log`, written by core/outbound.ts and the queue
// worker): what happened to mail by sender, recipient and time, as events accepted, delivered,
// deferred, bounced, rejected or relayed, each with its reason and the peer. For the admin
// console and the API. Reach: a global reader sees every event; an auditor of a subtree sees
// events whose sender or recipient is an account inside it (the rest is other people's mail).
// Invariant: read-only.
import { sql, type SqlBool } from 'kysely';
import type { Core } from './core.ts';
import { containsPattern, reachSql, type Page, type PageQuery, type Reach } from './adminquery.ts';

export const TRACE_EVENTS = [
  'accepted',
  'delivered',
  'deferred',
  'bounced',
  'rejected',
  'relayed',
] as const;
export type TraceEventKind = (typeof TRACE_EVENTS)[number];

export interface TraceQuery extends PageQuery {
  /** An address (matched exactly) or a piece of one (no '@': matched anywhere). */
  sender?: string;
  recipient?: string;
  since?: number;
  until?: number;
  event?: TraceEventKind;
}

export interface TraceEvent {
  id: number;
  at: number;
  queueId: number | null;
  messageId: string | null;
  sender: string;
  recipient: string;
  event: string;
  /** The reason or the peer's reply (e.g. "550 5.1.1 no such user"). */
  detail: string;
  /** The peer address or MX host, when there was one. */
  remote: string | null;
}

function addressSql(column: 'sender' | 'recipient', text: string) {
  const t = text.trim().toLowerCase();
  return t.includes('@') && !t.startsWith('@')
    ? sql<SqlBool>`${sql.ref(column)} = ${t}`
    : sql<SqlBool>`lower(${sql.ref(column)}) like ${containsPattern(t)} escape '\\'`;
}

/** The delivery log's rows that the reach covers (see the header). */
function reachOf(where: Reach) {
  if (where === 'all') return null;
  const inReach = sql`(select email from accounts where ${reachSql('unit_path', where)})`;
  return sql<SqlBool>`(sender in ${inReach} or recipient in ${inReach})`;
}

/** Events, newest first. */
export async function traceMail(
  core: Core,
  where: Reach,
  q: TraceQuery,
): Promise<Page<TraceEvent>> {
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.min(1000, Math.max(1, Math.floor(q.limit ?? 100)));
  let base = core.db.selectFrom('delivery_log');
  const r = reachOf(where);
  if (r) base = base.where(r);
  if (q.sender) base = base.where(addressSql('sender', q.sender));
  if (q.recipient) base = base.where(addressSql('recipient', q.recipient));
  if (q.since !== undefined) base = base.where('at', '>=', q.since);
  if (q.until !== undefined) base = base.where('at', '<', q.until);
  if (q.event) base = base.where('event', '=', q.event);
  const total = Number(
    (await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0,
  );
  const rows = await base
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .offset(offset)
    .limit(limit)
    .execute();
  return {
    items: rows.map((e) => ({
      id: Number(e.id),
      at: Number(e.at),
      queueId: e.queue_id === null ? null : Number(e.queue_id),
      messageId: e.message_id,
      sender: e.sender,
      recipient: e.recipient,
      event: e.event,
      detail: e.detail,
      remote: e.remote,
    })),
    total,
    offset,
    limit,
  };
}

/** How many events of each kind since a time, within reach (for the dashboard). */
export async function traceCounts(
  core: Core,
  where: Reach,
  since: number,
): Promise<Record<TraceEventKind, number>> {
  let base = core.db.selectFrom('delivery_log').where('at', '>=', since);
  const r = reachOf(where);
  if (r) base = base.where(r);
  const rows = await base
    .select(['event', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('event')
    .execute();
  const out = Object.fromEntries(TRACE_EVENTS.map((e) => [e, 0])) as Record<TraceEventKind, number>;
  for (const row of rows)
    if ((TRACE_EVENTS as readonly string[]).includes(row.event))
      out[row.event as TraceEventKind] = Number(row.n);
  return out;
}
