// ACL (RFC 4314 §3): SETACL, DELETEACL, GETACL, LISTRIGHTS, MYRIGHTS over core/acl.ts, the
// grants JMAP and DAV read too. Identifiers are account addresses, or "anyone" (§2), either
// one with a leading "-" for negative rights (§2: rights denied whatever else grants them;
// core's myRights applies them to every check). SETACL's rights may start with + or − (§3.1).
// The owner holds every right, cannot be denied any, and is listed first by GETACL. Answers carry the obsolete c and d beside the
// rights they stand for (§2.1.1: c when k is held, d when any of x, t, e is).
import { deleteRights, listRights, setRights, type Grantee } from '../../core/acl.ts';
import { getAccount, getAccountById } from '../../core/accounts.ts';
import { permit, type MailboxRef } from '../access.ts';
import { raw, type Value } from '../proto/writer.ts';
import type { Session } from '../session.ts';
import { namedMailbox } from './named.ts';
import { AUTHED, type Handler } from './types.ts';

/** Every right as sent on the wire, in the order clients have long seen it. */
export const ALL_RIGHTS = 'lrswipkxtecda';

/** Stored rights with c and d added where §2.1.1 wants them. */
export function wireRights(rights: string): string {
  const held = new Set(rights);
  if (held.has('k')) held.add('c');
  if (held.has('x') || held.has('t') || held.has('e')) held.add('d');
  return [...ALL_RIGHTS].filter((r) => held.has(r)).join('');
}

/** Rights as an atom (letters only), or "" when none. */
function rightsValue(rights: string): Value {
  const w = wireRights(rights);
  return w === '' ? '' : raw(w);
}

async function ownerEmail(s: Session, ref: MailboxRef): Promise<string> {
  if (ref.accountId === s.account!.id) return s.account!.email;
  return (await getAccountById(s.core, ref.accountId))?.email ?? '';
}

/** The grantee an identifier names, and whether negative; null (after answering NO) if none. */
async function granteeOf(
  s: Session,
  tag: string,
  ref: MailboxRef,
  identifier: string,
): Promise<{ grantee: Grantee; negative: boolean } | null> {
  const negative = identifier.startsWith('-');
  const id = negative ? identifier.slice(1) : identifier;
  if (id.toLowerCase() === 'anyone') return { grantee: 'anyone', negative };
  const a = id.startsWith('-') ? undefined : await getAccount(s.core, id);
  if (!a) {
    await s.finish(tag, 'NO', 'CANNOT', `Unknown identifier ${identifier}`);
    return null;
  }
  if (Number(a.id) === ref.accountId) {
    await s.finish(tag, 'NO', 'CANNOT', 'The owner always holds every right');
    return null;
  }
  return { grantee: Number(a.id), negative };
}

async function grants(s: Session, ref: MailboxRef): Promise<Value[]> {
  const out: Value[] = [await ownerEmail(s, ref), raw(ALL_RIGHTS)];
  for (const g of await listRights(s.core.db, ref.accountId, ref.mailbox.id)) {
    const who =
      g.grantee === 'anyone' ? 'anyone' : (await getAccountById(s.core, g.grantee))?.email;
    if (who) out.push(g.negative ? `-${who}` : who, rightsValue(g.rights));
  }
  return out;
}

export const acl: Handler<'GETACL' | 'MYRIGHTS' | 'SETACL' | 'DELETEACL' | 'LISTRIGHTS'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const ref = await namedMailbox(s, tag, args.mailbox);
    if (!ref) return;
    const name = s.encodeName(ref.name);
    // §4: MYRIGHTS needs any right (resolving found one); everything else needs a.
    if (args.name === 'MYRIGHTS') {
      s.untagged([raw('MYRIGHTS'), name, rightsValue(ref.rights)]);
      await s.finish(tag, 'OK', null, 'MYRIGHTS completed');
      return;
    }
    if (!(await permit(s, tag, ref, 'a'))) return;
    switch (args.name) {
      case 'GETACL':
        s.untagged([raw('ACL'), name, ...(await grants(s, ref))]);
        break;
      case 'LISTRIGHTS': {
        // §3.7: the owner's rights cannot change (none can be denied to it either); anyone
        // else may be granted, or denied, each right alone.
        const id = args.identifier.toLowerCase();
        const owner = (await ownerEmail(s, ref)).toLowerCase();
        const line: Value[] = [raw('LISTRIGHTS'), name, args.identifier];
        if (id === owner) line.push(raw(ALL_RIGHTS));
        else if (id === `-${owner}`) line.push('');
        else line.push('', ...[...ALL_RIGHTS].map(raw));
        s.untagged(line);
        break;
      }
      case 'SETACL':
      case 'DELETEACL': {
        const who = await granteeOf(s, tag, ref, args.identifier);
        if (who === null) return;
        const { grantee, negative } = who;
        if (!('rights' in args))
          await deleteRights(s.core.db, ref.accountId, ref.mailbox.id, grantee, negative);
        else {
          const m = /^[+-]/.exec(args.rights)?.[0];
          const mode = m === '+' ? 'add' : m === '-' ? 'remove' : 'set';
          const letters = m ? args.rights.slice(1) : args.rights;
          await setRights(
            s.core.db,
            ref.accountId,
            ref.mailbox.id,
            grantee,
            letters,
            mode,
            Date.now(),
            negative,
          );
        }
        break;
      }
    }
    await s.finish(tag, 'OK', null, `${args.name} completed`);
  },
};
