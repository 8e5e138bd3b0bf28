// Every route of the admin API (and the public welcome route), as data: method, path, who may
// call it, its query and body schemas, and its replies. The OpenAPI document is generated from
// this list (openapi.ts) and src/http/admin/ dispatches only what is listed here, so the
// document cannot miss a route. Invariant: no server imports (the web app imports this file).
import type { z } from 'zod';
import {
  AuditQueryParams,
  DashboardQuery,
  DnsQuery,
  ExportQuery,
  GrantListQuery,
  ImportPreviewQuery,
  QueueListQuery,
  TraceQueryParams,
  UnitListQuery,
  UnitPathQuery,
  UserListQuery,
  type SchemaName,
} from './schemas.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  /** The operationId, and the name of its handler. */
  id: string;
  method: Method;
  /** With {name} for path parameters (each one URL segment, percent-encoded). */
  path: string;
  summary: string;
  /** Who may call it (roles, as in docs/delegation.md). */
  who: string;
  query?: z.ZodObject;
  /** A JSON body of this schema, or a CSV text body. */
  body?: SchemaName | 'csv';
  ok: {
    status: 200 | 201 | 202 | 204;
    description: string;
    schema?: SchemaName;
    array?: boolean;
    csv?: boolean;
  };
  /** Replies besides 401 and 403 (and 400 when there is input). */
  errors?: Record<number, string>;
  /** No sign-in (the welcome routes). */
  public?: boolean;
}

const A = '/api/admin';
const ADMINS = 'global_admin, unit_admin (in their subtree)';
const READERS = 'global_admin, unit_admin, auditor (in their subtree)';
const HELP = 'global_admin, unit_admin, helpdesk (in their subtree)';
const USER_READERS = 'global_admin, unit_admin, helpdesk, auditor (in their subtree)';
const GLOBAL = 'global_admin';
const NO_ACCOUNT = { 404: 'No such account' };

