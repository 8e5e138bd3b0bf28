// Email/get body properties (RFC 8621 §4.1.4) and header forms (§4.1.2) over HTTPS on both
// stores: a Lao multipart message (alternative text + HTML, an inline image in related, an
// attachment with an RFC 2231 Lao file name) gives the RFC's textBody / htmlBody /
// attachments, decoded bodyValues truncated on whole graphemes, part blobs that download
// decoded; a long Lao preview ends on a whole grapheme; every message of the shared corpus
// gives an answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ingest } from '../../src/core/deliver.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testdataFiles } from '../helpers/testdata.ts';
import { call } from '../http/client.ts';
import { first, firstCall, jmapEnv, PASSWORD, type JmapEnv } from './setup.ts';

const LAO_TEXT = 'ສະບາຍດີ ກະຊວງສຶກສາທິການ ແລະ ກິລາ';
const LAO_FILE = 'ບົດລາຍງານ.pdf';
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const PDF = Buffer.from('%PDF-1.4 not really a pdf\n');

function multipart(): Buffer {
  const fname = encodeURIComponent(LAO_FILE).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16),
  );
  return Buffer.from(
    [
      'From: =?UTF-8?B?' + b64('ສົມພອນ') + '?= <somphone@moes.example>',
      'To: alice@test.example, "Bob" <bob@test.example>',
      'Subject: =?UTF-8?B?' + b64('ລາຍງານ') + '?=',
      'Message-ID: <multi-1@moes.example>',
      'List-Unsubscribe: <mailto:leave@moes.example>, <https://moes.example/leave>',
      'X-Custom: =?UTF-8?B?' + b64('ທົດລອງ') + '?=',
      'Date: Tue, 03 Mar 2026 10:00:00 +0700',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(LAO_TEXT),
      '--alt',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<p>' +
        [...Buffer.from(LAO_TEXT)]
          .map((c) => '=' + c.toString(16).toUpperCase())
          .join('')
          .replace(/(.{60})/g, '$1=\r\n') +
        '</p>',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <logo@moes>',
      'Content-Disposition: inline',
      'Content-Transfer-Encoding: base64',
      '',
      b64('PNGDATA'),
      '--rel--',
      '--alt--',
      '--outer',
      `Content-Type: application/pdf`,
      `Content-Disposition: attachment; filename*=UTF-8''${fname}`,
      'Content-Transfer-Encoding: base64',
      '',
      b64(PDF),
      '--outer',
      'Content-Type: text/plain; charset=x-unknown-charset',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'plain words',
      '--outer--',
      '',
    ].join('\r\n'),
  );
}

function longLao(): Buffer {
  // Marks after every consonant: a cut at 256 units would likely split one.
  const body = 'ກະຊວງສຶກສາທິການແລະກິລາຈະເປັນເຈົ້າພາບກອງປະຊຸມ '.repeat(20);
  return Buffer.from(
    [
      'From: a@moes.example',
      'Subject: long',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
    ].join('\r\n'),
  );
}

