// JMAP blob ids (RFC 8620 §6): "G" + the SHA-256 of the bytes (the blob store's name), so the
// same message stored once has one blob id everywhere; a MIME part of a stored message is
// "P" + the message's SHA-256 + "-" + its part id with "-" for "." (bodystructure.ts), its
// bytes being the part's content after transfer decoding. Reading a blob needs an email of
// the account stored as it, or an upload of its own (blobs.ts).
export function blobIdOf(hash: string): string {
  return `G${hash}`;
}

export function partBlobId(hash: string, partId: string): string {
  return `P${hash}-${partId.replace(/\./g, '-')}`;
}

/** The blob hash a blob id names, or null when it is not a whole-blob id of ours. */
export function hashOfBlobId(blobId: string): string | null {
  const m = /^G([0-9a-f]{64})$/.exec(blobId);
  return m ? m[1]! : null;
}

export interface BlobRef {
  hash: string;
  /** The part of the message blob, or null for the whole blob. */
  partId: string | null;
}

export function parseBlobId(blobId: string): BlobRef | null {
  const g = hashOfBlobId(blobId);
  if (g) return { hash: g, partId: null };
  const m = /^P([0-9a-f]{64})-(\d{1,6}(?:-\d{1,6}){0,40})$/.exec(blobId);
  return m ? { hash: m[1]!, partId: m[2]!.replace(/-/g, '.') } : null;
}
