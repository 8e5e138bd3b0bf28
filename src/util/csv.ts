// CSV (RFC 4180) reading and writing, small and strict, for bulk imports and exports.
// Reading: fields may be quoted ("…", with "" for a quote inside), quoted fields may hold commas
// and line breaks, records end with CRLF or LF (RFC 4180 §2.1 says CRLF; spreadsheets on Linux
// write LF), blank lines are skipped, and every record carries the line number where it starts,
// so errors can point at the line a person sees in their editor. Input is text: decoding bytes
// (and refusing what is not UTF-8) is `decodeUtf8`'s job.
import { UserError } from './errors.ts';
import { problem } from './problems.ts';

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

/** Parses CSV text into records; throws a UserError naming the line of malformed quoting. */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    // One record: fields separated by commas up to an unquoted line break (RFC 4180 §2.4–2.7).
    for (;;) {
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new UserError('invalid', problem('csvQuoteNeverEnds', { line: start }));
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = text[i];
        const ends = next === undefined || next === ',' || next === '\n';
        if (!ends && !(next === '\r' && text[i + 1] === '\n'))
          throw new UserError('invalid', problem('csvTextAfterQuote', { line }));
      } else {
        while (i < n) {
          const c = text[i]!;
          if (c === ',' || c === '\n' || (c === '\r' && text[i + 1] === '\n')) break;
          if (c === '"') throw new UserError('invalid', problem('csvQuoteInField', { line }));
          field += c;
          i++;
        }
      }
      fields.push(field);
      field = '';
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      if (i < n) {
        if (text[i] === '\r') i++;
        i++; // '\n'
        line++;
      }
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: start, fields });
  }
  return out;
}

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180 §2.6–2.7). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record with its CRLF (RFC 4180 §2.1). */
export function csvRow(values: string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/**
 * Decodes bytes that must be UTF-8 (a leading byte-order mark is dropped). Anything else —
 * Latin-1, Windows-1252, UTF-16 from an old spreadsheet — is refused with the first line that
 * is not UTF-8, since guessing would store garbled Lao names.
 */
export function decodeUtf8(bytes: Uint8Array, what = 'the file'): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new UserError('encoding', problem('fileUtf16', { what }));
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return decoder.decode(bytes);
  } catch {
    let line = 1;
    let from = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(from, i));
        } catch {
          break;
        }
        line++;
        from = i + 1;
      }
    }
    throw new UserError('encoding', problem('fileNotUtf8', { what, line }));
  }
}
