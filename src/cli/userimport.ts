// `champa user import FILE.csv` and `champa user export`: bulk accounts (format in docs/admin-guide.md, "Bulk import").
// Checks every row first and reports problems with their CSV line numbers; `--dry-run` stops
// there. Generated passwords go to `--passwords-out` (created with mode 0600, written batch by
// batch after each commit, so a crash never loses the password of a created account) and are
// never printed in bulk. Exits 1 when any row was refused; the good rows are imported anyway.
import { open, type FileHandle } from 'node:fs/promises';
import type { Command } from 'commander';
import { CLI_ACTOR } from '../core/audit.ts';
import { applyImport, planImport, summarize, type RowResult } from '../core/userimport.ts';
import { exportAccounts } from '../core/userexport.ts';
import { normalizeUnitPath } from '../core/units.ts';
import { authorize } from '../core/roles.ts';
import { csvRow } from '../util/csv.ts';
import { UserError } from '../util/errors.ts';
import { print, printJson, readInputFile, say, withCore, withData } from './common.ts';
import { progressBar } from './progress.ts';

interface ImportOpts {
  data?: string;
  dryRun?: boolean;
  createUnits?: boolean;
  refuseUnknownUnits?: boolean;
  passwordsOut?: string;
  json?: boolean;
}

async function openPasswords(path: string): Promise<FileHandle> {
  try {
    const fh = await open(path, 'w', 0o600);
    await fh.chmod(0o600); // the mode above applies only when the file is new
    await fh.write(csvRow(['email', 'password']));
    return fh;
  } catch (err) {
    throw new UserError(
      'invalid',
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

function report(results: RowResult[], json: boolean | undefined): void {
  if (json) return printJson(results);
  for (const r of results) {
    if (r.status === 'error') print(`line ${r.line}: ${r.email}: ${r.errors.join('; ')}`);
    else if (r.status === 'already') print(`line ${r.line}: ${r.email}: already imported`);
  }
}

export function registerImport(user: Command): void {
  withData(
    user
      .command('import')
      .description(
        'create accounts from a CSV file (header: email,name,unit[,quota,password,aliases])',
      )
      .argument('<file>', 'UTF-8 CSV file')
      .option('--dry-run', 'check every row and report, create nothing')
      .option('--create-units', 'create units that do not exist yet (the default)')
      .option('--refuse-unknown-units', 'refuse rows whose unit does not exist')
      .option(
        '--passwords-out <file>',
        'write generated passwords here as CSV email,password (mode 0600)',
      )
      .option('--json', 'print the per-row report as JSON'),
  ).action(async (file: string, opts: ImportOpts) => {
    if (opts.createUnits && opts.refuseUnknownUnits)
      throw new UserError(
        'invalid',
        'give either --create-units or --refuse-unknown-units, not both',
      );
    const bytes = await readInputFile(file);
    await withCore(opts, async (core) => {
      const plan = await planImport(core, CLI_ACTOR, bytes, {
        unknownUnits: opts.refuseUnknownUnits ? 'refuse' : 'create',
      });
      const needPasswords = plan.toCreate.filter(
        (r) => r.password === '' && r.personalEmail === '',
      ).length;
      if (!opts.dryRun && needPasswords > 0 && !opts.passwordsOut)
        throw new UserError(
          'invalid',
          `${needPasswords} row(s) have no password: give --passwords-out FILE to receive the generated ones (nothing was imported)`,
        );
      if (!opts.dryRun && plan.toCreate.length > 0) {
        const out = needPasswords > 0 ? await openPasswords(opts.passwordsOut!) : undefined;
        const bar = progressBar('importing');
        try {
          await applyImport(core, CLI_ACTOR, plan, {
            source: file,
            onProgress: (d, t) => bar.update(d, t),
            onPasswords: async (rows) => {
              await out!.write(rows.map((r) => csvRow([r.email, r.password])).join(''));
            },
          });
        } finally {
          bar.end();
          await out?.sync();
          await out?.close();
        }
      }
      report(plan.results, opts.json);
      const n = summarize(plan.results);
      const units = plan.newUnits.length ? `, ${plan.newUnits.length} new unit(s)` : '';
      say(
        opts.dryRun
          ? `Dry run: ${n.create} to create${units}, ${n.already} already imported, ${n.error} with problems; nothing was changed.`
          : `${n.created} created${units}, ${n.already} already imported, ${n.error} refused.` +
              (needPasswords > 0 && n.created > 0
                ? ` Generated passwords are in ${opts.passwordsOut}.`
                : ''),
      );
      if (n.error > 0)
        throw new UserError('invalid', `${n.error} row(s) were not imported (see the lines above)`);
    });
  });

  withData(
    user
      .command('export')
      .description('print accounts as CSV in the import format (no passwords)')
      .option('--unit <path>', 'only accounts inside this unit subtree'),
  ).action(async (opts: { data?: string; unit?: string }) => {
    await withCore(opts, async (core) => {
      const unitPath = normalizeUnitPath(opts.unit ?? '/');
      await authorize(core, CLI_ACTOR, 'account.read', { unitPath });
      for (const row of await exportAccounts(core, unitPath)) process.stdout.write(csvRow(row));
    });
  });
}
