// Schema migrations, one list for both backends. Kysely's schema builder writes the DDL in each
// dialect; the only difference we spell out is the auto-increment key (`idColumn`).
// Never edit a migration that has shipped: add a new one, and note it in CHANGELOG.md.
// 0001–0010 are in migrations-first.ts; this file has the later ones and runs them all.
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { firstMigrations, trigramSchema } from './migrations-first.ts';

export type Dialect = 'sqlite' | 'postgres';

function migrations(dialect: Dialect): Record<string, Migration> {
  const big = 'bigint';
  return {
    ...firstMigrations(dialect), // 0001–0010 (migrations-first.ts)
    '0011_tombstone_horizon': {
      // Tombstones are pruned once old (core/changes.ts pruneTombstones): each records when it
      // was written, and each account the highest modseq whose tombstones are gone, below
      // which changes can no longer be computed exactly. Existing tombstones count from now.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('tombstones')
          .addColumn('created_at', big, (c) => c.notNull().defaultTo(0))
          .execute();
        await sql`update tombstones set created_at = ${Date.now()}`.execute(db);
        await db.schema
          .createIndex('tombstones_created')
          .on('tombstones')
          .column('created_at')
          .execute();
        await db.schema
          .alterTable('accounts')
          .addColumn('tombstone_horizon', big, (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0012_queue_mailbox': {
      // A local recipient that waits in the queue (its mailbox was full at the end of DATA)
      // keeps the mailbox the message was filed for: 'junk' for a spam verdict or DMARC
      // quarantine, null for the inbox.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('queue_recipients').addColumn('mailbox', 'text').execute();
      },
    },
    '0013_imap_rev1_state': {
      // What IMAP4rev1 keeps beyond the shared model (RFC 3501):
      // - mailboxes.recent_uid: the first UID no session has claimed as \Recent yet (§2.3.2:
      //   a message is recent in the one session that first sees it). Messages already
      //   stored are not recent.
      // - accounts.uid_validity_last: the highest UIDVALIDITY the account has given, so a
      //   mailbox made again under a deleted one's name gets a higher one (§2.3.1.1), even
      //   within the same second.
      // - orphan_subscriptions: subscribed names whose mailbox was deleted. A server must not
      //   drop them (§6.3.6, RFC 9051 §6.3.7); LIST (SUBSCRIBED) shows them \NonExistent
      //   (RFC 5258 §3.1). A name is here only while no mailbox has it.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('mailboxes')
          .addColumn('recent_uid', big, (c) => c.notNull().defaultTo(1))
          .execute();
        await sql`update mailboxes set recent_uid = uid_next`.execute(db);
        await db.schema
          .alterTable('accounts')
          .addColumn('uid_validity_last', big, (c) => c.notNull().defaultTo(0))
          .execute();
        await sql`update accounts set uid_validity_last = coalesce((select max(m.uid_validity)
          from mailboxes m where m.account_id = accounts.id), 0)`.execute(db);
        await db.schema
          .createTable('orphan_subscriptions')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('orphan_subscriptions_pk', ['account_id', 'name'])
          .execute();
      },
    },
    '0014_fulltext_headers': {
      // IMAP TEXT looks in every header field (RFC 9051 §6.4.4): the index keeps them as a
      // column of their own (store/fulltext.ts), null on the rows written before, which
      // core/indexer.ts indexHeadersMissing fills in from the blobs (the partial index finds
      // them). SQLite: a trigram FTS5 table of its own, kept by triggers, so the existing
      // FTS5 tables need no rebuild. PostgreSQL: a pg_trgm index when the extension is there.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('fulltext').addColumn('headers', 'text').execute();
        await sql`create index fulltext_headers_missing on fulltext (account_id)
          where headers is null`.execute(db);
        if (dialect === 'sqlite') {
          await sql`create virtual table fulltext_headers using fts5(headers,
            content='fulltext', content_rowid='id', tokenize='trigram', detail=none)`.execute(db);
          await sql`create trigger fulltext_headers_ai after insert on fulltext
            when new.headers is not null begin
            insert into fulltext_headers(rowid, headers) values (new.id, new.headers);
            end`.execute(db);
          await sql`create trigger fulltext_headers_ad after delete on fulltext
            when old.headers is not null begin
            insert into fulltext_headers(fulltext_headers, rowid, headers)
              values ('delete', old.id, old.headers);
            end`.execute(db);
          await sql`create trigger fulltext_headers_au after update of headers on fulltext begin
            insert into fulltext_headers(fulltext_headers, rowid, headers)
              select 'delete', old.id, old.headers where old.headers is not null;
            insert into fulltext_headers(rowid, headers)
              select new.id, new.headers where new.headers is not null;
            end`.execute(db);
          return;
        }
        const trgm = await trigramSchema(db);
        if (trgm)
          await sql`create index fulltext_headers_trigram on fulltext
            using gin (headers ${sql.id(trgm)}.gin_trgm_ops)`.execute(db);
      },
    },
    '0015_imap_envelope': {
      // The IMAP ENVELOPE as response text (mail/imapenvelope.ts) beside the JSON envelope,
      // written at delivery, so FETCH ENVELOPE copies it instead of decoding and rendering:
      // `imap_envelope` for clients without UTF-8 strings, `imap_envelope_utf8` only when it
      // differs (8-bit text). Rows written before stay null; FETCH renders those from the
      // JSON envelope and stores the text (core/blobmeta.ts storeImapEnvelopes).
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('blob_meta').addColumn('imap_envelope', 'text').execute();
        await db.schema.alterTable('blob_meta').addColumn('imap_envelope_utf8', 'text').execute();
      },
    },
    '0016_thread_and_submission_indexes': {
      // Thread/get and collapsed lists look emails up by thread; each queue attempt on a JMAP
      // submission's message looks the submission up by its queue id. Both scanned the
      // account's rows.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex('emails_thread')
          .on('emails')
          .columns(['account_id', 'thread_id'])
          .execute();
        await db.schema
          .createIndex('email_submissions_queue')
          .on('email_submissions')
          .columns(['account_id', 'queue_id'])
          .execute();
      },
    },
    '0017_change_log_age': {
      // The change log is pruned like the tombstones (core/changes.ts pruneHistory): each row
      // records when it was written. Existing rows count from now; the default is a constant,
      // so neither store rewrites the table, and every writer sets the column itself.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('changes')
          .addColumn('created_at', big, (c) => c.notNull().defaultTo(Date.now()))
          .execute();
        await db.schema.createIndex('changes_created').on('changes').column('created_at').execute();
      },
    },
    '0018_server_keys': {
      // Keys of the server's own, shared by every node: the VAPID key that signs JMAP pushes
      // (jmap/vapid.ts), made at first use.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('server_keys')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('private_key', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
      },
    },
  };
}

class StaticProvider implements MigrationProvider {
  readonly #dialect: Dialect;
  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.#dialect));
  }
}

/**
 * Brings the schema up to date (or up to the migration `upTo`); throws with the failing
 * migration's name.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: Dialect,
  upTo?: string,
): Promise<void> {
  // On PostgreSQL, name the schema: Kysely looks for its bookkeeping tables in every schema,
  // and would find another tenant's (tests and shared clusters use one schema each).
  let migrationTableSchema: string | undefined;
  if (dialect === 'postgres') {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(db);
    migrationTableSchema = r.rows[0]?.s;
  }
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(dialect),
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await (upTo ? migrator.migrateTo(upTo) : migrator.migrateToLatest());
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}
