// Reading a blob by its JMAP id for an account (download, Email/import, Email/parse,
// Blob/copy, attachments of a new email): a whole blob the account may read (one of its
// emails is stored as it, or it uploaded it: core/uploads.ts), or one MIME part of such an
// email's message, decoded. Null when the id is not one the account may read.
import type { Core } from '../core/core.ts';
import { accountHasBlob } from '../core/mailquery.ts';
import { hasUpload } from '../core/uploads.ts';
import { backfillBlobMeta, blobMetaByHash } from '../core/blobmeta.ts';
import { partBytes } from '../mail/partcontent.ts';
import type { PartInfo } from '../mail/structure.ts';
import { parseBlobId } from './blobid.ts';
import { findPart } from './bodystructure.ts';

export async function mayReadHash(core: Core, accountId: number, hash: string): Promise<boolean> {
  return (await accountHasBlob(core.db, accountId, hash)) || hasUpload(core.db, accountId, hash);
}

/** The part structure of a stored message (blob_meta, computed and stored when missing). */
export async function structureOf(core: Core, hash: string, buf: Buffer): Promise<PartInfo> {
  const meta = (await blobMetaByHash(core.db, [hash])).get(hash);
  return (meta ?? (await backfillBlobMeta(core, hash, buf))).structure;
}

export async function readBlob(
  core: Core,
  accountId: number,
  blobId: string,
): Promise<Buffer | null> {
  const ref = parseBlobId(blobId);
  if (!ref) return null;
  if (ref.partId === null) {
    if (!(await mayReadHash(core, accountId, ref.hash))) return null;
    return core.blobs.get(ref.hash);
  }
  // A part of an email, or of an uploaded message (Email/parse shows such part ids).
  if (!(await mayReadHash(core, accountId, ref.hash))) return null;
  const buf = await core.blobs.get(ref.hash);
  const part = findPart(await structureOf(core, ref.hash, buf), ref.partId);
  return part ? partBytes(buf, part).bytes : null;
}
