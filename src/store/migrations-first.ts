// The first migrations, 0001 (the foundation) to 0010 (JMAP), as they shipped; later ones are
// in migrations.ts, which runs them all. Never edit a migration that has shipped.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { ALL_TEXT as PG_ALL_TEXT, WORDS_VECTOR as PG_WORDS_VECTOR } from './fulltext-pg.ts';
import type { Dialect } from './migrations.ts';

export function firstMigrations(dialect: Dialect): Record<string, Migration> {
  // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT; PostgreSQL: bigserial.
  const idType = dialect === 'sqlite' ? 'integer' : 'bigserial';
  const big = 'bigint';
  return {
    '0001_foundation': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('domains')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('dkim_selector', 'text', (c) => c.notNull())
          .addColumn('dkim_private_key', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createTable('accounts')
          .addColumn('id', idType, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('domain', 'text', (c) => c.notNull().references('domains.name'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('unit_path', 'text', (c) => c.notNull().defaultTo('/'))
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('quota_bytes', big, (c) => c.notNull().defaultTo(0))
          .addColumn('used_bytes', big, (c) => c.notNull().defaultTo(0))
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('modseq', big, (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('accounts_domain').on('accounts').column('domain').execute();
        await db.schema
          .createTable('aliases')
          .addColumn('address', 'text', (c) => c.primaryKey())
          .addColumn('account_id', big, (c) => c.notNull().references('accounts.id'))
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('aliases_account').on('aliases').column('account_id').execute();
        await db.schema
          .createTable('blobs')
          .addColumn('hash', 'text', (c) => c.primaryKey())
          .addColumn('size', big, (c) => c.notNull())
          .addColumn('refcount', big, (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('mailboxes')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text')
          .addColumn('uid_validity', big, (c) => c.notNull())
          .addColumn('uid_next', big, (c) => c.notNull())
          .addColumn('subscribed', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('modseq', big, (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('mailboxes_pk', ['account_id', 'id'])
          .addUniqueConstraint('mailboxes_name', ['account_id', 'name'])
          .execute();
        await db.schema
          .createTable('emails')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('blob_hash', 'text', (c) => c.notNull())
          .addColumn('size', big, (c) => c.notNull())
          .addColumn('received_at', big, (c) => c.notNull())
          .addColumn('sent_at', big)
          .addColumn('message_id', 'text')
          .addColumn('thread_id', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('from_addr', 'text', (c) => c.notNull())
          .addColumn('to_addr', 'text', (c) => c.notNull())
          .addColumn('preview', 'text', (c) => c.notNull())
          .addColumn('has_attachment', 'integer', (c) => c.notNull())
          .addColumn('keywords', 'text', (c) => c.notNull())
          .addColumn('modseq', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('emails_pk', ['account_id', 'id'])
          .execute();
        await db.schema
          .createIndex('emails_message_id')
          .on('emails')
          .columns(['account_id', 'message_id'])
          .execute();
        await db.schema
          .createTable('email_mailboxes')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('mailbox_id', 'text', (c) => c.notNull())
          .addColumn('uid', big, (c) => c.notNull())
          .addColumn('email_id', 'text', (c) => c.notNull())
          .addColumn('modseq', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('email_mailboxes_pk', ['account_id', 'mailbox_id', 'uid'])
          .execute();
        await db.schema
          .createIndex('email_mailboxes_email')
          .on('email_mailboxes')
          .columns(['account_id', 'email_id'])
          .execute();
        await db.schema
          .createTable('changes')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('modseq', big, (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('object_id', 'text', (c) => c.notNull())
          .addColumn('op', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('changes_pk', ['account_id', 'modseq', 'type', 'object_id'])
          .execute();
        await db.schema
          .createTable('queue_messages')
          .addColumn('id', idType, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('blob_hash', 'text', (c) => c.notNull())
          .addColumn('size', big, (c) => c.notNull())
          .addColumn('message_id', 'text')
          .addColumn('account_id', big)
          .addColumn('env_id', 'text')
          .addColumn('ret', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('queue_recipients')
          .addColumn('id', idType, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('message_id', big, (c) => c.notNull().references('queue_messages.id'))
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('domain', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', big, (c) => c.notNull())
          .addColumn('last_error', 'text')
          .addColumn('notify', 'text')
          .addColumn('orcpt', 'text')
          .addColumn('delay_notified', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('queue_recipients_due')
          .on('queue_recipients')
          .columns(['status', 'next_attempt_at'])
          .execute();
        await db.schema
          .createIndex('queue_recipients_message')
          .on('queue_recipients')
          .column('message_id')
          .execute();
        await db.schema
          .createTable('delivery_log')
          .addColumn('id', idType, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('at', big, (c) => c.notNull())
          .addColumn('queue_id', big)
          .addColumn('message_id', 'text')
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('remote', 'text')
          .execute();
        await db.schema.createIndex('delivery_log_at').on('delivery_log').column('at').execute();
        await db.schema
          .createIndex('delivery_log_recipient')
          .on('delivery_log')
          .columns(['recipient', 'at'])
          .execute();
        await db.schema
          .createIndex('delivery_log_sender')
          .on('delivery_log')
          .columns(['sender', 'at'])
          .execute();
      },
    },
    '0002_admin': {
      // Org units (a tree keyed by path, '/' the root), role grants on a unit's subtree, and
      // the audit log of administrative actions.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('units')
          .addColumn('path', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('parent_path', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('units_parent').on('units').column('parent_path').execute();
        await sql`insert into units (path, name, parent_path, created_at) values ('/', '', null, ${Date.now()})`.execute(
          db,
        );
        await db.schema.createIndex('accounts_unit').on('accounts').column('unit_path').execute();
        // Accounts made earlier may name units: create those (and their parents) so every
        // account's unit exists.
        const used = await sql<{ p: string }>`select distinct unit_path as p from accounts`.execute(
          db,
        );
        const made = new Set(['/']);
        for (const { p } of used.rows) {
          const segs = p.split('/').filter((x) => x !== '');
          for (let i = 1; i <= segs.length; i++) {
            const path = `/${segs.slice(0, i).join('/')}`;
            if (made.has(path)) continue;
            made.add(path);
            const parent = i === 1 ? '/' : `/${segs.slice(0, i - 1).join('/')}`;
            await sql`insert into units (path, name, parent_path, created_at) values (${path}, '', ${parent}, ${Date.now()})`.execute(
              db,
            );
          }
        }
        await db.schema
          .createTable('role_grants')
          .addColumn('account_id', big, (c) => c.notNull().references('accounts.id'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('unit_path', 'text', (c) => c.notNull())
          .addColumn('granted_by', 'text', (c) => c.notNull())
          .addColumn('granted_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('role_grants_pk', ['account_id', 'role', 'unit_path'])
          .execute();
        await db.schema
          .createIndex('role_grants_unit')
          .on('role_grants')
          .column('unit_path')
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', idType, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('at', big, (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('ip', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('unit_path', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
        await db.schema
          .createIndex('audit_log_actor')
          .on('audit_log')
          .columns(['actor', 'at'])
          .execute();
      },
    },
    '0003_tombstones': {
      // Which items left which collection, and when (modseq): IMAP VANISHED/QRESYNC, JMAP
      // Email/queryChanges, DAV sync-collection. Written by the change that removes the item,
      // under the same modseq as its `changes` rows.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('tombstones')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('collection_id', 'text', (c) => c.notNull())
          .addColumn('modseq', big, (c) => c.notNull())
          .addColumn('item_id', 'text', (c) => c.notNull())
          .addColumn('uid', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('tombstones_pk', [
            'account_id',
            'collection_id',
            'modseq',
            'item_id',
          ])
          .execute();
      },
    },
    '0004_fulltext': {
      // The full-text index of mail (store/fulltext.ts): one row of pre-cut text per email.
      // SQLite: FTS5 over it (external content, kept by triggers); the unicode61 categories
      // keep Lao vowel and tone marks (M*) inside their words. PostgreSQL: a generated tsvector
      // (GIN) and, when pg_trgm can be installed, a trigram index over all the text.
      async up(db: Kysely<unknown>) {
        const cols = [
          'subject',
          'from_text',
          'to_text',
          'cc_text',
          'bcc_text',
          'body',
          'attachments',
        ];
        if (dialect === 'sqlite') {
          // The body is left out of the trigram index: trigrams of every body cost more than
          // the rest of a delivery together; a body piece is found by scanning the account's
          // rows instead (store/fulltext-sqlite.ts), whole words through fulltext_words.
          const trigramOf = (values: string, row: string): string =>
            values.replace(`${row}.body`, "''");
          const list = cols.join(', ');
          const news = cols.map((c) => `new.${c}`).join(', ');
          const olds = cols.map((c) => `old.${c}`).join(', ');
          await sql`create table fulltext (
            id integer primary key,
            account_id integer not null,
            email_id text not null,
            ${sql.raw(cols.map((c) => `${c} text not null`).join(', '))},
            unique (account_id, email_id))`.execute(db);
          await sql
            .raw(
              `create virtual table fulltext_words using fts5(account_id, ${list},
            content='fulltext', content_rowid='id',
            tokenize="unicode61 categories 'L* N* Co M*'")`,
            )
            .execute(db);
          await sql
            .raw(
              `create virtual table fulltext_trigram using fts5(${list},
            content='fulltext', content_rowid='id', tokenize='trigram', detail=none)`,
            )
            .execute(db);
          await sql
            .raw(
              `create trigger fulltext_ai after insert on fulltext begin
            insert into fulltext_words(rowid, account_id, ${list}) values (new.id, new.account_id, ${news});
            insert into fulltext_trigram(rowid, ${list}) values (new.id, ${trigramOf(news, 'new')});
            end`,
            )
            .execute(db);
          await sql
            .raw(
              `create trigger fulltext_ad after delete on fulltext begin
            insert into fulltext_words(fulltext_words, rowid, account_id, ${list})
              values ('delete', old.id, old.account_id, ${olds});
            insert into fulltext_trigram(fulltext_trigram, rowid, ${list})
              values ('delete', old.id, ${trigramOf(olds, 'old')});
            end`,
            )
            .execute(db);
          return;
        }
        let t = db.schema
          .createTable('fulltext')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('email_id', 'text', (c) => c.notNull());
        for (const c of cols) t = t.addColumn(c, 'text', (b) => b.notNull());
        await t
          .addColumn('words', sql`tsvector`, (c) =>
            c.generatedAlwaysAs(sql.raw(PG_WORDS_VECTOR)).stored(),
          )
          .addPrimaryKeyConstraint('fulltext_pk', ['account_id', 'email_id'])
          .execute();
        await sql`create index fulltext_words on fulltext using gin (words)`.execute(db);
        const trgm = await trigramSchema(db);
        if (trgm)
          await sql`create index fulltext_trigram on fulltext
            using gin (${sql.raw(PG_ALL_TEXT)} ${sql.id(trgm)}.gin_trgm_ops)`.execute(db);
      },
    },
    '0005_security': {
      // Sign-in security (core/lockout.ts, core/totp.ts, core/apppasswords.ts,
      // core/sessions.ts): the forced-change flag, per-account lockout state shared by every
      // node, TOTP secrets with their last used step, hashed recovery codes, app passwords
      // (Argon2id) and web sessions (SHA-256 of the token). Every table leads with account_id.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('accounts')
          .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createTable('signin_lockouts')
          .addColumn('account_id', big, (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('level', 'integer', (c) => c.notNull())
          .addColumn('locked_until', big, (c) => c.notNull())
          .addColumn('last_failure_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('totp')
          .addColumn('account_id', big, (c) => c.primaryKey())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('last_step', big, (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('recovery_codes')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('code_hash', 'text', (c) => c.notNull())
          .addColumn('used_at', big)
          .addPrimaryKeyConstraint('recovery_codes_pk', ['account_id', 'code_hash'])
          .execute();
        await db.schema
          .createTable('app_passwords')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('last_used_at', big)
          .addPrimaryKeyConstraint('app_passwords_pk', ['account_id', 'id'])
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('last_seen_at', big, (c) => c.notNull())
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .addPrimaryKeyConstraint('sessions_pk', ['account_id', 'id_hash'])
          .execute();
      },
    },
    '0006_acl': {
      // Mailbox sharing (core/acl.ts, RFC 4314): one row per (owner, mailbox, grantee), the
      // grantee an account id in decimal or 'anyone'. Leads with the owner's account_id; the
      // grantee index answers "what is shared with me".
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('acl_grants')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('mailbox_id', 'text', (c) => c.notNull())
          .addColumn('grantee', 'text', (c) => c.notNull())
          .addColumn('rights', 'text', (c) => c.notNull())
          .addColumn('granted_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('acl_grants_pk', ['account_id', 'mailbox_id', 'grantee'])
          .execute();
        await db.schema
          .createIndex('acl_grants_grantee')
          .on('acl_grants')
          .column('grantee')
          .execute();
      },
    },
    '0007_blobmeta': {
      // Parsed metadata of a message blob (core/blobmeta.ts), single-instance like the blob:
      // the IMAP ENVELOPE fields and the part structure as JSON (mail/structure.ts), computed
      // once at delivery; `version` lets a parser change recompute old rows. Global, keyed by
      // the blob's SHA-256 as `blobs.hash`; the row goes when the blob is collected.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('blob_meta')
          .addColumn('hash', 'text', (c) => c.primaryKey())
          .addColumn('envelope', 'text', (c) => c.notNull())
          .addColumn('structure', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();
      },
    },
    '0008_uploads': {
      // Blobs uploaded over JMAP (core/uploads.ts, RFC 8620 §6.1) and not yet named by an
      // email: one row per (account, hash), holding one reference in `blobs` so the bytes stay
      // until the row goes.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('uploads')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('size', big, (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('uploads_pk', ['account_id', 'hash'])
          .execute();
      },
    },
    '0009_admin': {
      // The admin API's own records. `api_keys`: keys an administrator makes for scripts
      // (core/apikeys.ts), only a SHA-256 of the secret stored. `welcome_tokens`: one-time
      // links to set a first password (core/welcome.ts), one per account, hashed likewise.
      // Both lead with account_id (the token names its account), like every per-account table.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('api_keys')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('expires_at', big)
          .addColumn('last_used_at', big)
          .addPrimaryKeyConstraint('api_keys_pk', ['account_id', 'id'])
          .execute();
        await db.schema
          .createTable('welcome_tokens')
          .addColumn('account_id', big, (c) => c.primaryKey())
          .addColumn('token_hash', 'text', (c) => c.notNull())
          .addColumn('sent_to', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('expires_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('audit_log_action_at')
          .on('audit_log')
          .columns(['action', 'at'])
          .execute();
      },
    },
    '0010_jmap': {
      // What JMAP Mail and Submission keep beyond the mail itself (RFC 8621 §2, §6, §7, §8;
      // RFC 8620 §7.2): a mailbox's own sort order; identities with names and signatures;
      // the vacation response and whom it answered when (RFC 3834 §2: once per sender per
      // period); email submissions (held for the undo window, then queued); push
      // subscriptions. An index lets Email/query walk an account's emails newest first.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('mailboxes').addColumn('sort_order', 'integer').execute();
        await db.schema
          .createIndex('emails_received')
          .on('emails')
          .columns(['account_id', 'received_at', 'id'])
          .execute();
        await db.schema
          .createTable('identities')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('reply_to', 'text')
          .addColumn('bcc', 'text')
          .addColumn('text_signature', 'text', (c) => c.notNull())
          .addColumn('html_signature', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('identities_pk', ['account_id', 'id'])
          .execute();
        await db.schema
          .createTable('vacation')
          .addColumn('account_id', big, (c) => c.primaryKey())
          .addColumn('is_enabled', 'integer', (c) => c.notNull())
          .addColumn('from_date', big)
          .addColumn('to_date', big)
          .addColumn('subject', 'text')
          .addColumn('text_body', 'text')
          .addColumn('html_body', 'text')
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('vacation_replies')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('sent_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('vacation_replies_pk', ['account_id', 'sender'])
          .execute();
        await db.schema
          .createTable('email_submissions')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('identity_id', 'text', (c) => c.notNull())
          .addColumn('email_id', 'text', (c) => c.notNull())
          .addColumn('thread_id', 'text', (c) => c.notNull())
          .addColumn('envelope', 'text', (c) => c.notNull())
          .addColumn('blob_hash', 'text', (c) => c.notNull())
          .addColumn('send_at', big, (c) => c.notNull())
          .addColumn('undo_status', 'text', (c) => c.notNull())
          .addColumn('delivery_status', 'text')
          .addColumn('on_success', 'text')
          .addColumn('queue_id', big)
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('email_submissions_pk', ['account_id', 'id'])
          .execute();
        await db.schema
          .createIndex('email_submissions_due')
          .on('email_submissions')
          .columns(['undo_status', 'send_at'])
          .execute();
        await db.schema
          .createTable('push_subscriptions')
          .addColumn('account_id', big, (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('device_client_id', 'text', (c) => c.notNull())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('keys', 'text')
          .addColumn('verification_code', 'text', (c) => c.notNull())
          .addColumn('verified', 'integer', (c) => c.notNull())
          .addColumn('expires', big)
          .addColumn('types', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('push_subscriptions_pk', ['account_id', 'id'])
          .execute();
      },
    },
  };
}

/**
 * The schema holding pg_trgm, installing it (into `public`, shared by every schema of the
 * database) when missing and allowed; null when it cannot be had (then LIKE scans).
 */
export async function trigramSchema(db: Kysely<unknown>): Promise<string | null> {
  const find = async () =>
    (
      await sql<{ s: string }>`select n.nspname as s from pg_extension e
        join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)
    ).rows[0]?.s ?? null;
  const found = await find();
  if (found) return found;
  await sql`savepoint trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    await sql`release savepoint trgm`.execute(db);
  } catch {
    await sql`rollback to savepoint trgm`.execute(db);
  }
  return find();
}
