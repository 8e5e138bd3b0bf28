// Full-text indexing off the delivery path. Writing the index (SQLite FTS5 words + trigrams,
// PostgreSQL tsvector + pg_trgm) costs more than the rest of a delivery together, so ingest
// commits the message first and hands its index documents here; they are written in large
// batches right after, in transactions of their own.
// Invariants:
// - a search never misses committed mail: `searchText` calls `flushIndex` first;
// - nothing is lost if the process dies with documents pending: `reindexMissing` (run by
//   `champa serve` at start) indexes every email that has no index row, from its blob — the
//   same path brings mail stored before the index existed into it;
// - an email destroyed before its document was written gets no row (checked in the batch).
// - rows written before header fields were indexed get them from `indexHeadersMissing`;
// Because rows a crash loses are rebuilt, index transactions do not wait for the disk
// (`relaxed`): on a busy server that halves the syncs per delivered message.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { IndexDoc } from '../store/fulltext.ts';
import { headerIndexText, parseMessage } from '../mail/meta.ts';
import { segmentText } from '../mail/segment.ts';
import type { Core } from './core.ts';
import { indexFields } from './search.ts';

const BATCH = 500;

interface State {
  pending: IndexDoc[];
  running: Promise<void> | null;
}

const states = new WeakMap<Core, State>();

function stateOf(core: Core): State {
  let s = states.get(core);
  if (!s) {
    s = { pending: [], running: null };
    states.set(core, s);
  }
  return s;
}

/**
 * Runs `fn` in a transaction whose commit does not sync to disk. SQLite (WAL): synchronous
 * NORMAL for this one transaction, set around it (it cannot change inside one); the frames
 * reach the disk with the next synced commit or checkpoint, in order, never torn. PostgreSQL:
 * synchronous_commit off for the transaction (SET LOCAL).
 */
async function relaxed(core: Core, fn: (trx: Transaction<Database>) => Promise<void>) {
  if (core.store.dialect !== 'sqlite') {
    await core.db.transaction().execute(async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx);
      await fn(trx);
    });
    return;
  }
  await core.db.connection().execute(async (conn) => {
    await sql`pragma synchronous = normal`.execute(conn);
    try {
      await conn.transaction().execute(fn);
    } finally {
      await sql`pragma synchronous = full`.execute(conn);
    }
  });
}

/** Writes documents whose emails still exist, in one transaction. */
async function write(core: Core, docs: IndexDoc[]): Promise<void> {
  await relaxed(core, async (trx) => {
    const byAccount = new Map<number, IndexDoc[]>();
    for (const d of docs) byAccount.set(d.accountId, [...(byAccount.get(d.accountId) ?? []), d]);
    const keep: IndexDoc[] = [];
    for (const [accountId, list] of byAccount) {
      const rows = await trx
        .selectFrom('emails')
        .select('id')
        .where('account_id', '=', accountId)
        .where(
          'id',
          'in',
          list.map((d) => d.emailId),
        )
        .execute();
      const alive = new Set(rows.map((r) => r.id));
      keep.push(...list.filter((d) => alive.has(d.emailId)));
    }
    await core.store.fulltext.add(trx, keep);
  });
}

async function drain(core: Core, s: State): Promise<void> {
  while (s.pending.length > 0) {
    const batch = s.pending.splice(0, BATCH);
    try {
      await write(core, batch);
    } catch (err) {
      // The rows are rebuilt from the blobs by reindexMissing; searches meanwhile miss them.
      core.log.error({ err, docs: batch.length }, 'full-text indexing failed');
    }
    // Let protocol work run between batches.
    await new Promise((r) => setImmediate(r));
  }
}

/** Queues documents of committed emails for the index. */
export function indexLater(core: Core, docs: IndexDoc[]): void {
  if (docs.length === 0) return;
  const s = stateOf(core);
  s.pending.push(...docs);
  if (!s.running)
    s.running = drain(core, s).finally(() => {
      s.running = null;
    });
}

/** Resolves once every queued document is written. */
export async function flushIndex(core: Core): Promise<void> {
  const s = states.get(core);
  while (s && (s.running || s.pending.length > 0)) {
    if (!s.running) indexLater(core, []);
    if (s.running) await s.running;
    else await drain(core, s);
  }
}

/** Indexes emails that have no index row (after a crash, or stored before the index). */
export async function reindexMissing(
  core: Core,
  limit = Infinity,
  signal?: AbortSignal,
): Promise<number> {
  let done = 0;
  while (done < limit && !signal?.aborted) {
    const rows = await core.db
      .selectFrom('emails as e')
      .leftJoin('fulltext as f', (j) =>
        j.onRef('f.account_id', '=', 'e.account_id').onRef('f.email_id', '=', 'e.id'),
      )
      .where('f.email_id', 'is', null)
      .select(['e.account_id', 'e.id', 'e.blob_hash'])
      .limit(200)
      .execute();
    if (rows.length === 0) break;
    const docs: IndexDoc[] = [];
    const fieldsOf = new Map<string, IndexDoc['fields']>();
    for (const r of rows) {
      let fields = fieldsOf.get(r.blob_hash);
      if (!fields) {
        const raw = await core.blobs.get(r.blob_hash).catch(() => null);
        fields = indexFields((await parseMessage(raw ?? new Uint8Array())).text);
        fieldsOf.set(r.blob_hash, fields);
      }
      docs.push({ accountId: Number(r.account_id), emailId: r.id, fields });
    }
    await write(core, docs);
    done += docs.length;
    await new Promise((r) => setImmediate(r));
  }
  return done;
}

/**
 * Fills in the header text of index rows written before header fields were indexed
 * (migration 0014), from their blobs, a batch at a time; run by `champa serve` after
 * `reindexMissing`. Until then IMAP TEXT finds those messages by every other field.
 */
export async function indexHeadersMissing(
  core: Core,
  limit = Infinity,
  signal?: AbortSignal,
): Promise<number> {
  const idx = core.store.fulltext;
  let done = 0;
  while (done < limit && !signal?.aborted) {
    const rows = await idx.missingHeaders(core.db, 200);
    if (rows.length === 0) break;
    // Read and cut outside the transaction, which then only writes.
    const textOf = new Map<string, string>();
    const texts: string[] = [];
    for (const r of rows) {
      const email = await core.db
        .selectFrom('emails')
        .select('blob_hash')
        .where('account_id', '=', r.accountId)
        .where('id', '=', r.emailId)
        .executeTakeFirst();
      const hash = email?.blob_hash;
      let text = hash === undefined ? '' : textOf.get(hash);
      if (text === undefined && hash !== undefined) {
        const raw = await core.blobs.get(hash).catch(() => null);
        text = segmentText(raw ? headerIndexText(raw) : '');
        textOf.set(hash, text);
      }
      texts.push(text ?? '');
    }
    await relaxed(core, async (trx) => {
      for (let i = 0; i < rows.length; i++)
        await idx.setHeaders(trx, rows[i]!.accountId, rows[i]!.emailId, texts[i]!);
    });
    done += rows.length;
    await new Promise((r) => setImmediate(r));
  }
  return done;
}
