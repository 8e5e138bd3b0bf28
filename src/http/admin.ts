// The admin API's HTTP side: /api/admin/openapi.json (public, generated from src/api/), and
// behind HTTP Basic, units, users, password resets and the audit log. Routes stay thin: they
// validate with the zod schemas of src/api/schemas.ts, then call core.
// Invariants: every write goes through performAdmin (the role check plus an audit row, the
// same as the CLI); every listing is cut to the actor's reach; refusals are 403 problem+json
// (and audited by authorize); invalid input is 400 with `errors: [{field, message}]`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEntry, CreatedUser, Unit, User } from '../api/schemas.ts';
import { NewUnit, NewUser, PasswordReset } from '../api/schemas.ts';
import { openApiDocument } from '../api/openapi.ts';
import { addUser, getAccount, listAccounts, setPassword } from '../core/accounts.ts';
import { listAudit, type Actor, type AuditRow } from '../core/audit.ts';
import type { Core } from '../core/core.ts';
import { generatePassword } from '../core/passwords.ts';
import { authorize, performAdmin, reach, type AdminAction } from '../core/roles.ts';
import { addUnit, isWithin, listUnits, mustGetUnit, normalizeUnitPath } from '../core/units.ts';
import { domainOf } from '../mail/address.ts';
import type { Account } from '../store/schema.ts';
import { UserError } from '../util/errors.ts';
import { signedIn, type HttpAuth } from './auth.ts';
import { BadRequest, answerInputError, parse, readJson } from './input.ts';
import { sendJson, sendProblem } from './respond.ts';

export const ADMIN_PREFIX = '/api/admin';
const PASSWORD_PATH = /^\/api\/admin\/users\/([^/]+)\/password$/;

export interface AdminRoutes {
  /** Handles the request if its path is under /api/admin; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

/** A core UserError about one input, named after the API field it came from. */
function fieldOf(code: string): string | null {
  if (code === 'weak_password') return 'password';
  return null;
}

function userOf(a: Account): User {
  return {
    email: a.email,
    name: a.name,
    unit: a.unit_path,
    quota: Number(a.quota_bytes),
    disabled: a.disabled === 1,
  };
}

function auditOf(r: AuditRow): AuditEntry {
  const { unitPath, ...rest } = r;
  return { ...rest, unit: unitPath };
}

/** Milliseconds since the epoch, from digits or an ISO 8601 time. */
function parseSince(text: string): number {
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t))
    throw new BadRequest([{ field: 'since', message: 'give ms since the epoch or ISO 8601' }]);
  return t;
}

/** The subtrees the actor may read with `action`; a refusal (audited) when there are none. */
async function readable(core: Core, actor: Actor, action: AdminAction): Promise<'all' | string[]> {
  const where = await reach(core, actor, action);
  if (where !== 'all' && where.length === 0) await authorize(core, actor, action);
  return where;
}

const inReach = (where: 'all' | string[], unit: string): boolean =>
  where === 'all' || where.some((root) => isWithin(unit, root));

