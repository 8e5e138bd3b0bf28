// The shared real-world corpus (../shared/testdata beside the repository): ~300 MIME
// messages, iCalendar and vCard files from other projects' test suites.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const TESTDATA = resolve(import.meta.dirname, '../../../shared/testdata');

export function testdataFiles(set: 'mime' | 'ical' | 'vcard'): string[] {
  const root = join(TESTDATA, set);
  if (!existsSync(root)) throw new Error(`the shared test corpus is missing at ${root}`);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== 'SOURCES.md' && name !== 'COPYING' && !name.startsWith('.')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}
