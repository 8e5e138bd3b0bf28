// FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2): FLAGS, UID, INTERNALDATE, RFC822.SIZE,
// ENVELOPE, BODY, BODYSTRUCTURE, BODY[section]<partial>, BODY.PEEK, RFC822(.HEADER/.TEXT),
// MODSEQ, EMAILID/THREADID (RFC 8474), BINARY[section] and BINARY.SIZE (RFC 3516: the part
// decoded from base64 or quoted-printable, as literal8; [UNKNOWN-CTE] otherwise). The
// CHANGEDSINCE and VANISHED modifiers (RFC 7162 §3.1.4.1, §3.2.6) read the shared change log
// through core's mailboxChangesSince. A non-PEEK body fetch sets \Seen (§6.4.5) unless the
// mailbox is read-only, and then FLAGS is returned too. UID FETCH always includes UID.
// Messages expunged by another session but still in this view are skipped.
// ENVELOPE, BODY and BODYSTRUCTURE come from the blob's stored metadata (core/blobmeta.ts),
// read with the rows in one query per chunk (core's fetchRows: by UID range when the set is
// dense); ENVELOPE is stored as response text and copied as it is. The blob is read only for
// BODY[…], BINARY and RFC822*, or to compute metadata missing for an older blob, which is then
// stored (lazy backfill); an envelope stored without its text gets it the same way.
// Responses without message bytes are queued as text (Session.sendText) and encoded once.
import {
  backfillBlobMeta,
  storeImapEnvelopes,
  type MetaWant,
  type StoredMeta,
} from '../../core/blobmeta.ts';
import {
  fetchRows,
  mailboxChangesSince,
  type FetchRow,
  type FetchWhich,
} from '../../core/messages.ts';
import { updateKeywords } from '../../core/keywords.ts';
import { imapEnvelope } from '../../mail/imapenvelope.ts';
import { keywordToFlag } from '../../mail/keywords.ts';
import { headerValue, parseMime, partAt, type MimePart } from '../../mail/mimeparts.ts';
import type { Envelope } from '../../mail/structure.ts';
import { decodeTransfer } from '../../mail/transfer.ts';
import { sectionName, type FetchAtt, type Section } from '../proto/fetchatt.ts';
import { structureValue } from '../proto/structure.ts';
import {
  formatRanges,
  formatSeqSet,
  inRanges,
  rangesWithout,
  resolveSeqSet,
  type SeqSet,
} from '../proto/seqset.ts';
import { raw, type Raw, type Value } from '../proto/writer.ts';
import { permit, selectedRights } from '../access.ts';
import type { Session } from '../session.ts';
import { offsetText, zonedParts } from '../../util/timezone.ts';
import type { MailboxView } from '../view.ts';
import { SELECTED, type Handler } from './types.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * date-time (RFC 9051 §9) in the server's zone (`timeZone`), with its offset:
 * "07-Feb-2024 10:00:00 +0700". Date searches count days in the same zone (search.ts).
 */
