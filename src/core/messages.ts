// Read side of mail for the doors: the messages of a mailbox with their UIDs, keywords and
// modseqs (IMAP SELECT/FETCH, POP3, JMAP Email/query later), and per-mailbox counts (IMAP
// STATUS, JMAP Mailbox totals). No writes here.
import { sql } from 'kysely';
import type { Db } from '../store/schema.ts';
import { parseKeywords } from '../mail/keywords.ts';
import { decodeStoredMeta, type MetaWant, type StoredMeta } from './blobmeta.ts';
import { canCalculateChanges } from './changes.ts';

const CHUNK = 500;

export interface MailboxMessage {
  uid: number;
  emailId: string;
  blobHash: string;
  keywords: string[];
  /** Highest modseq of the email and of its membership in this mailbox (RFC 7162 MODSEQ). */
  modseq: number;
  size: number;
  receivedAt: number;
}

/** Messages of a mailbox, optionally only those with a modseq above `since` / among `ids`. */
async function selectMessages(
  db: Db,
  accountId: number,
  mailboxId: string,
  since: number | null,
  ids: string[] | null,
): Promise<MailboxMessage[]> {
  let q = db
    .selectFrom('email_mailboxes as em')
    .innerJoin('emails as e', (j) =>
      j.onRef('e.account_id', '=', 'em.account_id').onRef('e.id', '=', 'em.email_id'),
    )
    .select([
      'em.uid',
      'em.email_id',
      'e.blob_hash',
      'em.modseq as em_modseq',
      'e.modseq as e_modseq',
      'e.keywords',
      'e.size',
      'e.received_at',
    ])
    .where('em.account_id', '=', accountId)
    .where('em.mailbox_id', '=', mailboxId);
  // An email's modseq is never below its membership's (set together, only raised after).
  if (since !== null) q = q.where('e.modseq', '>', since);
  if (ids !== null) q = q.where('em.email_id', 'in', ids);
  const rows = await q.orderBy('em.uid').execute();
  return rows.map((r) => ({
    uid: Number(r.uid),
    emailId: r.email_id,
    blobHash: r.blob_hash,
    keywords: parseKeywords(r.keywords),
    modseq: Math.max(Number(r.em_modseq), Number(r.e_modseq)),
    size: Number(r.size),
    receivedAt: Number(r.received_at),
  }));
}

export async function mailboxMessages(
  db: Db,
  accountId: number,
  mailboxId: string,
): Promise<MailboxMessage[]> {
  return selectMessages(db, accountId, mailboxId, null, null);
}

export interface MailboxChanges {
  /** Messages in the mailbox now whose modseq is above `since` (new or changed), by UID. */
  changed: MailboxMessage[];
  /** UIDs that left the mailbox after `since` (from its tombstones), ascending. */
  vanished: number[];
  /**
   * Set when `since` is below the account's tombstone horizon (core/changes.ts): tombstones
   * of that time are pruned, so `vanished` may miss UIDs. Then these are the UIDs in the
   * mailbox now, ascending, and every other UID must be taken as possibly gone.
   */
  present: number[] | null;
}

/** Beyond this many changed emails, one filtered scan of the mailbox beats id look-ups. */
const SCAN_AFTER = 2000;

/**
 * What happened in a mailbox after modseq `since` (IMAP QRESYNC, CHANGEDSINCE, a selected
 * mailbox's updates). Reads the account's change log, so the cost follows the number of
 * changes, not the size of the mailbox.
 */
