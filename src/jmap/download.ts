// Blob download for the JMAP download endpoint (RFC 8620 §6.2): the bytes of a blob the
// account may read (blobs.ts: its emails, their parts, its uploads), or null (the caller
// answers 404).
import type { Core } from '../core/core.ts';
import type { Account } from '../store/schema.ts';
import { jmapAccountId } from './context.ts';
import { readBlob } from './blobs.ts';

export async function downloadBlob(
  core: Core,
  account: Account,
  accountId: string,
  blobId: string,
): Promise<Buffer | null> {
  if (accountId !== jmapAccountId(account)) return null;
  return readBlob(core, account.id, blobId);
}