forEachStore('JMAP Email/get body', (kind) => {
  let env: JmapEnv;
  let multiId = '';
  let longId = '';
  before(async () => {
    env = await jmapEnv(kind);
    multiId = (await ingest(env.core, multipart(), [{ accountId: env.alice.id }]))[0]!.emailId!;
    longId = (await ingest(env.core, longLao(), [{ accountId: env.alice.id }]))[0]!.emailId!;
  });
  after(() => env.close());

  test('bodyStructure, textBody, htmlBody, attachments and bodyValues', async () => {
    const res = first(
      await env.api([
        [
          'Email/get',
          {
            accountId: env.accountId,
            ids: [multiId],
            properties: [
              'bodyStructure',
              'textBody',
              'htmlBody',
              'attachments',
              'bodyValues',
              'hasAttachment',
            ],
            fetchTextBodyValues: true,
            fetchHTMLBodyValues: true,
          },
          'g',
        ],
      ]),
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const e = (res.list as any[])[0];
    assert.equal(e.bodyStructure.type, 'multipart/mixed');
    assert.equal(e.bodyStructure.partId, null);
    assert.deepEqual(
      e.bodyStructure.subParts.map((p: { type: string }) => p.type),
      ['multipart/alternative', 'application/pdf', 'text/plain'],
    );
    assert.deepEqual(
      e.textBody.map((p: { partId: string }) => p.partId),
      ['1.1'],
    );
    assert.deepEqual(
      e.htmlBody.map((p: { partId: string }) => p.partId),
      ['1.2.1'],
    );
    const atts = e.attachments as {
      name: string;
      type: string;
      blobId: string;
      size: number;
      charset: string | null;
    }[];
    // multipart/related: only its first part is body (§4.1.4), the image is an attachment.
    assert.deepEqual(
      atts.map((a) => [a.type, a.name]),
      [
        ['image/png', null],
        ['application/pdf', LAO_FILE],
        ['text/plain', 'notes.txt'],
      ],
    );
    assert.equal(e.hasAttachment, true);
    const pdf = atts.find((a) => a.type === 'application/pdf')!;
    assert.equal(pdf.name, LAO_FILE);
    assert.equal(pdf.size, PDF.length);
    assert.equal(pdf.charset, null);
    assert.equal(e.bodyValues['1.1'].value, LAO_TEXT);
    assert.equal(e.bodyValues['1.1'].isEncodingProblem, false);
    assert.equal(e.bodyValues['1.2.1'].value, `<p>${LAO_TEXT}</p>`);

    // The attachment's blob downloads decoded.
    const dl = await call(
      env.doors.ports.https,
      `/jmap/download/${env.accountId}/${pdf.blobId}/x.pdf`,
      {
        auth: { user: 'alice@test.example', pass: PASSWORD },
      },
    );
    assert.equal(dl.status, 200);
    assert.deepEqual(dl.body, PDF);
  });

  test('fetchAllBodyValues with maxBodyValueBytes cuts on whole graphemes; unknown charset flagged', async () => {
    const res = first(
      await env.api([
        [
          'Email/get',
          {
            accountId: env.accountId,
            ids: [multiId],
            properties: ['bodyValues'],
            fetchAllBodyValues: true,
            maxBodyValueBytes: 20,
          },
          'g',
        ],
      ]),
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const v = (res.list as any[])[0].bodyValues;
    assert.deepEqual(Object.keys(v).sort(), ['1.1', '1.2.1', '3']);
    assert.equal(v['1.1'].isTruncated, true);
    assert.ok(Buffer.byteLength(v['1.1'].value) <= 20);
    assert.ok(LAO_TEXT.startsWith(v['1.1'].value));
    const seg = new Intl.Segmenter('lo', { granularity: 'grapheme' });
    const ends = new Set([...seg.segment(LAO_TEXT)].map((s) => s.index + s.segment.length));
    assert.ok(ends.has(v['1.1'].value.length), 'cut between graphemes');
    assert.equal(v['3'].isEncodingProblem, true);
    assert.equal(v['3'].value, 'plain words');
  });

  test('header forms and header-derived properties', async () => {
    const r = await env.api([
      [
        'Email/get',
        {
          accountId: env.accountId,
          ids: [multiId],
          properties: [
            'from',
            'to',
            'messageId',
            'header:Subject:asText',
            'header:subject',
            'header:List-Unsubscribe:asURLs',
            'header:X-Custom:asText',
            'header:To:asGroupedAddresses',
            'header:Date:asDate',
            'header:Received:all',
            'header:X-Missing',
          ],
        },
        'g',
      ],
      [
        'Email/get',
        { accountId: env.accountId, ids: [multiId], properties: ['header:Subject:asAddresses'] },
        'b',
      ],
      [
        'Email/get',
        {
          accountId: env.accountId,
          ids: [multiId],
          properties: ['bodyStructure'],
          bodyProperties: ['nope'],
        },
        'c',
      ],
    ]);
    const [res, bad, bad2] = r.map((x) => x[1]) as [
      Record<string, unknown>,
      { type: string },
      { type: string },
    ];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const e = (res.list as any[])[0];
    assert.deepEqual(e.from, [{ name: 'ສົມພອນ', email: 'somphone@moes.example' }]);
    assert.deepEqual(e.to, [
      { name: null, email: 'alice@test.example' },
      { name: 'Bob', email: 'bob@test.example' },
    ]);
    assert.deepEqual(e.messageId, ['multi-1@moes.example']);
    assert.equal(e['header:Subject:asText'], 'ລາຍງານ');
    assert.match(e['header:subject'], /^ =\?UTF-8\?B\?/);
    assert.deepEqual(e['header:List-Unsubscribe:asURLs'], [
      'mailto:leave@moes.example',
      'https://moes.example/leave',
    ]);
    assert.equal(e['header:X-Custom:asText'], 'ທົດລອງ');
    assert.equal(e['header:To:asGroupedAddresses'][0].addresses.length, 2);
    assert.equal(e['header:Date:asDate'], '2026-03-03T03:00:00Z');
    assert.deepEqual(e['header:Received:all'], []);
    assert.equal(e['header:X-Missing'], null);
    assert.equal(bad.type, 'invalidArguments');
    assert.equal(bad2.type, 'invalidArguments');
  });

  test('a long Lao preview is at most 256 characters and ends on a whole grapheme', async () => {
    const res = first(
      await env.api([
        ['Email/get', { accountId: env.accountId, ids: [longId], properties: ['preview'] }, 'g'],
      ]),
    );
    const preview = (res.list as { preview: string }[])[0]!.preview;
    assert.ok(preview.length > 200 && preview.length <= 256, `${preview.length}`);
    const full = longLao().toString('utf8').split('\r\n\r\n')[1]!.replace(/\s+/g, ' ');
    assert.ok(full.startsWith(preview));
    const seg = new Intl.Segmenter('lo', { granularity: 'grapheme' });
    const ends = new Set([...seg.segment(full)].map((s) => s.index + s.segment.length));
    assert.ok(ends.has(preview.length), 'no grapheme is cut');
  });

  test('every message of the shared corpus gives a valid Email/get answer', async () => {
    const ids: string[] = [];
    for (const file of testdataFiles('mime')) {
      const r = await ingest(env.core, readFileSync(file), [{ accountId: env.alice.id }]);
      ids.push(r[0]!.emailId!);
    }
    for (let i = 0; i < ids.length; i += 50) {
      const batch = ids.slice(i, i + 50);
      const [name, res] = firstCall(
        await env.api([
          [
            'Email/get',
            {
              accountId: env.accountId,
              ids: batch,
              properties: [
                'bodyStructure',
                'textBody',
                'htmlBody',
                'attachments',
                'bodyValues',
                'preview',
                'from',
                'to',
                'subject',
                'headers',
                'header:Subject:asText',
              ],
              fetchAllBodyValues: true,
              maxBodyValueBytes: 4096,
            },
            'g',
          ],
        ]),
      );
      assert.equal(name, 'Email/get', JSON.stringify(res));
      const list = res.list as {
        id: string;
        textBody: { partId: string }[];
        bodyValues: Record<string, unknown>;
      }[];
      assert.equal(list.length, batch.length);
      for (const e of list)
        for (const p of e.textBody)
          if (p.partId && (p as unknown as { type: string }).type.startsWith('text/'))
            assert.ok(p.partId in e.bodyValues, `${e.id} ${p.partId}`);
    }
  });
});
