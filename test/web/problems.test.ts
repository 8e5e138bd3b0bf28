// Every problem the server can emit (the one list, src/util/problems.ts) has a string in the
// console's English and Lao (web/src/locales/<lang>/admin.json, `problem.<code>`), using only
// the parameters the code carries; no string is left for a code that no longer exists. And
// the console's wording of a problem, given what the server sends, is the Lao one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { OPTIONAL_COLUMNS, REQUIRED_COLUMNS } from '../../src/core/userimport.ts';
import { PROBLEM_CODES, PROBLEMS, problem } from '../../src/util/problems.ts';

const LOCALES = join(import.meta.dirname, '..', '..', 'web', 'src', 'locales');
const admin = (lang: string): { problem?: Record<string, unknown> } =>
  JSON.parse(readFileSync(join(LOCALES, lang, 'admin.json'), 'utf8')) as {
    problem?: Record<string, unknown>;
  };
const placeholders = (s: string): string[] =>
  [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]!).sort();

for (const lang of ['en', 'lo']) {
  test(`${lang}: a string for every problem code, with its parameters only`, () => {
    const strings = admin(lang).problem ?? {};
    assert.ok(PROBLEM_CODES.length > 50, 'the list is the whole list');
    for (const code of PROBLEM_CODES) {
      const text = strings[code];
      assert.equal(typeof text, 'string', `${lang}/admin.json: no problem.${code}`);
      assert.ok((text as string).trim(), `${lang}/admin.json: problem.${code} is empty`);
      const params: readonly string[] = PROBLEMS[code].params;
      for (const name of placeholders(text as string))
        assert.ok(params.includes(name), `${lang}: problem.${code} uses {{${name}}}, not a param`);
    }
    const stale = Object.keys(strings).filter((k) => !(PROBLEM_CODES as string[]).includes(k));
    assert.deepEqual(stale, [], `${lang}/admin.json: strings for codes that no longer exist`);
  });
}

test('a problem in Lao carries what the server named (the unit, the line)', async () => {
  const t = i18next.createInstance();
  await t.init({
    lng: 'lo',
    resources: { lo: { admin: admin('lo') }, en: { admin: admin('en') } },
    ns: ['admin'],
    defaultNS: 'admin',
    interpolation: { escapeValue: false },
  });
  const say = (p: ReturnType<typeof problem>): string => t.t(`problem.${p.code}`, p.params);
  assert.equal(
    say(problem('unitOutsideReach', { unit: '/provinces/luangprabang' })),
    'ໜ່ວຍງານ /provinces/luangprabang ຢູ່ນອກຂອບເຂດຂອງທ່ານ',
  );
  assert.match(say(problem('duplicateAddress', { address: 'a@b.la', line: 2 })), /ແຖວ 2/);
  assert.match(say(problem('passwordTooShort', { min: 10 })), /10/);
  // Every string renders without a {{placeholder}} left over, given the code's parameters.
  for (const code of PROBLEM_CODES) {
    const params = Object.fromEntries(PROBLEMS[code].params.map((n) => [n, `<${n}>`]));
    for (const lng of ['en', 'lo'])
      assert.doesNotMatch(t.t(`problem.${code}`, { ...params, lng }), /\{\{/, `${lng} ${code}`);
  }
});

test("the English of a bad header names the import's own columns", () => {
  const { message } = problem('csvColumnsMissing', { line: 1, missing: 'name' });
  assert.ok(message.includes(`columns ${REQUIRED_COLUMNS.join(',')} `), message);
  assert.ok(message.includes(`(optional: ${OPTIONAL_COLUMNS.join(',')})`), message);
});
