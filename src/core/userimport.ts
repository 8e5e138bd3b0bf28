// Bulk account import from CSV, shared by `champa user import` and the admin API/console.
// Format (docs/admin-guide.md, "Bulk import"): UTF-8, a header row naming the columns, at least
// `email,name,unit`, optionally `quota`, `password` and `aliases` (separated by ';').
//
// Two phases. `planImport` checks every row without writing anything (this is `--dry-run` and
// the console's preview): bad address, domain not served, duplicate address in the file, address
// in use, unknown unit or one outside the actor's reach, bad quota, weak password. A row whose
// account already exists in the same unit is "already imported", so a re-run is safe.
// Each problem of a row is a code with its parameters beside the English sentence
// (util/problems.ts): `errors` holds the sentences (the CLI prints them), `problems` the same
// problems for the console to translate; `addProblem` keeps the two in step.
// `applyImport` then creates the good rows. Invariants: every account is created with its
// mailboxes, aliases and audit row under one savepoint, so a failing row leaves nothing behind
// (nothing half-created), while rows are committed in batches for speed; Argon2id hashing (the
// slow part, cost unchanged) runs on libuv's thread pool with bounded concurrency, ahead of the
// inserts; generated passwords are handed to `onPasswords` only after their batch committed.
import { availableParallelism } from 'node:os';
import { normalizeAddress, parseAddress } from '../mail/address.ts';
import { decodeUtf8, parseCsv } from '../util/csv.ts';
import { errorMessage, ForbiddenError, problemOf, UserError } from '../util/errors.ts';
import { problem, withMessage, type Problem } from '../util/problems.ts';
import type { Core } from './core.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { insertAccount, parseQuota, passwordPolicy } from './accounts.ts';
import { defaultMailboxRows } from './mailboxes.ts';
import {
  DEFAULT_WELCOME_DAYS,
  NO_PASSWORD_YET,
  newWelcomeToken,
  queueWelcomes,
} from './welcome.ts';
import { actorName, audit, type Actor } from './audit.ts';
import { checkPasswordPolicy, generatePassword, hashPassword } from './passwords.ts';
import { authorize } from './roles.ts';
import { ensureUnit, normalizeUnitPath } from './units.ts';

export const REQUIRED_COLUMNS = ['email', 'name', 'unit'] as const;
export const OPTIONAL_COLUMNS = ['quota', 'password', 'aliases', 'personal_email'] as const;

export interface ImportRow {
  line: number;
  email: string;
  name: string;
  unit: string;
  quotaBytes: number;
  /** Empty: a password is generated. */
  password: string;
  aliases: string[];
  /**
   * A personal address to mail a one-time link to choose the password (core/welcome.ts);
   * empty: none. Such a row needs no password and no hash.
   */
  personalEmail: string;
}

export type RowStatus = 'create' | 'created' | 'already' | 'error';

export interface RowResult {
  line: number;
  email: string;
  status: RowStatus;
  /** The problems in English, one sentence each (what the CLI prints). */
  errors: string[];
  /** The same problems as codes with their parameters, in the same order. */
  problems: Problem[];
  /** Where the welcome link was (or will be) mailed, for rows with personal_email. */
  welcomeTo?: string;
}

/** Records a problem of a row (its sentence and its code) and marks the row refused. */
export function addProblem(row: RowResult, p: Problem): void {
  row.errors.push(p.message);
  row.problems.push(p);
  row.status = 'error';
}

/** Decodes and parses the CSV; rows hold the raw text, checked later by `planImport`. */
export function parseImportCsv(
  input: Uint8Array | string,
): { line: number; cells: Record<string, string> }[] {
  const text = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeUtf8(input);
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) throw new UserError('invalid', problem('fileEmpty'));
  const cols = header.fields.map((f) => f.trim().toLowerCase());
  const known: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];
  const unknown = cols.filter((c) => !known.includes(c));
  const missing = REQUIRED_COLUMNS.filter((c) => !cols.includes(c));
  const line = header.line;
  if (missing.length > 0 && unknown.length > 0)
    throw new UserError(
      'invalid',
      problem('csvColumnsWrong', {
        line,
        missing: missing.join(', '),
        unknown: unknown.join(', '),
      }),
    );
  if (missing.length > 0)
    throw new UserError(
      'invalid',
      problem('csvColumnsMissing', { line, missing: missing.join(', ') }),
    );
  if (unknown.length > 0)
    throw new UserError(
      'invalid',
      problem('csvColumnsUnknown', { line, unknown: unknown.join(', ') }),
    );
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup) throw new UserError('invalid', problem('csvColumnTwice', { line, column: dup }));
  return records.map((r) => ({
    line: r.line,
    cells: Object.fromEntries(cols.map((c, i) => [c, (r.fields[i] ?? '').trim()])),
  }));
}

