// Bulk imports as jobs, for the admin API and console: a CSV is checked into a preview (each
// row's problems by line, nothing written); applying the preview runs the import in the
// background while the console polls its progress (`getImportProgress`: the counts without
// the rows, light enough to ask for every second over a slow link); the result (each row's outcome, with the
// generated initial passwords) is then downloadable as CSV by the one who ran it.
// The import itself is core/userimport.ts (planImport, applyImport), re-planned at apply time
// so what changed since the preview (an address taken, a role revoked) is seen.
// Invariants: jobs live in this process's memory only and are forgotten JOB_TTL_MS after their
// last change (the generated passwords with them; they are never written to the database or a
// log); only the account that made a job may see, apply or download it; one job applies at a
// time per account.
import { randomBytes } from 'node:crypto';
import { csvRow } from '../util/csv.ts';
import { errorMessage, UserError } from '../util/errors.ts';
import { problem } from '../util/problems.ts';
import type { Actor } from './audit.ts';
import type { Core } from './core.ts';
import {
  applyImport,
  planImport,
  summarize,
  type PlanOptions,
  type RowResult,
  type RowStatus,
} from './userimport.ts';

export const JOB_TTL_MS = 60 * 60_000;
const MAX_JOBS_PER_ACCOUNT = 10;

export type JobState = 'preview' | 'running' | 'done' | 'failed';

/** A job without its rows: what polling its progress needs. */
export type ImportProgress = Omit<ImportJob, 'rows'>;

export interface ImportJob {
  id: string;
  state: JobState;
  source: string;
  createdAt: number;
  /** When the job (and its passwords) will be forgotten. */
  expiresAt: number;
  unknownUnits: PlanOptions['unknownUnits'];
  /** Rows created so far while running, of `total` to create. */
  done: number;
  total: number;
  summary: Record<RowStatus, number>;
  newUnits: string[];
  rows: RowResult[];
  error: string | null;
}

interface Held extends ImportJob {
  ownerId: number;
  bytes: Uint8Array;
  passwords: Map<string, string>;
}

const jobsOf = new WeakMap<Core, Map<string, Held>>();

function ownerOf(actor: Actor): number {
  return actor.kind === 'account' ? actor.accountId : 0;
}

function table(core: Core, now: number): Map<string, Held> {
  let t = jobsOf.get(core);
  if (!t) jobsOf.set(core, (t = new Map()));
  for (const [id, j] of t) if (j.expiresAt <= now && j.state !== 'running') t.delete(id);
  return t;
}

function progressView(j: Held): ImportProgress {
  const { ownerId: _o, bytes: _b, passwords: _p, rows: _r, ...rest } = j;
  return { ...rest, summary: { ...j.summary }, newUnits: [...j.newUnits] };
}

function view(j: Held): ImportJob {
  return {
    ...progressView(j),
    rows: j.rows.map((r) => ({ ...r, errors: [...r.errors], problems: [...r.problems] })),
  };
}

function mine(core: Core, actor: Actor, id: string, now = Date.now()): Held {
  const j = table(core, now).get(id);
  if (!j || j.ownerId !== ownerOf(actor))
    throw new UserError('not_found', problem('importNotFound', { id }));
  return j;
}

/** Checks a CSV and keeps it as a preview to apply later. */
export async function previewImport(
  core: Core,
  actor: Actor,
  bytes: Uint8Array,
  opts: { unknownUnits: PlanOptions['unknownUnits']; source?: string },
  now = Date.now(),
): Promise<ImportJob> {
  const t = table(core, now);
  const owned = [...t.values()].filter((j) => j.ownerId === ownerOf(actor));
  if (owned.length >= MAX_JOBS_PER_ACCOUNT)
    for (const old of owned.filter((j) => j.state !== 'running').slice(0, 1)) t.delete(old.id);
  const plan = await planImport(core, actor, bytes, { unknownUnits: opts.unknownUnits });
  const job: Held = {
    id: randomBytes(12).toString('base64url'),
    state: 'preview',
    source: opts.source ?? 'upload.csv',
    createdAt: now,
    expiresAt: now + JOB_TTL_MS,
    unknownUnits: opts.unknownUnits,
    done: 0,
    total: plan.toCreate.length,
    summary: summarize(plan.results),
    newUnits: plan.newUnits,
    rows: plan.results,
    error: null,
    ownerId: ownerOf(actor),
    bytes,
    passwords: new Map(),
  };
  t.set(job.id, job);
  return view(job);
}

