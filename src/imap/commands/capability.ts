// CAPABILITY (RFC 9051 §6.1.1). Before TLS on port 143, LOGINDISABLED and no AUTH=
// (RFC 9051 §6.2.3); after login, the full list without STARTTLS.
import type { Session } from '../session.ts';
import { raw } from '../proto/writer.ts';
import { ANY, type Handler } from './types.ts';

const BASE = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'NAMESPACE'];
const SELECTED_EXT = [
  'UIDPLUS',
  'MOVE',
  'UNSELECT',
  'SPECIAL-USE',
  'CHILDREN',
  'LIST-EXTENDED',
  'CONDSTORE',
  'QRESYNC',
];

export function capabilities(s: Session): string[] {
  const caps = [...BASE];
  if (s.state === 'notauth') {
    if (!s.secure && s.starttls) caps.push('STARTTLS', 'LOGINDISABLED');
    else caps.push('AUTH=PLAIN');
  }
  caps.push(...SELECTED_EXT);
  return caps;
}

export function capabilityCode(s: Session): string {
  return `CAPABILITY ${capabilities(s).join(' ')}`;
}

export const capability: Handler<'CAPABILITY'> = {
  states: ANY,
  async run(s, _args, tag) {
    s.untagged([raw('CAPABILITY'), ...capabilities(s).map(raw)]);
    await s.finish(tag, 'OK', null, 'CAPABILITY completed');
  },
};
