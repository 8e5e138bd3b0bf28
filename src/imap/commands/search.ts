// SEARCH and UID SEARCH (RFC 9051 §6.4.4). The key tree is evaluated over the selected view in
// memory: flags (\Recent from the view), sequence numbers and UIDs, dates, sizes, MODSEQ;
// FROM, TO, CC, BCC, SUBJECT and the SENT* dates read the stored envelope; BODY and TEXT are
// looked up first in the shared full-text index, which cuts Lao into words (searchtext.ts);
// HEADER reads the raw message as a case-insensitive substring.
// IMAP4rev2 sessions get an ESEARCH reply (RFC 9051 §7.3.4), others the SEARCH reply.
import { envelopesByHash } from '../../core/blobmeta.ts';
import { emailsByIds, type EmailRow } from '../../core/messages.ts';
import { headerDay } from '../../mail/headers.ts';
import type { Envelope } from '../../mail/structure.ts';
import { flagToKeyword } from '../../mail/keywords.ts';
import { parseMime } from '../../mail/mimeparts.ts';
import { decodeWords } from 'postal-mime';
import { formatSeqSet, inRanges, resolveSeqSet } from '../proto/seqset.ts';
import type { SearchKey } from '../proto/search.ts';
import { quote, raw, type Value } from '../proto/writer.ts';
import type { MailboxView } from '../view.ts';
import type { Session } from '../session.ts';
import { localDay } from '../../util/timezone.ts';
import { SELECTED, type Handler } from './types.ts';
import { envelopeMatches, onEnvelope, prepareTextKeys, textMatches } from './searchtext.ts';

export interface Candidate {
  seq: number;
  uid: number;
  row: EmailRow;
  raw?: Buffer;
  /** The stored envelope, when a key reads it (envelope text keys, SENT* dates). */
  envelope?: Envelope;
}

/** Whether a key reads the envelope: FROM/TO/CC/BCC/SUBJECT, and the Date of SENT* keys. */
function needsEnvelope(k: SearchKey): boolean {
  switch (k.op) {
    case 'text':
      return onEnvelope(k);
    case 'date':
      return k.which === 'sent';
    case 'not':
      return needsEnvelope(k.key);
    case 'or':
      return needsEnvelope(k.a) || needsEnvelope(k.b);
    case 'and':
      return k.keys.some(needsEnvelope);
    default:
      return false;
  }
}

function needsRaw(k: SearchKey): boolean {
  switch (k.op) {
    case 'header':
      return true;
    case 'not':
      return needsRaw(k.key);
    case 'or':
      return needsRaw(k.a) || needsRaw(k.b);
    case 'and':
      return k.keys.some(needsRaw);
    default:
      return false;
  }
}

/** Whether a MODSEQ key is used: the answer then names the highest modseq (RFC 7162 §3.1.5). */
function usesModseq(k: SearchKey): boolean {
  switch (k.op) {
    case 'modseq':
      return true;
    case 'not':
      return usesModseq(k.key);
    case 'or':
      return usesModseq(k.a) || usesModseq(k.b);
    case 'and':
      return k.keys.some(usesModseq);
    default:
      return false;
  }
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The day of the Date header as written, in the sender's zone (SENT* keys disregard time and
 * timezone, RFC 9051 §6.4.4); the UTC day of the parsed date when the text cannot be read.
 */
function sentDay(c: Candidate): string | null {
  const fromHeader = c.envelope?.date ? headerDay(c.envelope.date) : null;
  return fromHeader ?? (c.row.sentAt === null ? null : day(c.row.sentAt));
}

/** A header value with its RFC 2047 words decoded (as it is shown). */
function decodedText(value: string): string {
  try {
    return decodeWords(value);
  } catch {
    return value;
  }
}

function contains(hay: string, needle: string): boolean {
  return hay.toLowerCase().includes(needle.toLowerCase());
}

/** Whether a candidate matches; `zone` is the server's time zone (internal-date days). */
function match(k: SearchKey, c: Candidate, view: MailboxView, zone: string): boolean {
  switch (k.op) {
    case 'all':
      return true;
    case 'flag': {
      const kw = flagToKeyword(k.flag);
      return (kw !== null && c.row.keywords.includes(kw)) === k.set;
    }
    case 'recent':
      return view.isRecent(c.uid) === k.set;
    case 'seq':
      if (k.set.saved) return view.saved.has(c.uid);
      return inRanges(resolveSeqSet(k.set, view.exists), c.seq);
    case 'uid':
      if (k.set.saved) return view.saved.has(c.uid);
      return inRanges(resolveSeqSet(k.set, view.uids[view.uids.length - 1] ?? 0), c.uid);
    case 'size':
      return k.cmp === 'larger' ? c.row.size > k.n : c.row.size < k.n;
    case 'modseq':
      return c.row.modseq >= k.n;
    case 'date': {
      // The internal date's day in the zone INTERNALDATE is shown in (fetch.ts imapDate).
      const d = k.which === 'internal' ? localDay(c.row.receivedAt, zone) : sentDay(c);
      if (d === null) return false;
      return k.cmp === 'before' ? d < k.day : k.cmp === 'on' ? d === k.day : d >= k.day;
    }
    case 'text':
      return onEnvelope(k) ? envelopeMatches(k, c.envelope) : textMatches(k, c.row.id);
    case 'header': {
      // Every field of that name counts, not only the first (RFC 9051 §6.4.4 HEADER).
      const name = k.field.toLowerCase();
      return parseMime(c.raw!).headers.some(
        (h) =>
          h.name === name &&
          (contains(h.value, k.value) || contains(decodedText(h.value), k.value)),
      );
    }
    case 'not':
      return !match(k.key, c, view, zone);
    case 'or':
      return match(k.a, c, view, zone) || match(k.b, c, view, zone);
    case 'and':
      return k.keys.every((x) => match(x, c, view, zone));
  }
}

