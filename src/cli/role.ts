// `champa role grant|revoke|list`: roles on a unit's subtree (docs/delegation.md).
import type { Command } from 'commander';
import { actorName, CLI_ACTOR } from '../core/audit.ts';
import { grantRole, listGrants, revokeRole, ROLES } from '../core/roles.ts';
import { normalizeUnitPath } from '../core/units.ts';
import { asCli, isoTime, printJson, printTable, say, withCore, withData } from './common.ts';

export function register(program: Command): void {
  const role = program
    .command('role')
    .description(`administrative roles on org units (${ROLES.join(', ')})`);

  withData(
    role
      .command('grant')
      .description('give an account a role on a unit and everything below it')
      .argument('<email>')
      .argument('<role>', ROLES.join(' | '))
      .argument('<unit>', 'unit path; global_admin takes /'),
  ).action(async (email: string, roleName: string, unit: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const unitPath = normalizeUnitPath(unit);
      const by = await actorName(core, CLI_ACTOR);
      const g = await asCli(
        core,
        'role.grant',
        { email, unitPath, role: roleName },
        () => grantRole(core, email, roleName, unitPath, by),
        { op: 'grant', role: roleName },
      );
      say(`${g.email} is now ${g.role} on ${g.unitPath}.`);
    });
  });

  withData(
    role
      .command('revoke')
      .description('take a role back')
      .argument('<email>')
      .argument('<role>')
      .argument('<unit>'),
  ).action(async (email: string, roleName: string, unit: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const unitPath = normalizeUnitPath(unit);
      await asCli(
        core,
        'role.grant',
        { email, unitPath, role: roleName },
        () => revokeRole(core, email, roleName, unitPath),
        { op: 'revoke', role: roleName },
      );
      say(`${email} is no longer ${roleName} on ${unitPath}.`);
    });
  });

  withData(
    role
      .command('list')
      .description('list role grants')
      .option('--unit <path>', 'only grants inside this subtree')
      .option('--json', 'print JSON'),
  ).action(async (opts: { data?: string; unit?: string; json?: boolean }) => {
    await withCore(opts, async (core) => {
      const rows = await listGrants(core, opts.unit ? normalizeUnitPath(opts.unit) : undefined);
      if (opts.json) return printJson(rows.map((r) => ({ ...r, grantedAt: isoTime(r.grantedAt) })));
      printTable(
        ['EMAIL', 'ROLE', 'UNIT', 'GRANTED BY', 'GRANTED AT'],
        rows.map((r) => [r.email, r.role, r.unitPath, r.grantedBy, isoTime(r.grantedAt)]),
      );
    });
  });
}
