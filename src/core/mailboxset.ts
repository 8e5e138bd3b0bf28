// Changing an account's mailboxes: create (with missing parents), rename (with children, and
// the special INBOX rename of RFC 9051 §6.3.6), delete (messages removed through
// `removeFromMailbox`), subscribe. Used by IMAP CREATE/RENAME/DELETE/SUBSCRIBE and later by
// JMAP Mailbox/set. Names use "/" as the hierarchy separator; every change takes a modseq,
// is recorded in the change log and published after commit.
import { dropMailboxGrants } from './acl.ts';
import type { Mailbox, Db } from '../store/schema.ts';
import { UserError } from '../util/errors.ts';
import type { Core } from './core.ts';
import { nextModseq, PendingEvents, recordChanges } from './changes.ts';
import { createMailbox, listMailboxes, mailboxByName } from './mailboxes.ts';
import { removeFromMailbox } from './expunge.ts';
import { moveEmails } from './copy.ts';

export const SEPARATOR = '/';
const ROLES = new Set(['drafts', 'sent', 'junk', 'trash', 'archive', 'all', 'flagged']);

/** A usable mailbox name: non-empty parts, no control characters, INBOX spelled canonically. */
export function normalizeMailboxName(name: string): string | null {
  const n = name.normalize('NFC').replace(/\/+$/, '');
  // eslint-disable-next-line no-control-regex
  if (!n || n.length > 512 || /[\u0000-\u001f\u007f*%]/.test(n)) return null;
  const parts = n.split(SEPARATOR);
  if (parts.some((p) => p === '' || p.trim() !== p)) return null;
  if (parts[0]!.toUpperCase() === 'INBOX') parts[0] = 'INBOX';
  return parts.join(SEPARATOR);
}

function mustName(name: string): string {
  const n = normalizeMailboxName(name);
  if (!n) throw new UserError('invalid', `"${name}" is not a valid mailbox name`);
  return n;
}

/** Creates a mailbox and any missing parents; role is a special use (RFC 6154). */
export async function addMailbox(
  core: Core,
  accountId: number,
  name: string,
  role: string | null = null,
): Promise<Mailbox> {
  const n = mustName(name);
  if (role !== null && !ROLES.has(role))
    throw new UserError('invalid', `special use ${role} is not supported`);
  const events = new PendingEvents();
  const created = await core.db.transaction().execute(async (trx) => {
    if (await mailboxByName(trx, accountId, n))
      throw new UserError('exists', `mailbox ${n} already exists`);
    if (role) {
      const taken = await trx
        .selectFrom('mailboxes')
        .select('name')
        .where('account_id', '=', accountId)
        .where('role', '=', role)
        .executeTakeFirst();
      if (taken) throw new UserError('exists', `${taken.name} already has the ${role} use`);
    }
    const parts = n.split(SEPARATOR);
    let row: Mailbox | undefined;
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join(SEPARATOR);
      if (i < parts.length && (await mailboxByName(trx, accountId, sub))) continue;
      row = await createMailbox(trx, accountId, sub);
      events.add(accountId, Number(row.modseq), 'Mailbox');
    }
    if (role && row) {
      await trx
        .updateTable('mailboxes')
        .set({ role })
        .where('account_id', '=', accountId)
        .where('id', '=', row.id)
        .execute();
      row = { ...row, role };
    }
    return row!;
  });
  events.publish(core);
  return created;
}

/** Renames a mailbox and its children. Renaming INBOX moves its messages to a new mailbox. */
export async function renameMailbox(
  core: Core,
  accountId: number,
  from: string,
  to: string,
): Promise<void> {
  const src = await mailboxByName(core.db, accountId, from);
  if (!src) throw new UserError('not_found', `no mailbox ${from}`);
  const target = mustName(to);
  if (await mailboxByName(core.db, accountId, target))
    throw new UserError('exists', `mailbox ${target} already exists`);
  if (target.startsWith(src.name + SEPARATOR))
    throw new UserError('invalid', 'a mailbox cannot move inside itself');
  if (src.name === 'INBOX') {
    // RFC 9051 §6.3.6: every message moves to the new name; INBOX stays, empty.
    const dest = await addMailbox(core, accountId, target);
    const ids = await core.db
      .selectFrom('email_mailboxes')
      .select('email_id')
      .where('account_id', '=', accountId)
      .where('mailbox_id', '=', src.id)
      .orderBy('uid')
      .execute();
    await moveEmails(
      core,
      accountId,
      src.id,
      ids.map((r) => r.email_id),
      dest.id,
    );
    return;
  }
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    const all = await listMailboxes(trx, accountId);
    const moved = all.filter((m) => m.id === src.id || m.name.startsWith(src.name + SEPARATOR));
    for (const m of moved) {
      const name = target + m.name.slice(src.name.length);
      await trx
        .updateTable('mailboxes')
        .set({ name, modseq })
        .where('account_id', '=', accountId)
        .where('id', '=', m.id)
        .execute();
      await dropOrphanSubscription(trx, accountId, name);
    }
    // Parents of the new name that do not exist yet.
    const parts = target.split(SEPARATOR);
    for (let i = 1; i < parts.length; i++) {
      const sub = parts.slice(0, i).join(SEPARATOR);
      if (!all.some((m) => m.name === sub)) await createMailbox(trx, accountId, sub);
    }
    await recordChanges(
      trx,
      accountId,
      modseq,
      moved.map((m) => ({ type: 'Mailbox', id: m.id, op: 'u' as const })),
    );
    events.add(accountId, modseq, 'Mailbox');
  });
  events.publish(core);
}

