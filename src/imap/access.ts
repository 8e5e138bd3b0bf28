// Which account and mailbox an IMAP name means, and what the signed-in account may do there.
// Own mailboxes keep their names; a mailbox another account shares (core/acl.ts) is named
// "Other Users/<owner address>/<name>" (the other users' namespace of RFC 2342 §5). Every
// command that names a mailbox resolves it through `resolveMailbox`, and checks rights through
// `permit` (or `permitSelected` for the selected one), which answers `NO [NOPERM]`
// (RFC 5530) when one is missing. Invariants: rights are read from the store at each command,
// so a grant or revocation counts at once; a mailbox the account holds no right on is answered
// as missing, never revealed (RFC 4314 §4, §6).
import { ALL_RIGHTS, hasRights, myRights } from '../core/acl.ts';
import { getAccount } from '../core/accounts.ts';
import { mailboxByName } from '../core/mailboxes.ts';
import type { Mailbox } from '../store/schema.ts';
import type { Session } from './session.ts';

/** The root of the other users' namespace (RFC 2342), without its separator. */
export const OTHER_USERS = 'Other Users';

export interface MailboxRef {
  /** The owner's account. */
  accountId: number;
  mailbox: Mailbox;
  /** The name the client uses (decoded): own name, or under "Other Users/<owner>/". */
  name: string;
  /** The signed-in account's rights on it (every right when it is the owner). */
  rights: string;
}

/** "Other Users/<owner>/<name>" for a shared mailbox. */
export function sharedName(ownerEmail: string, name: string): string {
  return `${OTHER_USERS}/${ownerEmail}/${name}`;
}

/** The owner address and mailbox name inside "Other Users/…", or null for an own name. */
export function splitShared(name: string): { owner: string; rest: string } | null {
  const prefix = OTHER_USERS + '/';
  if (!name.startsWith(prefix)) return null;
  const tail = name.slice(prefix.length);
  const slash = tail.indexOf('/');
  if (slash <= 0) return { owner: tail, rest: '' };
  return { owner: tail.slice(0, slash), rest: tail.slice(slash + 1) };
}

/** The mailbox a (decoded) name means to this session, or null if none it may know of. */
export async function resolveMailbox(s: Session, name: string): Promise<MailboxRef | null> {
  const me = s.account!.id;
  const shared = splitShared(name);
  if (!shared) {
    const mb = await mailboxByName(s.core.db, me, name);
    return mb ? { accountId: me, mailbox: mb, name: mb.name, rights: ALL_RIGHTS } : null;
  }
  const owner = await getAccount(s.core, shared.owner);
  if (!owner || shared.rest === '') return null;
  const ownerId = Number(owner.id);
  const mb = await mailboxByName(s.core.db, ownerId, shared.rest);
  if (!mb) return null;
  const rights = await myRights(s.core.db, me, ownerId, mb.id);
  if (rights === '') return null;
  const visible = ownerId === me ? mb.name : sharedName(owner.email, mb.name);
  return { accountId: ownerId, mailbox: mb, name: visible, rights };
}

/** True when `ref` grants every right in `needed`; otherwise answers NO [NOPERM]. */
export async function permit(
  s: Session,
  tag: string,
  ref: { rights: string },
  needed: string,
): Promise<boolean> {
  if (hasRights(ref.rights, needed)) return true;
  await s.finish(tag, 'NO', 'NOPERM', `Missing right ${needed} on this mailbox (RFC 4314)`);
  return false;
}

/** The session's current rights on the selected mailbox. */
export async function selectedRights(s: Session): Promise<string> {
  const sel = s.selected!;
  return myRights(s.core.db, s.account!.id, sel.view.accountId, sel.id);
}

/** `permit` for the selected mailbox, its rights read afresh. */
export async function permitSelected(s: Session, tag: string, needed: string): Promise<boolean> {
  return permit(s, tag, { rights: await selectedRights(s) }, needed);
}
