// QUOTA (RFC 9208): one quota root per account, named "", holding every mailbox, with the
// STORAGE resource in units of 1024 octets from accounts.used_bytes / quota_bytes (0 = no
// limit: the root is reported without resources). SETQUOTA is an administrator's action and is
// refused to users (§4.1.3: NO). Over-quota APPENDs end in [OVERQUOTA] (append.ts).
import { getAccountById } from '../../core/accounts.ts';
import { raw, type Value } from '../proto/writer.ts';
import type { Session } from '../session.ts';
import { namedMailbox } from './named.ts';
import { AUTHED, type Handler } from './types.ts';

async function quotaLine(s: Session): Promise<Value[]> {
  const a = await getAccountById(s.core, s.account!.id);
  const limit = Number(a?.quota_bytes ?? 0);
  const used = Number(a?.used_bytes ?? 0);
  const res: Value[] =
    limit > 0 ? [raw('STORAGE'), Math.ceil(used / 1024), Math.floor(limit / 1024)] : [];
  return [raw('QUOTA'), '', res];
}

export const getquota: Handler<'GETQUOTA'> = {
  states: AUTHED,
  async run(s, args, tag) {
    if (args.root !== '') {
      await s.finish(tag, 'NO', 'NONEXISTENT', 'No such quota root');
      return;
    }
    s.untagged(await quotaLine(s));
    await s.finish(tag, 'OK', null, 'GETQUOTA completed');
  },
};

export const getquotaroot: Handler<'GETQUOTAROOT'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const ref = await namedMailbox(s, tag, args.mailbox);
    if (!ref) return;
    s.untagged([raw('QUOTAROOT'), s.encodeName(ref.name), '']);
    s.untagged(await quotaLine(s));
    await s.finish(tag, 'OK', null, 'GETQUOTAROOT completed');
  },
};

export const setquota: Handler<'SETQUOTA'> = {
  states: AUTHED,
  async run(s, _args, tag) {
    await s.finish(tag, 'NO', 'NOPERM', 'Quotas are set by an administrator');
  },
};
