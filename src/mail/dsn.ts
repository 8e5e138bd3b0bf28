// Delivery Status Notifications (RFC 3464): the multipart/report message (RFC 6522) that tells
// a sender a message failed, is delayed, or was delivered. Builds bytes only; the caller
// decides where they go (the queue sends them from MAILER-DAEMON with a null reverse-path).
// The human-readable part is in English and Lao; the machine part is ASCII, as §2.1 requires.
import { randomBytes } from 'node:crypto';

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface DsnRecipient {
  /** The address we tried (Final-Recipient, RFC 3464 §2.3.2). */
  finalRecipient: string;
  /** DSN ORCPT as given at submission, "rfc822;addr" (Original-Recipient, §2.3.1). */
  originalRecipient?: string | null;
  action: DsnAction;
  /** Enhanced status code, RFC 3463, e.g. "5.1.1". */
  status: string;
  /** The peer that answered, a host name (Remote-MTA, §2.3.5). */
  remoteMta?: string | null;
  /** The peer's reply, e.g. "550 5.1.1 no such user" (Diagnostic-Code, §2.3.6). */
  diagnostic?: string | null;
  lastAttemptAt?: number | null;
  /** For delayed: when we give up (Will-Retry-Until, §2.3.9). */
  willRetryUntil?: number | null;
}

export interface DsnInput {
  /** Our host name (Reporting-MTA, §2.2.2). */
  reportingMta: string;
  /** Who gets the notice: the original envelope sender. */
  to: string;
  /** DSN ENVID of the original (Original-Envelope-Id, §2.2.1). */
  envId?: string | null;
  arrivalDate?: number | null;
  recipients: DsnRecipient[];
  /** The original message. */
  original: Uint8Array;
  /** DSN RET (RFC 3461 §4.3): HDRS returns the header only. */
  ret?: 'FULL' | 'HDRS' | string | null;
  /** Above this size only the header is returned, whatever RET says. */
  maxFullBytes?: number;
  now?: number;
}

export interface BuiltDsn {
  raw: Buffer;
  messageId: string;
  subject: string;
}

/** RFC 5322 §3.3 date-time in UTC. */
export function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/**
 * The enhanced status code (RFC 3463) in an SMTP reply, or one made from the reply class:
 * "550 5.1.1 unknown" → "5.1.1"; "451 try later" → "4.0.0".
 */
