// The server's time zone (`timeZone`) seen from IMAP, on both stores: INTERNALDATE is shown in
// it with its offset, and the internal-date search keys (ON, SINCE, BEFORE) count its days, so
// a message that came at 06:30 in Vientiane (23:30 UTC the day before) is found on its
// Vientiane day. With the default, UTC, both follow UTC.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { parseConfig } from '../../src/core/config.ts';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

const ARRIVED = Date.UTC(2026, 10, 27, 23, 30, 0);

forEachStore('IMAP in the server time zone', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
    await ingest(
      env.core,
      Buffer.from('Subject: early\r\n\r\nmorning mail\r\n'),
      [{ accountId: env.alice.id }],
      { receivedAt: ARRIVED },
    );
  });
  after(async () => env.close());

  async function session(): Promise<RawImap> {
    const c = await RawImap.open(env.doors.ports.imaps);
    assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
    assert.match(await c.cmd('s', 'SELECT INBOX'), /^s OK/m);
    return c;
  }
  const found = (text: string): string => /^\* SEARCH ?(.*)\r\n/m.exec(text)?.[1] ?? 'none';

  test('UTC by default: the UTC day', async () => {
    env.core.config.timeZone = 'UTC';
    const c = await session();
    assert.match(
      await c.cmd('f', 'FETCH 1 INTERNALDATE'),
      /INTERNALDATE "27-Nov-2026 23:30:00 \+0000"/,
    );
    assert.equal(found(await c.cmd('a', 'SEARCH ON 27-Nov-2026')), '1');
    assert.equal(found(await c.cmd('b', 'SEARCH ON 28-Nov-2026')), '');
    c.close();
  });

  test('Asia/Vientiane: the local time and the local day', async () => {
    env.core.config.timeZone = 'Asia/Vientiane';
    const c = await session();
    assert.match(
      await c.cmd('f', 'FETCH 1 INTERNALDATE'),
      /INTERNALDATE "28-Nov-2026 06:30:00 \+0700"/,
    );
    assert.equal(found(await c.cmd('a', 'SEARCH ON 28-Nov-2026')), '1');
    assert.equal(found(await c.cmd('b', 'SEARCH ON 27-Nov-2026')), '');
    assert.equal(found(await c.cmd('c', 'SEARCH SINCE 28-Nov-2026')), '1');
    assert.equal(found(await c.cmd('d', 'SEARCH BEFORE 28-Nov-2026')), '');
    assert.equal(found(await c.cmd('e', 'UID SEARCH BEFORE 29-Nov-2026')), '1');
    c.close();
  });

  test('a name that is not a time zone is refused in the config, naming the key', () => {
    assert.throws(
      () =>
        parseConfig(
          { hostname: 'mail.test', primaryDomain: 'test.example', timeZone: 'Laos/Vientiane' },
          '/tmp',
        ),
      /timeZone/,
    );
  });
});
