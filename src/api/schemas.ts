// The admin API's request and response shapes: one zod schema each, with a description on
// every field. They validate requests in src/http/admin.ts, give the web app its types, and
// generate the OpenAPI document (openapi.ts), so the three never disagree.
// Invariants: no storage or core imports here (the web app imports this file; the problem
// codes come from util/problems.ts, which imports nothing); quotas are bytes; times are
// milliseconds since the Unix epoch; unit paths look like /a/b (root is /).
import { z } from 'zod';
import { PROBLEM_CODES, PROBLEMS } from '../util/problems.ts';

const unitPath = z
  .string()
  .min(1)
  .max(1000)
  .describe(
    "Path of an organisational unit, e.g. /ministry/provinces/vientiane (segments of a-z, 0-9, '.', '_', '-'); / is the root",
  );

const email = z
  .string()
  .max(320)
  .regex(/^[^@\s]+@[^@\s]+$/, { message: PROBLEMS.fieldNotAddress.en({}) })
  .describe('Mail address of the account (internationalised addresses allowed)');

export const Unit = z
  .object({
    path: unitPath,
    name: z.string().describe('Display name of the unit (Lao or English); may be empty'),
  })
  .describe('An organisational unit');
export type Unit = z.infer<typeof Unit>;

export const NewUnit = z
  .object({
    path: unitPath,
    name: z.string().max(200).optional().describe('Display name of the unit'),
  })
  .strict()
  .describe('A unit to create; its parent must exist');
export type NewUnit = z.infer<typeof NewUnit>;

const quota = z.number().int().min(0).describe('Mailbox quota in bytes; 0 means unlimited');

export const User = z
  .object({
    email,
    name: z.string().describe('Display name (Lao or English)'),
    unit: unitPath,
    quota,
    disabled: z.boolean().describe('A disabled account cannot sign in or receive mail'),
  })
  .describe('A user account');
export type User = z.infer<typeof User>;

export const NewUser = z
  .object({
    email,
    name: z.string().max(200).describe('Display name (Lao or English)'),
    unit: unitPath,
    quota: quota.optional(),
    password: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe(
        'Initial password; when absent one is generated, returned once, and must be changed at first sign-in',
      ),
  })
  .strict()
  .describe('An account to create');
export type NewUser = z.infer<typeof NewUser>;

export const CreatedUser = User.extend({
  password: z
    .string()
    .optional()
    .describe('The generated initial password, present only when none was given'),
}).describe('The account just created');
export type CreatedUser = z.infer<typeof CreatedUser>;

export const PasswordReset = z
  .object({
    password: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe(
        'The new password; when absent one is generated and returned once (and then `temporary` defaults to true)',
      ),
    temporary: z
      .boolean()
      .optional()
      .describe('When true the user must choose a new password at the next sign-in'),
  })
  .strict()
  .describe("An administrator's (or helpdesk's) password reset");
export type PasswordReset = z.infer<typeof PasswordReset>;

export const AuditEntry = z
  .object({
    id: z.number().int().describe('Row number, increasing'),
    at: z.number().int().describe('When, in milliseconds since the Unix epoch'),
    actor: z.string().describe("Who: an account's address, or cli:<os user>"),
    ip: z.string().nullable().describe('From which client address, when over the network'),
    action: z.string().describe('What, e.g. account.create'),
    target: z.string().describe('To what: an address, a unit path, a domain'),
    unit: z.string().nullable().describe('The unit the target lies in'),
    detail: z.record(z.string(), z.unknown()).describe('Details of the action, never a password'),
    outcome: z.enum(['ok', 'denied', 'error']).describe('How it ended'),
  })
  .describe('One row of the audit log');
export type AuditEntry = z.infer<typeof AuditEntry>;

export const ProblemCode = z
  .enum(PROBLEM_CODES)
  .describe(
    'A stable name of the problem; a code keeps its meaning and its params (x-params lists them by code)',
  );
