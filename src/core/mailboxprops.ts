// Mailbox properties only JMAP sets (RFC 8621 §2): the special-use role and the user's sort
// order. A role is held by at most one mailbox of an account (§2: "no two mailboxes may have
// the same role"); inbox is fixed. Each change takes a modseq, is logged, published.
import type { Core } from './core.ts';
import { nextModseq, PendingEvents, recordChanges } from './changes.ts';
import { UserError } from '../util/errors.ts';

/** Roles a client may give a mailbox (the IANA registry of RFC 8621 §10.5, less inbox). */
export const SETTABLE_ROLES = new Set([
  'all',
  'archive',
  'drafts',
  'flagged',
  'important',
  'junk',
  'sent',
  'subscribed',
  'trash',
]);

export async function setMailboxProps(
  core: Core,
  accountId: number,
  mailboxId: string,
  props: { role?: string | null; sortOrder?: number | null },
): Promise<void> {
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const mb = await trx
      .selectFrom('mailboxes')
      .select(['role'])
      .where('account_id', '=', accountId)
      .where('id', '=', mailboxId)
      .executeTakeFirst();
    if (!mb) throw new UserError('not_found', `no mailbox ${mailboxId}`);
    const set: { role?: string | null; sort_order?: number | null } = {};
    if (props.role !== undefined && props.role !== mb.role) {
      if (mb.role === 'inbox' || props.role === 'inbox')
        throw new UserError('invalid', 'the inbox role cannot be moved');
      if (props.role !== null) {
        if (!SETTABLE_ROLES.has(props.role))
          throw new UserError('invalid', `${props.role} is not a mailbox role`);
        const taken = await trx
          .selectFrom('mailboxes')
          .select('id')
          .where('account_id', '=', accountId)
          .where('role', '=', props.role)
          .executeTakeFirst();
        if (taken) throw new UserError('exists', `another mailbox has the ${props.role} role`);
      }
      set.role = props.role;
    }
    if (props.sortOrder !== undefined) set.sort_order = props.sortOrder;
    if (Object.keys(set).length === 0) return;
    const modseq = await nextModseq(trx, accountId);
    await trx
      .updateTable('mailboxes')
      .set({ ...set, modseq })
      .where('account_id', '=', accountId)
      .where('id', '=', mailboxId)
      .execute();
    await recordChanges(trx, accountId, modseq, [{ type: 'Mailbox', id: mailboxId, op: 'u' }]);
    events.add(accountId, modseq, 'Mailbox');
  });
  events.publish(core);
}
