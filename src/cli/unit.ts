// `champa unit add|list|move|remove|import`: the org-unit tree (docs/delegation.md).
import type { Command } from 'commander';
import {
  addUnit,
  importUnitsCsv,
  listUnits,
  moveUnit,
  normalizeUnitPath,
  parentOf,
  removeUnit,
} from '../core/units.ts';
import { decodeUtf8 } from '../util/csv.ts';
import {
  asCli,
  isoTime,
  print,
  printJson,
  printTable,
  readInputFile,
  say,
  withCore,
  withData,
} from './common.ts';

export function register(program: Command): void {
  const unit = program.command('unit').description('org units: the tree accounts belong to');

  withData(
    unit
      .command('add')
      .description('add a unit under an existing parent')
      .argument('<path>', 'e.g. /ministry/provinces/vientiane')
      .option('--name <name>', 'display name (Lao or English)'),
  ).action(async (path: string, opts: { data?: string; name?: string }) => {
    await withCore(opts, async (core) => {
      const p = normalizeUnitPath(path);
      const u = await asCli(
        core,
        'unit.create',
        { unitPath: p },
        () => addUnit(core, p, { name: opts.name }),
        { name: opts.name ?? '' },
      );
      say(`Unit ${u.path} added.`);
    });
  });

  withData(
    unit.command('list').description('list units as a tree').option('--json', 'print JSON'),
  ).action(async (opts: { data?: string; json?: boolean }) => {
    await withCore(opts, async (core) => {
      const units = await listUnits(core);
      if (opts.json)
        return printJson(units.map((u) => ({ ...u, createdAt: isoTime(u.createdAt) })));
      printTable(
        ['UNIT', 'NAME', 'ACCOUNTS'],
        units.map((u) => [
          u.depth === 0
            ? '/'
            : `${'  '.repeat(u.depth - 1)}${u.path.slice(u.path.lastIndexOf('/'))}`,
          u.name,
          String(u.accounts),
        ]),
      );
    });
  });

  withData(
    unit
      .command('move')
      .description('move a unit with its subtree, accounts and role grants under another parent')
      .argument('<path>')
      .argument('<newparent>'),
  ).action(async (path: string, parent: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const from = normalizeUnitPath(path);
      const to = normalizeUnitPath(parent);
      const target = { unitPath: from, toUnitPath: to };
      const now = await asCli(core, 'unit.move', target, () => moveUnit(core, from, to), {
        from,
        newParent: to,
        oldParent: parentOf(from),
      });
      say(`Unit ${from} is now ${now}.`);
    });
  });

  withData(
    unit
      .command('remove')
      .description('remove a unit with no accounts, units or grants')
      .argument('<path>'),
  ).action(async (path: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const p = normalizeUnitPath(path);
      await asCli(core, 'unit.remove', { unitPath: p }, () => removeUnit(core, p));
      say(`Unit ${p} removed.`);
    });
  });

  withData(
    unit
      .command('import')
      .description('create units from a CSV file: one path per line, optional name column')
      .argument('<file>'),
  ).action(async (file: string, opts: { data?: string }) => {
    const text = decodeUtf8(await readInputFile(file), file);
    await withCore(opts, async (core) => {
      const r = await asCli(core, 'unit.create', { unitPath: '/', label: `import ${file}` }, () =>
        importUnitsCsv(core, text),
      );
      for (const p of r.created) print(p);
      say(`${r.created.length} unit(s) created, ${r.existing.length} already existed.`);
    });
  });
}
