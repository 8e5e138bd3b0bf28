// The tables of the one data model, as Kysely sees them. Both backends (SQLite, PostgreSQL)
// hold real tables with these columns; migrations.ts creates them.
//
// Conventions that keep the two backends alike:
// - times are integer milliseconds since the epoch (`*_at`);
// - flags are integers 0/1 (node:sqlite binds no booleans);
// - every per-account table leads its primary key with `account_id`, and no query joins two
//   accounts' rows, so the schema can later be distributed by account.
import type { Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

export interface DomainTable {
  name: string; // lower-case ASCII (A-labels for IDN)
  created_at: number;
  dkim_selector: string;
  dkim_private_key: string; // PEM
  disabled: Generated<number>;
}

export interface AccountTable {
  id: Generated<number>;
  email: string; // lower-case local part @ domain
  domain: string;
  name: string; // display name, Lao or English
  unit_path: Generated<string>; // org unit, e.g. "/ministry/provinces/vientiane"
  password_hash: string; // PHC string, Argon2id
  quota_bytes: Generated<number>; // 0 = unlimited
  used_bytes: Generated<number>;
  disabled: Generated<number>;
  is_admin: Generated<number>;
  modseq: Generated<number>; // highest modseq of this account's change log
  created_at: number;
  must_change_password: Generated<number>; // 1: refuse protocol sign-in until changed
  /** Highest modseq whose tombstones were pruned; changes since below it are unknown. */
  tombstone_horizon: Generated<number>;
  /** Highest UIDVALIDITY given to a mailbox of the account (RFC 3501 §2.3.1.1). */
  uid_validity_last: Generated<number>;
}

export interface AliasTable {
  address: string; // lower-case
  account_id: number;
  created_at: number;
}

export interface BlobTable {
  hash: string; // SHA-256, hex
  size: number;
  refcount: number;
  created_at: number;
}

/** Parsed metadata of a blob, computed once (core/blobmeta.ts, mail/structure.ts). */
export interface BlobMetaTable {
  hash: string; // = blobs.hash
  envelope: string; // JSON: mail/structure.ts Envelope
  structure: string; // JSON: mail/structure.ts PartInfo of the whole message
  version: number; // STRUCTURE_VERSION that computed it
  // ENVELOPE as IMAP response text (mail/imapenvelope.ts), null in rows older than 0015:
  imap_envelope: string | null; // for clients without UTF-8 strings
  imap_envelope_utf8: string | null; // for clients with them, only when it differs
}

export interface MailboxTable {
  account_id: number;
  id: string;
  name: string; // full hierarchical name, "/" as separator
  role: string | null; // special-use: inbox, drafts, sent, junk, trash, archive
  uid_validity: number;
  uid_next: number;
  subscribed: Generated<number>;
  modseq: number;
  created_at: number;
  sort_order: number | null; // JMAP sortOrder set by the user; null: by role (0010_jmap)
  /** First UID no IMAP session has claimed as \Recent yet (RFC 3501 §2.3.2; 0013). */
  recent_uid: Generated<number>;
}

/** A subscribed name whose mailbox was deleted (RFC 3501 §6.3.6; RFC 5258 \NonExistent). */
export interface OrphanSubscriptionTable {
  account_id: number;
  name: string;
}

export interface EmailTable {
  account_id: number;
  id: string;
  blob_hash: string;
  size: number;
  received_at: number;
  sent_at: number | null;
  message_id: string | null;
  thread_id: string;
  subject: string;
  from_addr: string;
  to_addr: string;
  preview: string;
  has_attachment: number;
  keywords: string; // JSON array of IMAP keywords / JMAP keywords, e.g. ["$seen"]
  modseq: number;
}

export interface EmailMailboxTable {
  account_id: number;
  mailbox_id: string;
  uid: number;
  email_id: string;
  modseq: number;
}

export interface ChangeTable {
  account_id: number;
  modseq: number;
  type: string; // 'Mailbox' | 'Email' | ...
  object_id: string;
  op: string; // 'c' created, 'u' updated, 'd' destroyed
  created_at: number; // when it was written (pruned after changes.tombstoneDays)
}

/**
 * An item that left a collection (a message expunged or moved out of a mailbox; later an event
 * or card leaving a calendar or address book), under the modseq of that change. Rows of a
 * deleted collection go with it.
 */
export interface TombstoneTable {
  account_id: number;
  collection_id: string; // mailboxes.id, later calendars/address books
  modseq: number;
  item_id: string; // emails.id (the email may live on in other mailboxes)
  uid: number; // IMAP UID it had in the collection (0 where the collection has no UIDs)
  created_at: Generated<number>; // when it was written (pruned after changes.tombstoneDays)
}

/**
 * The text of an email as the full-text index holds it (store/fulltext.ts): each field cut
 * into words (mail/segment.ts), joined by single spaces. One row per (account, email), written
 * and deleted with the email row. SQLite adds a rowid `id` (for FTS5), PostgreSQL a generated
 * tsvector `words`; neither is read through this type.
 */
export interface FullTextTable {
  account_id: number;
  email_id: string;
  subject: string;
  from_text: string;
  to_text: string;
  cc_text: string;
  bcc_text: string;
  body: string; // decoded text parts, HTML as text, bounded (mail/meta.ts TEXT_CHARS)
  attachments: string; // file names
  /** Header fields as text, for IMAP TEXT (0014); null: not computed yet (rows before it). */
  headers: string | null;
}

export interface QueueMessageTable {
  id: Generated<number>;
  sender: string; // envelope MAIL FROM ('' for bounces)
  blob_hash: string;
  size: number;
  message_id: string | null;
  account_id: number | null; // submitting account, null for relayed/system mail
  env_id: string | null; // DSN ENVID
  ret: string | null; // DSN RET: FULL | HDRS
  created_at: number;
}

export interface QueueRecipientTable {
  id: Generated<number>;
  message_id: number; // queue_messages.id
  recipient: string;
  domain: string;
  status: string; // queued | delivered | bounced | failed
  attempts: Generated<number>;
  next_attempt_at: number;
  last_error: string | null;
  notify: string | null; // DSN NOTIFY
  orcpt: string | null; // DSN ORCPT
  delay_notified: Generated<number>;
  updated_at: number;
  mailbox: string | null; // local recipients: the mailbox role to file in ('junk'); null: inbox (0012)
}

export interface DeliveryLogTable {
  id: Generated<number>;
  at: number;
  queue_id: number | null;
  message_id: string | null; // Message-ID header
  sender: string;
  recipient: string;
  event: string; // accepted | delivered | deferred | bounced | rejected
  detail: string;
  remote: string | null; // peer address or MX host
}

export interface UnitTable {
  path: string; // '/' is the root; else '/seg/seg', segments [a-z0-9._-]
  name: string; // display name, Lao or English ('' = use the last segment)
  parent_path: string | null; // null only for the root
  created_at: number;
}

export interface RoleGrantTable {
  account_id: number;
  role: string; // global_admin | unit_admin | helpdesk | auditor
  unit_path: string; // the grant reaches this unit and its whole subtree
  granted_by: string; // audit actor name
  granted_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string; // account email, or 'cli:<os user>'
  ip: string | null;
  action: string; // e.g. 'account.create'
  target: string; // what was acted on: an address, a unit path, a domain…
  unit_path: string | null; // the unit the target belongs to, for subtree-scoped readers
  detail: string; // JSON object
  outcome: string; // ok | denied | error
}

export interface Database {
  domains: DomainTable;
  accounts: AccountTable;
  aliases: AliasTable;
  blobs: BlobTable;
  blob_meta: BlobMetaTable;
  mailboxes: MailboxTable;
  emails: EmailTable;
  email_mailboxes: EmailMailboxTable;
  changes: ChangeTable;
  fulltext: FullTextTable;
  tombstones: TombstoneTable;
  server_keys: ServerKeyTable;
  orphan_subscriptions: OrphanSubscriptionTable;
  queue_messages: QueueMessageTable;
  queue_recipients: QueueRecipientTable;
  delivery_log: DeliveryLogTable;
  units: UnitTable;
  role_grants: RoleGrantTable;
  audit_log: AuditLogTable;
  signin_lockouts: SigninLockoutTable;
  totp: TotpTable;
  recovery_codes: RecoveryCodeTable;
  app_passwords: AppPasswordTable;
  sessions: SessionTable;
  acl_grants: AclGrantTable;
  uploads: UploadTable;
  identities: IdentityTable;
  vacation: VacationTable;
  vacation_replies: VacationReplyTable;
  email_submissions: EmailSubmissionTable;
  push_subscriptions: PushSubscriptionTable;
  api_keys: ApiKeyTable;
  welcome_tokens: WelcomeTokenTable;
}

/** A JMAP Identity's own settings (core/identities.ts, RFC 8621 §6). */
export interface IdentityTable {
  account_id: number;
  id: string;
  name: string;
  email: string; // lower-case; one of the account's sendable addresses
  reply_to: string | null; // JSON EmailAddress[]
  bcc: string | null; // JSON EmailAddress[]
  text_signature: string;
  html_signature: string;
  created_at: number;
}

/** The vacation response of an account (core/vacation.ts, RFC 8621 §8). */
export interface VacationTable {
  account_id: number;
  is_enabled: number;
  from_date: number | null;
  to_date: number | null;
  subject: string | null;
  text_body: string | null;
  html_body: string | null;
  updated_at: number;
}

/** Whom the vacation response answered, and when (RFC 3834 §2: once per period). */
export interface VacationReplyTable {
  account_id: number;
  sender: string; // lower-case address
  sent_at: number;
}

/** A JMAP EmailSubmission (core/submission.ts, RFC 8621 §7). */
export interface EmailSubmissionTable {
  account_id: number;
  id: string;
  identity_id: string;
  email_id: string;
  thread_id: string;
  envelope: string; // JSON {mailFrom, rcptTo}
  blob_hash: string; // the message as sent, referenced while pending
  send_at: number;
  undo_status: string; // pending | final | canceled
  delivery_status: string | null; // JSON per recipient
  on_success: string | null; // JSON: Email/set to apply once sent
  queue_id: number | null;
  created_at: number;
}

/** A key of the server's own, made once (jmap/vapid.ts: `vapid`, the push signing key). */
export interface ServerKeyTable {
  name: string;
  private_key: string; // PEM (PKCS #8)
  created_at: number;
}

/** A JMAP PushSubscription (RFC 8620 §7.2). */
export interface PushSubscriptionTable {
  account_id: number;
  id: string;
  device_client_id: string;
  url: string;
  keys: string | null; // JSON {p256dh, auth}
  verification_code: string;
  verified: number;
  expires: number | null;
  types: string | null; // JSON string[] or null for all
  created_at: number;
}

/** A key for scripts on the admin API (core/apikeys.ts); acts with its account's roles. */
export interface ApiKeyTable {
  account_id: number;
  id: string; // public id: the first 16 hex digits of the secret's hash
  secret_hash: string; // SHA-256 hex of the secret part of the key
  label: string;
  created_at: number;
  expires_at: number | null; // null: until revoked
  last_used_at: number | null;
}

/** A one-time link to choose a first password (core/welcome.ts); one per account. */
export interface WelcomeTokenTable {
  account_id: number;
  token_hash: string; // SHA-256 hex of the token's secret part
  sent_to: string; // the personal address the link was mailed to
  created_at: number;
  expires_at: number;
}

/** A blob uploaded over JMAP (core/uploads.ts); holds one reference in `blobs`. */
export interface UploadTable {
  account_id: number;
  hash: string; // = blobs.hash
  size: number;
  type: string; // the Content-Type it was uploaded with
  created_at: number;
}

/** A mailbox shared by its owner (core/acl.ts, RFC 4314). */
export interface AclGrantTable {
  account_id: number; // the owner
  mailbox_id: string;
  grantee: string; // account id in decimal, or 'anyone'
  rights: string; // RFC 4314 letters from lrswipkxtea, in that order
  granted_at: number;
}

/** Failed sign-ins of one account and its lock (core/lockout.ts). */
export interface SigninLockoutTable {
  account_id: number;
  failures: number; // since the last success, lock or quiet day
  level: number; // lockouts so far: the next lasts base × 2^level
  locked_until: number; // ms; 0 = not locked
  last_failure_at: number;
}

export interface TotpTable {
  account_id: number;
  secret: string; // base32 (RFC 4648 §6)
  enabled: number; // 0 while enrolment awaits its first code
  last_step: number; // highest time step accepted (replay protection)
  created_at: number;
}

export interface RecoveryCodeTable {
  account_id: number;
  code_hash: string; // SHA-256 hex of the normalised code
  used_at: number | null;
}

export interface AppPasswordTable {
  account_id: number;
  id: string;
  label: string;
  hash: string; // Argon2id PHC string
  created_at: number;
  last_used_at: number | null;
}

export interface SessionTable {
  account_id: number;
  id_hash: string; // SHA-256 hex of the token's secret part
  created_at: number;
  last_seen_at: number;
  ip: string | null;
  user_agent: string | null;
}

export type Domain = Selectable<DomainTable>;
export type Account = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
export type AccountUpdate = Updateable<AccountTable>;
export type Alias = Selectable<AliasTable>;
export type Mailbox = Selectable<MailboxTable>;
export type Email = Selectable<EmailTable>;
export type QueueMessage = Selectable<QueueMessageTable>;
export type QueueRecipient = Selectable<QueueRecipientTable>;
export type DeliveryLogEntry = Selectable<DeliveryLogTable>;
export type Unit = Selectable<UnitTable>;
export type RoleGrant = Selectable<RoleGrantTable>;
export type AuditEntry = Selectable<AuditLogTable>;

/** The database or a transaction on it: what a function that only runs queries takes. */
export type Db = Kysely<Database> | Transaction<Database>;
