// The admin API over HTTP: /api/admin/openapi.json (public, generated from src/api/), every
// route of src/api/routes.ts behind sign-in (the console's session cookie, HTTP Basic, or an
// API key as a Bearer token), and the public /api/welcome routes. This file matches the route,
// signs in, reads and validates the input, calls the handler, and answers; the handlers live
// beside it, one file per area (users, units and roles, imports, operations).
// Invariants: a path not in ROUTES is not served (so the OpenAPI document lists every route);
// every write goes through performAdmin (the role check plus an audit row, the same as the
// CLI); every listing is cut to the actor's reach; refusals are 403 problem+json (and audited
// by authorize); invalid input is 400 with `errors: [{field, code, params, message}]`; every
// problem answered carries a `code` and its `params` (util/problems.ts) beside the English
// `detail`, which the console translates.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openApiDocument } from '../../api/openapi.ts';
import { ROUTES, type RouteSpec } from '../../api/routes.ts';
import type { Core } from '../../core/core.ts';
import { PASSWORD_CHANGE_REQUIRED, refuse, type HttpAuth } from '../auth.ts';
import { problem } from '../../util/problems.ts';
import { BadRequest, answerInputError, fieldError, parse, readJson } from '../input.ts';
import { readBody, send, sendCoded, sendJson, sendProblem } from '../respond.ts';
import type { Ctx, Handler, Reply } from './context.ts';
import { importHandlers } from './imports.ts';
import { opsHandlers } from './ops.ts';
import { unitHandlers } from './units.ts';
import { userHandlers } from './users.ts';

export const ADMIN_PREFIX = '/api/admin';
const WELCOME_PREFIX = '/api/welcome';
/** A CSV upload: 20,000 accounts of ~150 bytes fit with room to spare. */
const MAX_CSV = 16 * 1024 * 1024;

export const HANDLERS: Record<string, Handler> = {
  ...userHandlers,
  ...unitHandlers,
  ...importHandlers,
  ...opsHandlers,
};

export interface AdminRoutes {
  /** Handles the request if its path is the admin API's; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

/** A core UserError about one input, named after the API field it came from. */
function fieldOf(code: string): string | null {
  if (code === 'weak_password') return 'password';
  if (code === 'encoding') return '(body)';
  return null;
}

interface Compiled {
  spec: RouteSpec;
  pattern: RegExp;
  names: string[];
}

const COMPILED: Compiled[] = ROUTES.map((spec) => {
  const names: string[] = [];
  const source = spec.path
    .split(/(\{\w+\})/)
    .map((part) => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return '([^/]+)';
    })
    .join('');
  return { spec, pattern: new RegExp(`^${source}$`), names };
});

/** The route for a path and method; `allowed` lists the methods of a path that exists. */
function match(
  path: string,
  method: string,
): { route?: Compiled; params: Record<string, string>; allowed: string[] } {
  const allowed: string[] = [];
  for (const c of COMPILED) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    allowed.push(c.spec.method);
    if (c.spec.method === method)
      return {
        route: c,
        params: Object.fromEntries(c.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])),
        allowed,
      };
  }
  return { params: {}, allowed };
}

async function readCsv(req: IncomingMessage): Promise<Uint8Array> {
  const [type, ...params] = (req.headers['content-type'] ?? '').split(';');
  if (type!.trim().toLowerCase() !== 'text/csv')
    throw new BadRequest([fieldError('(body)', problem('csvContentType'))]);
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8')
    throw new BadRequest([fieldError('(body)', problem('fileCharset', { charset }))]);
  return readBody(req, MAX_CSV);
}

/** Whether the request carries a body at all (an empty POST may stand for {}). */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
  );
}

function answer(req: IncomingMessage, res: ServerResponse, r: Reply): void {
  if ('csv' in r)
    send(req, res, r.status, r.csv, 'text/csv; charset=utf-8', {
      'Content-Disposition': `attachment; filename="${r.filename}"`,
      'Cache-Control': 'no-store',
    });
  else if ('json' in r) sendJson(req, res, r.status, r.json, { 'Cache-Control': 'no-store' });
  else {
    res.statusCode = 204;
    res.end();
  }
}

export function adminRoutes(core: Core, auth: HttpAuth): AdminRoutes {
  return {
    async handle(req, res, url) {
      const path = url.pathname;
      const inAdmin = path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
      if (!inAdmin && path !== WELCOME_PREFIX && !path.startsWith(`${WELCOME_PREFIX}/`))
        return false;
      const method = req.method ?? 'GET';
      if (path === `${ADMIN_PREFIX}/openapi.json` && (method === 'GET' || method === 'HEAD')) {
        sendJson(req, res, 200, openApiDocument(), { 'Cache-Control': 'no-cache' });
        return true;
      }
      const { route, params, allowed } = match(path, method);
      if (!route) {
        if (allowed.length > 0)
          sendCoded(req, res, 405, problem('methodNotAllowed', { method, path }), {
            Allow: allowed.join(', '),
          });
        else sendCoded(req, res, 404, problem('routeNotFound', { method, path }));
        return true;
      }
      const spec = route.spec;
      let ctx: Ctx;
      const ip = req.socket.remoteAddress;
      if (spec.public) {
        if (auth.failures.blocked(ip ?? '')) {
          sendCoded(req, res, 429, problem('tooManyTries'));
          return true;
        }
        ctx = {
          core,
          auth,
          req,
          res,
          actor: { kind: 'account', accountId: 0, ip },
          account: null,
          via: null,
          params,
          query: {},
          body: undefined,
        };
      } else {
        const r = await auth.check(req);
        if ('error' in r) {
          refuse(req, res, r.error);
          return true;
        }
        const account = r.account;
        if (r.via === 'session' && account.must_change_password) {
          const p = problem('passwordChangeRequired');
          sendProblem(req, res, 403, PASSWORD_CHANGE_REQUIRED, p.message, {
            code: p.code,
            params: p.params,
          });
          return true;
        }
        ctx = {
          core,
          auth,
          req,
          res,
          actor: { kind: 'account', accountId: account.id, ip },
          account,
          via: r.via,
          params,
          query: {},
          body: undefined,
        };
      }
      try {
        if (spec.query) {
          const raw: Record<string, string> = {};
          for (const [k, v] of url.searchParams) if (!(k in raw)) raw[k] = v;
          ctx.query = parse(spec.query, raw) as Record<string, string | undefined>;
        }
        if (spec.body === 'csv') ctx.body = await readCsv(req);
        else if (spec.body) ctx.body = hasBody(req) ? await readJson(req) : {};
        const handler = HANDLERS[spec.id];
        if (!handler) throw new Error(`no handler for ${spec.id}`);
        answer(req, res, await handler(ctx));
      } catch (err) {
        if (!answerInputError(req, res, err, fieldOf)) throw err;
      }
      return true;
    },
  };
}
