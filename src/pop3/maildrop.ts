// The maildrop of one POP3 session: a snapshot of the account's INBOX taken at login
// (RFC 1939 §8 numbers messages from 1 for the whole session). Deletions are only marks until
// QUIT commits them through core (RFC 1939 §6, UPDATE state).
//
// We do not lock the maildrop (RFC 1939 §8 asks for an exclusive lock): IMAP, JMAP and other
// POP3 sessions keep working beside us, which phones and desktops of one person need. Hence:
// - a message delivered after login appears in the next session, not in this one;
// - a message removed meanwhile (IMAP EXPUNGE, another POP3 QUIT) keeps its number and size
//   here, but RETR and TOP of it answer -ERR, and QUIT skips it;
// - two sessions deleting the same message remove it once.
import type { Core } from '../core/core.ts';
import { readMessage } from '../core/deliver.ts';
import { removeFromMailbox } from '../core/expunge.ts';
import { inMailbox, mailboxByRole } from '../core/mailboxes.ts';
import { mailboxMessages } from '../core/messages.ts';

export interface Entry {
  /** The message number, from 1. */
  n: number;
  /** The unique id (UIDL): the email id, printable ASCII (RFC 1939 §7: 1–70 chars). */
  emailId: string;
  /** Octets RETR sends before byte-stuffing; messages are stored with CRLF line ends. */
  size: number;
  deleted: boolean;
}

export class Maildrop {
  readonly #core: Core;
  readonly accountId: number;
  readonly mailboxId: string;
  readonly #entries: Entry[];

  private constructor(core: Core, accountId: number, mailboxId: string, entries: Entry[]) {
    this.#core = core;
    this.accountId = accountId;
    this.mailboxId = mailboxId;
    this.#entries = entries;
  }

  /** Takes the snapshot of the account's INBOX; null if it has none. */
  static async open(core: Core, accountId: number): Promise<Maildrop | null> {
    const inbox = await mailboxByRole(core.db, accountId, 'inbox');
    if (!inbox) return null;
    const rows = await mailboxMessages(core.db, accountId, inbox.id);
    const entries = rows.map((r, i) => ({
      n: i + 1,
      emailId: r.emailId,
      size: r.size,
      deleted: false,
    }));
    return new Maildrop(core, accountId, inbox.id, entries);
  }

  /** The messages not marked deleted, in order. */
  live(): Entry[] {
    return this.#entries.filter((e) => !e.deleted);
  }

  /** A message by number, or undefined when there is none (or it is marked deleted). */
  get(n: number): Entry | undefined {
    const e = this.#entries[n - 1];
    return e && !e.deleted ? e : undefined;
  }

  /** Whether this number names a message marked deleted in this session. */
  isDeleted(n: number): boolean {
    return this.#entries[n - 1]?.deleted === true;
  }

  stat(): { count: number; octets: number } {
    const live = this.live();
    return { count: live.length, octets: live.reduce((s, e) => s + e.size, 0) };
  }

  /** The stored bytes, or null when the message has left the INBOX since login. */
  async read(e: Entry): Promise<Buffer | null> {
    if (!(await inMailbox(this.#core.db, this.accountId, this.mailboxId, e.emailId))) return null;
    try {
      return await readMessage(this.#core, this.accountId, e.emailId);
    } catch {
      return null; // removed between the check and the read
    }
  }

  /** RSET: unmarks every message. */
  reset(): void {
    for (const e of this.#entries) e.deleted = false;
  }

  /** QUIT in TRANSACTION: removes the marked messages from the INBOX; returns how many went. */
  async commit(): Promise<number> {
    const ids = this.#entries.filter((e) => e.deleted).map((e) => e.emailId);
    if (ids.length === 0) return 0;
    const removed = await removeFromMailbox(this.#core, this.accountId, this.mailboxId, ids);
    return removed.length;
  }
}
