// Sizes in the web app are 1024-based, as quotas are (a 2G quota is 2 GiB), and written with
// the interface language's unit words from common.json: never "0 byte", never Intl's English
// unit names in Lao.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n } from 'i18next';
import { formatSize, sizeParts } from '../../web/src/i18n/sizes.ts';

const LOCALES = join(import.meta.dirname, '..', '..', 'web', 'src', 'locales');
const common = (lang: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(LOCALES, lang, 'common.json'), 'utf8')) as Record<string, unknown>;

const GiB = 1024 ** 3;
let tr: i18n;

before(async () => {
  tr = i18next.createInstance();
  await tr.init({
    lng: 'en',
    resources: { en: { common: common('en') }, lo: { common: common('lo') } },
    ns: ['common'],
    defaultNS: 'common',
    interpolation: { escapeValue: false },
  });
});

/** As the web app's formatBytes, in one language (numbers with Latin digits, "." decimals). */
function size(bytes: number, lng: string): string {
  return formatSize(
    bytes,
    (key, opts) => tr.t(key, { ...opts, lng }),
    (n, opts) => new Intl.NumberFormat('en', opts).format(n),
  );
}

test('1024 bytes to a kilobyte, as quotas count', () => {
  assert.deepEqual(sizeParts(2 * GiB), { value: 2, unit: 'gb', fractionDigits: 1 });
  assert.deepEqual(sizeParts(1024), { value: 1, unit: 'kb', fractionDigits: 1 });
  assert.deepEqual(sizeParts(1000), { value: 1000, unit: 'byte', fractionDigits: 0 });
  assert.deepEqual(sizeParts(1536 * 1024), { value: 1.5, unit: 'mb', fractionDigits: 1 });
  assert.deepEqual(sizeParts(500 * 1024 ** 2), { value: 500, unit: 'mb', fractionDigits: 0 });
  // Just under a unit does not read "1024 KB".
  assert.deepEqual(sizeParts(1024 * 1024 - 20), { value: 1, unit: 'mb', fractionDigits: 1 });
  assert.equal(sizeParts(3 * 1024 ** 5).unit, 'tb');
});

test('English: bytes, KB, MB, GB', () => {
  assert.equal(size(0, 'en'), '0 bytes');
  assert.equal(size(1, 'en'), '1 byte');
  assert.equal(size(900, 'en'), '900 bytes');
  assert.equal(size(2 * GiB, 'en'), '2 GB');
  assert.equal(size(1.5 * GiB, 'en'), '1.5 GB');
  assert.equal(size(250 * 1024 ** 2, 'en'), '250 MB');
  assert.equal(size(12_345, 'en'), '12 KB');
});

test('Lao: Lao unit words, no English left', () => {
  assert.equal(size(0, 'lo'), '0 ໄບຕ໌');
  assert.equal(size(1, 'lo'), '1 ໄບຕ໌');
  assert.equal(size(2 * GiB, 'lo'), '2 ກິກະໄບຕ໌');
  assert.equal(size(1.5 * 1024 ** 2, 'lo'), '1.5 ເມກະໄບຕ໌');
  assert.equal(size(10 * 1024, 'lo'), '10 ກິໂລໄບຕ໌');
  for (const n of [0, 1, 999, 4096, 5 * 1024 ** 2, 2 * GiB, 3 * 1024 ** 4])
    assert.doesNotMatch(size(n, 'lo'), /[A-Za-z]/, `${n} bytes in Lao`);
});
