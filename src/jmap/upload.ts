// Blob upload for the JMAP upload endpoint (RFC 8620 §6.1): stores the bytes for the account
// the URL names (only the signed-in one today) and answers the §6.1 response object. The blob
// is then downloadable by that account (download.ts) and usable by id in later calls.
import type { Core } from '../core/core.ts';
import { saveUpload } from '../core/uploads.ts';
import type { Account } from '../store/schema.ts';
import { blobIdOf } from './blobid.ts';
import { jmapAccountId } from './context.ts';

export interface UploadResponse {
  accountId: string;
  blobId: string;
  type: string;
  size: number;
}

/** A Content-Type worth recording, else application/octet-stream. */
export function uploadType(header: string | undefined): string {
  const t = (header ?? '').trim();
  return t.length > 0 && t.length <= 255 && /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(t)
    ? t
    : 'application/octet-stream';
}

/** Stores an upload; null when the URL names an account this user cannot write to. */
export async function uploadBlob(
  core: Core,
  account: Account,
  accountId: string,
  data: Uint8Array,
  type: string,
): Promise<UploadResponse | null> {
  if (accountId !== jmapAccountId(account)) return null;
  const up = await saveUpload(core, account.id, data, type);
  return { accountId, blobId: blobIdOf(up.hash), type: up.type, size: up.size };
}
