import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain, listDomains, removeDomain } from '../../src/core/domains.ts';
import {
  addUser,
  authenticate,
  listAccounts,
  parseQuota,
  removeAccount,
  resolveRecipient,
  setDisabled,
  setPassword,
} from '../../src/core/accounts.ts';
import { addAlias, listAliases, removeAlias } from '../../src/core/aliases.ts';
import { listMailboxes } from '../../src/core/mailboxes.ts';
import { UserError } from '../../src/util/errors.ts';

forEachStore('accounts', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  before(async () => {
    ({ core, close } = await makeCore(kind));
    await addDomain(core, 'Ministry.Test');
  });
  after(() => close());

  test('a domain is stored lower-case with a DKIM key, and refused twice', async () => {
    const [d] = await listDomains(core);
    assert.equal(d?.name, 'ministry.test');
    assert.match(d?.dkim_private_key ?? '', /BEGIN PRIVATE KEY/);
    await assert.rejects(addDomain(core, 'ministry.test'), UserError);
    await assert.rejects(addDomain(core, 'not a domain'), /not a valid domain/);
  });

  test('a user gets the special-use mailboxes and signs in with Argon2id', async () => {
    const a = await addUser(core, {
      email: 'Somchai@ministry.test',
      name: 'ສົມໃຈ ພົມມະຈັນ',
      password: 'correct horse battery',
    });
    assert.equal(a.email, 'somchai@ministry.test');
    assert.match(a.password_hash, /^\$argon2id\$/);
    const boxes = await listMailboxes(core.db, a.id);
    assert.deepEqual(boxes.map((b) => b.role).sort(), [
      'archive',
      'drafts',
      'inbox',
      'junk',
      'sent',
      'trash',
    ]);
    assert.ok(await authenticate(core, 'SOMCHAI@ministry.test', 'correct horse battery'));
    assert.equal(await authenticate(core, 'somchai@ministry.test', 'wrong password!'), null);
    assert.equal(await authenticate(core, 'nobody@ministry.test', 'correct horse battery'), null);
    const [listed] = await listAccounts(core);
    assert.equal(listed?.name, 'ສົມໃຈ ພົມມະຈັນ');
  });

  test('weak passwords, unknown domains and taken addresses are refused', async () => {
    await assert.rejects(
      addUser(core, { email: 'x@ministry.test', password: 'short' }),
      /at least 10/,
    );
    await assert.rejects(
      addUser(core, { email: 'x@elsewhere.test', password: 'long enough password' }),
      /not served here/,
    );
    await assert.rejects(
      addUser(core, { email: 'somchai@ministry.test', password: 'long enough password' }),
      /in use/,
    );
  });

  test('disable, password change, alias and subaddress resolve as expected', async () => {
    await setPassword(core, 'somchai@ministry.test', 'a new long password');
    assert.ok(await authenticate(core, 'somchai@ministry.test', 'a new long password'));
    await setDisabled(core, 'somchai@ministry.test', true);
    assert.equal(await authenticate(core, 'somchai@ministry.test', 'a new long password'), null);
    await setDisabled(core, 'somchai@ministry.test', false);
    await addAlias(core, 'director@ministry.test', 'somchai@ministry.test');
    assert.equal((await listAliases(core))[0]?.target, 'somchai@ministry.test');
    assert.equal(
      (await resolveRecipient(core, 'Director@Ministry.test'))?.email,
      'somchai@ministry.test',
    );
    assert.equal(
      (await resolveRecipient(core, 'somchai+news@ministry.test'))?.email,
      'somchai@ministry.test',
    );
    assert.equal(await resolveRecipient(core, 'ghost@ministry.test'), undefined);
    await assert.rejects(
      addUser(core, { email: 'director@ministry.test', password: 'long enough password' }),
      /in use/,
    );
    await removeAlias(core, 'director@ministry.test');
    assert.equal(await resolveRecipient(core, 'director@ministry.test'), undefined);
  });

  test('a domain with accounts cannot be removed; an empty one can', async () => {
    await assert.rejects(removeDomain(core, 'ministry.test'), /still has 1 account/);
    await removeAccount(core, 'somchai@ministry.test');
    await removeDomain(core, 'ministry.test');
    assert.equal((await listDomains(core)).length, 0);
  });

  test('quota sizes parse', () => {
    assert.equal(parseQuota('0'), 0);
    assert.equal(parseQuota('500M'), 500 * 1024 * 1024);
    assert.equal(parseQuota('2G'), 2 * 1024 ** 3);
    assert.throws(() => parseQuota('lots'), /not a size/);
  });
});

test('hashes use the current cost; hashes of an older, higher cost still verify', async () => {
  const { argon2Sync, randomBytes } = await import('node:crypto');
  const { hashPassword, verifyPassword, PHC_PREFIX } = await import('../../src/core/passwords.ts');
  const h = await hashPassword('ສະບາຍດີ password');
  assert.ok(h.startsWith(PHC_PREFIX));
  assert.ok(await verifyPassword('ສະບາຍດີ password', h));
  const salt = randomBytes(16);
  const tag = argon2Sync('argon2id', {
    message: 'old password 1',
    nonce: salt,
    memory: 65536,
    passes: 3,
    parallelism: 4,
    tagLength: 32,
  });
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  const old = `$argon2id$v=19$m=65536,t=3,p=4$${b64(salt)}$${b64(tag)}`;
  assert.ok(await verifyPassword('old password 1', old));
  assert.equal(await verifyPassword('old password 2', old), false);
});
