// Opens the metadata store named by a URL: `sqlite:PATH` (the embedded default) or
// `postgres://…` (clusters). Both give the same Kysely<Database>, migrated to the latest schema.
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type DatabaseIntrospector,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import { openSqlite } from './sqlite.ts';
import { migrateToLatest, type Dialect } from './migrations.ts';
import type { Database } from './schema.ts';
import { makeIndex, type FullTextIndex } from './fulltext.ts';
import { sqliteSearch } from './fulltext-sqlite.ts';
import { pgSearch } from './fulltext-pg.ts';

// PostgreSQL returns int8 and numeric as strings; our integers fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The full-text index of mail, in this store's dialect. */
  fulltext: FullTextIndex;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (created if missing). Tests use one schema each. */
  schema?: string;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
  /** Stop after this migration instead of the latest (upgrade tests start from an old schema). */
  migrateTo?: string;
}

/**
 * Kysely's own PostgreSQL introspector reads every schema of the database (and calls
 * `pg_get_serial_sequence` on each table), so it fails with 3F000 when another tenant drops its
 * schema at the same moment, and it reads tables that are not ours. The migrator only asks
 * whether its two bookkeeping tables exist: this one answers from the current schema alone.
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;
  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }
  async getSchemas(): Promise<SchemaMetadata[]> {
    const r = await sql<{ name: string }>`select current_schema() as name`.execute(this.#db);
    return r.rows.map((row) => ({ name: row.name }));
  }
  async getTables(): Promise<TableMetadata[]> {
    const r = await sql<{ schema: string; table: string; kind: string }>`
      select table_schema as schema, table_name as table, table_type as kind
        from information_schema.tables where table_schema = current_schema()
       order by table_name`.execute(this.#db);
    return r.rows.map((row) => ({
      name: row.table,
      schema: row.schema,
      isView: row.kind === 'VIEW',
      isForeign: row.kind === 'FOREIGN',
      columns: [],
    }));
  }
}

class SchemaScopedPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

export function dialectOf(url: string): Dialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  throw new Error(`database URL must start with "sqlite:" or "postgres://" (got "${url}")`);
}

export async function openStore(url: string, opts: OpenOptions = {}): Promise<Store> {
  const dialect = dialectOf(url);
  let db: Kysely<Database>;
  if (dialect === 'sqlite') {
    const path = url.slice('sqlite:'.length);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }) });
  } else {
    if (opts.schema) {
      const setup = new pg.Client({ connectionString: url });
      await setup.connect();
      try {
        await setup.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema.replace(/"/g, '')}"`);
      } finally {
        await setup.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) });
  }
  await migrateToLatest(db as Kysely<unknown>, dialect, opts.migrateTo);
  return {
    db,
    dialect,
    fulltext: makeIndex(dialect === 'sqlite' ? sqliteSearch : pgSearch),
    close: () => db.destroy(),
  };
}