export interface ImportPlan {
  results: RowResult[];
  /** Rows that will be created (those with status 'create'), in file order. */
  toCreate: ImportRow[];
  /** Units the import creates (missing units, when allowed). */
  newUnits: string[];
}

export interface PlanOptions {
  /** What to do with a unit that does not exist: create it, or refuse the row. */
  unknownUnits: 'create' | 'refuse';
}

/** Checks every row; writes nothing (refusals of `authorize` are audited). */
export async function planImport(
  core: Core,
  actor: Actor,
  input: Uint8Array | string,
  opts: PlanOptions,
): Promise<ImportPlan> {
  const raw = parseImportCsv(input);
  const domains = new Set(
    (await core.db.selectFrom('domains').select('name').where('disabled', '=', 0).execute()).map(
      (d) => d.name,
    ),
  );
  const units = new Set(
    (await core.db.selectFrom('units').select('path').execute()).map((u) => u.path),
  );
  const results: RowResult[] = [];
  const rows: (ImportRow | null)[] = [];
  const seen = new Map<string, number>(); // address → first line using it
  for (const { line, cells } of raw) {
    const problems: Problem[] = [];
    const email = normalizeAddress(cells.email ?? '') ?? '';
    const addrCheck = (text: string, bad: 'badEmail' | 'badAlias'): string | null => {
      const a = normalizeAddress(text);
      if (!a) return (problems.push(problem(bad, { address: text })), null);
      const d = parseAddress(a)!.domain;
      if (!domains.has(d)) problems.push(problem('domainNotServed', { domain: d }));
      const first = seen.get(a);
      if (first !== undefined)
        problems.push(problem('duplicateAddress', { address: a, line: first }));
      else seen.set(a, line);
      return a;
    };
    addrCheck(cells.email ?? '', 'badEmail');
    const aliases = (cells.aliases ?? '')
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => addrCheck(s, 'badAlias'))
      .filter((a): a is string => a !== null);
    const name = (cells.name ?? '').normalize('NFC');
    if (!name) problems.push(problem('nameEmpty'));
    let unit = '';
    try {
      unit = normalizeUnitPath(cells.unit ?? '');
      if (!cells.unit) problems.push(problem('unitEmpty'));
      else if (!units.has(unit) && opts.unknownUnits === 'refuse')
        problems.push(problem('unknownUnit', { unit }));
    } catch (err) {
      problems.push(problemOf(err));
    }
    let quotaBytes = 0;
    try {
      if (cells.quota) quotaBytes = parseQuota(cells.quota);
    } catch (err) {
      problems.push(problemOf(err));
    }
    const password = cells.password ?? '';
    const weak = password ? checkPasswordPolicy(password, passwordPolicy(core, email)) : null;
    if (weak) problems.push(withMessage(weak, `weak password: ${weak.message}`));
    let personalEmail = '';
    if (cells.personal_email) {
      personalEmail = normalizeAddress(cells.personal_email) ?? '';
      if (!personalEmail)
        problems.push(problem('badPersonalEmail', { address: cells.personal_email }));
      else if (personalEmail === email || aliases.includes(personalEmail))
        problems.push(problem('personalEmailSame'));
      if (password) problems.push(problem('passwordAndPersonalEmail'));
    }
    results.push({
      line,
      email: email || (cells.email ?? ''),
      status: problems.length ? 'error' : 'create',
      errors: problems.map((p) => p.message),
      problems,
      ...(personalEmail ? { welcomeTo: personalEmail } : {}),
    });
    rows.push(
      problems.length
        ? null
        : { line, email, name, unit, quotaBytes, password, aliases, personalEmail },
    );
  }
  await checkExisting(core, rows, results);
  await checkReach(core, actor, rows, results);
  const toCreate = rows.filter(
    (r, i): r is ImportRow => r !== null && results[i]!.status === 'create',
  );
  const newUnits = [...new Set(toCreate.map((r) => r.unit).filter((u) => !units.has(u)))].sort();
  return { results, toCreate, newUnits };
}

