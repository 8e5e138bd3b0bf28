// The `champa` command line: builds the program from the command groups in src/cli/ and runs
// it. A UserError (bad input, a missing thing, an invalid config) prints its message and
// exits 1, without a stack trace; anything else is a bug or an outage and also exits 1,
// with the stack only when CHAMPA_DEBUG is set.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { errorMessage, UserError } from './util/errors.ts';
import { register as registerInit } from './cli/init.ts';
import { register as registerServe } from './cli/serve.ts';
import { register as registerDns } from './cli/dns.ts';
import { register as registerDomain } from './cli/domain.ts';
import { register as registerUser } from './cli/user.ts';
import { register as registerAlias } from './cli/alias.ts';
import { register as registerQueue } from './cli/queue.ts';
import { register as registerMail } from './cli/mail.ts';
import { register as registerUnit } from './cli/unit.ts';
import { register as registerRole } from './cli/role.ts';
import { register as registerAudit } from './cli/audit.ts';

function version(): string {
  const pkg = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('champa')
    .description('Champa: an all-in-one mail and collaboration server')
    .version(version(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)');
  for (const register of [
    registerInit,
    registerServe,
    registerDns,
    registerDomain,
    registerUser,
    registerAlias,
    registerQueue,
    registerMail,
    registerUnit,
    registerRole,
    registerAudit,
  ])
    register(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof UserError) process.stderr.write(`champa: ${err.message}\n`);
    else if (process.env.CHAMPA_DEBUG && err instanceof Error)
      process.stderr.write(`champa: ${err.stack ?? err.message}\n`);
    else process.stderr.write(`champa: error: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  }
}

await main();
