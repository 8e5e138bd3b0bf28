// Kysely's SQLite dialect over Node's built-in `node:sqlite`. Kysely serialises every query on
// the one connection (its single-connection mutex), so transactions never interleave.
// Durability: WAL with synchronous=FULL, so a COMMIT that returned survives a power cut.
// Rows come back as plain objects (Statement), and the page cache is 64 MiB (openSqlite).
import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Param = SQLInputValue;

function toParam(v: unknown): Param {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (v === undefined) return null;
  return v as Param;
}

/**
 * A prepared statement as Kysely's SQLite driver wants it. Rows are read from node:sqlite as
 * arrays and made into plain objects here: the objects node:sqlite builds itself have a null
 * prototype and are slow to make and to read (dictionary mode), which a FETCH of a thousand
 * rows felt; plain objects are also what the PostgreSQL driver gives. As with node:sqlite's
 * objects, a later column of the same name wins.
 */
class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  readonly #names: string[];
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.#names = stmt.columns().map((c) => c.name);
    this.reader = this.#names.length > 0;
    if (this.reader) stmt.setReturnArrays(true);
  }
  #row(values: unknown[]): Record<string, unknown> {
    const names = this.#names;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    return row;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    const rows = this.#stmt.all(...parameters.map(toParam)) as unknown as unknown[][];
    const out = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = this.#row(rows[i]!);
    return out;
  }
  run(parameters: ReadonlyArray<unknown>): {
    changes: number | bigint;
    lastInsertRowid: number | bigint;
  } {
    return this.#stmt.run(...parameters.map(toParam));
  }
  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    for (const values of this.#stmt.iterate(...parameters.map(toParam)))
      yield this.#row(values as unknown as unknown[]);
  }
}

/** Opens (or creates) a SQLite file with the pragmas Champa relies on. */
export function openSqlite(path: string): SqliteDatabase {
  // The busy timeout comes first: switching to WAL needs a lock another process may hold.
  const db = new DatabaseSync(path, { timeout: 10_000 });
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  // Up to 64 MiB of pages kept in memory (SQLite's default is 2 MiB, filled at once by one
  // FETCH of a thousand rows with their blob metadata); memory is taken only as pages are read.
  db.exec('PRAGMA cache_size = -65536');
  const cache = new Map<string, Statement>();
  return {
    prepare(text: string): SqliteStatement {
      // Every transaction takes the write lock up front (BEGIN IMMEDIATE): a deferred one that
      // reads and then writes fails at once with SQLITE_BUSY when another process (a CLI
      // command beside `champa serve`) wrote in between, without waiting for the busy timeout.
      const sql = text === 'begin' ? 'begin immediate' : text;
      let s = cache.get(sql);
      if (!s) {
        s = new Statement(db.prepare(sql));
        if (cache.size > 500) cache.clear();
        cache.set(sql, s);
      }
      return s;
    },
    close(): void {
      cache.clear();
      db.close();
    },
  };
}
