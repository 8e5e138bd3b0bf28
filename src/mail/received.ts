// The Received trace field an SMTP server prepends (RFC 5321 §4.4), with the protocol names
// of RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA) and RFC 6531 §4.3 (UTF8SMTP…). The client's
// name is the one it gave in HELO/EHLO; its reverse DNS is not looked up.
import { formatDate } from './headers.ts';

export interface ReceivedInfo {
  helo: string;
  ip: string;
  by: string;
  id: string;
  /** EHLO (not HELO), TLS, authenticated, SMTPUTF8 used. */
  esmtp: boolean;
  tls: boolean;
  auth: boolean;
  utf8: boolean;
  /** TLS protocol and cipher, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384". */
  cipher?: string;
  /** The recipient, only when the transaction had exactly one (privacy of the others). */
  for?: string;
  date: Date;
}

/** RFC 3848 / RFC 6531 protocol keyword for the "with" clause. */
export function protocolName(i: Pick<ReceivedInfo, 'esmtp' | 'tls' | 'auth' | 'utf8'>): string {
  if (!i.esmtp) return 'SMTP';
  const suffix = `${i.tls ? 'S' : ''}${i.auth ? 'A' : ''}`;
  return `${i.utf8 ? 'UTF8SMTP' : 'ESMTP'}${suffix}`;
}

/** Keeps a client-supplied word safe inside a header: no controls, parentheses or spaces. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x20\x7f()\\<>;]/g, '').slice(0, 255) || 'unknown';
}

export function receivedHeader(i: ReceivedInfo): string {
  const ip = i.ip.includes(':') ? `IPv6:${i.ip}` : i.ip;
  const parts = [
    `Received: from ${clean(i.helo)} ([${ip}])`,
    `\tby ${i.by} with ${protocolName(i)}${i.cipher ? ` (${i.cipher.replace(/[^\w. -]/g, '')})` : ''}`,
    `\tid ${clean(i.id)}${i.for ? ` for <${clean(i.for)}>` : ''};`,
    `\t${formatDate(i.date)}`,
  ];
  return parts.join('\r\n');
}
