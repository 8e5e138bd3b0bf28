// Read side of mail for the doors: the messages of a mailbox with their UIDs, keywords and
// modseqs (IMAP SELECT/FETCH, POP3, JMAP Email/query later), and per-mailbox counts (IMAP
// STATUS, JMAP Mailbox totals). No writes here.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { parseKeywords } from '../mail/keywords.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface MailboxMessage {
  uid: number;
  emailId: string;
  keywords: string[];
  /** Highest modseq of the email and of its membership in this mailbox (RFC 7162 MODSEQ). */
  modseq: number;
  size: number;
  receivedAt: number;
}

export async function mailboxMessages(
  db: Db,
  accountId: number,
  mailboxId: string,
): Promise<MailboxMessage[]> {
  const rows = await db
    .selectFrom('email_mailboxes as em')
    .innerJoin('emails as e', (j) =>
      j.onRef('e.account_id', '=', 'em.account_id').onRef('e.id', '=', 'em.email_id'),
    )
    .select([
      'em.uid',
      'em.email_id',
      'em.modseq as em_modseq',
      'e.modseq as e_modseq',
      'e.keywords',
      'e.size',
      'e.received_at',
    ])
    .where('em.account_id', '=', accountId)
    .where('em.mailbox_id', '=', mailboxId)
    .orderBy('em.uid')
    .execute();
  return rows.map((r) => ({
    uid: Number(r.uid),
    emailId: r.email_id,
    keywords: parseKeywords(r.keywords),
    modseq: Math.max(Number(r.em_modseq), Number(r.e_modseq)),
    size: Number(r.size),
    receivedAt: Number(r.received_at),
  }));
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
}

const CHUNK = 500;

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
      });
  }
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
  const list = await mailboxMessages(db, accountId, mailboxId);
  let unseen = 0;
  let size = 0;
  let highestModseq = 0;
  for (const m of list) {
    if (!m.keywords.includes('$seen')) unseen++;
    size += m.size;
    highestModseq = Math.max(highestModseq, m.modseq);
  }
  return { messages: list.length, unseen, size, highestModseq };
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
