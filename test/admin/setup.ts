// Shared set-up for the administration tests: a domain, a small ministry tree, and accounts
// made without Argon2 (a fixed hash: these tests are about units and roles, not passwords).
import { insertAccount } from '../../src/core/accounts.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { importUnitsCsv } from '../../src/core/units.ts';

export const DOMAIN = 'moe.test';

export const TREE = [
  '/ministry/departments/finance',
  '/ministry/provinces/vientiane/xaythany',
  '/ministry/provinces/vientiane/sikhottabong',
  '/ministry/provinces/luangprabang',
  // A sibling whose name starts like another unit's: must not fall inside its subtree.
  '/ministry/provinces/vientiane-capital',
];

export async function seedTree(core: Core): Promise<void> {
  await addDomain(core, DOMAIN);
  await importUnitsCsv(core, TREE.join('\n'));
}

const NO_PASSWORD =
  '$argon2id$v=19$m=65536,t=3,p=4$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** An account in a unit, created directly (no password hashing). Returns its id. */
export async function quickAccount(core: Core, local: string, unitPath: string): Promise<number> {
  const a = await core.db
    .transaction()
    .execute((trx) =>
      insertAccount(trx, { email: `${local}@${DOMAIN}`, name: local, unitPath }, NO_PASSWORD),
    );
  return a.id;
}
