// The admin console's dashboard: accounts, storage, the queue, mail today and failed sign-ins,
// each within the actor's reach for the action that would show its details (account.read for
// accounts and sign-ins, queue.manage for the queue, trace.read for mail). A figure the actor
// may not see is null, not zero. "Today" starts at `since` (the console sends the local
// midnight; by default midnight UTC).
import { sql } from 'kysely';
import type { Core } from './core.ts';
import { reachSql, type Reach } from './adminquery.ts';
import { traceCounts, type TraceEventKind } from './trace.ts';

export interface Dashboard {
  since: number;
  accounts: { total: number; disabled: number; storageBytes: number; quotaBytes: number } | null;
  units: number | null;
  queue: { waiting: number; retrying: number; oldestAt: number | null } | null;
  mail: Record<TraceEventKind, number> | null;
  /** Failed sign-ins since `since` (repeats folded into one audit row a minute are counted). */
  failedSignIns: number | null;
}

export interface DashboardReach {
  accounts: Reach;
  units: Reach;
  queue: Reach;
  trace: Reach;
}

const visible = (r: Reach): boolean => r === 'all' || r.length > 0;

export function startOfDayUtc(now = Date.now()): number {
  return now - (now % 86_400_000);
}

export async function dashboard(
  core: Core,
  reach: DashboardReach,
  since = startOfDayUtc(),
): Promise<Dashboard> {
  const out: Dashboard = {
    since,
    accounts: null,
    units: null,
    queue: null,
    mail: null,
    failedSignIns: null,
  };
  if (visible(reach.accounts)) {
    const a = await core.db
      .selectFrom('accounts')
      .where(reachSql('unit_path', reach.accounts))
      .select([
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`coalesce(sum(disabled), 0)`.as('disabled'),
        sql<number>`coalesce(sum(used_bytes), 0)`.as('used'),
        sql<number>`coalesce(sum(quota_bytes), 0)`.as('quota'),
      ])
      .executeTakeFirstOrThrow();
    out.accounts = {
      total: Number(a.n),
      disabled: Number(a.disabled),
      storageBytes: Number(a.used),
      quotaBytes: Number(a.quota),
    };
    const fails = await core.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'signin.failure')
      .where('at', '>=', since)
      .where(reachSql('unit_path', reach.accounts))
      .execute();
    out.failedSignIns = fails.reduce((n, r) => {
      const c = (JSON.parse(r.detail) as { count?: unknown }).count;
      return n + (typeof c === 'number' && c > 0 ? c : 1);
    }, 0);
  }
  if (visible(reach.units)) {
    const u = await core.db
      .selectFrom('units')
      .where(reachSql('path', reach.units))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out.units = Number(u.n);
  }
  if (reach.queue === 'all') {
    const q = await core.db
      .selectFrom('queue_recipients')
      .where('status', '=', 'queued')
      .select([
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`coalesce(sum(case when attempts > 0 then 1 else 0 end), 0)`.as('retrying'),
      ])
      .executeTakeFirstOrThrow();
    const oldest = await core.db
      .selectFrom('queue_messages')
      .select(sql<number | null>`min(created_at)`.as('at'))
      .executeTakeFirst();
    out.queue = {
      waiting: Number(q.n),
      retrying: Number(q.retrying),
      oldestAt: oldest?.at == null ? null : Number(oldest.at),
    };
  }
  if (visible(reach.trace)) out.mail = await traceCounts(core, reach.trace, since);
  return out;
}
