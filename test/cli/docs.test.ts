// docs/config.md is generated from the config schema; this fails when someone changed the
// schema (or the environment overrides) without running `npm run docs:config`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DOC_PATH, renderConfigDoc } from '../../scripts/docs-config.ts';

test('docs/config.md matches the config schema (run "npm run docs:config" if not)', async () => {
  const doc = await readFile(DOC_PATH, 'utf8');
  assert.ok(doc.includes('`queue.retryDays`'), 'the doc lists the config keys');
  assert.ok(doc.includes('`CHAMPA_PORT_BASE`'), 'the doc lists the environment overrides');
  assert.equal(doc, renderConfigDoc(), 'docs/config.md is stale: run "npm run docs:config"');
});
