// Kysely's SQLite dialect over Node's built-in `node:sqlite`. Kysely serialises every query on
// the one connection (its single-connection mutex), so transactions never interleave.
// Durability: WAL with synchronous=FULL, so a COMMIT that returned survives a power cut.
import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Param = SQLInputValue;

function toParam(v: unknown): Param {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (v === undefined) return null;
  return v as Param;
}

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...parameters.map(toParam));
  }
  run(parameters: ReadonlyArray<unknown>): {
    changes: number | bigint;
    lastInsertRowid: number | bigint;
  } {
    return this.#stmt.run(...parameters.map(toParam));
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...parameters.map(toParam));
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