export function adminRoutes(core: Core, auth: HttpAuth): AdminRoutes {
  const signIn = async (req: IncomingMessage, res: ServerResponse): Promise<Actor | null> => {
    const account = await signedIn(auth, req, res);
    return account && { kind: 'account', accountId: account.id, ip: req.socket.remoteAddress };
  };

  const listUnitsIn = async (actor: Actor): Promise<Unit[]> => {
    const where = await readable(core, actor, 'unit.read');
    return (await listUnits(core))
      .filter((u) => inReach(where, u.path))
      .map((u) => ({ path: u.path, name: u.name }));
  };

  const createUnit = async (actor: Actor, body: unknown): Promise<Unit> => {
    const u = parse(NewUnit, body);
    const path = normalizeUnitPath(u.path);
    const row = await performAdmin(core, actor, 'unit.create', { unitPath: path }, () =>
      addUnit(core, path, { name: u.name }),
    );
    return { path: row.path, name: row.name };
  };

  const listUsersIn = async (actor: Actor, unitText: string | null): Promise<User[]> => {
    const where = await readable(core, actor, 'account.read');
    let unit: string | undefined;
    if (unitText !== null) {
      unit = normalizeUnitPath(unitText);
      await authorize(core, actor, 'account.read', { unitPath: unit });
    }
    return (await listAccounts(core))
      .filter((a) => inReach(where, a.unit_path) && (!unit || isWithin(a.unit_path, unit)))
      .map(userOf);
  };

  const createUser = async (actor: Actor, body: unknown): Promise<CreatedUser> => {
    const u = parse(NewUser, body);
    const unitPath = normalizeUnitPath(u.unit);
    const generated = u.password === undefined ? generatePassword() : undefined;
    const target = { unitPath, label: u.email, domain: domainOf(u.email) };
    const a = await performAdmin(core, actor, 'account.create', target, async () => {
      await mustGetUnit(core, unitPath);
      return addUser(core, {
        email: u.email,
        name: u.name,
        unitPath,
        quotaBytes: u.quota,
        password: u.password ?? generated!,
        mustChangePassword: generated !== undefined,
      });
    });
    return generated ? { ...userOf(a), password: generated } : userOf(a);
  };

  const resetPassword = async (actor: Actor, email: string, body: unknown): Promise<User> => {
    const p = parse(PasswordReset, body);
    await performAdmin(core, actor, 'account.password.reset', { email }, () =>
      setPassword(core, email, p.password, { temporary: p.temporary }),
    );
    const a = await getAccount(core, email);
    if (!a) throw new UserError('not_found', `no account ${email}`);
    return userOf(a);
  };

  const readAudit = async (actor: Actor, params: URLSearchParams): Promise<AuditEntry[]> => {
    const where = await readable(core, actor, 'audit.read');
    const sinceText = params.get('since');
    const q = {
      since: sinceText === null ? undefined : parseSince(sinceText),
      action: params.get('action') ?? undefined,
    };
    const rows =
      where === 'all'
        ? await listAudit(core, q)
        : (await Promise.all(where.map((underUnit) => listAudit(core, { ...q, underUnit }))))
            .flat()
            .filter((r, i, all) => all.findIndex((o) => o.id === r.id) === i)
            .sort((a, b) => b.id - a.id);
    return rows.map(auditOf);
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    actor: Actor,
  ): Promise<boolean> => {
    const path = url.pathname;
    const m = req.method;
    if (path === `${ADMIN_PREFIX}/units` && m === 'GET')
      sendJson(req, res, 200, await listUnitsIn(actor));
    else if (path === `${ADMIN_PREFIX}/units` && m === 'POST')
      sendJson(req, res, 201, await createUnit(actor, await readJson(req)));
    else if (path === `${ADMIN_PREFIX}/users` && m === 'GET')
      sendJson(req, res, 200, await listUsersIn(actor, url.searchParams.get('unit')));
    else if (path === `${ADMIN_PREFIX}/users` && m === 'POST')
      sendJson(req, res, 201, await createUser(actor, await readJson(req)));
    else if (PASSWORD_PATH.test(path) && m === 'POST') {
      const email = decodeURIComponent(PASSWORD_PATH.exec(path)![1]!);
      sendJson(req, res, 200, await resetPassword(actor, email, await readJson(req)));
    } else if (path === `${ADMIN_PREFIX}/audit` && m === 'GET')
      sendJson(req, res, 200, await readAudit(actor, url.searchParams));
    else return false;
    return true;
  };

  return {
    async handle(req, res, url) {
      const path = url.pathname;
      if (path !== ADMIN_PREFIX && !path.startsWith(`${ADMIN_PREFIX}/`)) return false;
      if (
        path === `${ADMIN_PREFIX}/openapi.json` &&
        (req.method === 'GET' || req.method === 'HEAD')
      ) {
        sendJson(req, res, 200, openApiDocument(), { 'Cache-Control': 'no-cache' });
        return true;
      }
      const actor = await signIn(req, res);
      if (!actor) return true;
      try {
        if (!(await route(req, res, url, actor)))
          sendProblem(req, res, 404, 'about:blank', `no ${req.method} ${path} in the admin API`);
      } catch (err) {
        if (!answerInputError(req, res, err, fieldOf)) throw err;
      }
      return true;
    },
  };
}
