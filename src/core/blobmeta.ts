// Parsed metadata of message blobs (DESIGN.md: "computed once at delivery"), single-instance
// like the blobs: one `blob_meta` row per SHA-256 holds the envelope and part structure
// (mail/structure.ts) as JSON, so IMAP FETCH ENVELOPE / BODYSTRUCTURE never reads the blob,
// and the envelope as IMAP response text (mail/imapenvelope.ts), so FETCH ENVELOPE of a
// thousand messages copies a thousand stored strings instead of decoding and rendering them.
// Invariants: `ingest` writes the row in the transaction that takes the blob; the row is
// deleted when the blob is collected (blobrefs.ts). A missing row, or one of an older
// STRUCTURE_VERSION (blobs stored before 0007_blobmeta, a parser change, a race with the
// collector), is always tolerated: readers compute it from the blob and store it back. A row
// without the IMAP text (written before 0015_imap_envelope) is rendered from its JSON envelope
// and the text stored back (`storeImapEnvelopes`).
import type { Db } from '../store/schema.ts';
import { imapEnvelope, imapEnvelopes } from '../mail/imapenvelope.ts';
import {
  STRUCTURE_VERSION,
  messageStructure,
  type Envelope,
  type MessageStructure,
  type PartInfo,
} from '../mail/structure.ts';
import type { MimePart } from '../mail/mimeparts.ts';
import { errorMessage } from '../util/errors.ts';
import type { Core } from './core.ts';

/** A blob's metadata as stored: computed before the transaction, written inside it. */
export interface BlobMeta {
  envelope: string;
  structure: string;
  version: number;
  imap_envelope: string;
  imap_envelope_utf8: string | null;
}

function encode(m: MessageStructure): BlobMeta {
  const imap = imapEnvelopes(m.envelope);
  return {
    envelope: JSON.stringify(m.envelope),
    structure: JSON.stringify(m.structure),
    version: STRUCTURE_VERSION,
    imap_envelope: imap.ascii,
    imap_envelope_utf8: imap.utf8,
  };
}

/** Computes a message's metadata from its bytes (parsed already when `root` is given). */
export function blobMetaOf(buf: Buffer, root?: MimePart): BlobMeta {
  return encode(messageStructure(buf, root));
}

/** Inserts the row unless the blob already has one (a second copy of the same message). */
export async function putBlobMeta(trx: Db, hash: string, meta: BlobMeta): Promise<void> {
  await trx
    .insertInto('blob_meta')
    .values({ hash, ...meta })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
}

/** Stores a row computed by a reader, replacing one of an older version. */
async function refreshBlobMeta(db: Db, hash: string, row: BlobMeta): Promise<void> {
  await db
    .insertInto('blob_meta')
    .values({ hash, ...row })
    .onConflict((oc) =>
      oc
        .column('hash')
        .doUpdateSet({
          envelope: row.envelope,
          structure: row.structure,
          version: row.version,
          imap_envelope: row.imap_envelope,
          imap_envelope_utf8: row.imap_envelope_utf8,
        })
        .where('blob_meta.version', '<', row.version),
    )
    .execute();
}

/** The stored metadata of a blob; only the parts asked for are read and decoded. */
export interface StoredMeta {
  /** The ENVELOPE as IMAP response text, in the string form the reader asked for. */
  imapEnvelope?: string;
  /**
   * The decoded envelope, present only when the row had no IMAP text (older than 0015): the
   * text was rendered from it, and `storeImapEnvelopes` should keep it for the next reader.
   */
  envelope?: Envelope;
  structure?: PartInfo;
}

/** Which parts of the stored metadata a reader needs. */
export interface MetaWant {
  /** The ENVELOPE as IMAP text. */
  envelope: boolean;
  structure: boolean;
  /** The IMAP text for a client that enabled UTF-8 strings (RFC 9051 §6.3.1, RFC 6855). */
  utf8: boolean;
}

/**
 * Decodes the columns of a `blob_meta` row read beside other data (a left join: all null
 * when the blob has no row); undefined when there is no row of the current version.
 * `imap_envelope` is the text of the asked string form, `envelope` the JSON envelope read
 * only when that text is missing.
 */
