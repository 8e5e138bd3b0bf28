// Access control lists on collections (RFC 4314 rights): an owner grants another account, or
// 'anyone' signed in, a set of rights on one of its mailboxes, or denies them with a negative
// grant ("-identifier", §2: rights of a negative grant are taken away from what the positive
// grants give, whichever grant gave them). The same grants drive IMAP ACL and, later, JMAP
// sharing, DAV ACL and ActiveSync: `myRights` and `sharedMailboxesFor` are the only answers
// to "what may this account do here", and both apply negative grants.
// Invariants: the owner always holds every right and has no row of its own (positive or
// negative); a grant with no rights left is deleted; rights are stored as letters of
// ALL_RIGHTS in that order, the obsolete c and d already mapped (§2.1.1); a negative grant's
// grantee is stored with a leading "-"; rows lead with the owner's account_id, and a grant
// leaves with its mailbox or either account.
import type { Mailbox, Db } from '../store/schema.ts';
import { UserError } from '../util/errors.ts';

/**
 * Every right of RFC 4314 §2.1: lookup, read, seen, write, insert, post, create (k), delete
 * mailbox (x), delete messages (t), expunge (e), administer.
 */
export const ALL_RIGHTS = 'lrswipkxtea';

/** Who a grant is for: an account id, or every signed-in account. */
export type Grantee = number | 'anyone';

export interface Grant {
  grantee: Grantee;
  rights: string;
  /** A negative grant (RFC 4314 §2, "-identifier"): these rights are denied. */
  negative: boolean;
}

function granteeKey(g: Grantee, negative = false): string {
  return (negative ? '-' : '') + (g === 'anyone' ? 'anyone' : String(g));
}

function parseKey(key: string): { grantee: Grantee; negative: boolean } {
  const negative = key.startsWith('-');
  const k = negative ? key.slice(1) : key;
  return { grantee: k === 'anyone' ? 'anyone' : Number(k), negative };
}

/** The grantee keys that apply to an account: itself and anyone, positive and negative. */
function keysFor(accountId: number): string[] {
  const own = String(accountId);
  return [own, 'anyone', `-${own}`, '-anyone'];
}

/** Effective rights from the grants that apply: the positive ones less the negative ones. */
function effective(grants: { grantee: string; rights: string }[]): string {
  let given = '';
  let denied = '';
  for (const g of grants)
    if (g.grantee.startsWith('-')) denied += g.rights;
    else given += g.rights;
  return canonical([...given].filter((r) => !denied.includes(r)));
}

/** Letters in ALL_RIGHTS order, without repeats. */
function canonical(letters: Iterable<string>): string {
  const set = new Set(letters);
  return [...ALL_RIGHTS].filter((r) => set.has(r)).join('');
}

/**
 * Rights as a client writes them, in canonical form. The obsolete "c" stands for the create
 * right k and "d" for the delete rights x, t and e (RFC 4314 §2.1.1, with RIGHTS=texk: each
 * of them is a right of its own). Digits are custom rights we do not keep. Unknown letters
 * are refused (§3.1: BAD or NO).
 */
export function parseRights(text: string): string {
  const out: string[] = [];
  for (const ch of text) {
    if (ALL_RIGHTS.includes(ch)) out.push(ch);
    else if (ch === 'c') out.push('k');
    else if (ch === 'd') out.push('x', 't', 'e');
    else if (!/[0-9]/.test(ch)) throw new UserError('invalid', `unknown right "${ch}"`);
  }
  return canonical(out);
}

/** Whether `held` includes every letter of `needed`. */
export function hasRights(held: string, needed: string): boolean {
  return [...needed].every((r) => held.includes(r));
}

/**
 * Replaces (mode 'set'), adds to or removes from a grantee's rights on a mailbox (its negative
 * grant when `negative`); returns the rights of that grant now. No rights left deletes it.
 */
export async function setRights(
  db: Db,
  owner: number,
  mailboxId: string,
  grantee: Grantee,
  rights: string,
  mode: 'set' | 'add' | 'remove' = 'set',
  now = Date.now(),
  negative = false,
): Promise<string> {
  if (grantee === owner) throw new UserError('invalid', 'the owner always holds every right');
  const key = granteeKey(grantee, negative);
  const wanted = parseRights(rights);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('acl_grants')
      .select('rights')
      .where('account_id', '=', owner)
      .where('mailbox_id', '=', mailboxId)
      .where('grantee', '=', key)
      .executeTakeFirst();
    const before = row?.rights ?? '';
    const next =
      mode === 'set'
        ? wanted
        : mode === 'add'
          ? canonical(before + wanted)
          : canonical([...before].filter((r) => !wanted.includes(r)));
    if (next === '') {
      await deleteGrant(trx, owner, mailboxId, key);
      return '';
    }
    if (row)
      await trx
        .updateTable('acl_grants')
        .set({ rights: next, granted_at: now })
        .where('account_id', '=', owner)
        .where('mailbox_id', '=', mailboxId)
        .where('grantee', '=', key)
        .execute();
    else
      await trx
        .insertInto('acl_grants')
        .values({
          account_id: owner,
          mailbox_id: mailboxId,
          grantee: key,
          rights: next,
          granted_at: now,
        })
        .execute();
    return next;
  });
}

