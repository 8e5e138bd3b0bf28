// `champa audit`: the audit log of administrative actions, newest first, with filters.
import type { Command } from 'commander';
import { CLI_ACTOR, listAudit, type Outcome } from '../core/audit.ts';
import { authorize } from '../core/roles.ts';
import { UserError } from '../util/errors.ts';
import { isoTime, printJson, printTable, withCore, withData } from './common.ts';

/** "2026-11-01", "2026-11-01T08:00Z", or relative: "7d", "12h", "30m". */
export function parseWhen(text: string, now = Date.now()): number {
  const rel = /^(\d+)([dhm])$/.exec(text.trim());
  if (rel)
    return (
      now - Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm']
    );
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new UserError(
      'invalid',
      `"${text}" is not a date (examples: 2026-11-01, 2026-11-01T08:00Z, 7d)`,
    );
  return t;
}

export function register(program: Command): void {
  withData(
    program
      .command('audit')
      .description('show the audit log of administrative actions (newest first)')
      .option('--since <when>', 'from this date or age, e.g. 2026-11-01 or 7d')
      .option('--until <when>', 'before this date')
      .option('--actor <actor>', 'who acted: an address, or cli:<user>')
      .option('--action <action>', 'e.g. account.create, or a prefix like account.*')
      .option('--outcome <outcome>', 'ok | denied | error')
      .option('--unit <path>', 'only actions inside this unit subtree')
      .option('--limit <n>', 'at most this many rows', '200')
      .option('--json', 'print JSON'),
  ).action(
    async (opts: {
      data?: string;
      since?: string;
      until?: string;
      actor?: string;
      action?: string;
      outcome?: string;
      unit?: string;
      limit: string;
      json?: boolean;
    }) => {
      if (opts.outcome && !['ok', 'denied', 'error'].includes(opts.outcome))
        throw new UserError('invalid', '--outcome is one of ok, denied, error');
      const limit = Number(opts.limit);
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new UserError('invalid', '--limit must be a positive number');
      await withCore(opts, async (core) => {
        await authorize(core, CLI_ACTOR, 'audit.read', { unitPath: opts.unit ?? '/' });
        const rows = await listAudit(core, {
          since: opts.since ? parseWhen(opts.since) : undefined,
          until: opts.until ? parseWhen(opts.until) : undefined,
          actor: opts.actor,
          action: opts.action,
          outcome: opts.outcome as Outcome | undefined,
          underUnit: opts.unit,
          limit,
        });
        if (opts.json) return printJson(rows.map((r) => ({ ...r, at: isoTime(r.at) })));
        printTable(
          ['TIME', 'ACTOR', 'IP', 'ACTION', 'TARGET', 'OUTCOME', 'DETAIL'],
          rows.map((r) => [
            isoTime(r.at),
            r.actor,
            r.ip ?? '',
            r.action,
            r.target,
            r.outcome,
            Object.keys(r.detail).length ? JSON.stringify(r.detail) : '',
          ]),
        );
      });
    },
  );
}
