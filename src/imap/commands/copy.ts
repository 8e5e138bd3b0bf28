// COPY, MOVE and their UID forms (RFC 9051 §6.4.7, §6.4.8; MOVE RFC 6851; COPYUID RFC 4315).
// MOVE sends COPYUID in an untagged OK, then the EXPUNGEs, then the tagged OK (RFC 6851 §4.3).
import { copyEmails, moveEmails } from '../../core/copy.ts';
import { mailboxByName } from '../../core/mailboxes.ts';
import { formatSeqSet } from '../proto/seqset.ts';
import { raw } from '../proto/writer.ts';
import { SELECTED, type Handler } from './types.ts';

export const copy: Handler<'COPY' | 'MOVE'> = {
  states: SELECTED,
  async run(s, args, tag) {
    const sel = s.selected!;
    const accountId = s.account!.id;
    const target = await mailboxByName(s.core.db, accountId, s.decodeName(args.mailbox));
    if (!target) {
      await s.finish(tag, 'NO', 'TRYCREATE', 'No such mailbox');
      return;
    }
    const move = args.name === 'MOVE';
    if (move && sel.readOnly) {
      await s.finish(tag, 'NO', 'READ-ONLY', 'Mailbox is read-only');
      return;
    }
    const idx = sel.view.select(args.set, args.uid);
    if (idx.length === 0) {
      await s.finish(tag, 'OK', null, `${args.name} completed: nothing to do`);
      return;
    }
    const ids = idx.map((i) => sel.view.emailIds[i]!);
    const uidOf = new Map(idx.map((i) => [sel.view.emailIds[i]!, sel.view.uids[i]!]));
    const done =
      move && target.id !== sel.id
        ? await moveEmails(s.core, accountId, sel.id, ids, target.id)
        : await copyEmails(s.core, accountId, ids, target.id);
    const code = `COPYUID ${Number(target.uid_validity)} ${formatSeqSet(done.map((d) => uidOf.get(d.emailId)!))} ${formatSeqSet(done.map((d) => d.uid))}`;
    if (move) {
      s.untagged([raw('OK'), raw(`[${code}]`), 'Moved']);
      await s.finish(tag, 'OK', null, 'MOVE completed');
    } else await s.finish(tag, 'OK', code, 'COPY completed');
  },
};