async function deleteGrant(db: Db, owner: number, mailboxId: string, key: string): Promise<void> {
  await db
    .deleteFrom('acl_grants')
    .where('account_id', '=', owner)
    .where('mailbox_id', '=', mailboxId)
    .where('grantee', '=', key)
    .execute();
}

/**
 * Removes a grantee's grant (its negative one when `negative`) on a mailbox; nothing to
 * remove is no error (RFC 4314 §3.2).
 */
export async function deleteRights(
  db: Db,
  owner: number,
  mailboxId: string,
  grantee: Grantee,
  negative = false,
): Promise<void> {
  await deleteGrant(db, owner, mailboxId, granteeKey(grantee, negative));
}

/** The grants on a mailbox, positive and negative, other than the owner's own (implied). */
export async function listRights(db: Db, owner: number, mailboxId: string): Promise<Grant[]> {
  const rows = await db
    .selectFrom('acl_grants')
    .select(['grantee', 'rights'])
    .where('account_id', '=', owner)
    .where('mailbox_id', '=', mailboxId)
    .orderBy('granted_at')
    .orderBy('grantee')
    .execute();
  return rows.map((r) => ({ ...parseKey(r.grantee), rights: r.rights }));
}

/**
 * The rights `actor` holds on the owner's mailbox: all for the owner; else its own and
 * anyone's grants, less the rights its own and anyone's negative grants deny (RFC 4314 §2).
 */
export async function myRights(
  db: Db,
  actor: number,
  owner: number,
  mailboxId: string,
): Promise<string> {
  if (actor === owner) return ALL_RIGHTS;
  const rows = await db
    .selectFrom('acl_grants')
    .select(['grantee', 'rights'])
    .where('account_id', '=', owner)
    .where('mailbox_id', '=', mailboxId)
    .where('grantee', 'in', keysFor(actor))
    .execute();
  return effective(rows);
}

export interface SharedMailbox {
  owner: number;
  ownerEmail: string;
  mailbox: Mailbox;
  /** Rights the account holds on it (as myRights: positive grants less negative ones). */
  rights: string;
}

/**
 * Mailboxes of other accounts shared with this one (directly or with 'anyone'), leaving out
 * those where negative grants take every right away.
 */
export async function sharedMailboxesFor(db: Db, accountId: number): Promise<SharedMailbox[]> {
  const rows = await db
    .selectFrom('acl_grants as g')
    .innerJoin('mailboxes as m', (j) =>
      j.onRef('m.account_id', '=', 'g.account_id').onRef('m.id', '=', 'g.mailbox_id'),
    )
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .selectAll('m')
    .select(['a.email as owner_email', 'g.grantee', 'g.rights as granted'])
    .where('g.grantee', 'in', keysFor(accountId))
    .where('g.account_id', '!=', accountId)
    .execute();
  const byMailbox = new Map<
    string,
    { box: Omit<SharedMailbox, 'rights'>; grants: { grantee: string; rights: string }[] }
  >();
  for (const r of rows) {
    const { owner_email, granted, grantee, ...mailbox } = r;
    const key = `${mailbox.account_id}/${mailbox.id}`;
    let had = byMailbox.get(key);
    if (!had) {
      had = {
        box: { owner: Number(mailbox.account_id), ownerEmail: owner_email, mailbox },
        grants: [],
      };
      byMailbox.set(key, had);
    }
    had.grants.push({ grantee, rights: granted });
  }
  const out: SharedMailbox[] = [];
  for (const { box, grants } of byMailbox.values()) {
    const rights = effective(grants);
    if (rights !== '') out.push({ ...box, rights });
  }
  return out;
}

/** Drops the grants of a mailbox (it is being deleted), inside the caller's transaction. */
export async function dropMailboxGrants(db: Db, owner: number, mailboxId: string): Promise<void> {
  await db
    .deleteFrom('acl_grants')
    .where('account_id', '=', owner)
    .where('mailbox_id', '=', mailboxId)
    .execute();
}

/** Drops every grant an account made or received (it is being removed). */
export async function dropAccountGrants(db: Db, accountId: number): Promise<void> {
  await db.deleteFrom('acl_grants').where('account_id', '=', accountId).execute();
  await db
    .deleteFrom('acl_grants')
    .where('grantee', 'in', [String(accountId), `-${accountId}`])
    .execute();
}