export async function mailboxChangesSince(
  db: Db,
  accountId: number,
  mailboxId: string,
  since: number,
): Promise<MailboxChanges> {
  const logged = await db
    .selectFrom('changes')
    .select('object_id')
    .where('account_id', '=', accountId)
    .where('modseq', '>', since)
    .where('type', '=', 'Email')
    .limit(SCAN_AFTER + 1)
    .execute();
  let changed: MailboxMessage[];
  // Below the horizon the log is pruned (core/changes.ts): only a scan by modseq is exact.
  // Asked after the read, so a pruning in between is seen.
  if (logged.length > SCAN_AFTER || !(await canCalculateChanges(db, accountId, since)))
    changed = await selectMessages(db, accountId, mailboxId, since, null);
  else {
    const ids = [...new Set(logged.map((r) => r.object_id))];
    changed = [];
    for (let i = 0; i < ids.length; i += CHUNK)
      changed.push(
        ...(await selectMessages(db, accountId, mailboxId, since, ids.slice(i, i + CHUNK))),
      );
    changed.sort((a, b) => a.uid - b.uid);
  }
  const gone = await db
    .selectFrom('tombstones')
    .select('uid')
    .where('account_id', '=', accountId)
    .where('collection_id', '=', mailboxId)
    .where('modseq', '>', since)
    .execute();
  const vanished = [...new Set(gone.map((r) => Number(r.uid)))].sort((a, b) => a - b);
  let present: number[] | null = null;
  if (!(await canCalculateChanges(db, accountId, since)))
    present = (
      await db
        .selectFrom('email_mailboxes')
        .select('uid')
        .where('account_id', '=', accountId)
        .where('mailbox_id', '=', mailboxId)
        .orderBy('uid')
        .execute()
    ).map((r) => Number(r.uid));
  return { changed, vanished, present };
}

export interface EmailRow {
  id: string;
  blobHash: string;
  size: number;
  receivedAt: number;
  sentAt: number | null;
  subject: string;
  from: string;
  to: string;
  keywords: string[];
  modseq: number;
  threadId: string;
  preview: string;
  hasAttachment: boolean;
}

/** Email rows by id (missing ids are simply absent from the map). */
export async function emailsByIds(
  db: Db,
  accountId: number,
  ids: string[],
): Promise<Map<string, EmailRow>> {
  const out = new Map<string, EmailRow>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('emails')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows)
      out.set(r.id, {
        id: r.id,
        blobHash: r.blob_hash,
        size: Number(r.size),
        receivedAt: Number(r.received_at),
        sentAt: r.sent_at === null ? null : Number(r.sent_at),
        subject: r.subject,
        from: r.from_addr,
        to: r.to_addr,
        keywords: parseKeywords(r.keywords),
        modseq: Number(r.modseq),
        threadId: r.thread_id,
        preview: r.preview,
        hasAttachment: Number(r.has_attachment) === 1,
      });
  }
  return out;
}

/** What IMAP FETCH needs of a message in a mailbox: a narrow row, with its blob metadata. */
export interface FetchRow {
  id: string;
  blobHash: string;
  size: number;
  receivedAt: number;
  /** Shared by the rows of one fetchRows call that have the same keywords: never mutated. */
  keywords: readonly string[];
  modseq: number;
  threadId: string;
  /** The parts of the blob's stored metadata asked for; absent when none is usable. */
  meta?: StoredMeta;
}

/** Which messages: a UID range of the mailbox (a dense set) or email ids (a sparse one). */
export type FetchWhich = { uids: [number, number] } | { ids: string[] };

/**
 * FetchRows of a mailbox by email id, in one query per chunk that also reads the blob's
 * metadata (`want`), so a FETCH ENVELOPE of a thousand messages is one or two statements.
 * Only the columns FETCH reads are selected: of the envelope, the IMAP text in the string
 * form asked for, and the JSON only where a row has no text yet (core/blobmeta.ts).
 * Messages not in the mailbox are absent.
 */
