// COPY, MOVE and their UID forms (RFC 9051 §6.4.7, §6.4.8; MOVE RFC 6851; COPYUID RFC 4315).
// MOVE sends COPYUID in an untagged OK, then the EXPUNGEs, then the tagged OK (RFC 6851 §4.3);
// into the selected mailbox itself it gives the messages new UIDs (§3.3): EXPUNGE, then EXISTS.
// Rights (RFC 4314 §4): i on the target; MOVE also t and e on the source. Between two
// accounts (a shared mailbox on either side) each message is ingested again into the target
// account, its keywords kept, and a MOVE then removes it from the source.
import { copyEmails, moveEmails, renumberInMailbox, type Copied } from '../../core/copy.ts';
import { ingest, readMessage } from '../../core/deliver.ts';
import { removeFromMailbox } from '../../core/expunge.ts';
import { emailsByIds } from '../../core/messages.ts';
import { UserError } from '../../util/errors.ts';
import { permit, permitSelected, resolveMailbox, type MailboxRef } from '../access.ts';
import { formatSeqSet } from '../proto/seqset.ts';
import { raw } from '../proto/writer.ts';
import type { Session } from '../session.ts';
import { SELECTED, type Handler } from './types.ts';

async function copyAcross(
  s: Session,
  from: number,
  ids: string[],
  to: MailboxRef,
): Promise<Copied[]> {
  const rows = await emailsByIds(s.core.db, from, ids);
  const done: Copied[] = [];
  for (const id of ids) {
    const row = rows.get(id);
    if (!row) continue;
    const [r] = await ingest(
      s.core,
      await readMessage(s.core, from, id),
      [{ accountId: to.accountId, mailbox: to.mailbox.name, keywords: row.keywords }],
      { receivedAt: row.receivedAt },
    );
    if (!r?.ok || r.uid === undefined)
      throw new UserError(r?.error ?? 'invalid', `copy failed: ${r?.error ?? 'unknown'}`);
    done.push({ emailId: id, targetEmailId: r.emailId ?? id, uid: r.uid });
  }
  return done;
}

export const copy: Handler<'COPY' | 'MOVE'> = {
  states: SELECTED,
  async run(s, args, tag) {
    const sel = s.selected!;
    const accountId = sel.view.accountId;
    const target = await resolveMailbox(s, s.decodeName(args.mailbox));
    if (!target) {
      await s.finish(tag, 'NO', 'TRYCREATE', 'No such mailbox');
      return;
    }
    const move = args.name === 'MOVE';
    if (move && sel.readOnly) {
      await s.finish(tag, 'NO', 'READ-ONLY', 'Mailbox is read-only');
      return;
    }
    if (!(await permit(s, tag, target, 'i'))) return;
    if (move && !(await permitSelected(s, tag, 'te'))) return;
    const idx = sel.view.select(args.set, args.uid);
    if (idx.length === 0) {
      await s.finish(tag, 'OK', null, `${args.name} completed: nothing to do`);
      return;
    }
    const ids = idx.map((i) => sel.view.emailIds[i]!);
    const uidOf = new Map(idx.map((i) => [sel.view.emailIds[i]!, sel.view.uids[i]!]));
    const tm = target.mailbox;
    let done: Copied[];
    if (target.accountId !== accountId) {
      done = await copyAcross(s, accountId, ids, target);
      if (move) await removeFromMailbox(s.core, accountId, sel.id, ids);
    } else if (!move) done = await copyEmails(s.core, accountId, ids, tm.id);
    else if (tm.id === sel.id) done = await renumberInMailbox(s.core, accountId, sel.id, ids);
    else done = await moveEmails(s.core, accountId, sel.id, ids, tm.id);
    const code = `COPYUID ${Number(tm.uid_validity)} ${formatSeqSet(done.map((d) => uidOf.get(d.emailId)!))} ${formatSeqSet(done.map((d) => d.uid))}`;
    if (move) {
      s.untagged([raw('OK'), raw(`[${code}]`), 'Moved']);
      await s.finish(tag, 'OK', null, 'MOVE completed');
    } else await s.finish(tag, 'OK', code, 'COPY completed');
  },
};
