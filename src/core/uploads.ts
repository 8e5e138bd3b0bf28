// Blobs uploaded by an account (the JMAP upload endpoint, RFC 8620 §6.1) before any email
// names them. Invariants: the bytes are fsynced (`core.blobs.put`) before the row commits;
// each (account, hash) row holds exactly one reference in `blobs`, taken in the transaction
// that inserts the row and released in the one that deletes it, so collection keeps the
// bytes while the row lives. Uploading the same bytes again refreshes the row, takes nothing.
import type { Db } from '../store/schema.ts';
import type { Core } from './core.ts';
import { collectBlobs, releaseBlobs, takeBlob } from './blobrefs.ts';
import { errorMessage } from '../util/errors.ts';

export interface Upload {
  hash: string;
  size: number;
  type: string;
}

/** Stores the bytes durably and records them as uploaded by the account. */
export async function saveUpload(
  core: Core,
  accountId: number,
  data: Uint8Array,
  type: string,
  now = Date.now(),
): Promise<Upload> {
  const hash = await core.blobs.put(data); // fsynced before the row names it
  const size = data.byteLength;
  await core.db.transaction().execute(async (trx) => {
    const had = await trx
      .updateTable('uploads')
      .set({ created_at: now, type })
      .where('account_id', '=', accountId)
      .where('hash', '=', hash)
      .executeTakeFirst();
    if (Number(had.numUpdatedRows) > 0) return;
    await trx
      .insertInto('uploads')
      .values({ account_id: accountId, hash, size, type, created_at: now })
      .execute();
    await takeBlob(trx, hash, size, 1, now);
  });
  return { hash, size, type };
}

/** Whether the account uploaded a blob with this hash (and its row still exists). */
export async function hasUpload(db: Db, accountId: number, hash: string): Promise<boolean> {
  const row = await db
    .selectFrom('uploads')
    .select('hash')
    .where('account_id', '=', accountId)
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Drops upload rows created before `before` (all of the account's when `before` is omitted),
 * inside the caller's transaction, releasing their blob references; returns how many went.
 */
export async function dropUploads(trx: Db, accountId: number, before?: number): Promise<number> {
  let q = trx.selectFrom('uploads').select('hash').where('account_id', '=', accountId);
  if (before !== undefined) q = q.where('created_at', '<', before);
  const rows = await q.execute();
  const released: string[] = [];
  for (const { hash } of rows) {
    // Row by row, under the same conditions: an upload refreshed meanwhile stays.
    let d = trx.deleteFrom('uploads').where('account_id', '=', accountId).where('hash', '=', hash);
    if (before !== undefined) d = d.where('created_at', '<', before);
    const r = await d.executeTakeFirst();
    if (Number(r.numDeletedRows) > 0) released.push(hash);
  }
  await releaseBlobs(trx, released);
  return released.length;
}

/**
 * Drops every account's uploads older than `jmap.uploadTtlHours` (RFC 8620 §6.1: the server
 * may delete uploads after a time). Their blobs lose the upload's reference and go with the
 * next collection unless an email now holds them. Returns how many rows went.
 */
export async function expireUploads(core: Core, now = Date.now()): Promise<number> {
  const before = now - core.config.jmap.uploadTtlHours * 3600_000;
  const accounts = await core.db
    .selectFrom('uploads')
    .select('account_id')
    .distinct()
    .where('created_at', '<', before)
    .execute();
  let n = 0;
  for (const { account_id } of accounts)
    n += await core.db.transaction().execute((trx) => dropUploads(trx, Number(account_id), before));
  return n;
}

/** Every `everyMs` (and once soon after the start): expire uploads, then collect blobs. */
export function startUploadExpiry(core: Core, everyMs = 3600_000): () => void {
  const run = (): void => {
    expireUploads(core)
      .then(() => collectBlobs(core))
      .catch((err: unknown) => core.log.warn({ err: errorMessage(err) }, 'upload expiry failed'));
  };
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
