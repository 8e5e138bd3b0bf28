// CREATE (RFC 9051 §6.3.4), with USE for special-use (RFC 6154 §3, CREATE-SPECIAL-USE).
// Missing parents are created too; a trailing "/" is dropped.
import { addMailbox } from '../../core/mailboxset.ts';
import { permit, resolveMailbox, splitShared } from '../access.ts';
import { roleOf } from './list.ts';
import { AUTHED, type Handler } from './types.ts';

export const create: Handler<'CREATE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    let role: string | null = null;
    if (args.use.length > 1) {
      await s.finish(tag, 'NO', 'USEATTR', 'One special use per mailbox');
      return;
    }
    if (args.use[0]) {
      role = roleOf(args.use[0]) ?? null;
      if (!role) {
        await s.finish(tag, 'NO', 'USEATTR', `Unsupported special use ${args.use[0]}`);
        return;
      }
    }
    const name = s.decodeName(args.mailbox).replace(/\/+$/, '');
    const shared = splitShared(name);
    if (shared) {
      // RFC 4314 §4: a child of a shared mailbox needs k on its parent.
      const cut = name.lastIndexOf('/');
      const parent = await resolveMailbox(s, name.slice(0, cut));
      if (!parent) {
        await s.finish(tag, 'NO', 'NOPERM', 'Cannot create mailboxes here');
        return;
      }
      if (!(await permit(s, tag, parent, 'k'))) return;
      await addMailbox(
        s.core,
        parent.accountId,
        `${parent.mailbox.name}/${name.slice(cut + 1)}`,
        role,
      );
    } else await addMailbox(s.core, s.account!.id, name, role);
    await s.finish(tag, 'OK', null, 'CREATE completed');
  },
};
