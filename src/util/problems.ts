// Problems a person can fix, named by a stable code with their parameters, beside the English
// sentence: the one list of every code the admin API (and the bulk import's rows) can emit.
// The English is for the CLI and for API users; the web console translates by code
// (web/src/locales/{en,lo}/admin.json, `problem.<code>`, with the parameters as {{name}}), and
// test/web/problems.test.ts fails when a code of this list has no string in either language.
// Invariants: a code, once published, keeps its meaning and its parameters (add a new code
// rather than change one); parameters are strings or numbers, never a sentence in English
// (a translation cannot use it), except `detail` on the fallbacks of `problemOf` and on
// `rowNotCreated`, which carry a message from below (a database error) as it is.
// No imports: the API's schemas (src/api) and through them the web app read this file too.

export type ProblemValue = string | number;

export interface ProblemDef<K extends string> {
  /** The parameters, by name, as {{name}} in the translations. */
  readonly params: readonly K[];
  /** The English sentence. */
  readonly en: (p: Readonly<Record<K, ProblemValue>>) => string;
}

const def = <const K extends string = never>(
  params: readonly K[],
  en: (p: Readonly<Record<K, ProblemValue>>) => string,
): ProblemDef<K> => ({ params, en });

// The import's columns, as core/userimport.ts REQUIRED_COLUMNS and OPTIONAL_COLUMNS list them.
const REQUIRED_COLUMNS = 'email,name,unit';
const OPTIONAL_COLUMNS = 'quota,password,aliases,personal_email';
const columnsText = `the header row must name the columns ${REQUIRED_COLUMNS} (optional: ${OPTIONAL_COLUMNS})`;