export function imapDate(ms: number, zone = 'UTC'): string {
  const d = zonedParts(ms, zone);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.day)}-${MONTHS[d.month - 1]}-${d.year} ${p(d.hour)}:${p(d.minute)}:${p(d.second)} ${offsetText(d.offsetMinutes)}`;
}

function headerBlock(buf: Buffer, part: MimePart): Buffer {
  return buf.subarray(part.start, part.bodyStart);
}

function filterHeaders(block: Buffer, fields: string[], not: boolean): Buffer {
  const want = new Set(fields.map((f) => f.toLowerCase()));
  const text = block.toString('latin1');
  const lines = text.split(/(?<=\n)(?![ \t])/);
  const kept = lines.filter((l) => {
    const colon = l.indexOf(':');
    if (colon <= 0) return false;
    return want.has(l.slice(0, colon).trim().toLowerCase()) !== not;
  });
  return Buffer.from(kept.join('') + '\r\n', 'latin1');
}

/** The bytes a BODY[section] names (RFC 9051 §6.4.5), or null for a missing part. */
export function sectionBytes(buf: Buffer, root: MimePart, s: Section): Buffer | null {
  let part = partAt(root, s.part);
  if (!part) return null;
  if (s.text === 'MIME') return headerBlock(buf, part);
  if (s.text === null) {
    if (s.part.length === 0) return buf;
    return buf.subarray(part.bodyStart, part.end);
  }
  // HEADER/TEXT of a part: of the message it encapsulates.
  if (s.part.length > 0) {
    if (!part.message) return null;
    part = part.message;
  }
  if (s.text === 'TEXT') return buf.subarray(part.bodyStart, part.end);
  const block = headerBlock(buf, part);
  if (s.text === 'HEADER') return block;
  return filterHeaders(block, s.fields, s.text === 'HEADER.FIELDS.NOT');
}

/** A part's content without its transfer encoding (RFC 3516 §4.2), null if unknown. */
function binaryBytes(buf: Buffer, root: MimePart, path: number[]): Buffer | null {
  if (path.length === 0) return buf;
  const part = partAt(root, path);
  if (!part) return Buffer.alloc(0);
  const body = buf.subarray(part.bodyStart, part.end);
  if (part.children.length > 0 || part.message) return body;
  return decodeTransfer(body, headerValue(part.headers, 'content-transfer-encoding'));
}

/** A part in an encoding we cannot undo: the FETCH fails with [UNKNOWN-CTE] (§4.3). */
class UnknownCte extends Error {}

function partial(bytes: Buffer, p: { start: number; length: number } | null): Buffer {
  if (!p) return bytes;
  return bytes.subarray(
    Math.min(p.start, bytes.length),
    Math.min(p.start + p.length, bytes.length),
  );
}

const FROM_ROW = ['FLAGS', 'UID', 'INTERNALDATE', 'RFC822.SIZE', 'MODSEQ', 'EMAILID', 'THREADID'];
const FROM_META = ['ENVELOPE', 'BODY', 'BODYSTRUCTURE'];

/** Items that read the message's bytes. */
function needsBlob(atts: FetchAtt[]): boolean {
  return atts.some((a) => !FROM_ROW.includes(a.kind) && !FROM_META.includes(a.kind));
}

function needsMeta(atts: FetchAtt[]): boolean {
  return atts.some((a) => FROM_META.includes(a.kind));
}

/** Which parts of the stored metadata the items read. */
function metaWanted(atts: FetchAtt[], utf8: boolean): MetaWant {
  return {
    envelope: atts.some((a) => a.kind === 'ENVELOPE'),
    structure: atts.some((a) => a.kind === 'BODY' || a.kind === 'BODYSTRUCTURE'),
    utf8,
  };
}

function setsSeen(atts: FetchAtt[]): boolean {
  return atts.some((a) =>
    a.kind === 'BODY[]' || a.kind === 'BINARY[]'
      ? !a.peek
      : a.kind === 'RFC822' || a.kind === 'RFC822.TEXT',
  );
}

/** What the items of one message are made from: its row, metadata and, if read, its bytes. */
interface Source {
  uid: number;
  row: FetchRow;
  meta: StoredMeta | undefined;
  buf: Buffer | null;
  root: MimePart | null;
}

/** FLAGS lists by keyword set: fetchRows shares one array between rows with the same set. */
type FlagsCache = Map<readonly string[], Raw>;

function flagsOf(keywords: readonly string[], cache: FlagsCache): Raw {
  let r = cache.get(keywords);
  if (!r) {
    r = raw(`(${keywords.map(keywordToFlag).join(' ')})`);
    cache.set(keywords, r);
  }
  return r;
}

function items(
  s: Session,
  atts: FetchAtt[],
  src: Source,
  addUid: boolean,
  flags: FlagsCache,
): Value[] {
  const { uid, row, meta, buf, root } = src;
  const out: Value[] = [];
  const hasUid = atts.some((a) => a.kind === 'UID');
  if (addUid && !hasUid) out.push(raw('UID'), uid);
  for (const a of atts) {
    switch (a.kind) {
      case 'UID':
        out.push(raw('UID'), uid);
        break;
      case 'FLAGS':
        // \Recent (RFC 3501 §2.3.2) for a rev1 session that saw the message first.
        out.push(
          raw('FLAGS'),
          !s.rev2 && s.selected?.view.isRecent(uid)
            ? s.selected.view.flags(uid, row.keywords, false)
            : flagsOf(row.keywords, flags),
        );
        break;
      case 'INTERNALDATE':
        out.push(raw('INTERNALDATE'), imapDate(row.receivedAt, s.core.config.timeZone));
        break;
      case 'RFC822.SIZE':
        out.push(raw('RFC822.SIZE'), row.size);
        break;
      case 'MODSEQ':
        out.push(raw('MODSEQ'), [row.modseq]);
        break;
      case 'EMAILID':
        out.push(raw('EMAILID'), [raw(row.id)]);
        break;
      case 'THREADID':
        out.push(raw('THREADID'), [raw(row.threadId)]);
        break;
      case 'ENVELOPE':
        out.push(raw('ENVELOPE'), raw(meta!.imapEnvelope ?? imapEnvelope(meta!.envelope!, s.utf8)));
        break;
      case 'BODYSTRUCTURE':
        out.push(raw('BODYSTRUCTURE'), structureValue(meta!.structure!, true));
        break;
      case 'BODY':
        out.push(raw('BODY'), structureValue(meta!.structure!, false));
        break;
      case 'RFC822':
        out.push(raw('RFC822'), buf!);
        break;
      case 'RFC822.HEADER':
        out.push(raw('RFC822.HEADER'), headerBlock(buf!, root!));
        break;
      case 'RFC822.TEXT':
        out.push(raw('RFC822.TEXT'), buf!.subarray(root!.bodyStart));
        break;
      case 'BODY[]': {
        const bytes = sectionBytes(buf!, root!, a.section);
        out.push(raw(sectionName(a)), bytes === null ? Buffer.alloc(0) : partial(bytes, a.partial));
        break;
      }
      case 'BINARY[]':
      case 'BINARY.SIZE[]': {
        const bytes = binaryBytes(buf!, root!, a.section.part);
        if (bytes === null) throw new UnknownCte();
        if (a.kind === 'BINARY.SIZE[]') out.push(raw(sectionName(a)), bytes.length);
        else out.push(raw(sectionName(a)), { binary: partial(bytes, a.partial) });
        break;
      }
    }
  }
  return out;
}

/**
 * How to read the rows of view positions `part`: by UID range when they are most of the
 * messages in that range (a FETCH 1:* or a screenful of headers), else by email id.
 */
function rowsOf(view: MailboxView, part: number[]): FetchWhich {
  let lo = Infinity;
  let hi = -1;
  for (const i of part) {
    if (i < lo) lo = i;
    if (i > hi) hi = i;
  }
  if (hi - lo + 1 <= 2 * part.length) return { uids: [view.uids[lo]!, view.uids[hi]!] };
  return { ids: part.map((i) => view.emailIds[i]!) };
}

/**
 * `* VANISHED (EARLIER)` for UIDs of the set that left since `since` (RFC 7162 §3.2.6); when
 * that is older than the pruned tombstones (`present` set), every UID of the set not in the
 * mailbox, as §3.2.5.1 allows.
 */
function reportVanished(
  s: Session,
  set: SeqSet,
  vanished: number[],
  present: number[] | null,
): void {
  const view = s.selected!.view;
  if (present) {
    const top = Math.max(view.uids[view.uids.length - 1] ?? 0, present[present.length - 1] ?? 0);
    const here = [...new Set([...present, ...view.uids])].sort((a, b) => a - b);
    const gone = rangesWithout(resolveSeqSet(set, Math.max(top, 1)), here);
    if (gone.length) s.untagged([raw('VANISHED'), raw('(EARLIER)'), raw(formatRanges(gone))]);
    return;
  }
  const max = Math.max(view.uids[view.uids.length - 1] ?? 0, vanished[vanished.length - 1] ?? 0);
  const ranges = resolveSeqSet(set, max);
  const gone = vanished.filter((u) => view.seqOf(u) === 0 && inRanges(ranges, u));
  if (gone.length) s.untagged([raw('VANISHED'), raw('(EARLIER)'), raw(formatSeqSet(gone))]);
}

export const fetch: Handler<'FETCH'> = {
  states: SELECTED,
  async run(s, args, tag) {
    const sel = s.selected!;
    const accountId = sel.view.accountId;
    const rights = await selectedRights(s);
    if (!(await permit(s, tag, { rights }, 'r'))) return;
    if (args.vanished && !s.qresync) {
      await s.finish(tag, 'BAD', null, 'VANISHED needs ENABLE QRESYNC');
      return;
    }
    let atts = args.atts;
    if (args.changedSince !== null || atts.some((a) => a.kind === 'MODSEQ')) {
      s.condstore = true; // RFC 7162 §3.1: a CONDSTORE-enabling command
      // §3.1.4.1: CHANGEDSINCE implies MODSEQ in every answer.
      if (!atts.some((a) => a.kind === 'MODSEQ')) atts = [...atts, { kind: 'MODSEQ' }];
    }
    let idx = sel.view.select(args.set, args.uid);
    if (args.changedSince !== null) {
      const since = await mailboxChangesSince(s.core.db, accountId, sel.id, args.changedSince);
      if (args.vanished) reportVanished(s, args.set, since.vanished, since.present);
      const changed = new Set(since.changed.map((m) => m.uid));
      idx = idx.filter((i) => changed.has(sel.view.uids[i]!));
    }
    const CHUNK = 500;
    let seen: string[] = [];
    if (setsSeen(atts) && !sel.readOnly && rights.includes('s')) {
      const ids = idx.map((i) => sel.view.emailIds[i]!);
      const res = await updateKeywords(s.core, accountId, ids, 'add', ['$seen']);
      if (res.modseq) sel.view.own.add(res.modseq);
      seen = [...res.changed.keys()];
    }
    const seenSet = new Set(seen);
    const withFlags =
      seenSet.size && !atts.some((a) => a.kind === 'FLAGS')
        ? [...atts, { kind: 'FLAGS' as const }]
        : atts;
    const blob = needsBlob(atts);
    const metaNeeded = needsMeta(atts);
    const want = metaWanted(atts, s.utf8);
    const flags: FlagsCache = new Map();
    for (let c = 0; c < idx.length; c += CHUNK) {
      const part = idx.slice(c, c + CHUNK);
      const rows = await fetchRows(s.core.db, accountId, sel.id, rowsOf(sel.view, part), want);
      // A keyword another session has just set is named in FLAGS before a FETCH shows it
      // (RFC 9051 §7.3.5).
      if (withFlags.some((a) => a.kind === 'FLAGS'))
        sel.view.announce(
          s,
          [...rows.values()].flatMap((r) => r.keywords),
        );
      for (const i of part) {
        const row = rows.get(sel.view.emailIds[i]!);
        if (!row) continue;
        if (args.changedSince !== null && row.modseq <= args.changedSince) continue;
        const src: Source = { uid: sel.view.uids[i]!, row, meta: row.meta, buf: null, root: null };
        if (blob || (!src.meta && metaNeeded)) {
          src.buf = await s.core.blobs.get(row.blobHash);
          src.root = parseMime(src.buf);
          if (!src.meta && metaNeeded)
            src.meta = await backfillBlobMeta(s.core, row.blobHash, src.buf, src.root);
        }
        const list = seenSet.has(row.id) ? withFlags : atts;
        let data: Value[];
        try {
          data = items(s, list, src, args.uid, flags);
        } catch (err) {
          if (!(err instanceof UnknownCte)) throw err;
          await s.finish(tag, 'NO', 'UNKNOWN-CTE', 'Cannot decode this part');
          return;
        }
        s.untagged([i + 1, raw('FETCH'), data]);
      }
      const untexted: { hash: string; envelope: Envelope }[] = [];
      for (const row of rows.values())
        if (row.meta?.envelope) untexted.push({ hash: row.blobHash, envelope: row.meta.envelope });
      await storeImapEnvelopes(s.core, untexted);
    }
    await s.finish(tag, 'OK', null, 'FETCH completed');
  },
};
