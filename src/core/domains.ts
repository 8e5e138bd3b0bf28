// Mail domains served by this server. Each has its own DKIM key (RSA 2048, the size every
// verifier accepts), made when the domain is added.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { normalizeDomain } from '../mail/address.ts';
import { UserError } from '../util/errors.ts';
import type { Domain } from '../store/schema.ts';
import type { Core } from './core.ts';

export function newDkimKey(): { privateKey: string; publicKeyDer: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

/** The public half of a stored PEM key, base64 DER, as the DKIM TXT record's p= tag wants. */
export function dkimPublicKey(privatePem: string): string {
  return createPublicKey(privatePem).export({ type: 'spki', format: 'der' }).toString('base64');
}

export async function addDomain(core: Core, name: string, now = Date.now()): Promise<Domain> {
  const domain = normalizeDomain(name);
  if (!domain || !domain.includes('.'))
    throw new UserError(
      'invalid',
      `"${name}" is not a valid domain name (expected something like school.edu.la)`,
    );
  const existing = await getDomain(core, domain);
  if (existing) throw new UserError('exists', `domain ${domain} already exists`);
  const key = newDkimKey();
  const d = new Date(now);
  const selector = `champa${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  const row = {
    name: domain,
    created_at: now,
    dkim_selector: selector,
    dkim_private_key: key.privateKey,
    disabled: 0,
  };
  await core.db.insertInto('domains').values(row).execute();
  return row;
}

export async function getDomain(core: Core, name: string): Promise<Domain | undefined> {
  return core.db
    .selectFrom('domains')
    .selectAll()
    .where('name', '=', normalizeDomain(name))
    .executeTakeFirst();
}

export async function listDomains(core: Core): Promise<(Domain & { accounts: number })[]> {
  const rows = await core.db.selectFrom('domains').selectAll().orderBy('name').execute();
  const counts = await core.db
    .selectFrom('accounts')
    .select(['domain', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('domain')
    .execute();
  const byDomain = new Map(counts.map((c) => [c.domain, Number(c.n)]));
  return rows.map((r) => ({ ...r, accounts: byDomain.get(r.name) ?? 0 }));
}

/** Whether mail for this domain is ours to deliver. */
export async function isLocalDomain(core: Core, name: string): Promise<boolean> {
  const d = await getDomain(core, name);
  return d !== undefined && d.disabled === 0;
}

export async function removeDomain(core: Core, name: string): Promise<void> {
  const domain = normalizeDomain(name);
  const d = await getDomain(core, domain);
  if (!d) throw new UserError('not_found', `no domain ${name}`);
  const n = await core.db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('domain', '=', domain)
    .executeTakeFirstOrThrow();
  if (Number(n.n) > 0)
    throw new UserError(
      'in_use',
      `domain ${domain} still has ${n.n} account(s); remove them first`,
    );
  await core.db.deleteFrom('aliases').where('address', 'like', `%@${domain}`).execute();
  await core.db.deleteFrom('domains').where('name', '=', domain).execute();
}
