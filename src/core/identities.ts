// Identities (JMAP RFC 8621 §6): how an account presents itself when it sends. Every
// address the account may send from (accounts.ts sendableAddresses) has an identity of its
// own, with a stable id derived from the address, that cannot be deleted; its name and
// signatures are stored once changed. Further identities may be created for those addresses
// only (another name or signature). Every change takes a modseq and is logged as 'Identity'.
import type { Core } from './core.ts';
import { sendableAddresses, getAccountById } from './accounts.ts';
import { nextModseq, PendingEvents, recordChanges } from './changes.ts';
import { newId } from './ids.ts';
import { UserError } from '../util/errors.ts';

export interface Address {
  name: string | null;
  email: string;
}

export interface Identity {
  id: string;
  name: string;
  email: string;
  replyTo: Address[] | null;
  bcc: Address[] | null;
  textSignature: string;
  htmlSignature: string;
  mayDelete: boolean;
}

/** The id of the identity that belongs to an address. */
export function addressIdentityId(email: string): string {
  return 'I' + Buffer.from(email, 'utf8').toString('base64url').slice(0, 250);
}

const parseList = (v: string | null): Address[] | null =>
  v === null ? null : (JSON.parse(v) as Address[]);

export async function listIdentities(core: Core, accountId: number): Promise<Identity[]> {
  const account = await getAccountById(core, accountId);
  const addresses = await sendableAddresses(core, accountId);
  const rows = await core.db
    .selectFrom('identities')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
  const stored = new Map(rows.map((r) => [r.id, r]));
  const out: Identity[] = [];
  const fromRow = (r: (typeof rows)[number], mayDelete: boolean): Identity => ({
    id: r.id,
    name: r.name,
    email: r.email,
    replyTo: parseList(r.reply_to),
    bcc: parseList(r.bcc),
    textSignature: r.text_signature,
    htmlSignature: r.html_signature,
    mayDelete,
  });
  for (const email of addresses) {
    const id = addressIdentityId(email);
    const r = stored.get(id);
    out.push(
      r
        ? fromRow(r, false)
        : {
            id,
            name: account?.name ?? '',
            email,
            replyTo: null,
            bcc: null,
            textSignature: '',
            htmlSignature: '',
            mayDelete: false,
          },
    );
  }
  const own = new Set(out.map((i) => i.id));
  // Created identities stay while their address is still the account's.
  for (const r of rows)
    if (!own.has(r.id) && addresses.includes(r.email)) out.push(fromRow(r, true));
  return out;
}

/** Creates (id null) or replaces an identity; the address must be one the account sends from. */
export async function saveIdentity(
  core: Core,
  accountId: number,
  identity: Omit<Identity, 'id' | 'mayDelete'> & { id: string | null },
): Promise<string> {
  const email = identity.email.toLowerCase();
  if (!(await sendableAddresses(core, accountId)).includes(email))
    throw new UserError('forbidden_from', `${identity.email} is not an address of this account`);
  const id = identity.id ?? newId('I');
  const row = {
    name: identity.name,
    email,
    reply_to: identity.replyTo === null ? null : JSON.stringify(identity.replyTo),
    bcc: identity.bcc === null ? null : JSON.stringify(identity.bcc),
    text_signature: identity.textSignature,
    html_signature: identity.htmlSignature,
  };
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    const had = await trx
      .updateTable('identities')
      .set(row)
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(had.numUpdatedRows) === 0)
      await trx
        .insertInto('identities')
        .values({ account_id: accountId, id, ...row, created_at: Date.now() })
        .execute();
    await recordChanges(trx, accountId, modseq, [
      { type: 'Identity', id, op: identity.id === null ? 'c' : 'u' },
    ]);
    events.add(accountId, modseq, 'Identity');
  });
  events.publish(core);
  return id;
}

export async function deleteIdentity(core: Core, accountId: number, id: string): Promise<void> {
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const r = await trx
      .deleteFrom('identities')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new UserError('not_found', `no identity ${id}`);
    const modseq = await nextModseq(trx, accountId);
    await recordChanges(trx, accountId, modseq, [{ type: 'Identity', id, op: 'd' }]);
    events.add(accountId, modseq, 'Identity');
  });
  events.publish(core);
}
