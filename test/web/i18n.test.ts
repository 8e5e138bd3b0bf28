// Every string of the web app exists in Lao and in English: the same keys in each namespace
// file of both languages, none empty, and the same {{placeholders}} in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCALES = join(import.meta.dirname, '..', '..', 'web', 'src', 'locales');

function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(prefix, value);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  return out;
}

const load = (lang: string, file: string): Map<string, string> =>
  flatten(JSON.parse(readFileSync(join(LOCALES, lang, file), 'utf8')) as unknown);

const placeholders = (s: string): string[] =>
  [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]!).sort();

test('Lao and English have the same strings', () => {
  const en = readdirSync(join(LOCALES, 'en')).sort();
  const lo = readdirSync(join(LOCALES, 'lo')).sort();
  assert.deepEqual(lo, en, 'the same namespace files');
  assert.ok(en.length >= 3);
  for (const file of en) {
    const e = load('en', file);
    const l = load('lo', file);
    for (const [key, text] of e) {
      const lao = l.get(key);
      assert.ok(lao !== undefined, `lo/${file}: missing ${key}`);
      assert.ok(text.trim() && lao.trim(), `${file}: ${key} is empty`);
      assert.deepEqual(placeholders(lao), placeholders(text), `${file}: ${key} placeholders`);
    }
    for (const key of l.keys()) assert.ok(e.has(key), `en/${file}: missing ${key}`);
    // Lao strings are Lao: at least most of them carry Lao letters (U+0E80–U+0EFF).
    const laoLike = [...l.values()].filter((v) => /[\u0E80-\u0EFF]/.test(v)).length;
    assert.ok(laoLike >= l.size * 0.8, `lo/${file}: ${laoLike} of ${l.size} strings are in Lao`);
  }
});