export function decodeStoredMeta(
  r: {
    version?: number | string | null;
    imap_envelope?: string | null;
    envelope?: string | null;
    structure?: string | null;
  },
  utf8: boolean,
): StoredMeta | undefined {
  if (r.version === null || r.version === undefined) return undefined;
  if (Number(r.version) !== STRUCTURE_VERSION) return undefined;
  const m: StoredMeta = {};
  if (typeof r.imap_envelope === 'string') m.imapEnvelope = r.imap_envelope;
  else if (typeof r.envelope === 'string') {
    m.envelope = JSON.parse(r.envelope) as Envelope;
    m.imapEnvelope = imapEnvelope(m.envelope, utf8);
  }
  if (typeof r.structure === 'string') m.structure = JSON.parse(r.structure) as PartInfo;
  return m;
}

/**
 * Stores the IMAP text of rows that had none (written before 0015_imap_envelope), rendered
 * from their JSON envelope, so the next FETCH copies it. A failed store costs only the reuse.
 */
export async function storeImapEnvelopes(
  core: Core,
  rows: { hash: string; envelope: Envelope }[],
): Promise<void> {
  if (rows.length === 0) return;
  // In hash order, once each: two sessions filling the same rows cannot deadlock (PostgreSQL).
  const byHash = new Map(rows.map((r) => [r.hash, r.envelope]));
  const hashes = [...byHash.keys()].sort();
  try {
    await core.db.transaction().execute(async (trx) => {
      for (const hash of hashes) {
        const envelope = byHash.get(hash)!;
        const imap = imapEnvelopes(envelope);
        await trx
          .updateTable('blob_meta')
          .set({ imap_envelope: imap.ascii, imap_envelope_utf8: imap.utf8 })
          .where('hash', '=', hash)
          .where('version', '=', STRUCTURE_VERSION)
          .where('imap_envelope', 'is', null)
          .execute();
      }
    });
  } catch (err) {
    core.log.warn({ err: errorMessage(err), rows: rows.length }, 'IMAP envelopes not stored');
  }
}

const CHUNK = 500;

/** Current-version metadata of the given blobs; blobs without a usable row are absent. */
export async function blobMetaByHash(
  db: Db,
  hashes: string[],
): Promise<Map<string, MessageStructure>> {
  const out = new Map<string, MessageStructure>();
  const unique = [...new Set(hashes)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .selectFrom('blob_meta')
      .selectAll()
      .where('hash', 'in', unique.slice(i, i + CHUNK))
      .execute();
    for (const r of rows)
      if (Number(r.version) === STRUCTURE_VERSION)
        out.set(r.hash, {
          envelope: JSON.parse(r.envelope) as MessageStructure['envelope'],
          structure: JSON.parse(r.structure) as MessageStructure['structure'],
        });
  }
  return out;
}

/**
 * The envelopes of the given blobs (IMAP SEARCH and SORT read addresses, subject and date from
 * them): the stored ones in one query per chunk, the missing computed from the blob and
 * stored back. A blob that cannot be read is absent.
 */
export async function envelopesByHash(
  core: Core,
  hashes: string[],
): Promise<Map<string, Envelope>> {
  const out = new Map<string, Envelope>();
  const unique = [...new Set(hashes)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await core.db
      .selectFrom('blob_meta')
      .select(['hash', 'envelope', 'version'])
      .where('hash', 'in', unique.slice(i, i + CHUNK))
      .execute();
    for (const r of rows)
      if (Number(r.version) === STRUCTURE_VERSION)
        out.set(r.hash, JSON.parse(r.envelope) as Envelope);
  }
  for (const hash of unique) {
    if (out.has(hash)) continue;
    const buf = await core.blobs.get(hash).catch(() => null);
    if (buf) out.set(hash, (await backfillBlobMeta(core, hash, buf)).envelope);
  }
  return out;
}

/**
 * The metadata of one blob computed from its bytes (already read, and parsed when `root` is
 * given), stored for the next reader (lazy backfill). A failed store costs only the reuse.
 */
export async function backfillBlobMeta(
  core: Core,
  hash: string,
  buf: Buffer,
  root?: MimePart,
): Promise<MessageStructure> {
  const m = messageStructure(buf, root);
  try {
    await refreshBlobMeta(core.db, hash, encode(m));
  } catch (err) {
    core.log.warn({ err: errorMessage(err), hash }, 'blob metadata not stored');
  }
  return m;
}

/** Deletes the row of a collected blob. */
export async function dropBlobMeta(db: Db, hash: string): Promise<void> {
  await db.deleteFrom('blob_meta').where('hash', '=', hash).execute();
}
