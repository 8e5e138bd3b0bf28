// Accounts out as CSV rows in the bulk import's own format (core/userimport.ts), so a list can
// be edited in a spreadsheet and imported again (existing rows then report "already imported").
// Invariant: never holds passwords or hashes.
import type { Core } from './core.ts';
import { isWithin } from './units.ts';

/** A quota as the import reads it back: '0', '2G', '500M', or bytes. */
function quotaText(bytes: number): string {
  for (const [unit, size] of [
    ['T', 1024 ** 4],
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/**
 * Accounts in the import's own format (header email,name,unit,quota,aliases), so an export can
 * be edited and imported again; `underUnit` keeps one subtree. Never holds passwords.
 */
export async function exportAccounts(core: Core, underUnit?: string): Promise<string[][]> {
  const accounts = await core.db
    .selectFrom('accounts')
    .select(['id', 'email', 'name', 'unit_path', 'quota_bytes'])
    .orderBy('unit_path')
    .orderBy('email')
    .execute();
  const aliases = new Map<number, string[]>();
  for (const a of await core.db
    .selectFrom('aliases')
    .select(['address', 'account_id'])
    .orderBy('address')
    .execute()) {
    const id = Number(a.account_id);
    aliases.set(id, [...(aliases.get(id) ?? []), a.address]);
  }
  const rows = accounts
    .filter((a) => !underUnit || isWithin(a.unit_path, underUnit))
    .map((a) => [
      a.email,
      a.name,
      a.unit_path,
      quotaText(Number(a.quota_bytes)),
      (aliases.get(Number(a.id)) ?? []).join(';'),
    ]);
  return [['email', 'name', 'unit', 'quota', 'aliases'], ...rows];
}
