// SASL mechanisms as the doors decode them, with no storage: PLAIN (RFC 4616). Shared by
// POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE (RFC 9051 §6.2.2).

export interface PlainCredentials {
  /** Authorization identity; '' when the client acts as itself. */
  authzid: string;
  authcid: string;
  password: string;
}

/**
 * Decodes a PLAIN initial response (base64 of `authzid NUL authcid NUL passwd`, RFC 4616 §2).
 * Returns null for anything malformed: bad base64, wrong field count, empty identity or
 * password, or invalid UTF-8.
 */
export function decodePlain(base64: string): PlainCredentials | null {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    return null;
  }
  const parts = decoded.split('\0');
  if (parts.length !== 3) return null;
  const [authzid, authcid, password] = parts as [string, string, string];
  if (!authcid || !password) return null;
  return { authzid, authcid, password };
}

/** The client acts only as itself: an authorization identity, if given, must be its own. */
export function actsAsItself(c: PlainCredentials): boolean {
  return c.authzid === '' || c.authzid.toLowerCase() === c.authcid.toLowerCase();
}
