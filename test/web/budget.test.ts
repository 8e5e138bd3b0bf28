// The slow-link budget of the web app: what a first visit downloads before the inbox shows —
// the page's entry script, every script it imports statically, and their stylesheets — must
// weigh at most 300 KB as the server sends it (brotli, as src/http/web.ts compresses). Lazy
// chunks (the console, settings, compose) are not in it. Fonts are counted apart: only the
// Lao and Latin subsets actually used are fetched, and they are reported, not budgeted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { WEB_DIST } from '../../src/http/web.ts';

const BUDGET = 300 * 1024;

interface Chunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

const br = (path: string): number => {
  const raw = readFileSync(join(WEB_DIST, path));
  return brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
};

test('the first visit loads at most 300 KB of compressed JS and CSS', () => {
  const manifestPath = join(WEB_DIST, '.vite', 'manifest.json');
  assert.ok(existsSync(manifestPath), 'web/dist is built (scripts/test.ts builds it)');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Chunk>;
  const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
  assert.ok(entry, 'the manifest names an entry');
  const files = new Set<string>();
  const visit = (key: string): void => {
    const c = manifest[key];
    if (!c || files.has(c.file)) return;
    files.add(c.file);
    for (const css of c.css ?? []) files.add(css);
    for (const i of c.imports ?? []) visit(i);
  };
  visit(entry[0]);
  let total = 0;
  const rows: string[] = [];
  for (const f of files) {
    const n = br(f);
    total += n;
    rows.push(`${(n / 1024).toFixed(1).padStart(7)} KB  ${f}`);
  }
  console.log(`first visit (brotli):\n${rows.join('\n')}\n${(total / 1024).toFixed(1)} KB in all`);
  assert.ok(total > 10 * 1024, 'the count includes the app itself');
  assert.ok(total <= BUDGET, `first visit is ${(total / 1024).toFixed(1)} KB, over 300 KB`);
});