export type ProblemCode = z.infer<typeof ProblemCode>;

const problemParams = z
  .record(z.string(), z.union([z.string(), z.number()]))
  .describe('The values the code names (an address, a unit, a line…), to word it in any language');

export const Problem = z
  .object({
    code: ProblemCode,
    params: problemParams,
    message: z.string().describe('The problem in English'),
  })
  .describe('A problem: a code with its parameters, and the English sentence');
export type Problem = z.infer<typeof Problem>;

export const FieldError = z
  .object({
    field: z.string().describe('The offending field, dotted for nested ones (e.g. quota)'),
    code: ProblemCode,
    params: problemParams,
    message: z.string().describe('What is wrong with it, in English'),
  })
  .describe('One invalid field of a request');
export type FieldError = z.infer<typeof FieldError>;

export const ErrorBody = z
  .object({
    type: z.string().describe('A URI naming the kind of problem (RFC 9457)'),
    status: z.number().int().describe('The HTTP status code'),
    detail: z.string().describe('What went wrong, for people (English)'),
    code: ProblemCode.describe(
      'What went wrong, as a stable code (invalidFields for 400s with errors)',
    ),
    params: problemParams,
    errors: z.array(FieldError).optional().describe('The invalid fields, for 400 replies'),
  })
  .describe(
    'A problem details object (RFC 9457), sent as application/problem+json; `code` and `params` are extension members (§3.2)',
  );
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---- Listings -------------------------------------------------------------------------------

/** A page of a listing: `items` from `offset`, at most `limit`, of `total` matching rows. */
function pageOf<T extends z.ZodType>(item: T, what: string) {
  return z
    .object({
      items: z.array(item).describe(`The ${what} of this page`),
      total: z.number().int().describe('How many match in all (within your reach)'),
      offset: z.number().int().describe('Index of the first item of this page'),
      limit: z.number().int().describe('Most items a page holds'),
    })
    .describe(`A page of ${what}`);
}

const time = z.number().int().describe('Milliseconds since the Unix epoch');

export const UnitInfo = Unit.extend({
  parentPath: z.string().nullable().describe('The parent unit; null for the root'),
  depth: z.number().int().describe('Levels below the root (the root is 0)'),
  accounts: z.number().int().describe('Accounts directly in this unit (not below it)'),
}).describe('A unit with its place in the tree');
export const UnitPage = pageOf(UnitInfo, 'units, in tree order');

export const UnitMove = z
  .object({
    path: unitPath.describe('The unit to move (with its subtree, accounts and role grants)'),
    parent: unitPath.describe('The new parent; the unit keeps its last path segment'),
  })
  .strict()
  .describe('A unit move');

export const UnitImportResult = z
  .object({
    created: z.array(z.string()).describe('Units created, parents first'),
    existing: z.array(z.string()).describe('Units of the file that existed already'),
  })
  .describe('The outcome of a CSV of unit paths');

export const UserPage = pageOf(User, 'accounts, by address');

export const Grant = z
  .object({
    email,
    role: z
      .enum(['global_admin', 'unit_admin', 'helpdesk', 'auditor'])
      .describe('global_admin (on / only), unit_admin, helpdesk or auditor'),
    unit: unitPath.describe('The grant reaches this unit and its whole subtree'),
    grantedBy: z.string().describe('Who granted it (audit actor name)'),
    grantedAt: time,
  })
  .describe('A role granted on a unit');
export const GrantPage = pageOf(Grant, 'role grants, by unit then address');

export const NewGrant = z
  .object({
    email,
    role: z.enum(['global_admin', 'unit_admin', 'helpdesk', 'auditor']),
    unit: unitPath,
  })
  .strict()
  .describe(
    'A role to grant or revoke. Unit administrators may grant unit_admin, helpdesk and auditor within their subtree, to accounts within it',
  );

