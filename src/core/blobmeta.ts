// Parsed metadata of message blobs (DESIGN.md: "computed once at delivery"), single-instance
// like the blobs: one `blob_meta` row per SHA-256 holds the envelope and part structure
// (mail/structure.ts) as JSON, so IMAP FETCH ENVELOPE / BODYSTRUCTURE never reads the blob.
// Invariants: `ingest` writes the row in the transaction that takes the blob; the row is
// deleted when the blob is collected (blobrefs.ts). A missing row, or one of an older
// STRUCTURE_VERSION (blobs stored before 0007_blobmeta, a parser change, a race with the
// collector), is always tolerated: readers compute it from the blob and store it back.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import {
  STRUCTURE_VERSION,
  messageStructure,
  type Envelope,
  type MessageStructure,
} from '../mail/structure.ts';
import type { MimePart } from '../mail/mimeparts.ts';
import { errorMessage } from '../util/errors.ts';
import type { Core } from './core.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A blob's metadata as stored: computed before the transaction, written inside it. */
export interface BlobMeta {
  envelope: string;
  structure: string;
  version: number;
}

function encode(m: MessageStructure): BlobMeta {
  return {
    envelope: JSON.stringify(m.envelope),
    structure: JSON.stringify(m.structure),
    version: STRUCTURE_VERSION,
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
        .doUpdateSet({ envelope: row.envelope, structure: row.structure, version: row.version })
        .where('blob_meta.version', '<', row.version),
    )
    .execute();
}

/** The stored metadata of a blob; only the parts asked for are read and decoded. */
export type StoredMeta = Partial<MessageStructure>;

/** Which parts of the stored metadata a reader needs. */
export interface MetaWant {
  envelope: boolean;
  structure: boolean;
}

/**
 * Decodes the columns of a `blob_meta` row read beside other data (a left join: all null
 * when the blob has no row); undefined when there is no row of the current version.
 */
export function decodeStoredMeta(r: {
  version: number | string | null;
  envelope?: string | null;
  structure?: string | null;
}): StoredMeta | undefined {
  if (r.version === null || Number(r.version) !== STRUCTURE_VERSION) return undefined;
  const m: StoredMeta = {};
  if (typeof r.envelope === 'string')
    m.envelope = JSON.parse(r.envelope) as MessageStructure['envelope'];
  if (typeof r.structure === 'string')
    m.structure = JSON.parse(r.structure) as MessageStructure['structure'];
  return m;
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