/** Deletes a mailbox without children; its messages leave it (and go if in no other). */
export async function deleteMailbox(core: Core, accountId: number, name: string): Promise<void> {
  const mb = await mailboxByName(core.db, accountId, name);
  if (!mb) throw new UserError('not_found', `no mailbox ${name}`);
  if (mb.name === 'INBOX') throw new UserError('invalid', 'INBOX cannot be deleted');
  const all = await listMailboxes(core.db, accountId);
  if (all.some((m) => m.name.startsWith(mb.name + SEPARATOR)))
    throw new UserError('has_children', `${mb.name} has child mailboxes; delete them first`);
  const ids = await core.db
    .selectFrom('email_mailboxes')
    .select('email_id')
    .where('account_id', '=', accountId)
    .where('mailbox_id', '=', mb.id)
    .execute();
  await removeFromMailbox(
    core,
    accountId,
    mb.id,
    ids.map((r) => r.email_id),
  );
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    await trx
      .deleteFrom('mailboxes')
      .where('account_id', '=', accountId)
      .where('id', '=', mb.id)
      .execute();
    await trx
      .deleteFrom('tombstones')
      .where('account_id', '=', accountId)
      .where('collection_id', '=', mb.id)
      .execute();
    await dropMailboxGrants(trx, accountId, mb.id);
    // The name stays subscribed (RFC 3501 §6.3.6: a server does not unsubscribe it).
    if (Number(mb.subscribed) === 1)
      await trx
        .insertInto('orphan_subscriptions')
        .values({ account_id: accountId, name: mb.name })
        .onConflict((oc) => oc.columns(['account_id', 'name']).doNothing())
        .execute();
    await recordChanges(trx, accountId, modseq, [{ type: 'Mailbox', id: mb.id, op: 'd' }]);
    events.add(accountId, modseq, 'Mailbox');
  });
  events.publish(core);
}

async function dropOrphanSubscription(trx: Db, accountId: number, name: string): Promise<void> {
  await trx
    .deleteFrom('orphan_subscriptions')
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .execute();
}

/** Subscribed names whose mailbox was deleted (LIST SUBSCRIBED shows them \NonExistent). */
export async function orphanSubscriptions(db: Db, accountId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('orphan_subscriptions')
    .select('name')
    .where('account_id', '=', accountId)
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}

/**
 * Subscribes or unsubscribes a mailbox. Only existing mailboxes can be subscribed (RFC 9051
 * §6.3.7 allows the check); unsubscribing a name with no mailbox drops a subscription kept
 * from a deleted one, and is not an error when there is none (§6.3.8).
 */
export async function setSubscribed(
  core: Core,
  accountId: number,
  name: string,
  subscribed: boolean,
): Promise<void> {
  const mb = await mailboxByName(core.db, accountId, name);
  if (!mb && !subscribed) {
    const n = normalizeMailboxName(name) ?? name;
    await dropOrphanSubscription(core.db, accountId, n);
    return;
  }
  if (!mb) throw new UserError('not_found', `no mailbox ${name}`);
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    await trx
      .updateTable('mailboxes')
      .set({ subscribed: subscribed ? 1 : 0, modseq })
      .where('account_id', '=', accountId)
      .where('id', '=', mb.id)
      .execute();
    await recordChanges(trx, accountId, modseq, [{ type: 'Mailbox', id: mb.id, op: 'u' }]);
    events.add(accountId, modseq, 'Mailbox');
  });
  events.publish(core);
}
