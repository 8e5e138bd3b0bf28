// The per-account change log (DESIGN.md, "One change log per account"). Every create, update
// or destroy of an account's object takes the next modseq of that account and records
// (type, id, op) under it, inside the same transaction as the change itself. After the
// transaction commits, the caller publishes the returned events on the change bus.
// IMAP CONDSTORE/QRESYNC, JMAP state, DAV sync-token and ActiveSync SyncKey all read this.
// Two companions keep it answerable per collection:
// - a mailbox's modseq is at least the modseq of every message in it (`touchMailboxesOf`
//   after an email's modseq moves), so it is the mailbox's HIGHESTMODSEQ (RFC 7162 §3.1.2.1);
// - an item leaving a collection leaves a tombstone under the same modseq
//   (`recordTombstones`), so "which UIDs left mailbox M since modseq N" is one range read.
// Neither the log nor the tombstones stay forever: `pruneHistory` (run by `champa serve`
// every few hours) drops rows older than `changes.tombstoneDays` and raises the account's
// `tombstone_horizon` to the highest modseq it dropped. Invariant: every log row and
// tombstone above the horizon is kept, so changes since a modseq at or above it are exact
// (the horizon's name is older than the log's pruning); below it, doors must
// say they cannot tell (`canCalculateChanges`: JMAP cannotCalculateChanges; IMAP QRESYNC
// reports every UID not in the mailbox as vanished, as RFC 7162 §3.2.5.1 allows).
import type { Kysely } from 'kysely';
import type { Database, Db } from '../store/schema.ts';
import type { ChangeEvent } from '../store/bus.ts';
import type { Core } from './core.ts';

export type Op = 'c' | 'u' | 'd';

/** Takes the account's next modseq. Call inside the transaction that makes the change. */
export async function nextModseq(trx: Db, accountId: number): Promise<number> {
  const row = await trx
    .updateTable('accounts')
    .set((eb) => ({ modseq: eb('modseq', '+', 1) }))
    .where('id', '=', accountId)
    .returning('modseq')
    .executeTakeFirstOrThrow();
  return Number(row.modseq);
}

/**
 * Gives back a modseq taken in this transaction when the change turned out to change nothing
 * (the account row stays locked by the transaction, so no other change took a later one).
 */
export async function releaseModseq(trx: Db, accountId: number, modseq: number): Promise<void> {
  await trx
    .updateTable('accounts')
    .set((eb) => ({ modseq: eb('modseq', '-', 1) }))
    .where('id', '=', accountId)
    .where('modseq', '=', modseq)
    .execute();
}

export async function recordChanges(
  trx: Db,
  accountId: number,
  modseq: number,
  changes: { type: string; id: string; op: Op }[],
  now = Date.now(),
): Promise<void> {
  if (changes.length === 0) return;
  await trx
    .insertInto('changes')
    .values(
      changes.map((c) => ({
        account_id: accountId,
        modseq,
        type: c.type,
        object_id: c.id,
        op: c.op,
        created_at: now,
      })),
    )
    .execute();
}

const CHUNK = 500;

/** Raises the modseq of every mailbox holding one of these emails (their modseq moved). */
export async function touchMailboxesOf(
  trx: Db,
  accountId: number,
  emailIds: string[],
  modseq: number,
): Promise<void> {
  for (let i = 0; i < emailIds.length; i += CHUNK)
    await trx
      .updateTable('mailboxes')
      .set({ modseq })
      .where('account_id', '=', accountId)
      .where('modseq', '<', modseq)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('email_mailboxes')
          .select('mailbox_id')
          .where('account_id', '=', accountId)
          .where('email_id', 'in', emailIds.slice(i, i + CHUNK)),
      )
      .execute();
}

/** Records that items left a collection under this modseq (IMAP VANISHED, DAV sync). */
export async function recordTombstones(
  trx: Db,
  accountId: number,
  collectionId: string,
  modseq: number,
  items: { id: string; uid: number }[],
  now = Date.now(),
): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK)
    await trx
      .insertInto('tombstones')
      .values(
        items.slice(i, i + CHUNK).map((t) => ({
          account_id: accountId,
          collection_id: collectionId,
          modseq,
          item_id: t.id,
          uid: t.uid,
          created_at: now,
        })),
      )
      .execute();
}

/** The highest modseq whose tombstones were pruned (0: none ever were). */
export async function tombstoneHorizon(db: Db, accountId: number): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select('tombstone_horizon')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return Number(row?.tombstone_horizon ?? 0);
}

/**
 * Whether what changed in the account after state (modseq) `since` can still be told
 * exactly: false once log rows or tombstones above `since` were pruned. JMAP Foo/changes and
 * Foo/queryChanges answer cannotCalculateChanges (RFC 8620 §5.2, §5.6) when it is false.
 */
export async function canCalculateChanges(
  db: Db,
  accountId: number,
  since: number,
): Promise<boolean> {
  return since >= (await tombstoneHorizon(db, accountId));
}

/**
 * Drops the history written before `cutoff` (ms), per account: the change log and the
 * tombstones up to the highest modseq among the old rows of either, so that the horizon
 * invariant holds even if clocks wavered, and the account's horizon is raised to that modseq
 * in the same transaction. Returns the number of rows dropped (log and tombstones).
 */
export async function pruneHistory(db: Kysely<Database>, cutoff: number): Promise<number> {
  const tops = new Map<number, number>();
  for (const table of ['tombstones', 'changes'] as const) {
    const old = await db
      .selectFrom(table)
      .select(['account_id', (eb) => eb.fn.max('modseq').as('top')])
      .where('created_at', '<', cutoff)
      .groupBy('account_id')
      .execute();
    for (const r of old) {
      const id = Number(r.account_id);
      tops.set(id, Math.max(tops.get(id) ?? 0, Number(r.top)));
    }
  }
  let dropped = 0;
  for (const [accountId, top] of tops)
    dropped += await db.transaction().execute(async (trx) => {
      // The horizon first: a reader that sees rows gone also sees that it cannot tell.
      await trx
        .updateTable('accounts')
        .set({ tombstone_horizon: top })
        .where('id', '=', accountId)
        .where('tombstone_horizon', '<', top)
        .execute();
      let n = 0;
      for (const table of ['tombstones', 'changes'] as const) {
        const del = await trx
          .deleteFrom(table)
          .where('account_id', '=', accountId)
          .where('modseq', '<=', top)
          .executeTakeFirst();
        n += Number(del.numDeletedRows);
      }
      return n;
    });
  return dropped;
}

/** Collects events during a transaction and publishes them once it has committed. */
export class PendingEvents {
  readonly #events = new Map<number, ChangeEvent>();
  add(accountId: number, modseq: number, type: string): void {
    const e = this.#events.get(accountId);
    if (!e) this.#events.set(accountId, { accountId, modseq, types: [type] });
    else {
      e.modseq = Math.max(e.modseq, modseq);
      if (!e.types.includes(type)) e.types.push(type);
    }
  }
  publish(core: Core): void {
    for (const e of this.#events.values()) core.bus.publish(e);
    this.#events.clear();
  }
}