export const PROBLEMS = {
  // ---- Rows of a bulk import (core/userimport.ts) ----
  badEmail: def(['address'], (p) => `bad email address "${p.address}"`),
  badAlias: def(['address'], (p) => `bad alias "${p.address}"`),
  badPersonalEmail: def(['address'], (p) => `bad personal_email "${p.address}"`),
  domainNotServed: def(['domain'], (p) => `domain ${p.domain} is not served here`),
  duplicateAddress: def(
    ['address', 'line'],
    (p) => `duplicate address ${p.address} (also on line ${p.line})`,
  ),
  nameEmpty: def([], () => 'name is empty'),
  unitEmpty: def([], () => 'unit is empty'),
  unknownUnit: def(['unit'], (p) => `unknown unit ${p.unit}`),
  personalEmailSame: def(
    [],
    () => 'personal_email must be another address than the account being created',
  ),
  passwordAndPersonalEmail: def([], () => 'give either a password or a personal_email, not both'),
  addressInUseByAccount: def(
    ['address', 'unit'],
    (p) => `address ${p.address} is already in use (an account in unit ${p.unit})`,
  ),
  addressInUseByAlias: def(['address'], (p) => `address ${p.address} is already in use (an alias)`),
  unitOutsideReach: def(['unit'], (p) => `unit ${p.unit} is outside your reach`),
  rowNotCreated: def(['detail'], (p) => `not created: ${p.detail}`),

  // ---- Passwords (core/passwords.ts checkPasswordPolicy, core/accounts.ts) ----
  passwordTooShort: def(['min'], (p) => `password must be at least ${p.min} characters long`),
  passwordTooLong: def(['max'], (p) => `password is too long (at most ${p.max} characters)`),
  passwordCommon: def([], () => 'password is one of the most common passwords; choose another'),
  passwordHasUserName: def([], () => 'password must not contain the user name'),
  passwordWrong: def([], () => 'the current password is not right'),
  passwordSame: def([], () => 'the new password must differ from the current one'),

  // ---- CSV files (util/csv.ts, core/userimport.ts, the units CSV) ----
  fileEmpty: def([], () => 'the file is empty (expected a header row: email,name,unit)'),
  fileUtf16: def(['what'], (p) => `${p.what} is UTF-16; save it as "CSV UTF-8" and try again`),
  fileNotUtf8: def(
    ['what', 'line'],
    (p) =>
      `${p.what} is not UTF-8 text (line ${p.line} holds bytes that are not UTF-8, e.g. Latin-1 or Windows-1252); save it as "CSV UTF-8" and try again`,
  ),
  fileCharset: def(
    ['charset'],
    (p) => `the file is ${p.charset}; save it as "CSV UTF-8" and upload it again`,
  ),
  csvQuoteNeverEnds: def(['line'], (p) => `line ${p.line}: a quoted field never ends`),
  csvTextAfterQuote: def(
    ['line'],
    (p) =>
      `line ${p.line}: unexpected text after a closing quote (write "" for a quote inside a quoted field)`,
  ),
  csvQuoteInField: def(
    ['line'],
    (p) =>
      `line ${p.line}: a quote inside an unquoted field (quote the whole field and write "" for each quote)`,
  ),
  csvColumnsMissing: def(
    ['line', 'missing'],
    (p) => `line ${p.line}: ${columnsText}; missing: ${p.missing}`,
  ),
  csvColumnsUnknown: def(
    ['line', 'unknown'],
    (p) => `line ${p.line}: ${columnsText}; unknown: ${p.unknown}`,
  ),
  csvColumnsWrong: def(
    ['line', 'missing', 'unknown'],
    (p) => `line ${p.line}: ${columnsText}; missing: ${p.missing}; unknown: ${p.unknown}`,
  ),
  csvColumnTwice: def(
    ['line', 'column'],
    (p) => `line ${p.line}: column ${p.column} appears twice`,
  ),
  unitsFileEmpty: def([], () => 'the file names no unit'),

  // ---- Units (core/units.ts) ----
  unitPathInvalid: def(
    ['path'],
    (p) =>
      `"${p.path}" is not a unit path: use segments of a-z, 0-9, '.', '_' or '-', like /ministry/provinces/vientiane`,
  ),
  unitPathTooDeep: def(['path'], (p) => `"${p.path}" is deeper than 16 levels`),
  unitPathInvalidOnLine: def(
    ['line', 'path'],
    (p) =>
      `line ${p.line}: "${p.path}" is not a unit path: use segments of a-z, 0-9, '.', '_' or '-', like /ministry/provinces/vientiane`,
  ),
  unitPathTooDeepOnLine: def(
    ['line', 'path'],
    (p) => `line ${p.line}: "${p.path}" is deeper than 16 levels`,
  ),
  unitNotFound: def(['unit'], (p) => `no unit ${p.unit}`),
  unitRootExists: def([], () => 'the root unit / always exists'),
  unitExists: def(['unit'], (p) => `unit ${p.unit} already exists`),
  unitParentMissing: def(
    ['parent'],
    (p) => `the parent unit ${p.parent} does not exist; add it first`,
  ),
  unitRootCannotMove: def([], () => 'the root unit cannot move'),
  unitIntoItself: def(['unit'], (p) => `cannot move ${p.unit} into itself or its own subtree`),
  unitRootCannotBeRemoved: def([], () => 'the root unit cannot be removed'),
  unitHasUnits: def(
    ['unit', 'n'],
    (p) => `unit ${p.unit} still has ${p.n} unit(s) below it; remove or move them first`,
  ),
  unitHasAccounts: def(
    ['unit', 'n'],
    (p) => `unit ${p.unit} still has ${p.n} account(s); move them first`,
  ),
  unitHasGrants: def(
    ['unit', 'n'],
    (p) => `unit ${p.unit} still has ${p.n} role grant(s); revoke them first`,
  ),

  // ---- Accounts and aliases (core/accounts.ts, core/aliases.ts, http/admin/users.ts) ----
  addressInvalid: def(['address'], (p) => `"${p.address}" is not a valid mail address`),
  addressInUse: def(['address'], (p) => `address ${p.address} is already in use`),
  accountNotFound: def(['email'], (p) => `no account ${p.email}`),
  quotaInvalid: def(['quota'], (p) => `quota "${p.quota}" is not a size (examples: 0, 500M, 2G)`),
  quotaNegative: def([], () => 'quota must be 0 or more bytes'),
  aliasNotFound: def(['alias'], (p) => `no alias ${p.alias}`),
  aliasNotOfAccount: def(['email', 'alias'], (p) => `${p.email} has no alias ${p.alias}`),
  cannotRemoveSelf: def([], () => 'you cannot remove your own account'),
  welcomeSameAddress: def([], () => 'sendTo must be the person’s own, other address'),
  welcomeLinkInvalid: def([], () => 'this link is not valid (used, expired or mistyped)'),

  // ---- Roles and refusals (core/roles.ts) ----
  notARole: def(['role', 'roles'], (p) => `"${p.role}" is not a role (one of: ${p.roles})`),
  globalAdminOnRoot: def([], () => 'global_admin is granted on the root unit / only'),
  grantExists: def(
    ['email', 'role', 'unit'],
    (p) => `${p.email} already has ${p.role} on ${p.unit}`,
  ),
  grantNotFound: def(
    ['email', 'role', 'unit'],
    (p) => `${p.email} has no ${p.role} grant on ${p.unit}`,
  ),
  notAllowed: def(['action'], (p) => `not allowed to ${p.action}`),
  onlyGlobalAdminGrants: def(
    ['role'],
    (p) => `only a global administrator may grant or revoke ${p.role}`,
  ),
  accountOutsideUnits: def(
    ['action'],
    (p) => `not allowed to ${p.action} on an account outside your units`,
  ),
  needsGlobalAdmin: def(['action'], (p) => `${p.action} needs a global administrator`),
  unitOutsideUnits: def(['unit', 'reach'], (p) => `${p.unit} is outside your units (${p.reach})`),
  unitsOutsideUnits: def(
    ['units', 'reach'],
    (p) => `${p.units} are outside your units (${p.reach})`,
  ),

  // ---- Bulk import jobs (core/importjobs.ts) ----
  importNotFound: def(['id'], (p) => `no import ${p.id} (imports are kept for an hour)`),
  importRunning: def([], () => 'the import is still running'),
  importApplied: def(['id', 'state'], (p) => `import ${p.id} was applied already (${p.state})`),
  importAnotherRunning: def([], () => 'another of your imports is running; wait for it to end'),
  importNotFinished: def(['id', 'state'], (p) => `import ${p.id} has not finished (${p.state})`),

  // ---- Domains, queue, API keys (core/domains.ts, core/outbound.ts, core/apikeys.ts) ----
  domainNotFound: def(['domain'], (p) => `no domain ${p.domain}`),
  queueNotWaiting: def(['id'], (p) => `no waiting message with queue id ${p.id}`),
  queueNotFound: def(['id'], (p) => `no message with queue id ${p.id}`),
  apiKeyLabelMissing: def([], () => 'give the key a label (what the script is for)'),
  apiKeyExpiryPast: def([], () => 'the expiry must lie in the future'),
  apiKeysLimit: def(['max'], (p) => `at most ${p.max} API keys per account; revoke one first`),
  apiKeyNotFound: def(['id'], (p) => `you have no API key ${p.id}`),
  apiKeysNeedRole: def([], () => 'API keys are for accounts holding an administrative role'),
  apiKeyCannotMakeKeys: def(
    [],
    () => 'an API key cannot make API keys; sign in with your password',
  ),

  // ---- The request itself (http/input.ts, http/admin/index.ts, http/auth.ts) ----
  invalidFields: def([], () => 'some fields are not valid'),
  fieldRequired: def([], () => 'required'),
  fieldWrongType: def(['expected'], (p) => `expected ${p.expected}`),
  fieldTooShort: def(['min'], (p) => `at least ${p.min} characters`),
  fieldTooLong: def(['max'], (p) => `at most ${p.max} characters`),
  fieldTooSmall: def(['min'], (p) => `${p.min} or more`),
  fieldTooLarge: def(['max'], (p) => `${p.max} or less`),
  fieldNotOneOf: def(['values'], (p) => `one of: ${p.values}`),
  fieldUnknown: def(['keys'], (p) => `unknown field(s): ${p.keys}`),
  fieldNotAddress: def([], () => 'not a mail address'),
  fieldNotWholeNumber: def([], () => 'a whole number'),
  fieldNotTime: def([], () => 'ms since the epoch or ISO 8601'),
  fieldInvalid: def([], () => 'not valid'),
  updateNothing: def([], () => 'give at least one of name, quota, disabled'),
  queueIdInvalid: def([], () => 'a queue id is a whole number'),
  csvContentType: def([], () => 'send the file as text/csv (UTF-8)'),
  jsonContentType: def([], () => 'send application/json'),
  jsonInvalid: def([], () => 'not valid JSON'),
  bodyTooLarge: def(['limit'], (p) => `request body over ${p.limit} bytes`),
  routeNotFound: def(['method', 'path'], (p) => `no ${p.method} ${p.path} in the admin API`),
  methodNotAllowed: def(['method', 'path'], (p) => `${p.method} is not allowed on ${p.path}`),
  tooManyTries: def([], () => 'too many tries from your address; wait a while'),
  signInBlocked: def([], () => 'too many failed sign-ins from your address; try again later'),
  foreignOrigin: def([], () => 'request from another site refused'),
  signInRequired: def([], () => 'sign in with your address and password'),
  sessionEnded: def([], () => 'your session has ended; sign in again'),
  apiKeyInvalid: def([], () => 'the API key is not valid (revoked, expired or mistyped)'),
  passwordChangeRequired: def([], () => 'choose a new password first'),
  badPercentEncoding: def([], () => 'malformed percent-encoding'),
  internal: def([], () => 'internal error'),

  // ---- Fallbacks: a UserError raised without a problem (see problemOf), by its kind ----
  invalid: def(['detail'], (p) => `${p.detail}`),
  notFound: def(['detail'], (p) => `${p.detail}`),
  exists: def(['detail'], (p) => `${p.detail}`),
  inUse: def(['detail'], (p) => `${p.detail}`),
  forbidden: def(['detail'], (p) => `${p.detail}`),
  limit: def(['detail'], (p) => `${p.detail}`),
  encoding: def(['detail'], (p) => `${p.detail}`),
} as const;