export function getImport(core: Core, actor: Actor, id: string): ImportJob {
  return view(mine(core, actor, id));
}

/** The job's state, counts and summary, without its rows. */
export function getImportProgress(core: Core, actor: Actor, id: string): ImportProgress {
  return progressView(mine(core, actor, id));
}

export function forgetImport(core: Core, actor: Actor, id: string): void {
  const j = mine(core, actor, id);
  if (j.state === 'running') throw new UserError('in_use', problem('importRunning'));
  table(core, Date.now()).delete(id);
}

/**
 * Starts applying a preview in the background and returns at once (state 'running'); the
 * returned promise of `finished` settles when the job ends (tests and the CLI may await it).
 */
export async function startImport(
  core: Core,
  actor: Actor,
  id: string,
  opts: { welcomeDays?: number } = {},
): Promise<{ job: ImportJob; finished: Promise<void> }> {
  const j = mine(core, actor, id);
  if (j.state !== 'preview')
    throw new UserError('in_use', problem('importApplied', { id, state: j.state }));
  if (
    [...table(core, Date.now()).values()].some(
      (o) => o.ownerId === j.ownerId && o.state === 'running',
    )
  )
    throw new UserError('in_use', problem('importAnotherRunning'));
  // Re-check against the database as it is now; the preview may be an hour old.
  const plan = await planImport(core, actor, j.bytes, { unknownUnits: j.unknownUnits });
  Object.assign(j, {
    state: 'running' as const,
    rows: plan.results,
    summary: summarize(plan.results),
    newUnits: plan.newUnits,
    total: plan.toCreate.length,
    done: 0,
    expiresAt: Date.now() + JOB_TTL_MS,
  });
  const finished = applyImport(core, actor, plan, {
    source: j.source,
    welcomeDays: opts.welcomeDays,
    onProgress: (done) => {
      j.done = done;
      j.summary = summarize(plan.results);
    },
    onPasswords: (rows) => {
      for (const r of rows) j.passwords.set(r.email, r.password);
      return Promise.resolve();
    },
  }).then(
    () => {
      j.state = 'done';
    },
    (err: unknown) => {
      j.state = 'failed';
      j.error = errorMessage(err);
      core.log.error({ err, importId: j.id }, 'import failed');
    },
  );
  void finished.finally(() => {
    j.summary = summarize(plan.results);
    j.expiresAt = Date.now() + JOB_TTL_MS;
  });
  return { job: view(j), finished };
}

/**
 * The outcome of every row as CSV: line,email,status,password,welcome_to,errors. `password`
 * holds the generated initial password of a created account (empty otherwise).
 */
export function importResultCsv(core: Core, actor: Actor, id: string): string {
  const j = mine(core, actor, id);
  if (j.state === 'preview' || j.state === 'running')
    throw new UserError('in_use', problem('importNotFinished', { id, state: j.state }));
  const lines = [csvRow(['line', 'email', 'status', 'password', 'welcome_to', 'errors'])];
  for (const r of j.rows)
    lines.push(
      csvRow([
        String(r.line),
        r.email,
        r.status,
        (r.status === 'created' && j.passwords.get(r.email)) || '',
        r.status === 'created' ? (r.welcomeTo ?? '') : '',
        r.errors.join('; '),
      ]),
    );
  return lines.join('');
}
