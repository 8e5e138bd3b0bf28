// JMAP blob ids (RFC 8620 §6): "G" + the SHA-256 of the bytes (the blob store's name), so the
// same message stored once has one blob id everywhere. Reading a blob needs an email of the
// account stored as it (core/mailquery.ts accountHasBlob).
export function blobIdOf(hash: string): string {
  return `G${hash}`;
}

/** The blob hash a blob id names, or null when it is not one of ours. */
export function hashOfBlobId(blobId: string): string | null {
  const m = /^G([0-9a-f]{64})$/.exec(blobId);
  return m ? m[1]! : null;
}
