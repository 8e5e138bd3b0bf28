// `champa mail export|import`: a mailbox to and from an mbox file (mboxrd, RFC 4155), for
// backups, moving a user, and bringing mail over from another server. Import goes through the
// one ingest path, so every imported message is durable, counted against the quota and seen
// by IMAP and JMAP clients like any delivered message.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { getAccount } from '../core/accounts.ts';
import type { Core } from '../core/core.ts';
import { ingest } from '../core/deliver.ts';
import { createMailbox, mailboxByName } from '../core/mailboxes.ts';
import { mailboxMessages } from '../core/messages.ts';
import { MboxFormatError, mboxEntry, readMbox } from '../mail/mbox.ts';
import { UserError } from '../util/errors.ts';
import { say, withCore, withData } from './common.ts';

async function account(core: Core, email: string): Promise<number> {
  const a = await getAccount(core, email);
  if (!a) throw new UserError('not_found', `no account ${email}`);
  return a.id;
}

async function write(out: Writable, data: Buffer): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}

async function exportMbox(
  core: Core,
  email: string,
  mailbox: string,
  out: Writable,
): Promise<number> {
  const accountId = await account(core, email);
  const box = await mailboxByName(core.db, accountId, mailbox);
  if (!box) throw new UserError('not_found', `${email} has no mailbox "${mailbox}"`);
  const messages = await mailboxMessages(core.db, accountId, box.id);
  for (const m of messages)
    await write(out, mboxEntry(await core.blobs.get(m.blobHash), new Date(m.receivedAt)));
  return messages.length;
}

interface ImportReport {
  imported: number;
  tooLarge: number;
  overQuota: number;
}

async function importMbox(
  core: Core,
  email: string,
  mailbox: string,
  file: string,
): Promise<ImportReport> {
  const accountId = await account(core, email);
  if (!(await mailboxByName(core.db, accountId, mailbox)))
    await createMailbox(core.db, accountId, mailbox);
  const report: ImportReport = { imported: 0, tooLarge: 0, overQuota: 0 };
  const input = createReadStream(file);
  try {
    for await (const item of readMbox(input, core.config.smtp.maxMessageSize)) {
      if (item.tooLarge) {
        report.tooLarge++;
        continue;
      }
      const [r] = await ingest(core, item.raw, [{ accountId, mailbox }], {
        receivedAt: item.receivedAt,
      });
      if (r?.ok) report.imported++;
      else if (r?.error === 'over_quota') report.overQuota++;
      else throw new UserError('failed', `could not store a message: ${r?.error ?? 'unknown'}`);
    }
  } catch (err) {
    if (err instanceof MboxFormatError) throw new UserError('invalid', `${file}: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
      throw new UserError('invalid', `cannot read ${file}: ${code}`);
    throw err;
  } finally {
    input.destroy();
  }
  return report;
}

function checkFormat(format: string): void {
  if (format !== 'mbox') throw new UserError('invalid', `unknown format "${format}" (only mbox)`);
}

export function register(program: Command): void {
  const mail = program.command('mail').description("a user's mail: export and import");

  withData(
    mail
      .command('export')
      .description('write a mailbox as an mbox file (mboxrd)')
      .argument('<user>', 'the account')
      .option('--mailbox <name>', 'the mailbox', 'INBOX')
      .option('--format <format>', 'file format (mbox)', 'mbox')
      .option('--output <file>', 'write here instead of standard output'),
  ).action(
    async (
      user: string,
      opts: { data?: string; mailbox: string; format: string; output?: string },
    ) => {
      checkFormat(opts.format);
      await withCore(opts, async (core) => {
        const out = opts.output ? createWriteStream(opts.output, { flags: 'wx' }) : process.stdout;
        if (opts.output) {
          const opened = once(out, 'open');
          out.once('error', () => undefined);
          try {
            await opened;
          } catch (err) {
            throw new UserError(
              'invalid',
              `cannot write ${opts.output}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
            );
          }
        }
        const n = await exportMbox(core, user, opts.mailbox, out);
        if (opts.output) {
          out.end();
          await once(out, 'finish');
        }
        say(`Exported ${n} message(s) from ${user} ${opts.mailbox}.`);
      });
    },
  );

  withData(
    mail
      .command('import')
      .description('add the messages of an mbox file to a mailbox (created if missing)')
      .argument('<user>', 'the account')
      .argument('<file>', 'an mbox file')
      .option('--mailbox <name>', 'the mailbox', 'INBOX'),
  ).action(async (user: string, file: string, opts: { data?: string; mailbox: string }) => {
    await withCore(opts, async (core) => {
      const r = await importMbox(core, user, opts.mailbox, file);
      say(`Imported ${r.imported} message(s) into ${user} ${opts.mailbox}.`);
      if (r.tooLarge > 0) say(`Skipped ${r.tooLarge} message(s) larger than smtp.maxMessageSize.`);
      if (r.overQuota > 0) say(`Skipped ${r.overQuota} message(s): the account is over quota.`);
      if (r.tooLarge + r.overQuota > 0) process.exitCode = 1;
    });
  });
}