export const SignInState = z
  .object({
    locked: z.boolean().describe('Locked out after repeated failed sign-ins'),
    lockedUntil: time.nullable().describe('When the lock ends (null when not locked)'),
    failures: z.number().int().describe('Failed sign-ins counted towards the next lock'),
    totp: z.boolean().describe('Two-step sign-in (TOTP) is on'),
    appPasswords: z.number().int().describe('App passwords the account holds'),
    mustChangePassword: z.boolean().describe('Must choose a new password at the next sign-in'),
    welcome: z
      .object({ sentTo: z.string(), expiresAt: time })
      .nullable()
      .describe('A welcome link waits to be used (no password chosen yet)'),
  })
  .describe("An account's sign-in state");

export const UserDetail = User.extend({
  createdAt: time,
  usedBytes: z.number().int().describe('Mail stored, in bytes'),
  aliases: z.array(z.string()).describe('Other addresses delivering to this account'),
  roles: z.array(Grant).describe('Roles the account holds'),
  signIn: SignInState,
}).describe('One account with its aliases, roles and sign-in state');

export const UserUpdate = z
  .object({
    name: z.string().max(200).optional().describe('New display name'),
    quota: quota.optional(),
    disabled: z.boolean().optional().describe('Disable (true) or enable (false) sign-in'),
  })
  .strict()
  .refine((u) => u.name !== undefined || u.quota !== undefined || u.disabled !== undefined, {
    message: PROBLEMS.updateNothing.en({}),
  })
  .describe('Changes to an account; absent fields stay as they are');

export const UserMove = z
  .object({ unit: unitPath.describe('The unit to move the account to (its mail stays)') })
  .strict()
  .describe('An account move');

export const Alias = z
  .object({ address: email.describe('The alias address'), createdAt: time })
  .describe('An alias of an account');
export const NewAlias = z.object({ address: email }).strict().describe('An alias to add');

export const WelcomeSend = z
  .object({
    sendTo: email.describe("The person's own (personal) address to mail the link to"),
    days: z.number().int().min(1).max(60).optional().describe('Days the link stays valid (7)'),
  })
  .strict()
  .describe('Mail a one-time link to choose a password (replaces any earlier link)');
export const WelcomeSent = z
  .object({ sentTo: z.string(), expiresAt: time })
  .describe('A welcome link was queued for delivery');

// ---- Bulk import -----------------------------------------------------------------------------

export const ImportRowResult = z
  .object({
    line: z.number().int().describe('Line of the CSV file (the header is line 1)'),
    email: z.string(),
    status: z
      .enum(['create', 'created', 'already', 'error'])
      .describe(
        'create: will be created (preview); created; already: the same account exists in the same unit; error: refused, see errors',
      ),
    errors: z.array(z.string()).describe('Why the row is refused, in English'),
    problems: z
      .array(Problem)
      .describe('Why the row is refused, as codes with parameters (the same, in the same order)'),
    welcomeTo: z.string().optional().describe('Where the welcome link goes (personal_email)'),
  })
  .describe('One row of an import');

export const ImportSummary = z
  .object({
    create: z.number().int(),
    created: z.number().int(),
    already: z.number().int(),
    error: z.number().int(),
  })
  .describe('Rows by status');

const importJobFields = {
  id: z.string().describe('The import, for apply, progress and result'),
  state: z
    .enum(['preview', 'running', 'done', 'failed'])
    .describe('preview: checked, nothing written; running; done; failed (see error)'),
  source: z.string().describe('File name given at upload'),
  createdAt: time,
  expiresAt: time.describe('When the server forgets the import and its passwords'),
  unknownUnits: z.enum(['create', 'refuse']),
  done: z.number().int().describe('Rows processed so far (of total)'),
  total: z.number().int().describe('Rows to create'),
  summary: ImportSummary,
  newUnits: z.array(z.string()).describe('Units the import creates'),
  error: z.string().nullable().describe('Why a failed import stopped'),
};

