// Header-derived Email properties (RFC 8621 §4.1.2–4.1.3) that the stored metadata does not
// hold with full fidelity (addresses with names, In-Reply-To, References): read from the
// message blob with postal-mime, which decodes RFC 2047 words (Lao subjects and names).
// Never throws: a message that does not parse gives null properties.
import PostalMime, { type Address } from 'postal-mime';
import { messageIds } from '../mail/meta.ts';

export interface EmailAddress {
  name: string | null;
  email: string;
}

export interface HeaderProps {
  messageId: string[] | null;
  inReplyTo: string[] | null;
  references: string[] | null;
  sender: EmailAddress[] | null;
  from: EmailAddress[] | null;
  to: EmailAddress[] | null;
  cc: EmailAddress[] | null;
  bcc: EmailAddress[] | null;
  replyTo: EmailAddress[] | null;
}

/** Properties that need the blob parsed. */
export const HEADER_PROPS = [
  'messageId',
  'inReplyTo',
  'references',
  'sender',
  'from',
  'to',
  'cc',
  'bcc',
  'replyTo',
] as const;

function addresses(list: Address[] | Address | undefined): EmailAddress[] | null {
  if (!list) return null;
  const out: EmailAddress[] = [];
  for (const a of Array.isArray(list) ? list : [list]) {
    if ('group' in a && Array.isArray(a.group)) out.push(...(addresses(a.group) ?? []));
    else if ('address' in a) out.push({ name: a.name ? a.name : null, email: a.address ?? '' });
  }
  return out;
}

function ids(text: string | undefined): string[] | null {
  const list = messageIds(text);
  return list.length > 0 ? list : null;
}

const NONE: HeaderProps = {
  messageId: null,
  inReplyTo: null,
  references: null,
  sender: null,
  from: null,
  to: null,
  cc: null,
  bcc: null,
  replyTo: null,
};

export async function headerProps(raw: Uint8Array): Promise<HeaderProps> {
  try {
    const m = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    return {
      messageId: ids(m.messageId),
      inReplyTo: ids(m.inReplyTo),
      references: ids(m.references),
      sender: addresses(m.sender),
      from: addresses(m.from),
      to: addresses(m.to),
      cc: addresses(m.cc),
      bcc: addresses(m.bcc),
      replyTo: addresses(m.replyTo),
    };
  } catch {
    return NONE;
  }
}
