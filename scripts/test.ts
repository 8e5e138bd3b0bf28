// `npm test`: runs the whole suite with node's test runner, on SQLite and on PostgreSQL.
// PostgreSQL is required under CI (CI=true) or when CHAMPA_TEST_POSTGRES / DATABASE_URL is
// set; elsewhere, if it does not answer, the SQLite suite runs alone and this says so.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildWeb } from './build-web.ts';

const explicit = process.env.CHAMPA_TEST_POSTGRES || process.env.DATABASE_URL || '';
const url = explicit || 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.CI === 'true' || explicit !== '';

async function reachable(u: string): Promise<string | null> {
  const c = new pg.Client({ connectionString: u, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await c.end().catch(() => undefined);
  }
}

const problem = await reachable(url);
const env: NodeJS.ProcessEnv = { ...process.env };
const run = randomBytes(4).toString('hex');
if (problem === null) {
  env.CHAMPA_TEST_POSTGRES = url;
  env.CHAMPA_TEST_RUN = run;
  console.log(`Stores under test: SQLite and PostgreSQL (${url.replace(/:[^:@/]*@/, ':***@')})`);
} else if (required) {
  console.error(`PostgreSQL is required here but ${url} does not answer: ${problem}`);
  process.exit(1);
} else {
  delete env.CHAMPA_TEST_POSTGRES;
  console.log(`PostgreSQL at ${url} does not answer (${problem}).`);
  console.log('Running the SQLite suite only: PostgreSQL was LEFT OUT of this run.');
}

/** Drops the schemas this run's tests made (they are kept until every test has finished). */
async function dropRunSchemas(u: string, id: string): Promise<void> {
  const c = new pg.Client({ connectionString: u });
  try {
    await c.connect();
    const r = await c.query<{ s: string }>(
      `select nspname as s from pg_namespace where nspname like $1`,
      [`t\\_${id}\\_%`],
    );
    for (const { s } of r.rows) await c.query(`drop schema if exists "${s}" cascade`);
  } catch (err) {
    console.error(`could not drop this run's test schemas: ${(err as Error).message}`);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// The web app's tests load the built app (and check its size): build it when sources changed.
if (await buildWeb()) console.log('Built the web app (web/dist).');

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('test').sort();
const r = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env },
);
if (problem !== null && !required)
  console.log('Note: PostgreSQL was left out of this run (SQLite only).');
if (problem === null) await dropRunSchemas(url, run);
process.exit(r.status ?? 1);