export const ImportProgress = z
  .object(importJobFields)
  .describe('A bulk import without its rows: what polling its progress needs');

export const ImportJob = z
  .object({
    ...importJobFields,
    rows: z.array(ImportRowResult).describe('Every row of the file, in order'),
  })
  .describe('A bulk import: its preview, progress and outcome');

export const ImportApply = z
  .object({
    welcomeDays: z
      .number()
      .int()
      .min(1)
      .max(60)
      .optional()
      .describe('Days the welcome links of rows with personal_email stay valid (7)'),
  })
  .strict()
  .describe('Options for applying a preview');

// ---- Queue, trace, dashboard, audit ------------------------------------------------------------

export const QueueEntry = z
  .object({
    queueId: z.number().int().describe('The queued message (retry and delete take it)'),
    sender: z.string().describe("Envelope sender ('' for a bounce)"),
    recipient: z.string(),
    status: z.string().describe('queued, delivered, bounced or failed'),
    attempts: z.number().int(),
    nextAttemptAt: time,
    lastError: z.string().nullable().describe("The last attempt's error"),
    size: z.number().int().describe('Message size in bytes'),
    createdAt: time,
  })
  .describe('One recipient of a queued message');
export const QueuePage = pageOf(QueueEntry, 'queue entries, oldest first');

export const QueueResult = z
  .object({ recipients: z.number().int().describe('Recipients affected') })
  .describe('What a queue action did');

export const TraceEvent = z
  .object({
    id: z.number().int(),
    at: time,
    queueId: z.number().int().nullable(),
    messageId: z.string().nullable().describe('The Message-ID header'),
    sender: z.string(),
    recipient: z.string(),
    event: z
      .string()
      .describe('accepted, delivered, deferred, bounced, rejected (removed or refused), relayed'),
    detail: z.string().describe("The reason, or the peer's reply"),
    remote: z.string().nullable().describe('Peer address or MX host'),
  })
  .describe('One event of the delivery log');
export const TracePage = pageOf(TraceEvent, 'delivery events, newest first');

const MailCounts = z
  .object({
    accepted: z.number().int(),
    delivered: z.number().int(),
    deferred: z.number().int(),
    bounced: z.number().int(),
    rejected: z.number().int(),
    relayed: z.number().int(),
  })
  .describe('Delivery-log events by kind');

export const Dashboard = z
  .object({
    since: time.describe('Start of "today"'),
    accounts: z
      .object({
        total: z.number().int(),
        disabled: z.number().int(),
        storageBytes: z.number().int().describe('Mail stored'),
        quotaBytes: z.number().int().describe('Sum of quotas (0 = unlimited ones)'),
      })
      .nullable()
      .describe('Accounts within reach; null when not yours to see'),
    units: z.number().int().nullable(),
    queue: z
      .object({
        waiting: z.number().int().describe('Recipients waiting'),
        retrying: z.number().int().describe('Of those, tried at least once'),
        oldestAt: time.nullable().describe('When the oldest queued message arrived'),
      })
      .nullable()
      .describe('The outbound queue (global administrators)'),
    mail: MailCounts.nullable().describe('Outbound mail since `since`'),
    failedSignIns: z.number().int().nullable().describe('Failed sign-ins since `since`'),
  })
  .describe('Figures for the console dashboard; null where you may not see them');

export const AuditPage = pageOf(AuditEntry, 'audit rows, newest first');

// ---- Domains, DNS ------------------------------------------------------------------------------

export const DomainInfo = z
  .object({
    name: z.string(),
    accounts: z.number().int(),
    disabled: z.boolean(),
    dkimSelector: z.string(),
    createdAt: time,
  })
  .describe('A served domain');

