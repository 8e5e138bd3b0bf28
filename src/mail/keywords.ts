// IMAP flags and JMAP keywords are one thing under two spellings (RFC 8621 §4.1.1): the
// system flags \Seen \Flagged \Answered \Draft \Deleted are the keywords $seen $flagged
// $answered $draft $deleted; other keywords are the same atom, compared case-insensitively
// and stored in lower case. Every door converts through here. \Recent is not a keyword
// (RFC 9051 removed it) and is never stored.

const SYSTEM: [flag: string, keyword: string][] = [
  ['\\Seen', '$seen'],
  ['\\Flagged', '$flagged'],
  ['\\Answered', '$answered'],
  ['\\Draft', '$draft'],
  ['\\Deleted', '$deleted'],
];
const TO_KEYWORD = new Map(SYSTEM.map(([f, k]) => [f.toLowerCase(), k]));
const TO_FLAG = new Map(SYSTEM.map(([f, k]) => [k, f]));

/** The IMAP system flags we store, in the order they are listed in FLAGS responses. */
export const SYSTEM_FLAGS = SYSTEM.map(([f]) => f);

/** An IMAP flag as a stored keyword; null for \Recent, other unknown "\" flags, or bad atoms. */
export function flagToKeyword(flag: string): string | null {
  if (flag.startsWith('\\')) return TO_KEYWORD.get(flag.toLowerCase()) ?? null;
  if (!/^[\x21-\x7e]{1,255}$/.test(flag) || /[(){%*"\\\]]/.test(flag)) return null;
  return flag.toLowerCase();
}

/** A stored keyword as an IMAP flag. */
export function keywordToFlag(keyword: string): string {
  return TO_FLAG.get(keyword) ?? keyword;
}

/** Parses the `emails.keywords` column (a JSON array); tolerant of bad data. */
export function parseKeywords(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Sorted, unique, lower-case: the canonical form written to the store. */
export function normalizeKeywords(list: Iterable<string>): string[] {
  return [...new Set([...list].map((k) => k.toLowerCase()))].sort();
}
