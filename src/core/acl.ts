// Access control lists on collections (RFC 4314 rights): an owner grants another account, or
// 'anyone' signed in, a set of rights on one of its mailboxes. The same grants drive IMAP ACL
// and, later, JMAP sharing, DAV ACL and ActiveSync. Invariants: the owner always holds every
// right and has no row of its own; a grant with no rights left is deleted; rights are stored
// as letters of ALL_RIGHTS in that order, the obsolete c and d already mapped (§2.1.1); rows
// lead with the owner's account_id, and a grant leaves with its mailbox or either account.
import type { Kysely, Transaction } from 'kysely';
import type { Database, Mailbox } from '../store/schema.ts';
import { UserError } from '../util/errors.ts';

type Db = Kysely<Database> | Transaction<Database>;

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
}

function granteeKey(g: Grantee): string {
  return g === 'anyone' ? 'anyone' : String(g);
}

function granteeOf(key: string): Grantee {
  return key === 'anyone' ? 'anyone' : Number(key);
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
 * Replaces (mode 'set'), adds to or removes from a grantee's rights on a mailbox; returns the
 * rights now held. No rights left deletes the grant.
 */
export async function setRights(
  db: Db,
  owner: number,
  mailboxId: string,
  grantee: Grantee,
  rights: string,
  mode: 'set' | 'add' | 'remove' = 'set',
  now = Date.now(),
): Promise<string> {
  if (grantee === owner) throw new UserError('invalid', 'the owner always holds every right');
  const key = granteeKey(grantee);
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

/** Removes a grantee's grant on a mailbox (nothing to remove is no error, RFC 4314 §3.2). */
export async function deleteRights(
  db: Db,
  owner: number,
  mailboxId: string,
  grantee: Grantee,
): Promise<void> {
  await deleteGrant(db, owner, mailboxId, granteeKey(grantee));
}

/** The grants on a mailbox, other than the owner's own (which is implied). */
export async function listRights(db: Db, owner: number, mailboxId: string): Promise<Grant[]> {
  const rows = await db
    .selectFrom('acl_grants')
    .select(['grantee', 'rights'])
    .where('account_id', '=', owner)
    .where('mailbox_id', '=', mailboxId)
    .orderBy('granted_at')
    .orderBy('grantee')
    .execute();
  return rows.map((r) => ({ grantee: granteeOf(r.grantee), rights: r.rights }));
}

/** The rights `actor` holds on the owner's mailbox: all for the owner, else own ∪ anyone's. */
export async function myRights(
  db: Db,
  actor: number,
  owner: number,
  mailboxId: string,
): Promise<string> {
  if (actor === owner) return ALL_RIGHTS;
  const rows = await db
    .selectFrom('acl_grants')
    .select('rights')
    .where('account_id', '=', owner)
    .where('mailbox_id', '=', mailboxId)
    .where('grantee', 'in', [String(actor), 'anyone'])
    .execute();
  return canonical(rows.map((r) => r.rights).join(''));
}

export interface SharedMailbox {
  owner: number;
  ownerEmail: string;
  mailbox: Mailbox;
  /** Rights the account holds on it (its own grant and anyone's together). */
  rights: string;
}

/** Mailboxes of other accounts shared with this one (directly or with 'anyone'). */
export async function sharedMailboxesFor(db: Db, accountId: number): Promise<SharedMailbox[]> {
  const rows = await db
    .selectFrom('acl_grants as g')
    .innerJoin('mailboxes as m', (j) =>
      j.onRef('m.account_id', '=', 'g.account_id').onRef('m.id', '=', 'g.mailbox_id'),
    )
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .selectAll('m')
    .select(['a.email as owner_email', 'g.rights as granted'])
    .where('g.grantee', 'in', [String(accountId), 'anyone'])
    .where('g.account_id', '!=', accountId)
    .execute();
  const byMailbox = new Map<string, SharedMailbox>();
  for (const r of rows) {
    const { owner_email, granted, ...mailbox } = r;
    const key = `${mailbox.account_id}/${mailbox.id}`;
    const had = byMailbox.get(key);
    if (had) had.rights = canonical(had.rights + granted);
    else
      byMailbox.set(key, {
        owner: Number(mailbox.account_id),
        ownerEmail: owner_email,
        mailbox,
        rights: canonical(granted),
      });
  }
  return [...byMailbox.values()];
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
  await db.deleteFrom('acl_grants').where('grantee', '=', String(accountId)).execute();
}