export const DnsRecord = z
  .object({
    name: z.string().describe('Fully qualified, with the trailing dot'),
    type: z.enum(['MX', 'TXT', 'CNAME', 'SRV', 'A', 'AAAA']),
    purpose: z.string(),
    value: z.string().describe('As in a zone file'),
    status: z
      .enum(['ok', 'missing', 'different', 'error'])
      .optional()
      .describe('With check=true: what the live DNS says'),
    found: z.array(z.string()).optional().describe('With check=true: the values found'),
  })
  .describe('A DNS record the domain needs');

export const DomainDns = z
  .object({
    domain: z.string(),
    checked: z.boolean().describe('Whether the records were looked up live'),
    records: z.array(DnsRecord),
  })
  .describe("A domain's DNS records, optionally checked");

// ---- API keys, who am I, welcome ---------------------------------------------------------------

export const ApiKey = z
  .object({
    id: z.string().describe('Public id, for revoking'),
    label: z.string(),
    createdAt: time,
    expiresAt: time.nullable().describe('null: until revoked'),
    lastUsedAt: time.nullable(),
  })
  .describe('An API key (the key itself is shown only once, at creation)');

export const NewApiKey = z
  .object({
    label: z.string().min(1).max(200).describe('What the key is for'),
    expiresAt: time.optional().describe('When the key stops working (default: never)'),
  })
  .strict()
  .describe('An API key to make for yourself');

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('Send as "Authorization: Bearer <key>"; shown only this once'),
}).describe('The API key just made');

export const AdminMe = z
  .object({
    email: z.string(),
    name: z.string(),
    unit: z.string(),
    via: z.enum(['session', 'basic', 'apikey']).describe('How this request signed in'),
    roles: z.array(Grant),
    reach: z
      .record(z.string(), z.union([z.literal('all'), z.array(z.string())]))
      .describe(
        'For each action (unit.read, account.create, …): "all", or the unit subtrees where you may do it ([] = nowhere)',
      ),
  })
  .describe('Who you are to the admin API and what you may do where (the console shows only that)');

export const WelcomeToken = z
  .object({ token: z.string().min(1).max(200).describe('The token from the link') })
  .strict()
  .describe('A welcome link token');
export const WelcomeInfo = z
  .object({ email: z.string(), name: z.string(), expiresAt: time })
  .describe('Whose link it is');
export const WelcomeRedeem = z
  .object({
    token: z.string().min(1).max(200).describe('The token from the link'),
    password: z.string().min(1).max(1024).describe('The password the person chose'),
  })
  .strict()
  .describe('Choose the first password through a welcome link');

// ---- Query parameters --------------------------------------------------------------------------

const digits = z.string().regex(/^\d{1,15}$/, { message: PROBLEMS.fieldNotWholeNumber.en({}) });
const pageQuery = {
  offset: digits.optional().describe('Skip this many (0)'),
  limit: digits.optional().describe('At most this many (100; at most 1000)'),
};
const timeQuery = (what: string) =>
  z
    .string()
    .regex(/^\d{1,15}$|^\d{4}-\d{2}-\d{2}/, { message: PROBLEMS.fieldNotTime.en({}) })
    .optional()
    .describe(`${what} (ms since the epoch, or ISO 8601)`);
const flag = z.enum(['true', 'false']);

