// Header fields in the parsed forms of RFC 8621 §4.1.2: the "header:{name}[:as{Form}][:all]"
// properties of Email and EmailBodyPart. A form a known header field may not be read in is
// invalidArguments (§4.1.3); unknown fields may be read in any form. Values come from the
// raw fields (mail/headerfields.ts); a field that does not parse gives null, never a throw.
import { addressParser, decodeWords, type Address } from 'postal-mime';
import type { RawField } from '../mail/headerfields.ts';
import { MethodError } from './errors.ts';
import { utcDate } from './context.ts';

export type HeaderForm =
  'Raw' | 'Text' | 'Addresses' | 'GroupedAddresses' | 'MessageIds' | 'Date' | 'URLs';

export interface HeaderProperty {
  /** The property as asked, the key of the answer. */
  property: string;
  /** Lower-case field name. */
  name: string;
  form: HeaderForm;
  all: boolean;
}

const FORMS = new Set<string>([
  'Raw',
  'Text',
  'Addresses',
  'GroupedAddresses',
  'MessageIds',
  'Date',
  'URLs',
]);

const ADDRESS_FIELDS = ['from', 'sender', 'reply-to', 'to', 'cc', 'bcc'];
const ALLOWED: Record<string, readonly HeaderForm[]> = {
  subject: ['Text'],
  comments: ['Text'],
  keywords: ['Text'],
  'list-id': ['Text'],
  'message-id': ['MessageIds'],
  'in-reply-to': ['MessageIds'],
  references: ['MessageIds'],
  'resent-message-id': ['MessageIds'],
  date: ['Date'],
  'resent-date': ['Date'],
  'return-path': [],
  received: [],
  'mime-version': [],
  'content-type': [],
  'content-transfer-encoding': [],
  'content-disposition': [],
  'content-id': [],
  'content-description': [],
  'content-language': [],
  'content-location': [],
};
for (const f of ADDRESS_FIELDS)
  ALLOWED[f] = ALLOWED[`resent-${f}`] = ['Addresses', 'GroupedAddresses'];
for (const f of ['help', 'unsubscribe', 'subscribe', 'post', 'owner', 'archive'])
  ALLOWED[`list-${f}`] = ['URLs'];

/** Parses "header:…" or returns null for any other property; a bad one is invalidArguments. */
export function headerProperty(property: string): HeaderProperty | null {
  if (!property.startsWith('header:')) return null;
  const parts = property.slice(7).split(':');
  const name = parts.shift() ?? '';
  let form: HeaderForm = 'Raw';
  let all = false;
  if (parts[parts.length - 1] === 'all') {
    all = true;
    parts.pop();
  }
  if (parts.length > 1)
    throw new MethodError('invalidArguments', `${property} is not a header property`);
  if (parts.length === 1) {
    const f = parts[0]!;
    if (!f.startsWith('as') || !FORMS.has(f.slice(2)))
      throw new MethodError('invalidArguments', `${property}: unknown form ${f}`);
    form = f.slice(2) as HeaderForm;
  }
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
    throw new MethodError('invalidArguments', `${property}: not a header field name`);
  const lower = name.toLowerCase();
  const allowed = ALLOWED[lower];
  if (form !== 'Raw' && allowed && !allowed.includes(form))
    throw new MethodError(
      'invalidArguments',
      `${name} cannot be read as ${form} (RFC 8621 §4.1.2)`,
    );
  return { property, name: lower, form, all };
}

export interface EmailAddress {
  name: string | null;
  email: string;
}

export interface EmailAddressGroup {
  name: string | null;
  addresses: EmailAddress[];
}

const unfold = (v: string): string => v.replace(/\r?\n(?=[ \t])/g, '');

/** The Text form: unfolded, RFC 2047 words decoded, trimmed, NFC. */
export function asText(raw: string): string {
  return decodeWords(unfold(raw)).trim().normalize('NFC');
}

function parseAddresses(raw: string): Address[] {
  try {
    return addressParser(unfold(raw));
  } catch {
    return [];
  }
}

function one(a: { name?: string; address?: string }): EmailAddress {
  return { name: a.name ? a.name.normalize('NFC') : null, email: a.address ?? '' };
}

export function asAddresses(raw: string): EmailAddress[] {
  const out: EmailAddress[] = [];
  for (const a of parseAddresses(raw))
    if ('group' in a && Array.isArray(a.group)) out.push(...a.group.map(one));
    else out.push(one(a));
  return out;
}

export function asGroupedAddresses(raw: string): EmailAddressGroup[] {
  const out: EmailAddressGroup[] = [];
  for (const a of parseAddresses(raw)) {
    if ('group' in a && Array.isArray(a.group))
      out.push({ name: a.name ? a.name : null, addresses: a.group.map(one) });
    else {
      const last = out[out.length - 1];
      if (last && last.name === null) last.addresses.push(one(a));
      else out.push({ name: null, addresses: [one(a)] });
    }
  }
  return out;
}

export function asMessageIds(raw: string): string[] | null {
  const ids = [...unfold(raw).matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (ids.length > 0) return ids;
  const bare = unfold(raw).trim();
  return /^[^<>\s]+@[^<>\s]+$/.test(bare) ? [bare] : null;
}

export function asDate(raw: string): string | null {
  const t = Date.parse(
    unfold(raw)
      .replace(/\([^)]*\)/g, '')
      .trim(),
  );
  return Number.isFinite(t) ? utcDate(t) : null;
}

export function asUrls(raw: string): string[] | null {
  const urls = [...unfold(raw).matchAll(/<([^<>]*)>/g)].map((m) => m[1]!.replace(/\s+/g, ''));
  return urls.length > 0 ? urls : null;
}

function convert(raw: string, form: HeaderForm): unknown {
  switch (form) {
    case 'Raw':
      return raw;
    case 'Text':
      return asText(raw);
    case 'Addresses':
      return asAddresses(raw);
    case 'GroupedAddresses':
      return asGroupedAddresses(raw);
    case 'MessageIds':
      return asMessageIds(raw);
    case 'Date':
      return asDate(raw);
    case 'URLs':
      return asUrls(raw);
  }
}

/** The value of a header property over the fields of a message or part (§4.1.3). */
export function headerValue(fields: RawField[], p: HeaderProperty): unknown {
  const matching = fields.filter((f) => f.name.toLowerCase() === p.name);
  if (p.all) return matching.map((f) => convert(f.value, p.form));
  const last = matching[matching.length - 1];
  return last === undefined ? null : convert(last.value, p.form);
}