export const ROUTES: RouteSpec[] = [
  {
    id: 'me',
    method: 'GET',
    path: `${A}/me`,
    summary: 'Who you are, your roles, and where you may do each action',
    who: 'any signed-in account (an account without roles gets empty reaches)',
    ok: { status: 200, schema: 'AdminMe', description: 'You' },
  },
  {
    id: 'dashboard',
    method: 'GET',
    path: `${A}/dashboard`,
    summary: 'Accounts, storage, queue, mail today, failed sign-ins (within reach)',
    who: USER_READERS,
    query: DashboardQuery,
    ok: { status: 200, schema: 'Dashboard', description: 'The figures' },
  },
  // Units
  {
    id: 'listUnits',
    method: 'GET',
    path: `${A}/units`,
    summary: 'List the units within reach, in tree order',
    who: READERS,
    query: UnitListQuery,
    ok: { status: 200, schema: 'UnitPage', description: 'A page of units' },
  },
  {
    id: 'createUnit',
    method: 'POST',
    path: `${A}/units`,
    summary: 'Create a unit (its parent must exist)',
    who: ADMINS,
    body: 'NewUnit',
    ok: { status: 201, schema: 'Unit', description: 'Created' },
    errors: { 404: 'The parent unit does not exist', 409: 'The unit exists already' },
  },
  {
    id: 'moveUnit',
    method: 'POST',
    path: `${A}/units/move`,
    summary: 'Move a unit with its subtree, accounts and grants under another parent',
    who: `${ADMINS}; both the unit and the new parent must be within reach`,
    body: 'UnitMove',
    ok: { status: 200, schema: 'Unit', description: 'The unit at its new path' },
    errors: { 404: 'No such unit', 409: 'A unit of that path exists already' },
  },
  {
    id: 'removeUnit',
    method: 'DELETE',
    path: `${A}/units`,
    summary: 'Remove an empty unit (no child units, accounts or grants)',
    who: ADMINS,
    query: UnitPathQuery,
    ok: { status: 204, description: 'Removed' },
    errors: { 404: 'No such unit', 409: 'The unit is not empty' },
  },
  {
    id: 'importUnits',
    method: 'POST',
    path: `${A}/units/import`,
    summary: 'Create units from a CSV of unit paths (path[,name]); missing parents are created',
    who: `${ADMINS}; every path must be within reach`,
    body: 'csv',
    ok: { status: 200, schema: 'UnitImportResult', description: 'What was created' },
    errors: { 415: 'Not text/csv' },
  },
  // Users
  {
    id: 'listUsers',
    method: 'GET',
    path: `${A}/users`,
    summary: 'List the accounts within reach, by address, with search and paging',
    who: USER_READERS,
    query: UserListQuery,
    ok: { status: 200, schema: 'UserPage', description: 'A page of accounts' },
  },
  {
    id: 'createUser',
    method: 'POST',
    path: `${A}/users`,
    summary: 'Create an account',
    who: ADMINS,
    body: 'NewUser',
    ok: { status: 201, schema: 'CreatedUser', description: 'Created' },
    errors: { 404: 'The unit or the domain does not exist', 409: 'The address is in use' },
  },
  {
    id: 'getUser',
    method: 'GET',
    path: `${A}/users/{email}`,
    summary: 'One account with its aliases, roles and sign-in state',
    who: USER_READERS,
    ok: { status: 200, schema: 'UserDetail', description: 'The account' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'updateUser',
    method: 'PATCH',
    path: `${A}/users/{email}`,
    summary: 'Change the name, quota or disabled state of an account',
    who: ADMINS,
    body: 'UserUpdate',
    ok: { status: 200, schema: 'User', description: 'The account as it is now' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'removeUser',
    method: 'DELETE',
    path: `${A}/users/{email}`,
    summary: 'Remove an account with all its mail, aliases and grants',
    who: ADMINS,
    ok: { status: 204, description: 'Removed' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'moveUser',
    method: 'POST',
    path: `${A}/users/{email}/move`,
    summary: 'Move an account to another unit (its address and mail stay)',
    who: `${ADMINS}; the account and the destination must be within reach`,
    body: 'UserMove',
    ok: { status: 200, schema: 'User', description: 'The account in its new unit' },
    errors: { 404: 'No such account or unit' },
  },
  {
    id: 'resetPassword',
    method: 'POST',
    path: `${A}/users/{email}/password`,
    summary: "Reset an account's password (given, or generated and returned once)",
    who: HELP,
    body: 'PasswordReset',
    ok: { status: 200, schema: 'CreatedUser', description: 'The password was changed' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'signInState',
    method: 'GET',
    path: `${A}/users/{email}/signin`,
    summary: 'Sign-in state: locked out, two-step sign-in, app passwords, welcome link',
    who: USER_READERS,
    ok: { status: 200, schema: 'SignInState', description: 'The state' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'unlockUser',
    method: 'POST',
    path: `${A}/users/{email}/unlock`,
    summary: 'End a lockout after failed sign-ins (and forget the failures)',
    who: HELP,
    ok: { status: 200, schema: 'SignInState', description: 'The state after unlocking' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'resetTotp',
    method: 'DELETE',
    path: `${A}/users/{email}/totp`,
    summary: 'Turn two-step sign-in off (a lost phone); recovery codes go too',
    who: HELP,
    ok: { status: 200, schema: 'SignInState', description: 'The state after the reset' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'sendWelcome',
    method: 'POST',
    path: `${A}/users/{email}/welcome`,
    summary: 'Mail the person a one-time link to choose a password (replaces an earlier link)',
    who: HELP,
    body: 'WelcomeSend',
    ok: { status: 202, schema: 'WelcomeSent', description: 'The mail is queued' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'listAliases',
    method: 'GET',
    path: `${A}/users/{email}/aliases`,
    summary: "An account's aliases",
    who: USER_READERS,
    ok: { status: 200, schema: 'Alias', array: true, description: 'The aliases' },
    errors: NO_ACCOUNT,
  },
  {
    id: 'addAlias',
    method: 'POST',
    path: `${A}/users/{email}/aliases`,
    summary: 'Add an alias to an account',
    who: ADMINS,
    body: 'NewAlias',
    ok: { status: 201, schema: 'Alias', description: 'Added' },
    errors: { 404: 'No such account, or the domain is not served', 409: 'The address is in use' },
  },
  {
    id: 'removeAlias',
    method: 'DELETE',
    path: `${A}/users/{email}/aliases/{address}`,
    summary: 'Remove an alias of an account',
    who: ADMINS,
    ok: { status: 204, description: 'Removed' },
    errors: { 404: 'No such alias of this account' },
  },
  {
    id: 'exportUsers',
    method: 'GET',
    path: `${A}/export/users`,
    summary: 'Accounts within reach as CSV in the import format (no passwords)',
    who: USER_READERS,
    query: ExportQuery,
    ok: { status: 200, csv: true, description: 'email,name,unit,quota,aliases' },
  },
  // Roles
  {
    id: 'listGrants',
    method: 'GET',
    path: `${A}/roles`,
    summary: 'Role grants on units within reach',
    who: READERS,
    query: GrantListQuery,
    ok: { status: 200, schema: 'GrantPage', description: 'A page of grants' },
  },
  {
    id: 'grantRole',
    method: 'POST',
    path: `${A}/roles`,
    summary: 'Grant a role on a unit',
    who: 'global_admin; unit_admin may grant unit_admin, helpdesk, auditor within their subtree to accounts within it',
    body: 'NewGrant',
    ok: { status: 201, schema: 'Grant', description: 'Granted' },
    errors: { 404: 'No such account or unit', 409: 'The grant exists already' },
  },
  {
    id: 'revokeRole',
    method: 'POST',
    path: `${A}/roles/revoke`,
    summary: 'Revoke a role grant',
    who: 'as for granting',
    body: 'NewGrant',
    ok: { status: 204, description: 'Revoked' },
    errors: { 404: 'No such grant' },
  },
  // Bulk import
  {
    id: 'previewImport',
    method: 'POST',
    path: `${A}/imports`,
    summary:
      'Upload a CSV (text/csv, UTF-8) and get a preview: every row checked, its problems by line; nothing is written',
    who: ADMINS,
    query: ImportPreviewQuery,
    body: 'csv',
    ok: { status: 201, schema: 'ImportJob', description: 'The preview (state "preview")' },
    errors: { 413: 'Larger than 16 MiB', 415: 'Not text/csv' },
  },
  {
    id: 'getImport',
    method: 'GET',
    path: `${A}/imports/{id}`,
    summary: 'An import with every row: its preview, and its outcome once it has ended',
    who: 'the account that uploaded it',
    ok: { status: 200, schema: 'ImportJob', description: 'The import' },
    errors: { 404: 'No such import (kept for an hour)' },
  },
  {
    id: 'getImportProgress',
    method: 'GET',
    path: `${A}/imports/{id}/progress`,
    summary:
      'An import without its rows: state, rows done of total, summary (poll this while it runs, then get the import once)',
    who: 'the account that uploaded it',
    ok: { status: 200, schema: 'ImportProgress', description: 'The progress' },
    errors: { 404: 'No such import (kept for an hour)' },
  },
  {
    id: 'applyImport',
    method: 'POST',
    path: `${A}/imports/{id}/apply`,
    summary: 'Apply a preview: rows are checked again and created in the background',
    who: 'the account that uploaded it (its roles as they are now)',
    body: 'ImportApply',
    ok: { status: 202, schema: 'ImportJob', description: 'Started (state "running")' },
    errors: { 404: 'No such import', 409: 'Applied already, or another import is running' },
  },
  {
    id: 'importResult',
    method: 'GET',
    path: `${A}/imports/{id}/result`,
    summary:
      'The outcome as CSV: line,email,status,password,welcome_to,errors (generated initial passwords included)',
    who: 'the account that uploaded it',
    ok: { status: 200, csv: true, description: 'The result file' },
    errors: { 404: 'No such import', 409: 'Not finished yet' },
  },
  {
    id: 'forgetImport',
    method: 'DELETE',
    path: `${A}/imports/{id}`,
    summary: 'Forget an import and its passwords now (otherwise after an hour)',
    who: 'the account that uploaded it',
    ok: { status: 204, description: 'Forgotten' },
    errors: { 404: 'No such import', 409: 'Still running' },
  },
  // Queue and trace
  {
    id: 'listQueue',
    method: 'GET',
    path: `${A}/queue`,
    summary: 'Outbound queue entries (one per recipient), oldest first',
    who: GLOBAL,
    query: QueueListQuery,
    ok: { status: 200, schema: 'QueuePage', description: 'A page of entries' },
  },
  {
    id: 'retryQueueAll',
    method: 'POST',
    path: `${A}/queue/retry`,
    summary: 'Make every waiting recipient due now',
    who: GLOBAL,
    ok: { status: 200, schema: 'QueueResult', description: 'Recipients made due' },
  },
  {
    id: 'retryQueued',
    method: 'POST',
    path: `${A}/queue/{id}/retry`,
    summary: "Make a queued message's waiting recipients due now",
    who: GLOBAL,
    ok: { status: 200, schema: 'QueueResult', description: 'Recipients made due' },
    errors: { 404: 'No waiting message with this id' },
  },
  {
    id: 'deleteQueued',
    method: 'DELETE',
    path: `${A}/queue/{id}`,
    summary: 'Drop a queued message without delivering or bouncing it (logged as rejected)',
    who: GLOBAL,
    ok: { status: 200, schema: 'QueueResult', description: 'Recipients that were waiting' },
    errors: { 404: 'No message with this id' },
  },
  {
    id: 'trace',
    method: 'GET',
    path: `${A}/trace`,
    summary: 'Message trace: delivery-log events by sender, recipient and time, newest first',
    who: 'global_admin, auditor (mail of accounts in their subtree)',
    query: TraceQueryParams,
    ok: { status: 200, schema: 'TracePage', description: 'A page of events' },
  },
  // Audit
  {
    id: 'audit',
    method: 'GET',
    path: `${A}/audit`,
    summary: 'The audit log within reach, newest first',
    who: 'global_admin, auditor (rows about their subtree)',
    query: AuditQueryParams,
    ok: { status: 200, schema: 'AuditPage', description: 'A page of rows' },
  },
  // Domains
  {
    id: 'listDomains',
    method: 'GET',
    path: `${A}/domains`,
    summary: 'The served domains',
    who: USER_READERS,
    ok: { status: 200, schema: 'DomainInfo', array: true, description: 'The domains' },
  },
  {
    id: 'domainDns',
    method: 'GET',
    path: `${A}/domains/{name}/dns`,
    summary: 'The DNS records a domain needs, optionally checked against the live DNS',
    who: GLOBAL,
    query: DnsQuery,
    ok: { status: 200, schema: 'DomainDns', description: 'The records' },
    errors: { 404: 'No such domain' },
  },
  // API keys
  {
    id: 'listApiKeys',
    method: 'GET',
    path: `${A}/apikeys`,
    summary: 'Your API keys',
    who: 'any account holding a role',
    ok: { status: 200, schema: 'ApiKey', array: true, description: 'The keys' },
  },
  {
    id: 'createApiKey',
    method: 'POST',
    path: `${A}/apikeys`,
    summary: 'Make an API key for yourself (shown once); it acts with your roles',
    who: 'any account holding a role, signed in with a password or session (not with a key)',
    body: 'NewApiKey',
    ok: { status: 201, schema: 'CreatedApiKey', description: 'The key, shown only now' },
  },
  {
    id: 'revokeApiKey',
    method: 'DELETE',
    path: `${A}/apikeys/{id}`,
    summary: 'Revoke one of your API keys',
    who: 'its owner',
    ok: { status: 204, description: 'Revoked' },
    errors: { 404: 'No such key of yours' },
  },
  // Welcome links (public)
  {
    id: 'welcomeInfo',
    method: 'POST',
    path: '/api/welcome/info',
    summary: 'Whose welcome link this is (for the page to greet the person)',
    who: 'anyone holding the link',
    public: true,
    body: 'WelcomeToken',
    ok: { status: 200, schema: 'WelcomeInfo', description: 'The account' },
    errors: { 404: 'The link is not valid (used, expired or mistyped)' },
  },
  {
    id: 'welcomeRedeem',
    method: 'POST',
    path: '/api/welcome',
    summary: 'Choose the first password through a welcome link (works once)',
    who: 'anyone holding the link',
    public: true,
    body: 'WelcomeRedeem',
    ok: { status: 204, description: 'The password is set; sign in with it' },
    errors: { 404: 'The link is not valid (used, expired or mistyped)', 429: 'Too many tries' },
  },
];