export const UnitListQuery = z.object({
  q: z.string().max(200).optional().describe('A piece of the path or name'),
  ...pageQuery,
});
export const UserListQuery = z.object({
  unit: unitPath.optional().describe('Only accounts in this unit and below it'),
  q: z.string().max(200).optional().describe('A piece of the address or display name'),
  disabled: flag.optional().describe('Only disabled (true) or enabled (false) accounts'),
  ...pageQuery,
});
export const ExportQuery = z.object({
  unit: unitPath.optional().describe('Only accounts in this unit and below it'),
});
export const GrantListQuery = z.object({
  unit: unitPath.optional().describe('Only grants on this unit and below it'),
  email: z.string().max(320).optional().describe("Only this account's grants"),
  ...pageQuery,
});
export const ImportPreviewQuery = z.object({
  unknownUnits: z
    .enum(['create', 'refuse'])
    .optional()
    .describe('Units that do not exist: create them (default) or refuse their rows'),
  source: z.string().max(200).optional().describe('The file name, for the audit log'),
});
export const QueueListQuery = z.object({
  all: flag.optional().describe('Also delivered and bounced recipients still on record'),
  ...pageQuery,
});
export const TraceQueryParams = z.object({
  sender: z.string().max(320).optional().describe('An address, or a piece of one (no @)'),
  recipient: z.string().max(320).optional().describe('An address, or a piece of one (no @)'),
  event: z.enum(['accepted', 'delivered', 'deferred', 'bounced', 'rejected', 'relayed']).optional(),
  since: timeQuery('Events at or after'),
  until: timeQuery('Events before'),
  ...pageQuery,
});
export const AuditQueryParams = z.object({
  actor: z.string().max(320).optional().describe('Who (an address, or cli:<user>)'),
  action: z.string().max(100).optional().describe('This action; a prefix when it ends with . or *'),
  outcome: z.enum(['ok', 'denied', 'error']).optional(),
  unit: unitPath.optional().describe('Only rows about this unit and below it'),
  since: timeQuery('Rows at or after'),
  until: timeQuery('Rows before'),
  ...pageQuery,
});
export const DashboardQuery = z.object({
  since: timeQuery('Start of "today" (default: midnight UTC)'),
});
export const DnsQuery = z.object({
  check: flag.optional().describe('Look the records up in the live DNS'),
  ip: z
    .string()
    .max(400)
    .optional()
    .describe("The server's public addresses, comma-separated (adds A/AAAA)"),
});

/** Every named schema, as it appears under components.schemas of the OpenAPI document. */
export const SCHEMAS = {
  Unit,
  UnitInfo,
  UnitPage,
  NewUnit,
  UnitMove,
  UnitImportResult,
  User,
  UserPage,
  UserDetail,
  NewUser,
  CreatedUser,
  UserUpdate,
  UserMove,
  PasswordReset,
  SignInState,
  Alias,
  NewAlias,
  WelcomeSend,
  WelcomeSent,
  Grant,
  GrantPage,
  NewGrant,
  ImportJob,
  ImportProgress,
  ImportRowResult,
  ImportSummary,
  ImportApply,
  QueueEntry,
  QueuePage,
  QueueResult,
  TraceEvent,
  TracePage,
  Dashboard,
  AuditEntry,
  AuditPage,
  DomainInfo,
  DnsRecord,
  DomainDns,
  ApiKey,
  NewApiKey,
  CreatedApiKey,
  AdminMe,
  WelcomeToken,
  WelcomeInfo,
  WelcomeRedeem,
  Problem,
  ProblemCode,
  FieldError,
  Error: ErrorBody,
} as const;
export type SchemaName = keyof typeof SCHEMAS;

export const UnitPathQuery = z.object({ path: unitPath.describe('The unit') });

export type UnitInfo = z.infer<typeof UnitInfo>;
export type Grant = z.infer<typeof Grant>;
export type SignInState = z.infer<typeof SignInState>;
export type UserDetail = z.infer<typeof UserDetail>;
export type Alias = z.infer<typeof Alias>;
export type ImportJob = z.infer<typeof ImportJob>;
export type ImportProgress = z.infer<typeof ImportProgress>;
export type ImportRowResult = z.infer<typeof ImportRowResult>;
export type QueueEntry = z.infer<typeof QueueEntry>;
export type TraceEvent = z.infer<typeof TraceEvent>;
export type Dashboard = z.infer<typeof Dashboard>;
export type DomainInfo = z.infer<typeof DomainInfo>;
export type DomainDns = z.infer<typeof DomainDns>;
export type ApiKey = z.infer<typeof ApiKey>;
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
export type AdminMe = z.infer<typeof AdminMe>;
export type WelcomeInfo = z.infer<typeof WelcomeInfo>;
/** A page of a listing. */
export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}
