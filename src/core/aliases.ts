// Aliases: extra addresses that deliver to an account and that its owner may send as.
import { normalizeAddress, parseAddress } from '../mail/address.ts';
import { UserError } from '../util/errors.ts';
import { problem } from '../util/problems.ts';
import type { Alias } from '../store/schema.ts';
import type { Core } from './core.ts';
import { addressTaken, getAccount } from './accounts.ts';
import { getDomain } from './domains.ts';

export async function addAlias(
  core: Core,
  address: string,
  target: string,
  now = Date.now(),
): Promise<Alias> {
  const a = normalizeAddress(address);
  if (!a) throw new UserError('invalid', problem('addressInvalid', { address }));
  const domain = parseAddress(a)!.domain;
  if (!(await getDomain(core, domain)))
    throw new UserError('not_found', problem('domainNotServed', { domain }));
  const account = await getAccount(core, target);
  if (!account) throw new UserError('not_found', problem('accountNotFound', { email: target }));
  if (await addressTaken(core, a))
    throw new UserError('exists', problem('addressInUse', { address: a }));
  const row = { address: a, account_id: account.id, created_at: now };
  await core.db.insertInto('aliases').values(row).execute();
  return row;
}

export async function listAliases(core: Core): Promise<(Alias & { target: string })[]> {
  const rows = await core.db
    .selectFrom('aliases')
    .innerJoin('accounts', 'accounts.id', 'aliases.account_id')
    .select([
      'aliases.address',
      'aliases.account_id',
      'aliases.created_at',
      'accounts.email as target',
    ])
    .orderBy('aliases.address')
    .execute();
  return rows;
}

export async function removeAlias(core: Core, address: string): Promise<void> {
  const a = normalizeAddress(address);
  const r = a
    ? await core.db.deleteFrom('aliases').where('address', '=', a).executeTakeFirst()
    : undefined;
  if (!r || Number(r.numDeletedRows) === 0)
    throw new UserError('not_found', problem('aliasNotFound', { alias: address }));
}