/** Marks rows whose addresses are taken: 'already' when it is the same account in the same unit. */
async function checkExisting(
  core: Core,
  rows: (ImportRow | null)[],
  results: RowResult[],
): Promise<void> {
  const addrs = rows.flatMap((r) => (r ? [r.email, ...r.aliases] : []));
  const accounts = new Map<string, string>();
  const aliases = new Map<string, number>();
  for (let i = 0; i < addrs.length; i += 500) {
    const chunk = addrs.slice(i, i + 500);
    for (const a of await core.db
      .selectFrom('accounts')
      .select(['email', 'unit_path'])
      .where('email', 'in', chunk)
      .execute())
      accounts.set(a.email, a.unit_path);
    for (const a of await core.db
      .selectFrom('aliases')
      .select(['address', 'account_id'])
      .where('address', 'in', chunk)
      .execute())
      aliases.set(a.address, Number(a.account_id));
  }
  rows.forEach((r, i) => {
    if (!r) return;
    const res = results[i]!;
    const unitOf = accounts.get(r.email);
    if (unitOf === r.unit) {
      res.status = 'already';
      return;
    }
    for (const a of [r.email, ...r.aliases]) {
      const u = accounts.get(a);
      if (u !== undefined)
        addProblem(res, problem('addressInUseByAccount', { address: a, unit: u }));
      else if (aliases.has(a)) addProblem(res, problem('addressInUseByAlias', { address: a }));
    }
  });
}

/** Refuses rows in units the actor may not create accounts in (one `authorize` per unit). */
async function checkReach(
  core: Core,
  actor: Actor,
  rows: (ImportRow | null)[],
  results: RowResult[],
): Promise<void> {
  const verdict = new Map<string, Problem | null>();
  for (const [i, r] of rows.entries()) {
    if (!r || results[i]!.status !== 'create') continue;
    if (!verdict.has(r.unit)) {
      try {
        await authorize(core, actor, 'account.create', {
          unitPath: r.unit,
          domain: parseAddress(r.email)!.domain,
        });
        verdict.set(r.unit, null);
      } catch (err) {
        if (!(err instanceof ForbiddenError)) throw err;
        verdict.set(r.unit, problem('unitOutsideReach', { unit: r.unit }));
      }
    }
    const why = verdict.get(r.unit);
    if (why) addProblem(results[i]!, why);
  }
}

export interface ApplyOptions {
  /** Argon2id hashes computed at once (default: the cores available, at most the thread pool). */
  concurrency?: number;
  /** Accounts committed per transaction (each under its own savepoint). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Generated passwords of a batch, called after the batch committed. */
  onPasswords?: (rows: { email: string; password: string }[]) => Promise<void>;
  /** Names the import in the audit log (a file name). */
  source?: string;
  /** How long welcome links stay valid (rows with personal_email), in days. */
  welcomeDays?: number;
  now?: number;
}

/** Runs `fn` over items with at most `limit` at a time; results in order. */
function pooled<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R>[] {
  let running = 0;
  const waiting: (() => void)[] = [];
  return items.map(async (item) => {
    if (running >= limit) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      return await fn(item);
    } finally {
      running--;
      waiting.shift()?.();
    }
  });
}

export function defaultConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool));
}

/** Creates the plan's units and accounts; updates `plan.results` (status 'created' or 'error'). */
export async function applyImport(
  core: Core,
  actor: Actor,
  plan: ImportPlan,
  opts: ApplyOptions = {},
): Promise<void> {
  // One summary row besides the per-account ones: what was imported, from where, how it ended.
  const summary = (outcome: 'ok' | 'error', extra: Record<string, unknown> = {}) =>
    audit(
      core,
      actor,
      'account.create',
      { label: `import ${opts.source ?? 'CSV'}` },
      {
        import: opts.source ?? 'CSV',
        rows: plan.results.length,
        ...summarize(plan.results),
        units: plan.newUnits,
        ...extra,
      },
      outcome,
    );
  try {
    await applyRows(core, actor, plan, opts);
  } catch (err) {
    await summary('error', { error: errorMessage(err) });
    throw err;
  }
  await summary('ok');
}

interface Pending extends ImportRow {
  generated: boolean;
}

