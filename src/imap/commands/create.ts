// CREATE (RFC 9051 §6.3.4), with USE for special-use (RFC 6154 §3, CREATE-SPECIAL-USE).
// Missing parents are created too; a trailing "/" is dropped.
import { addMailbox } from '../../core/mailboxset.ts';
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
    await addMailbox(s.core, s.account!.id, s.decodeName(args.mailbox), role);
    await s.finish(tag, 'OK', null, 'CREATE completed');
  },
};
