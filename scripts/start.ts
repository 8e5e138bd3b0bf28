// `npm start`: the quick start. On the first run it creates a data folder (./data, or
// $CHAMPA_DATA) for the demo domain champa.test on localhost, with ports from base 10000
// (or $CHAMPA_PORT_BASE) so no root is needed, and prints the administrator's password;
// then it runs the server in this same process, exactly as `champa serve` does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from '../src/core/config.ts';
import { defaultDataDir } from '../src/cli/common.ts';
import { initDataFolder, printInitResult } from '../src/cli/init.ts';
import { serve } from '../src/cli/serve.ts';
import { errorMessage, UserError } from '../src/util/errors.ts';
import { buildWeb } from './build-web.ts';

const dataDir = defaultDataDir();

try {
  if (await buildWeb()) console.log('champa: built the web app (web/dist)');
  if (!existsSync(join(dataDir, CONFIG_FILE))) {
    const portBase = Number(process.env.CHAMPA_PORT_BASE || 10000);
    const r = await initDataFolder({
      dataDir,
      domain: 'champa.test',
      hostname: 'localhost',
      portBase,
    });
    printInitResult(r);
    const bar = '='.repeat(64);
    console.log(bar);
    console.log(`  Sign in as:  ${r.adminEmail}`);
    console.log(`  Password:    ${r.generatedPassword ?? '(the one you gave)'}`);
    console.log(`  SMTP ${portBase + 25}, submission ${portBase + 587} and ${portBase + 465}`);
    console.log(`  POP3 ${portBase + 110} (STLS) and ${portBase + 995} (TLS)`);
    console.log('  Keep the password: it is shown only this once.');
    console.log(bar);
  }
  await serve(dataDir);
  process.exit(process.exitCode ?? 0);
} catch (err) {
  console.error(
    `champa: ${err instanceof UserError ? err.message : `error: ${errorMessage(err)}`}`,
  );
  process.exit(1);
}
