// Messages for the web mail tests, stored through core ingest() as if delivered: an HTML
// message with a remote picture and a PNG and a PDF attached, and a plain-text one in Lao.
import { randomUUID } from 'node:crypto';
import type { Core } from '../../src/core/core.ts';
import { ingest } from '../../src/core/deliver.ts';

/** A 2×2 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DwHwyBNAOQZoAxGAB1lA/xxA0vWQAAAABJRU5ErkJggg==',
  'base64',
);
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** A Lao sentence; LAO_WORD stands inside it, with no space around it. */
export const LAO_SENTENCE = 'ກະຊວງສຶກສາທິການແລະກິລາຈະເປັນກະຊວງທຳອິດທີ່ໃຊ້ລະບົບອີເມວໃໝ່';
export const LAO_WORD = 'ກິລາ';
export const LAO_SUBJECT = 'ກອງປະຊຸມປະຈຳເດືອນ';

const b64 = (b: Buffer): string => b.toString('base64').replace(/.{76}/g, '$&\r\n');
const word = (s: string): string => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

export function htmlMessage(to: string, date: Date): Buffer {
  const boundary = `b-${randomUUID()}`;
  const html = `<html><head><style>p{color:#333}</style></head><body>
<p>Dear colleague,</p><p>The <b>report</b> is attached. <a href="https://example.org/report">Online copy</a>.</p>
<p><img src="https://tracker.example.net/pixel.png" alt="tracker" width="40" height="40"></p>
<script>document.title='pwned'</script><p onclick="alert(1)">End.</p></body></html>`;
  return Buffer.from(
    [
      `From: =?UTF-8?B?${Buffer.from('ບຸນມີ ສີສະຫວັດ').toString('base64')}?= <bounmy@partner.test>`,
      `To: ${to}`,
      'Subject: Quarterly report with pictures',
      `Date: ${date.toUTCString()}`,
      `Message-ID: <${randomUUID()}@partner.test>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(Buffer.from(html)),
      `--${boundary}`,
      'Content-Type: image/png; name="chart.png"',
      'Content-Disposition: attachment; filename="chart.png"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(PNG),
      `--${boundary}`,
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(PDF),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

export function laoMessage(to: string, date: Date): Buffer {
  return Buffer.from(
    [
      `From: ${word('ສົມພອນ ວົງສາ')} <somphone@school.test>`,
      `To: ${to}`,
      `Subject: ${word(LAO_SUBJECT)}`,
      `Date: ${date.toUTCString()}`,
      `Message-ID: <${randomUUID()}@school.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(Buffer.from(`ສະບາຍດີ,\n\n${LAO_SENTENCE}.\nເບິ່ງ https://moe.gov.la/news ແດ່.\n`)),
      '',
    ].join('\r\n'),
  );
}

export function plainMessage(to: string, n: number, date: Date): Buffer {
  return Buffer.from(
    [
      `From: Sender ${n % 50} <sender${n % 50}@partner.test>`,
      `To: ${to}`,
      `Subject: Message number ${n}`,
      `Date: ${date.toUTCString()}`,
      `Message-ID: <m${n}-${randomUUID()}@partner.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `This is message ${n} of the pile.`,
      '',
    ].join('\r\n'),
  );
}

export async function seed(core: Core, accountId: number, to: string): Promise<void> {
  const now = Date.now();
  await ingest(core, laoMessage(to, new Date(now - 3_600_000)), [{ accountId }], {
    receivedAt: now - 3_600_000,
  });
  await ingest(core, htmlMessage(to, new Date(now - 60_000)), [{ accountId }], {
    receivedAt: now - 60_000,
  });
}