/** The messages of the selected view that match a key, in sequence order (SEARCH, SORT, THREAD). */
export async function matching(s: Session, key: SearchKey): Promise<Candidate[]> {
  const view = s.selected!.view;
  const rows = await emailsByIds(s.core.db, view.accountId, view.emailIds);
  const withRaw = needsRaw(key);
  const envelopes = needsEnvelope(key)
    ? await envelopesByHash(
        s.core,
        [...rows.values()].map((r) => r.blobHash),
      )
    : null;
  await prepareTextKeys(s, key);
  const out: Candidate[] = [];
  for (let i = 0; i < view.uids.length; i++) {
    const row = rows.get(view.emailIds[i]!);
    if (!row) continue;
    const c: Candidate = { seq: i + 1, uid: view.uids[i]!, row };
    const env = envelopes?.get(row.blobHash);
    if (env) c.envelope = env;
    if (withRaw) c.raw = await s.core.blobs.get(row.blobHash);
    if (match(key, c, view, s.core.config.timeZone)) out.push(c);
  }
  return out;
}

/**
 * The MODSEQ of an ESEARCH answer (RFC 4731 §3.2): with MIN and/or MAX alone, of the
 * messages returned; otherwise the highest of all found.
 */
function esearchModseq(found: Candidate[], opts: string[]): number {
  if (opts.includes('ALL') || opts.includes('COUNT') || found.length === 0)
    return found.reduce((m, c) => Math.max(m, c.row.modseq), 0);
  // `found` is in sequence (and UID) order: the first is MIN, the last MAX.
  const picked = [
    ...(opts.includes('MIN') ? [found[0]!] : []),
    ...(opts.includes('MAX') ? [found[found.length - 1]!] : []),
  ];
  return picked.reduce((m, c) => Math.max(m, c.row.modseq), 0);
}

/** A charset SEARCH, SORT and THREAD accept (RFC 9051 §6.4.4: UTF-8 and US-ASCII). */
export function knownCharset(charset: string | null): boolean {
  return !charset || charset === 'UTF-8' || charset === 'US-ASCII';
}

export const search: Handler<'SEARCH'> = {
  states: SELECTED,
  async run(s, args, tag) {
    const { charset, key, returnOpts } = args.program;
    if (!knownCharset(charset)) {
      await s.finish(tag, 'NO', 'BADCHARSET (UTF-8 US-ASCII)', 'Unsupported charset');
      return;
    }
    const view = s.selected!.view;
    const withModseq = usesModseq(key);
    if (withModseq) s.condstore = true;
    const found = await matching(s, key);
    const hits = found.map((c) => (args.uid ? c.uid : c.seq));
    const hitUids = found.map((c) => c.uid);
    const highest = found.reduce((m, c) => Math.max(m, c.row.modseq), 0);
    const opts = returnOpts && returnOpts.length ? returnOpts : ['ALL'];
    if (opts.includes('SAVE')) {
      // RFC 5182 §2.4: with MIN and/or MAX (and no ALL/COUNT) only those are saved.
      const only = !opts.includes('ALL') && !opts.includes('COUNT');
      const keep =
        only && (opts.includes('MIN') || opts.includes('MAX'))
          ? [
              ...(opts.includes('MIN') && hitUids.length ? [Math.min(...hitUids)] : []),
              ...(opts.includes('MAX') && hitUids.length ? [Math.max(...hitUids)] : []),
            ]
          : hitUids;
      view.saved = new Set(keep);
    }
    if (returnOpts !== null && opts.length === 1 && opts[0] === 'SAVE') {
      // SAVE alone: no ESEARCH answer (RFC 5182 §2.4).
    } else if (s.rev2 || returnOpts !== null) {
      // RFC 4731 / RFC 9051 §7.3.4: RETURN () means ALL.
      const items: Value[] = [raw(`(TAG ${quote(tag)})`)];
      if (args.uid) items.push(raw('UID'));
      if (hits.length) {
        if (opts.includes('MIN')) items.push(raw('MIN'), Math.min(...hits));
        if (opts.includes('MAX')) items.push(raw('MAX'), Math.max(...hits));
        if (opts.includes('ALL'))
          items.push(raw('ALL'), raw(formatSeqSet([...hits].sort((a, b) => a - b))));
      }
      if (opts.includes('COUNT')) items.push(raw('COUNT'), hits.length);
      if (withModseq && hits.length) items.push(raw('MODSEQ'), esearchModseq(found, opts));
      s.untagged([raw('ESEARCH'), ...items]);
    } else {
      const tail = withModseq && hits.length ? [[raw('MODSEQ'), highest]] : [];
      s.untagged([raw('SEARCH'), ...hits, ...tail]);
    }
    await s.finish(tag, 'OK', null, 'SEARCH completed');
  },
};
