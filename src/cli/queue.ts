// `champa queue list|retry|remove`: the outbound queue. A retry made here is picked up by the
// running server's worker at its next look at the queue.
import type { Command } from 'commander';
import { listQueue, removeQueued, retryQueue } from '../core/outbound.ts';
import { UserError } from '../util/errors.ts';
import { asCli, isoTime, printJson, printTable, say, withCore, withData } from './common.ts';

function queueId(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UserError('invalid', `"${text}" is not a queue id (see "champa queue list")`);
  return Number(text);
}

export function register(program: Command): void {
  const queue = program.command('queue').description('the outbound mail queue');

  withData(
    queue
      .command('list')
      .description('list queued recipients')
      .option('--all', 'also list delivered and bounced recipients still on record')
      .option('--json', 'print JSON'),
  ).action(async (opts: { data?: string; all?: boolean; json?: boolean }) => {
    await withCore(opts, async (core) => {
      const rows = await listQueue(core, { all: opts.all });
      if (opts.json)
        return printJson(
          rows.map((r) => ({
            ...r,
            nextAttemptAt: isoTime(r.nextAttemptAt),
            createdAt: isoTime(r.createdAt),
          })),
        );
      if (rows.length === 0) return say('The queue is empty.');
      printTable(
        ['ID', 'SENDER', 'RECIPIENT', 'STATUS', 'TRIES', 'NEXT ATTEMPT', 'LAST ERROR'],
        rows.map((r) => [
          String(r.queueId),
          r.sender || '<>',
          r.recipient,
          r.status,
          String(r.attempts),
          isoTime(r.nextAttemptAt),
          r.lastError ?? '',
        ]),
      );
    });
  });

  withData(
    queue
      .command('retry')
      .description('try again now: one queued message, or all of them')
      .argument('[id]', 'queue id (default: every queued message)'),
  ).action(async (id: string | undefined, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const qid = id === undefined ? undefined : queueId(id);
      const n = await asCli(
        core,
        'queue.manage',
        { label: `queue:${id ?? 'all'}` },
        () => retryQueue(core, qid),
        { op: 'retry' },
      );
      say(`${n} recipient(s) due now; the server delivers them at its next queue run.`);
    });
  });

  withData(
    queue
      .command('remove')
      .description('drop a queued message without delivering or bouncing it')
      .argument('<id>', 'queue id'),
  ).action(async (id: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const qid = queueId(id);
      const n = await asCli(
        core,
        'queue.manage',
        { label: `queue:${qid}` },
        () => removeQueued(core, qid),
        { op: 'remove' },
      );
      say(`Message ${id} removed from the queue (${n} recipient(s) were still waiting).`);
    });
  });
}
