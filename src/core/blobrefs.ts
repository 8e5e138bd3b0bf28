// Reference counts of blobs. A blob row is taken (refcount + n) in the same transaction that
// commits the rows naming it, after the bytes are durable; released when those rows go.
// Blobs whose count reaches zero are deleted by `collectBlobs`, outside any transaction,
// with their parsed metadata (blobmeta.ts).
import type { Db } from '../store/schema.ts';
import type { Core } from './core.ts';
import { dropBlobMeta } from './blobmeta.ts';

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

/**
 * Deletes blobs nobody references any more; returns how many went. Safe while mail flows:
 * the row goes only if still unreferenced, and the bytes only if no `put` touched them within
 * `graceMs` (see FsBlobStore.collect); a blob spared here loses its row and is stored again
 * by the next `put` that needs it.
 */
export async function collectBlobs(core: Core, graceMs = 10 * 60_000): Promise<number> {
  const dead = await core.db
    .selectFrom('blobs')
    .select('hash')
    .where('refcount', '<=', 0)
    .execute();
  let n = 0;
  for (const { hash } of dead) {
    const r = await core.db
      .deleteFrom('blobs')
      .where('hash', '=', hash)
      .where('refcount', '<=', 0)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) continue;
    await dropBlobMeta(core.db, hash);
    if (await core.blobs.collect(hash, graceMs)) n++;
  }
  return n;
}
