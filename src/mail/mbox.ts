// The mbox format in its "mboxrd" variant (RFC 4155 and its appendix; the variant mutt, Dovecot
// and Thunderbird read): messages one after another, each opened by a "From sender date" line
// and closed by an empty line. Inside a message, every line matching /^>*From / gets one more
// ">" on writing and loses one on reading, so the bytes round-trip exactly.
// No storage. Lines are LF in the file and CRLF in the messages we keep (RFC 5322 §2.1).
// The reader streams and never holds more than one message, which it bounds in size.

/** asctime()-style date of the From line, in UTC: "Thu Jan  1 00:00:00 2024". */
export function asctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The sender for the From line: Return-Path, else the From address, else MAILER-DAEMON. */
function envelopeSender(text: string): string {
  const end = text.search(/\r?\n\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  const returnPath = /^Return-Path:[ \t]*<([^<>\s]*)>/im.exec(header)?.[1];
  if (returnPath) return returnPath;
  const from = /^From:[^\n]*?<?([^<>\s"]+@[^<>\s",;]+)/im.exec(header)?.[1];
  return from ?? 'MAILER-DAEMON';
}

/**
 * One message as an mboxrd entry: the From line, the message with LF line ends and escaped
 * From lines, and the closing empty line.
 */
export function mboxEntry(raw: Uint8Array, receivedAt: Date): Buffer {
  // latin1 maps each byte to one code unit and back, so 8-bit and UTF-8 text pass untouched.
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  let body = text.replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1');
  if (!body.endsWith('\n')) body += '\n';
  return Buffer.from(`From ${envelopeSender(text)} ${asctime(receivedAt)}\n${body}\n`, 'latin1');
}

export type MboxItem =
  { raw: Buffer; receivedAt?: number; tooLarge?: undefined } | { tooLarge: true; size: number };

const GT = 0x3e;
const FROM_ = Buffer.from('From ', 'latin1');

function isFromLine(line: Buffer, at = 0): boolean {
  return line.length >= at + 5 && line.subarray(at, at + 5).equals(FROM_);
}

/** ">>From x" → ">From x" (mboxrd); other lines unchanged. */
function unescape(line: Buffer): Buffer {
  let i = 0;
  while (i < line.length && line[i] === GT) i++;
  return i > 0 && isFromLine(line, i) ? line.subarray(1) : line;
}

/** The date of a From line ("From sender Thu Jan  1 00:00:00 2024"), read as UTC. */
function fromLineDate(line: Buffer): number | undefined {
  const m = /\b([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\b/.exec(
    line.toString('latin1'),
  );
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  const t = Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isFinite(t) ? t : undefined;
}

/** Splits a byte stream into lines without their LF (and CR). A longer line than `max` is cut
 * into pieces flagged `long`, so memory stays bounded. */
async function* lines(
  input: AsyncIterable<Uint8Array>,
  max: number,
): AsyncGenerator<{ line: Buffer; long: boolean }> {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  for await (const c of input) {
    const chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      let line = chunk.subarray(start, nl);
      if (pendingLen > 0) {
        line = Buffer.concat([...pending, line]);
        pending = [];
        pendingLen = 0;
      }
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
      yield { line, long: false };
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copy: the stream may reuse its chunk buffers.
      const rest = Buffer.from(chunk.subarray(start));
      pending.push(rest);
      pendingLen += rest.length;
      if (pendingLen > max) {
        yield { line: Buffer.concat(pending), long: true };
        pending = [];
        pendingLen = 0;
      }
    }
  }
  if (pendingLen > 0) yield { line: Buffer.concat(pending), long: false };
}

export class MboxFormatError extends Error {}

const CRLF = Buffer.from('\r\n');

/**
 * Reads an mboxrd (or mboxo) stream message by message. Each message comes back with CRLF
 * line ends and the From-line date; one larger than `maxBytes` is skipped and reported as
 * `{ tooLarge }`. A From line counts as a separator only at the start or after an empty line.
 */
export async function* readMbox(
  input: AsyncIterable<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<MboxItem> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  let receivedAt: number | undefined;
  let started = false;
  let prevEmpty = true;
  let blankTail = 0; // empty lines held back: the last one belongs to the separator

  function* finish(): Generator<MboxItem> {
    if (!started) return;
    if (tooLarge) yield { tooLarge: true, size };
    else yield { raw: Buffer.concat(parts), receivedAt };
  }
  const push = (b: Buffer): void => {
    if (tooLarge) {
      size += b.length;
      return;
    }
    parts.push(b);
    size += b.length;
    if (size > maxBytes) {
      tooLarge = true;
      parts = [];
    }
  };

  for await (const { line, long } of lines(input, maxBytes)) {
    if (long) {
      // A line longer than the whole limit: the message is too large whatever follows.
      if (!started)
        throw new MboxFormatError('not an mbox file: it does not start with a "From " line');
      size += line.length;
      tooLarge = true;
      parts = [];
      prevEmpty = false;
      continue;
    }
    if (prevEmpty && isFromLine(line)) {
      for (; blankTail > 1; blankTail--) push(CRLF); // the last empty line is the separator
      yield* finish();
      parts = [];
      size = 0;
      tooLarge = false;
      blankTail = 0;
      receivedAt = fromLineDate(line);
      started = true;
      prevEmpty = false;
      continue;
    }
    if (!started) {
      if (line.length === 0) continue; // leading empty lines
      throw new MboxFormatError('not an mbox file: it does not start with a "From " line');
    }
    prevEmpty = line.length === 0;
    if (prevEmpty) {
      blankTail++;
      continue;
    }
    for (; blankTail > 0; blankTail--) push(CRLF);
    push(unescape(line));
    push(CRLF);
  }
  for (; blankTail > 1; blankTail--) push(CRLF);
  yield* finish();
}