/** One batch, fast: a few multi-row inserts. Throws when any row fails (then rows go one by one). */
async function insertBatch(
  trx: Transaction<Database>,
  slice: Pending[],
  hashes: string[],
  ctx: { who: string; ip: string | null; now: number; welcomeDays: number },
): Promise<WelcomeToSend[]> {
  const { now } = ctx;
  // A new account's change log starts at modseq 1, the creation of its mailboxes (as
  // insertAccount + createDefaultMailboxes do one account at a time).
  const inserted = await trx
    .insertInto('accounts')
    .values(
      slice.map((r, j) => ({
        email: r.email,
        domain: parseAddress(r.email)!.domain,
        name: r.name,
        unit_path: r.unit,
        password_hash: hashes[j]!,
        quota_bytes: r.quotaBytes,
        must_change_password: r.generated ? 1 : 0,
        modseq: 1,
        created_at: now,
      })),
    )
    .returning(['id', 'email'])
    .execute();
  const idOf = new Map(inserted.map((a) => [a.email, Number(a.id)]));
  const mailboxes = slice.flatMap((r) => defaultMailboxRows(idOf.get(r.email)!, 1, now));
  for (const part of chunks(mailboxes, 500)) {
    await trx.insertInto('mailboxes').values(part).execute();
    await trx
      .insertInto('changes')
      .values(
        part.map((m) => ({
          account_id: m.account_id,
          modseq: 1,
          type: 'Mailbox',
          object_id: m.id,
          op: 'c',
          created_at: now,
        })),
      )
      .execute();
  }
  const aliases = slice.flatMap((r) =>
    r.aliases.map((address) => ({ address, account_id: idOf.get(r.email)!, created_at: now })),
  );
  for (const part of chunks(aliases, 500)) await trx.insertInto('aliases').values(part).execute();
  const welcome = slice
    .filter((r) => r.personalEmail)
    .map((r) => ({
      r,
      t: newWelcomeToken(idOf.get(r.email)!, r.personalEmail, ctx.welcomeDays, now),
    }));
  if (welcome.length)
    await trx
      .insertInto('welcome_tokens')
      .values(welcome.map((w) => w.t.row))
      .execute();
  await trx
    .insertInto('audit_log')
    .values(slice.map((r) => auditRow(r, ctx)))
    .execute();
  return welcome.map(({ r, t }) => ({
    accountId: idOf.get(r.email)!,
    email: r.email,
    name: r.name,
    to: r.personalEmail,
    token: t.token,
    expiresAt: t.expiresAt,
  }));
}

/** One row under its own savepoint: the slow path, when a batch insert failed. */
async function insertOne(
  sp: Transaction<Database>,
  r: Pending,
  hash: string,
  ctx: { who: string; ip: string | null; now: number; welcomeDays: number },
): Promise<WelcomeToSend | null> {
  const a = await insertAccount(
    sp,
    {
      email: r.email,
      name: r.name,
      unitPath: r.unit,
      quotaBytes: r.quotaBytes,
      mustChangePassword: r.generated,
    },
    hash,
    ctx.now,
  );
  if (r.aliases.length)
    await sp
      .insertInto('aliases')
      .values(r.aliases.map((address) => ({ address, account_id: a.id, created_at: ctx.now })))
      .execute();
  let out: WelcomeToSend | null = null;
  if (r.personalEmail) {
    const t = newWelcomeToken(a.id, r.personalEmail, ctx.welcomeDays, ctx.now);
    await sp.insertInto('welcome_tokens').values(t.row).execute();
    out = { accountId: a.id, email: r.email, name: r.name, to: r.personalEmail, ...t };
  }
  await sp.insertInto('audit_log').values(auditRow(r, ctx)).execute();
  return out;
}

interface WelcomeToSend {
  accountId: number;
  email: string;
  name: string;
  to: string;
  token: string;
  expiresAt: number;
}

