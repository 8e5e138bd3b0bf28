// /api/admin/imports…: bulk import as a preview, a background job (its progress without the
// rows at …/progress) and a result file (core/importjobs.ts), and the public /api/welcome routes where a person holding a welcome
// link chooses the first password (core/welcome.ts).
import { ImportApply, WelcomeRedeem, WelcomeToken } from '../../api/schemas.ts';
import { audit } from '../../core/audit.ts';
import {
  forgetImport,
  getImport,
  getImportProgress,
  importResultCsv,
  previewImport,
  startImport,
} from '../../core/importjobs.ts';
import { redeemWelcome, welcomeInfo } from '../../core/welcome.ts';
import { UserError } from '../../util/errors.ts';
import { problem } from '../../util/problems.ts';
import { parse } from '../input.ts';
import { json, noContent, readable, type Ctx, type Handler } from './context.ts';

/** A wrong welcome token counts as a failed sign-in of the address (the per-IP block). */
function wrongToken(c: Ctx): never {
  c.auth.failures.fail(c.req.socket.remoteAddress ?? '');
  throw new UserError('not_found', problem('welcomeLinkInvalid'));
}

export const importHandlers: Record<string, Handler> = {
  async previewImport(c) {
    await readable(c, 'account.create');
    const source = (c.query.source ?? 'upload.csv').replace(/[^\p{L}\p{M}\p{N}._ -]/gu, '_');
    const job = await previewImport(c.core, c.actor, c.body as Uint8Array, {
      unknownUnits: c.query.unknownUnits === 'refuse' ? 'refuse' : 'create',
      source,
    });
    return json(201, job);
  },

  async getImport(c) {
    return json(200, getImport(c.core, c.actor, c.params.id!));
  },

  async getImportProgress(c) {
    return json(200, getImportProgress(c.core, c.actor, c.params.id!));
  },

  async applyImport(c) {
    const o = parse(ImportApply, c.body);
    const { job } = await startImport(c.core, c.actor, c.params.id!, {
      welcomeDays: o.welcomeDays,
    });
    return json(202, job);
  },

  async importResult(c) {
    const csv = importResultCsv(c.core, c.actor, c.params.id!);
    return { status: 200, csv, filename: `import-${c.params.id!}.csv` };
  },

  async forgetImport(c) {
    forgetImport(c.core, c.actor, c.params.id!);
    return noContent();
  },

  async welcomeInfo(c) {
    const t = parse(WelcomeToken, c.body);
    const info = await welcomeInfo(c.core, t.token);
    if (!info) wrongToken(c);
    return json(200, info);
  },

  async welcomeRedeem(c) {
    const w = parse(WelcomeRedeem, c.body);
    if (!(await welcomeInfo(c.core, w.token))) wrongToken(c);
    const a = await redeemWelcome(c.core, w.token, w.password);
    await audit(
      c.core,
      { kind: 'account', accountId: a.id, ip: c.req.socket.remoteAddress },
      'account.welcome',
      { accountId: a.id, email: a.email },
      {},
    );
    return noContent();
  },
};
