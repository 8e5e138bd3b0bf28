// Mailbox/set, Mailbox/query and Mailbox/queryChanges (RFC 8621 §2.3–2.5) over HTTPS on both
// stores: a Lao child created under a parent made in the same call, name and role rules with
// their SetErrors, rename and move, mailboxHasChild / mailboxHasEmail / onDestroyRemoveEmails,
// the inbox protected; queries with filters, filterAsTree and sortAsTree; queryChanges after
// a create; and what an IMAP client (imapflow) sees of a JMAP-made mailbox and the reverse.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { ingest } from '../../src/core/deliver.ts';
import { startImap, type ImapDoors } from '../../src/imap/server.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { first, jmapEnv, PASSWORD, type JmapEnv } from './setup.ts';

const LAO = 'ໂຄງການ';

forEachStore('JMAP Mailbox/set and query', (kind) => {
  let env: JmapEnv;
  let imap: ImapDoors;
  let inbox = '';
  before(async () => {
    env = await jmapEnv(kind);
    imap = await startImap(env.core, await testCert());
    const boxes = first(await env.api([['Mailbox/get', { accountId: env.accountId }, '0']]));
    inbox = (boxes.list as { id: string; role: string }[]).find((b) => b.role === 'inbox')!.id;
  });
  after(async () => {
    await imap.close();
    await env.close();
  });
  const acc = (): string => env.accountId;

  test('create a parent and a Lao child in one call; the name and role rules', async () => {
    const r = first(
      await env.api([
        [
          'Mailbox/set',
          {
            accountId: acc(),
            create: {
              p: { name: 'Projects', sortOrder: 5 },
              c: { name: LAO, parentId: '#p', role: 'flagged' },
              dup: { name: 'Projects' },
              slash: { name: 'a/b' },
              empty: { name: '' },
              inboxRole: { name: 'Other', role: 'inbox' },
              takenRole: { name: 'Old', role: 'archive' },
              serverSet: { name: 'X', totalEmails: 3 },
              orphan: { name: 'Y', parentId: 'Bnope' },
            },
          },
          's',
        ],
      ]),
    );
    assert.deepEqual(Object.keys(r.created).sort(), ['c', 'p']);
    const nc = r.notCreated as Record<string, { type: string; properties: string[] }>;
    for (const [k, prop] of [
      ['dup', 'name'],
      ['slash', 'name'],
      ['empty', 'name'],
      ['inboxRole', 'role'],
      ['takenRole', 'role'],
      ['serverSet', 'totalEmails'],
      ['orphan', 'parentId'],
    ] as const) {
      assert.equal(nc[k]?.type, 'invalidProperties', k);
      assert.deepEqual(nc[k]?.properties, [prop], k);
    }
    const got = first(
      await env.api([
        ['Mailbox/get', { accountId: acc(), ids: [r.created.c.id, r.created.p.id] }, 'g'],
      ]),
    );
    const [child, parent] = got.list;
    assert.equal(child.name, LAO);
    assert.equal(child.parentId, parent.id);
    assert.equal(child.role, 'flagged');
    assert.equal(parent.sortOrder, 5);

    // IMAP sees the hierarchy with its separator.
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: imap.ports.imaps,
      secure: true,
      auth: { user: 'alice@test.example', pass: PASSWORD },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await c.connect();
    const paths = (await c.list()).map((m) => m.path);
    assert.ok(paths.includes(`Projects/${LAO}`), paths.join(','));
    await c.mailboxCreate('FromImap');
    await c.logout();
    const q = first(
      await env.api([['Mailbox/query', { accountId: acc(), filter: { name: 'fromimap' } }, 'q']]),
    );
    assert.equal(q.ids.length, 1);
  });

  test('update: rename, move, never under itself; subscribe; the inbox stays', async () => {
    const q = first(
      await env.api([['Mailbox/query', { accountId: acc(), filter: { name: 'Projects' } }, 'q']]),
    );
    const projects = q.ids[0] as string;
    const kids = first(
      await env.api([['Mailbox/query', { accountId: acc(), filter: { parentId: projects } }, 'q']]),
    );
    const child = kids.ids[0] as string;
    const r = first(
      await env.api([
        [
          'Mailbox/set',
          {
            accountId: acc(),
            update: {
              [projects]: { name: 'Work', isSubscribed: false },
              [inbox]: { name: 'Renamed' },
              nope: { name: 'x' },
            },
          },
          's',
        ],
      ]),
    );
    assert.deepEqual(r.updated, { [projects]: null });
    assert.equal(r.notUpdated[inbox].type, 'forbidden');
    assert.equal(r.notUpdated.nope.type, 'notFound');
    const loop = first(
      await env.api([
        ['Mailbox/set', { accountId: acc(), update: { [projects]: { parentId: child } } }, 's'],
      ]),
    );
    assert.equal(loop.notUpdated[projects].type, 'invalidProperties');
    const moved = first(
      await env
        .api([
          ['Mailbox/set', { accountId: acc(), update: { [child]: { parentId: null } } }, 's'],
          ['Mailbox/get', { accountId: acc(), ids: [child, projects] }, 'g'],
        ])
        .then((x) => [x[1]!]),
    );
    assert.equal(moved.list[0].parentId, null);
    assert.equal(moved.list[1].name, 'Work');
    assert.equal(moved.list[1].isSubscribed, false);
  });

  test('destroy: mailboxHasChild, mailboxHasEmail, onDestroyRemoveEmails, inbox forbidden', async () => {
    const mk = first(
      await env.api([
        [
          'Mailbox/set',
          { accountId: acc(), create: { a: { name: 'Old' }, b: { name: 'Kid', parentId: '#a' } } },
          's',
        ],
      ]),
    );
    const a = mk.created.a.id as string;
    const b = mk.created.b.id as string;
    const [res] = await ingest(env.core, Buffer.from('Subject: keep\r\n\r\nbody\r\n'), [
      { accountId: env.alice.id, mailbox: 'Old/Kid' },
    ]);
    const email = res!.emailId!;
    const r1 = first(
      await env.api([['Mailbox/set', { accountId: acc(), destroy: [a, b, inbox] }, 's']]),
    );
    assert.equal(r1.notDestroyed[a].type, 'mailboxHasChild');
    assert.equal(r1.notDestroyed[b].type, 'mailboxHasEmail');
    assert.equal(r1.notDestroyed[inbox].type, 'forbidden');
    const r2 = await env.api([
      ['Mailbox/set', { accountId: acc(), destroy: [b], onDestroyRemoveEmails: true }, 's'],
      ['Mailbox/set', { accountId: acc(), destroy: [a] }, 't'],
      ['Email/get', { accountId: acc(), ids: [email], properties: ['id'] }, 'g'],
    ]);
    assert.deepEqual(r2[0]![1].destroyed, [b]);
    assert.deepEqual(r2[1]![1].destroyed, [a]);
    assert.deepEqual(r2[2]![1].notFound, [email], 'in no other mailbox: destroyed with it');
  });

  test('query: filters, sorts, filterAsTree, sortAsTree; queryChanges', async () => {
    const mk = first(
      await env.api([
        [
          'Mailbox/set',
          {
            accountId: acc(),
            create: {
              t: { name: 'Tree' },
              x: { name: 'Zeta', parentId: '#t' },
              y: { name: 'Alpha', parentId: '#t' },
            },
          },
          's',
        ],
      ]),
    );
    const [t, x, y] = ['t', 'x', 'y'].map((k) => mk.created[k].id as string);
    const r = await env.api([
      [
        'Mailbox/query',
        { accountId: acc(), filter: { hasAnyRole: true }, sort: [{ property: 'sortOrder' }] },
        'roles',
      ],
      [
        'Mailbox/query',
        {
          accountId: acc(),
          sort: [{ property: 'name' }],
          sortAsTree: true,
          filter: { operator: 'OR', conditions: [{ name: 'Tree' }, { parentId: t }] },
        },
        'tree',
      ],
      [
        'Mailbox/query',
        {
          accountId: acc(),
          filter: { name: 'a' },
          filterAsTree: true,
          sort: [{ property: 'name' }],
        },
        'fat',
      ],
      ['Mailbox/query', { accountId: acc(), sort: [{ property: 'totalEmails' }] }, 'bad'],
      ['Mailbox/query', { accountId: acc(), filter: { colour: 'red' } }, 'bad2'],
    ]);
    assert.equal((r[0]![1].ids as string[])[0], inbox, 'inbox has the first sortOrder');
    assert.deepEqual(r[1]![1].ids, [t, y, x], 'parent first, then children by name');
    assert.ok(!(r[2]![1].ids as string[]).includes(y!), 'Alpha matches, its parent Tree does not');
    assert.equal(r[3]![1].type, 'unsupportedSort');
    assert.equal(r[4]![1].type, 'unsupportedFilter');

    const before1 = first(
      await env.api([['Mailbox/query', { accountId: acc(), sort: [{ property: 'name' }] }, 'q']]),
    );
    const made = first(
      await env.api([['Mailbox/set', { accountId: acc(), create: { n: { name: 'AAA' } } }, 's']]),
    );
    const ch = await env.api([
      [
        'Mailbox/queryChanges',
        { accountId: acc(), sinceQueryState: before1.queryState, sort: [{ property: 'name' }] },
        'c',
      ],
      ['Mailbox/queryChanges', { accountId: acc(), sinceQueryState: '999999999' }, 'bad'],
    ]);
    assert.deepEqual(ch[0]![1].added, [{ id: made.created.n.id, index: 0 }]);
    assert.equal(ch[1]![1].type, 'cannotCalculateChanges');
  });
});
