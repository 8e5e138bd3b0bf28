// The address book behind the web app's recipient autocomplete:
//   GET /api/directory?q=<text>   accounts of the signed-in user's domain whose address, name,
//                                 or a word of the name starts with <text>; at most 10.
// Only the signed-in user's own domain is searched, and disabled accounts are left out, so the
// route shows no more than a message's From line would.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql, type SqlBool } from 'kysely';
import type { Core } from '../core/core.ts';
import { signedIn, type HttpAuth } from './auth.ts';
import { sendJson, sendProblem } from './respond.ts';

export interface DirectoryEntry {
  name: string;
  email: string;
}

const LIMIT = 10;
const MAX_QUERY = 100;

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function directoryRoutes(core: Core, auth: HttpAuth) {
  return {
    async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      if (url.pathname !== '/api/directory') return false;
      if (req.method !== 'GET') {
        sendProblem(req, res, 405, 'about:blank', 'use GET', {}, { Allow: 'GET' });
        return true;
      }
      const account = await signedIn(auth, req, res);
      if (!account) return true;
      const q = (url.searchParams.get('q') ?? '').trim().toLowerCase();
      if (q.length > MAX_QUERY) {
        sendProblem(req, res, 400, 'about:blank', `q is longer than ${MAX_QUERY} characters`);
        return true;
      }
      if (q === '') {
        sendJson(req, res, 200, { entries: [] });
        return true;
      }
      const prefix = `${escapeLike(q)}%`;
      const word = `% ${escapeLike(q)}%`;
      const rows = await core.db
        .selectFrom('accounts')
        .select(['name', 'email'])
        .where('domain', '=', account.domain)
        .where('disabled', '=', 0)
        .where(
          sql<SqlBool>`(lower(email) like ${prefix} escape '\\' or lower(name) like ${prefix} escape '\\' or lower(name) like ${word} escape '\\')`,
        )
        .orderBy('name')
        .orderBy('email')
        .limit(LIMIT)
        .execute();
      const entries: DirectoryEntry[] = rows.map((r) => ({ name: r.name, email: r.email }));
      sendJson(req, res, 200, { entries }, { 'Cache-Control': 'private, max-age=60' });
      return true;
    },
  };
}
