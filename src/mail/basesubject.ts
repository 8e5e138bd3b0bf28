// The base subject of RFC 5256 §2.1: the subject with reply/forward leaders ("Re:", "Fwd:",
// "[list]" blobs), "(fwd)" trailers and "[Fwd: …]" wrappers taken away, white space folded,
// upper-cased for comparison (i;ascii-casemap is not enough for Lao; upper-casing leaves Lao
// as it is). Used by IMAP SORT SUBJECT and THREAD, and by anything that groups conversations.

const BLOB = String.raw`\[[^[\]]*\]\s*`;
const LEADER = new RegExp(String.raw`^(?:${BLOB})*(?:re|fwd?)\s*(?:${BLOB})?:\s*`, 'i');
const LONE_BLOB = new RegExp(`^${BLOB}`);

/** Base subject and whether anything reply-like was removed (RFC 5256 §4 step 5 needs it). */
export function baseSubjectInfo(subject: string): { base: string; reply: boolean } {
  let s = subject
    .replace(/[\t\r\n]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  let reply = false;
  for (let guard = 0; guard < 100; guard++) {
    // (2) trailers: "(fwd)" and white space at the end.
    let prev: string;
    do {
      prev = s;
      s = s.replace(/\s*\(fwd\)\s*$/i, '').trimEnd();
      if (s !== prev) reply = true;
    } while (s !== prev);
    // (3)–(5) leaders, and a leading [blob] when something is left after it.
    do {
      prev = s;
      s = s.trimStart();
      const m = LEADER.exec(s);
      if (m) {
        s = s.slice(m[0].length);
        reply = true;
      } else {
        const b = LONE_BLOB.exec(s);
        if (b && s.length > b[0].length) s = s.slice(b[0].length);
      }
    } while (s !== prev);
    // (6) "[fwd:" subject "]": unwrap and start again.
    const f = /^\[fwd:\s*(.*)\]$/i.exec(s);
    if (!f) break;
    s = f[1]!;
    reply = true;
  }
  return { base: s.toUpperCase(), reply };
}

export function baseSubject(subject: string): string {
  return baseSubjectInfo(subject).base;
}