export function statusOfReply(code: number, text: string): string {
  const cls = Math.floor(code / 100);
  const m = /(?:^|\s)([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)/.exec(text);
  if (m && Number(m[1]) === cls) return `${m[1]}.${m[2]}.${m[3]}`;
  return `${cls >= 2 && cls <= 5 ? cls : 4}.0.0`;
}

/** One line of printable ASCII, as a DSN field must be (RFC 3464 §2.1). */
function fieldText(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim()
    .slice(0, 900);
}

/** An RFC 2047 encoded-word header value for non-ASCII text (each word ≤ 75 chars). */
export function encodeHeaderWords(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    // 45 UTF-8 bytes → 60 base64 chars + 12 of framing stays under the 75 limit (§2).
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

function base64Lines(text: string): string {
  return (
    Buffer.from(text, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '') +
    '\r\n'
  );
}

/** The header block of a message, up to (not including) the blank line. */
export function headerPart(raw: Uint8Array): Buffer {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  let end = buf.length;
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) end = crlf + 2;
  else if (lf >= 0) end = lf + 1;
  return buf.subarray(0, end);
}

const TEXTS: Record<'failed' | 'delayed' | 'success', { subject: string; body: string[] }> = {
  failed: {
    subject: 'Undelivered Mail Returned to Sender / ສົ່ງຂໍ້ຄວາມບໍ່ສຳເລັດ',
    body: [
      'Your message could not be delivered to the recipients below.',
      'The reason is given with each address. The message is returned with this notice.',
      '',
      'ບໍ່ສາມາດສົ່ງຂໍ້ຄວາມຂອງທ່ານໄປຫາຜູ້ຮັບລຸ່ມນີ້ໄດ້.',
      'ສາເຫດແມ່ນບອກໄວ້ກັບແຕ່ລະທີ່ຢູ່. ຂໍ້ຄວາມເດີມຖືກສົ່ງຄືນມາພ້ອມກັບແຈ້ງການນີ້.',
    ],
  },
  delayed: {
    subject: 'Delayed Mail (still being retried) / ຂໍ້ຄວາມຍັງສົ່ງບໍ່ທັນເຖິງ',
    body: [
      'Your message has not yet reached the recipients below.',
      'The server keeps trying; you do not need to send it again.',
      '',
      'ຂໍ້ຄວາມຂອງທ່ານຍັງສົ່ງບໍ່ທັນເຖິງຜູ້ຮັບລຸ່ມນີ້.',
      'ລະບົບຈະພະຍາຍາມສົ່ງຕໍ່ໄປເອງ, ທ່ານບໍ່ຈຳເປັນຕ້ອງສົ່ງຄືນໃໝ່.',
    ],
  },
  success: {
    subject: 'Successful Mail Delivery Report / ສົ່ງຂໍ້ຄວາມສຳເລັດ',
    body: [
      'Your message was delivered to the recipients below (or handed on to a server',
      'that does not send delivery reports).',
      '',
      'ຂໍ້ຄວາມຂອງທ່ານໄດ້ສົ່ງເຖິງຜູ້ຮັບລຸ່ມນີ້ແລ້ວ (ຫຼື ໄດ້ສົ່ງຕໍ່ໃຫ້ເຊີບເວີທີ່ບໍ່ສົ່ງໃບລາຍງານການສົ່ງ).',
    ],
  },
};

function kindOf(recipients: DsnRecipient[]): 'failed' | 'delayed' | 'success' {
  if (recipients.some((r) => r.action === 'failed')) return 'failed';
  if (recipients.some((r) => r.action === 'delayed')) return 'delayed';
  return 'success';
}

function humanPart(input: DsnInput, kind: 'failed' | 'delayed' | 'success'): string {
  const lines = [`This is the mail system at ${input.reportingMta}.`, ''];
  lines.push(...TEXTS[kind].body, '');
  for (const r of input.recipients) {
    lines.push(`<${r.finalRecipient}>: ${r.diagnostic ?? r.status}`);
    if (r.willRetryUntil)
      lines.push(`  (retrying until / ຈະພະຍາຍາມຈົນຮອດ ${rfc5322Date(r.willRetryUntil)})`);
  }
  return lines.join('\r\n') + '\r\n';
}

function statusPart(input: DsnInput, now: number): string {
  // RFC 3464 §2.2: per-message fields, a blank line, then one block per recipient.
  const msg = [`Reporting-MTA: dns; ${fieldText(input.reportingMta)}`];
  if (input.envId) msg.push(`Original-Envelope-Id: ${fieldText(input.envId)}`);
  if (input.arrivalDate) msg.push(`Arrival-Date: ${rfc5322Date(input.arrivalDate)}`);
  const blocks = input.recipients.map((r) => {
    const b: string[] = [];
    if (r.originalRecipient) {
      const o = r.originalRecipient.includes(';')
        ? r.originalRecipient
        : `rfc822;${r.originalRecipient}`;
      b.push(`Original-Recipient: ${fieldText(o)}`);
    }
    b.push(`Final-Recipient: rfc822; ${fieldText(r.finalRecipient)}`);
    b.push(`Action: ${r.action}`);
    b.push(`Status: ${r.status}`);
    if (r.remoteMta) b.push(`Remote-MTA: dns; ${fieldText(r.remoteMta)}`);
    if (r.diagnostic) b.push(`Diagnostic-Code: smtp; ${fieldText(r.diagnostic)}`);
    b.push(`Last-Attempt-Date: ${rfc5322Date(r.lastAttemptAt ?? now)}`);
    if (r.willRetryUntil) b.push(`Will-Retry-Until: ${rfc5322Date(r.willRetryUntil)}`);
    return b.join('\r\n');
  });
  return [msg.join('\r\n'), ...blocks].join('\r\n\r\n') + '\r\n';
}

/** Builds the DSN message. Never throws on a malformed original: it is quoted as bytes. */
export function buildDsn(input: DsnInput): BuiltDsn {
  const now = input.now ?? Date.now();
  const kind = kindOf(input.recipients);
  const boundary = `=_dsn_${randomBytes(12).toString('hex')}`;
  const messageId = `${randomBytes(12).toString('hex')}@${input.reportingMta}`;
  const subject = TEXTS[kind].subject;
  const headersOnly =
    input.ret?.toUpperCase() === 'HDRS' ||
    input.original.byteLength > (input.maxFullBytes ?? 10 * 1024 * 1024);
  const returned = headersOnly ? headerPart(input.original) : Buffer.from(input.original);
  const eightBit = returned.some((b) => b > 127);
  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${input.to}>`,
    `Subject: ${encodeHeaderWords(subject)}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <${messageId}>`,
    // RFC 3834 §5: an automatic reply, so autoresponders stay quiet.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${boundary}"`,
    '',
    'This is a MIME-formatted delivery status notification.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(humanPart(input, kind)).trimEnd(),
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    statusPart(input, now).trimEnd(),
    '',
    `--${boundary}`,
    // RFC 6522 §4 / RFC 3462: text/rfc822-headers when only the header comes back.
    `Content-Type: ${headersOnly ? 'text/rfc822-headers' : 'message/rfc822'}`,
    // RFC 2046 §5.2.1: message/rfc822 may only be 7bit, 8bit or binary.
    `Content-Transfer-Encoding: ${eightBit ? '8bit' : '7bit'}`,
    '',
    '',
  ].join('\r\n');
  const tail = `${returned.length > 0 && returned.at(-1) !== 0x0a ? '\r\n' : ''}--${boundary}--\r\n`;
  return {
    raw: Buffer.concat([Buffer.from(head, 'utf8'), returned, Buffer.from(tail)]),
    messageId,
    subject,
  };
}
