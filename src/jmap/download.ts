// Blob download for the JMAP download endpoint (RFC 8620 §6.2): the bytes of a blob the
// account may read (one of its emails is stored as it, or it uploaded it: core/uploads.ts),
// or null (the caller answers 404).
import type { Core } from '../core/core.ts';
import { accountHasBlob } from '../core/mailquery.ts';
import { hasUpload } from '../core/uploads.ts';
import type { Account } from '../store/schema.ts';
import { jmapAccountId } from './context.ts';
import { hashOfBlobId } from './blobid.ts';

export async function downloadBlob(
  core: Core,
  account: Account,
  accountId: string,
  blobId: string,
): Promise<Buffer | null> {
  if (accountId !== jmapAccountId(account)) return null;
  const hash = hashOfBlobId(blobId);
  if (!hash) return null;
  if (
    !(await accountHasBlob(core.db, account.id, hash)) &&
    !(await hasUpload(core.db, account.id, hash))
  )
    return null;
  return core.blobs.get(hash);
}