export type ProblemCode = keyof typeof PROBLEMS;
export type ProblemParams<C extends ProblemCode> = Parameters<(typeof PROBLEMS)[C]['en']>[0];

/** Every code the server can emit, in the order above. */
export const PROBLEM_CODES = Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]];

/** One problem: its code, its parameters, and the English sentence. */
export interface Problem {
  code: ProblemCode;
  params: Record<string, ProblemValue>;
  message: string;
}

/** The problem `code` with its parameters, and its English sentence. */
export function problem<C extends ProblemCode>(
  code: C,
  ...[params]: Record<string, never> extends ProblemParams<C>
    ? [params?: ProblemParams<C>]
    : [params: ProblemParams<C>]
): Problem {
  const p = (params ?? {}) as Record<string, ProblemValue>;
  const en = PROBLEMS[code].en as (p: Record<string, ProblemValue>) => string;
  return { code, params: { ...p }, message: en(p) };
}

/**
 * The same problem with more English around it (a CLI hint, a prefix such as "forbidden: "):
 * what a translation needs stays in the code and parameters.
 */
export function withMessage(p: Problem, message: string): Problem {
  return { ...p, message };
}

/** The fallback code of a UserError kind that carries no problem of its own. */
const FALLBACK: Record<string, ProblemCode> = {
  invalid: 'invalid',
  not_found: 'notFound',
  exists: 'exists',
  in_use: 'inUse',
  forbidden: 'forbidden',
  limit: 'limit',
  encoding: 'encoding',
  weak_password: 'invalid',
};

/** A problem for an error of `kind` known only by its English message. */
export function fallbackProblem(kind: string, message: string): Problem {
  return { code: FALLBACK[kind] ?? 'invalid', params: { detail: message }, message };
}
