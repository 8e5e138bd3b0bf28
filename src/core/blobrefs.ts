// Reference counts of blobs. A blob row is taken (refcount + n) in the same transaction that
// commits the rows naming it, after the bytes are durable; released when those rows go.
// Blobs whose count reaches zero are deleted by `collectBlobs`, outside any transaction.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Core } from './core.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function takeBlob(
  trx: Db,
  hash: string,
  size: number,
  count: number,
  now = Date.now(),
): Promise<void> {
  await trx
    .insertInto('blobs')
    .values({ hash, size, refcount: count, created_at: now })
    .onConflict((oc) =>
      oc.column('hash').doUpdateSet((eb) => ({ refcount: eb('blobs.refcount', '+', count) })),
    )
    .execute();
}

export async function releaseBlobs(trx: Db, hashes: string[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const h of hashes) counts.set(h, (counts.get(h) ?? 0) + 1);
  for (const [hash, n] of counts) {
    await trx
      .updateTable('blobs')
      .set((eb) => ({ refcount: eb('refcount', '-', n) }))
      .where('hash', '=', hash)
      .execute();
  }
}

/** Deletes blobs nobody references any more; returns how many went. */
export async function collectBlobs(core: Core): Promise<number> {
  const dead = await core.db
    .selectFrom('blobs')
    .select('hash')
    .where('refcount', '<=', 0)
    .execute();
  for (const { hash } of dead) {
    await core.blobs.delete(hash);
    await core.db.deleteFrom('blobs').where('hash', '=', hash).where('refcount', '<=', 0).execute();
  }
  return dead.length;
}
