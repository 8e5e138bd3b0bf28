// ENVELOPE and BODYSTRUCTURE / BODY (RFC 9051 §7.5.2, §9 body, envelope) as response values,
// rendered from the stored, protocol-neutral envelope and part structure (mail/structure.ts),
// or from a MIME tree with byte offsets (mail/mimeparts.ts) when none is stored. FETCH ENVELOPE
// itself sends the text stored at delivery (mail/imapenvelope.ts), the same bytes as
// writing envelopeValue.
import type { Header, MimePart } from '../../mail/mimeparts.ts';
import {
  envelopeOf,
  partInfo,
  type AddressTuple,
  type Envelope,
  type PartInfo,
} from '../../mail/structure.ts';
import type { Value } from './writer.ts';

function addressList(list: AddressTuple[] | null): Value {
  return list ? list.map((a) => [...a]) : null;
}

export function envelopeValue(e: Envelope): Value {
  return [
    e.date,
    e.subject,
    addressList(e.from),
    addressList(e.sender),
    addressList(e.replyTo),
    addressList(e.to),
    addressList(e.cc),
    addressList(e.bcc),
    e.inReplyTo,
    e.messageId,
  ];
}

function paramList(params: [string, string][]): Value {
  if (params.length === 0) return null;
  return params.flatMap(([k, v]) => [k.toUpperCase(), v]);
}

function disposition(d: PartInfo['disposition']): Value {
  return d ? [d.type.toUpperCase(), paramList(d.params)] : null;
}

/** BODYSTRUCTURE (extended = true) or BODY (extended = false) of a part. */
export function structureValue(p: PartInfo, extended: boolean): Value {
  if (p.children.length > 0) {
    const out: Value[] = p.children.map((c) => structureValue(c, extended));
    out.push(p.subtype.toUpperCase());
    if (extended) out.push(paramList(p.params), disposition(p.disposition), p.language, p.location);
    return out;
  }
  const out: Value[] = [
    p.type.toUpperCase(),
    p.subtype.toUpperCase(),
    paramList(p.params),
    p.id,
    p.description,
    p.encoding,
    p.end - p.bodyStart,
  ];
  if (p.message)
    out.push(envelopeValue(p.message.envelope), structureValue(p.message.body, extended));
  if (p.lines !== null) out.push(p.lines);
  if (extended) out.push(p.md5, disposition(p.disposition), p.language, p.location);
  return out;
}

export function envelope(headers: Header[]): Value {
  return envelopeValue(envelopeOf(headers));
}

export function bodyStructure(buf: Buffer, part: MimePart, extended: boolean): Value {
  return structureValue(partInfo(buf, part), extended);
}
