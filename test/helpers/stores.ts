// Which stores the suite runs on. scripts/test.ts decides (SQLite always; PostgreSQL when it
// answers, and always under CI or when a database URL is given) and passes the URL down in
// CHAMPA_TEST_POSTGRES. Every store-dependent test wraps itself in `forEachStore`.
import { describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseConfig, type LoadedConfig } from '../../src/core/config.ts';
import { openCore, closeCore, type Core } from '../../src/core/core.ts';

export type StoreKind = 'sqlite' | 'postgres';

export const PG_URL = process.env.CHAMPA_TEST_POSTGRES ?? '';
/** The id of this `npm test` run (scripts/test.ts), the prefix of its PostgreSQL schemas. */
const RUN = process.env.CHAMPA_TEST_RUN ?? '';
export const STORES: StoreKind[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export function forEachStore(name: string, fn: (kind: StoreKind) => void): void {
  for (const kind of STORES) describe(`${name} [${kind}]`, () => fn(kind));
}

export interface TestEnv {
  dir: string;
  config: LoadedConfig;
  kind: StoreKind;
  /** PostgreSQL schema of this environment ('' on SQLite). */
  schema: string;
  cleanup(): Promise<void>;
}

/**
 * A fresh data folder and database for one test: a temporary folder, and on PostgreSQL a
 * schema of its own, dropped at cleanup. `overrides` are merged into the config file.
 */
export async function makeEnv(
  kind: StoreKind,
  overrides: Record<string, unknown> = {},
): Promise<TestEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'champa-test-'));
  const schema =
    kind === 'postgres' ? `t_${RUN ? `${RUN}_` : ''}${randomBytes(6).toString('hex')}` : '';
  const raw = {
    hostname: 'mail.test',
    primaryDomain: 'test.example',
    database: kind === 'sqlite' ? 'sqlite:champa.db' : pgUrlWithSchema(schema),
    listen: { address: '127.0.0.1', portBase: 0, ports: allPortsZero() },
    log: { level: 'silent' },
    ...overrides,
  };
  const config = parseConfig(raw, dir);
  if (schema) await pgQuery(`CREATE SCHEMA "${schema}"`);
  return {
    dir,
    config,
    kind,
    schema,
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
      // Under scripts/test.ts the run's schemas are dropped once every test has finished:
      // dropping one while another test's migrations introspect the catalog makes those fail
      // ("schema … does not exist" from Kysely's look over every schema's tables).
      if (schema && !RUN) await dropSchema(schema);
    },
  };
}

export function allPortsZero(): Record<string, number> {
  const doors = [
    'smtp',
    'submissions',
    'submission',
    'imap',
    'imaps',
    'pop3',
    'pop3s',
    'http',
    'https',
  ];
  return Object.fromEntries(doors.map((d) => [d, 0]));
}

/** A postgres URL whose connections use the given schema (via the `options` parameter). */
export function pgUrlWithSchema(schema: string): string {
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function pgQuery(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A Core on a fresh environment; `close` closes it and removes the environment. */
export async function makeCore(
  kind: StoreKind,
  overrides: Record<string, unknown> = {},
): Promise<{ core: Core; env: TestEnv; close(): Promise<void> }> {
  const env = await makeEnv(kind, overrides);
  const core = await openCore(env.config);
  return {
    core,
    env,
    async close() {
      await closeCore(core);
      await env.cleanup();
    },
  };
}
