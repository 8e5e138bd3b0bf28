// SEARCH and UID SEARCH (RFC 9051 §6.4.4). The key tree is evaluated over the selected view in
// memory: flags, sequence numbers and UIDs, dates, sizes, MODSEQ; the text keys (FROM, TO, CC,
// BCC, SUBJECT, BODY, TEXT) are looked up first in the shared full-text index, which cuts Lao
// into words (searchtext.ts); HEADER reads the raw message as a case-insensitive substring.
// IMAP4rev2 sessions get an ESEARCH reply (RFC 9051 §7.3.4), others the SEARCH reply.
import { emailsByIds, type EmailRow } from '../../core/messages.ts';
import { flagToKeyword } from '../../mail/keywords.ts';
import { headerValue, parseMime } from '../../mail/mimeparts.ts';
import { formatSeqSet, inRanges, resolveSeqSet } from '../proto/seqset.ts';
import type { SearchKey } from '../proto/search.ts';
import { quote, raw, type Value } from '../proto/writer.ts';
import type { MailboxView } from '../view.ts';
import type { Session } from '../session.ts';
import { SELECTED, type Handler } from './types.ts';
import { prepareTextKeys, textMatches } from './searchtext.ts';

export interface Candidate {
  seq: number;
  uid: number;
  row: EmailRow;
  raw?: Buffer;
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

function contains(hay: string, needle: string): boolean {
  return hay.toLowerCase().includes(needle.toLowerCase());
}

function match(k: SearchKey, c: Candidate, view: MailboxView): boolean {
  switch (k.op) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'flag': {
      const kw = flagToKeyword(k.flag);
      return (kw !== null && c.row.keywords.includes(kw)) === k.set;
    }
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
      const t = k.which === 'internal' ? c.row.receivedAt : c.row.sentAt;
      if (t === null) return false;
      const d = day(t);
      return k.cmp === 'before' ? d < k.day : k.cmp === 'on' ? d === k.day : d >= k.day;
    }
    case 'text':
      return textMatches(k, c.row.id);
    case 'header': {
      const v = headerValue(parseMime(c.raw!).headers, k.field.toLowerCase());
      return v !== null && contains(v, k.value);
    }
    case 'not':
      return !match(k.key, c, view);
    case 'or':
      return match(k.a, c, view) || match(k.b, c, view);
    case 'and':
      return k.keys.every((x) => match(x, c, view));
  }
}

/** The messages of the selected view that match a key, in sequence order (SEARCH, SORT, THREAD). */
export async function matching(s: Session, key: SearchKey): Promise<Candidate[]> {
  const view = s.selected!.view;
  const rows = await emailsByIds(s.core.db, view.accountId, view.emailIds);
  const withRaw = needsRaw(key);
  await prepareTextKeys(s, key);
  const out: Candidate[] = [];
  for (let i = 0; i < view.uids.length; i++) {
    const row = rows.get(view.emailIds[i]!);
    if (!row) continue;
    const c: Candidate = { seq: i + 1, uid: view.uids[i]!, row };
    if (withRaw) c.raw = await s.core.blobs.get(row.blobHash);
    if (match(key, c, view)) out.push(c);
  }
  return out;
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
      if (withModseq && hits.length) items.push(raw('MODSEQ'), highest);
      s.untagged([raw('ESEARCH'), ...items]);
    } else {
      const tail = withModseq && hits.length ? [[raw('MODSEQ'), highest]] : [];
      s.untagged([raw('SEARCH'), ...hits, ...tail]);
    }
    await s.finish(tag, 'OK', null, 'SEARCH completed');
  },
};