export async function fetchRows(
  db: Db,
  accountId: number,
  mailboxId: string,
  which: FetchWhich,
  want: MetaWant,
): Promise<Map<string, FetchRow>> {
  const out = new Map<string, FetchRow>();
  const rows = (range: { uids: [number, number] } | { ids: string[] }) => {
    const q = db
      .selectFrom('email_mailboxes as em')
      .innerJoin('emails as e', (j) =>
        j.onRef('e.account_id', '=', 'em.account_id').onRef('e.id', '=', 'em.email_id'),
      )
      .select([
        'e.id',
        'e.blob_hash',
        'e.size',
        'e.received_at',
        'e.keywords',
        'e.modseq',
        'e.thread_id',
      ])
      .where('em.account_id', '=', accountId)
      .where('em.mailbox_id', '=', mailboxId);
    return 'uids' in range
      ? q.where('em.uid', '>=', range.uids[0]).where('em.uid', '<=', range.uids[1])
      : q.where('em.email_id', 'in', range.ids);
  };
  // The blob's metadata only when asked for: FETCH FLAGS (a client's resync) skips the join.
  const withMeta = (range: { uids: [number, number] } | { ids: string[] }) =>
    rows(range)
      .leftJoin('blob_meta as b', 'b.hash', 'e.blob_hash')
      .select('b.version')
      .$if(want.envelope, (q) =>
        q.select((eb) => [
          want.utf8
            ? eb.fn.coalesce('b.imap_envelope_utf8', 'b.imap_envelope').as('imap_envelope')
            : eb.ref('b.imap_envelope').as('imap_envelope'),
          eb
            .case()
            .when('b.imap_envelope', 'is', null)
            .then(eb.ref('b.envelope'))
            .end()
            .as('envelope'),
        ]),
      )
      .$if(want.structure, (q) => q.select('b.structure'));
  type Row = Awaited<ReturnType<ReturnType<typeof rows>['execute']>>[number] &
    Partial<Awaited<ReturnType<ReturnType<typeof withMeta>['execute']>>[number]>;
  const meta = want.envelope || want.structure;
  // Most messages share a few keyword sets ("[]", '["$seen"]'): parse each once.
  const keywordSets = new Map<string, readonly string[]>();
  const take = async (range: { uids: [number, number] } | { ids: string[] }): Promise<void> => {
    const list: Row[] = meta ? await withMeta(range).execute() : await rows(range).execute();
    for (const r of list) {
      let keywords = keywordSets.get(r.keywords);
      if (!keywords) {
        keywords = parseKeywords(r.keywords);
        keywordSets.set(r.keywords, keywords);
      }
      const row: FetchRow = {
        id: r.id,
        blobHash: r.blob_hash,
        size: Number(r.size),
        receivedAt: Number(r.received_at),
        keywords,
        modseq: Number(r.modseq),
        threadId: r.thread_id,
      };
      if (meta) {
        const m = decodeStoredMeta(r, want.utf8);
        if (m) row.meta = m;
      }
      out.set(r.id, row);
    }
  };
  if ('uids' in which) await take(which);
  else
    for (let i = 0; i < which.ids.length; i += CHUNK)
      await take({ ids: which.ids.slice(i, i + CHUNK) });
  return out;
}

export interface MailboxCounts {
  messages: number;
  unseen: number;
  size: number;
  highestModseq: number;
}

export async function mailboxCounts(
  db: Db,
  accountId: number,
  mailboxId: string,
): Promise<MailboxCounts> {
  // One aggregate in SQL: STATUS and LIST-STATUS ask for every folder of an account.
  const row = await db
    .selectFrom('email_mailboxes as em')
    .innerJoin('emails as e', (j) =>
      j.onRef('e.account_id', '=', 'em.account_id').onRef('e.id', '=', 'em.email_id'),
    )
    .select((eb) => [
      eb.fn.countAll().as('messages'),
      eb.fn.sum(sql<number>`case when e.keywords like '%"$seen"%' then 0 else 1 end`).as('unseen'),
      eb.fn.sum('e.size').as('size'),
      eb.fn.max('e.modseq').as('highest'),
    ])
    .where('em.account_id', '=', accountId)
    .where('em.mailbox_id', '=', mailboxId)
    .executeTakeFirst();
  return {
    messages: Number(row?.messages ?? 0),
    unseen: Number(row?.unseen ?? 0),
    size: Number(row?.size ?? 0),
    highestModseq: Number(row?.highest ?? 0),
  };
}

/** The account's current modseq: the top of its change log. */
export async function accountModseq(db: Db, accountId: number): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select('modseq')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row ? Number(row.modseq) : 0;
}
