// ENVELOPE and BODYSTRUCTURE / BODY (RFC 9051 §7.5.2, §9 body, envelope) as response values,
// from a MIME tree with byte offsets (mail/mimeparts.ts). Header values are sent as they are
// in the message (RFC 2047 words stay encoded; clients decode them).
import addressparser from 'nodemailer/lib/addressparser';
import {
  countLines,
  headerValue,
  parseParams,
  type Header,
  type MimePart,
} from '../../mail/mimeparts.ts';
import type { Value } from './writer.ts';

type AddressOrGroup = ReturnType<typeof addressparser>[number];

function addresses(value: string | null): Value {
  if (value === null || value.trim() === '') return null;
  let list: AddressOrGroup[];
  try {
    list = addressparser(value);
  } catch {
    return null;
  }
  const out: Value[] = [];
  const one = (name: string, address: string): void => {
    const at = address.lastIndexOf('@');
    const local = at < 0 ? address : address.slice(0, at);
    const host = at < 0 ? null : address.slice(at + 1);
    out.push([name || null, null, local || null, host || null]);
  };
  for (const a of list) {
    if ('group' in a && a.group) {
      // RFC 9051 §7.5.2: a group is [NIL NIL name NIL] … [NIL NIL NIL NIL].
      out.push([null, null, a.name || '', null]);
      for (const m of a.group) one(m.name ?? '', m.address ?? '');
      out.push([null, null, null, null]);
    } else if ('address' in a && (a.address || a.name)) one(a.name, a.address ?? '');
  }
  return out.length ? out : null;
}

export function envelope(headers: Header[]): Value {
  const h = (n: string): string | null => headerValue(headers, n);
  const from = addresses(h('from'));
  // RFC 9051 §7.5.2: Sender and Reply-To default to From.
  return [
    h('date'),
    h('subject'),
    from,
    addresses(h('sender')) ?? from,
    addresses(h('reply-to')) ?? from,
    addresses(h('to')),
    addresses(h('cc')),
    addresses(h('bcc')),
    h('in-reply-to'),
    h('message-id'),
  ];
}

function paramList(params: [string, string][]): Value {
  if (params.length === 0) return null;
  return params.flatMap(([k, v]) => [k.toUpperCase(), v]);
}

function disposition(headers: Header[]): Value {
  const v = headerValue(headers, 'content-disposition');
  if (!v) return null;
  const d = parseParams(v);
  if (!d.main) return null;
  return [d.main.toUpperCase(), paramList(d.params)];
}

function language(headers: Header[]): Value {
  const v = headerValue(headers, 'content-language');
  if (!v) return null;
  const langs = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return langs.length ? langs : null;
}

/** BODYSTRUCTURE (extended = true) or BODY (extended = false) of a part. */
export function bodyStructure(buf: Buffer, part: MimePart, extended: boolean): Value {
  const h = part.headers;
  if (part.children.length > 0) {
    const out: Value[] = part.children.map((c) => bodyStructure(buf, c, extended));
    out.push(part.subtype.toUpperCase());
    if (extended)
      out.push(
        paramList(part.params),
        disposition(h),
        language(h),
        headerValue(h, 'content-location'),
      );
    return out;
  }
  const encoding =
    (headerValue(h, 'content-transfer-encoding') ?? '7BIT').trim().toUpperCase() || '7BIT';
  const size = part.end - part.bodyStart;
  const out: Value[] = [
    part.type.toUpperCase(),
    part.subtype.toUpperCase(),
    paramList(part.params),
    headerValue(h, 'content-id'),
    headerValue(h, 'content-description'),
    encoding,
    size,
  ];
  if (part.message) {
    out.push(envelope(part.message.headers), bodyStructure(buf, part.message, extended));
    out.push(countLines(buf, part.bodyStart, part.end));
  } else if (part.type === 'text') out.push(countLines(buf, part.bodyStart, part.end));
  if (extended)
    out.push(
      headerValue(h, 'content-md5'),
      disposition(h),
      language(h),
      headerValue(h, 'content-location'),
    );
  return out;
}