function auditRow(r: Pending, ctx: { who: string; ip: string | null; now: number }) {
  return {
    at: ctx.now,
    actor: ctx.who,
    ip: ctx.ip,
    action: 'account.create',
    target: r.email,
    unit_path: r.unit,
    detail: JSON.stringify({
      import: true,
      line: r.line,
      aliases: r.aliases,
      ...(r.personalEmail ? { welcomeTo: r.personalEmail } : {}),
    }),
    outcome: 'ok',
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function applyRows(
  core: Core,
  actor: Actor,
  plan: ImportPlan,
  opts: ApplyOptions,
): Promise<void> {
  const now = opts.now ?? Date.now();
  const ctx = {
    who: await actorName(core, actor),
    ip: actor.kind === 'account' ? (actor.ip ?? null) : null,
    now,
    welcomeDays: opts.welcomeDays ?? DEFAULT_WELCOME_DAYS,
  };
  for (const u of plan.newUnits) await authorize(core, actor, 'unit.create', { unitPath: u });
  const made = await core.db.transaction().execute(async (trx) => {
    const out: string[] = [];
    for (const u of plan.newUnits) out.push(...(await ensureUnit(trx, u, now)));
    return out;
  });
  for (const u of made)
    await audit(core, actor, 'unit.create', { unitPath: u }, { import: true }, 'ok', now);
  const byLine = new Map(plan.results.map((r) => [r.line, r]));
  const rows: Pending[] = plan.toCreate.map((r) => ({
    ...r,
    generated: r.password === '' && r.personalEmail === '',
    password: r.password || (r.personalEmail ? '' : generatePassword()),
  }));
  // Argon2id runs on libuv's thread pool (crypto.argon2), as many at once as there are cores,
  // all started here: while one batch commits on the main thread, later rows are hashed.
  // Rows with a welcome link need no hash at all.
  const hashes = pooled(rows, opts.concurrency ?? defaultConcurrency(), (r) =>
    r.password ? hashPassword(r.password) : Promise.resolve(NO_PASSWORD_YET),
  );
  hashes.forEach((h) => h.catch(() => undefined)); // awaited below; no unhandled rejection meanwhile
  const batch = opts.batchSize ?? 200;
  let mailing: Promise<void> = Promise.resolve();
  let done = 0;
  opts.onProgress?.(0, rows.length);
  for (let start = 0; start < rows.length; start += batch) {
    const slice = rows.slice(start, start + batch);
    const hashed = await Promise.all(hashes.slice(start, start + batch));
    const ok: Pending[] = [];
    const welcome: WelcomeToSend[] = [];
    const trx = await core.db.startTransaction().execute();
    try {
      const fast = await trx.savepoint('batch').execute();
      try {
        welcome.push(...(await insertBatch(fast, slice, hashed, ctx)));
        await fast.releaseSavepoint('batch').execute();
        ok.push(...slice);
      } catch {
        // Someone took an address since the plan, or a row is bad in a way the plan missed:
        // retry row by row, each under its own savepoint, so only that row is refused.
        await fast.rollbackToSavepoint('batch').execute();
        for (const [j, r] of slice.entries()) {
          const sp = await trx.savepoint('row').execute();
          try {
            const w = await insertOne(sp, r, hashed[j]!, ctx);
            await sp.releaseSavepoint('row').execute();
            ok.push(r);
            if (w) welcome.push(w);
          } catch (err) {
            await sp.rollbackToSavepoint('row').execute();
            addProblem(
              byLine.get(r.line)!,
              problem('rowNotCreated', { detail: errorMessage(err) }),
            );
          }
        }
      }
      await trx.commit().execute();
    } catch (err) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw err;
    }
    for (const r of ok) byLine.get(r.line)!.status = 'created';
    const generated = ok
      .filter((r) => r.generated)
      .map((r) => ({ email: r.email, password: r.password }));
    if (generated.length && opts.onPasswords) await opts.onPasswords(generated);
    // The welcome mails of this batch are written while the next batch is inserted (their
    // blob fsyncs overlap the insert); one batch's mails at a time, all before returning.
    await mailing;
    if (welcome.length)
      mailing = queueWelcomes(
        core,
        welcome.map((w) => ({
          account: { id: w.accountId, email: w.email, name: w.name },
          to: w.to,
          token: w.token,
          expiresAt: w.expiresAt,
        })),
      ).then(() => undefined);
    mailing.catch(() => undefined); // awaited at the next batch or the end
    done += slice.length;
    opts.onProgress?.(done, rows.length);
  }
  await mailing;
}

export function summarize(results: RowResult[]): Record<RowStatus, number> {
  const out: Record<RowStatus, number> = { create: 0, created: 0, already: 0, error: 0 };
  for (const r of results) out[r.status]++;
  return out;
}
