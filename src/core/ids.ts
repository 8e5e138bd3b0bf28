// Object ids shared by every door: JMAP ids (RFC 8620 §1.2: URL-safe base64 characters) and
// IMAP OBJECTID (RFC 8474) are the same strings. Random, so ids never reveal counts and stay
// unique across nodes of a cluster.
import { randomBytes } from 'node:crypto';

export function newId(prefix: 'M' | 'T' | 'B' | 'S' | 'I' | 'E' | 'P'): string {
  return prefix + randomBytes(9).toString('base64url');
}
