// CAPABILITY (RFC 9051 §6.1.1). Before TLS on port 143, LOGINDISABLED and no AUTH=
// (RFC 9051 §6.2.3), unless Session.mayLogin allows loopback in clear; after login, the full
// list without STARTTLS.
import type { Session } from '../session.ts';
import { raw } from '../proto/writer.ts';
import { ANY, type Handler } from './types.ts';

const BASE = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'NAMESPACE'];
const AFTER_LOGIN = [
  'UIDPLUS',
  'MOVE',
  'UNSELECT',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'CHILDREN',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'STATUS=SIZE',
  'ESEARCH',
  'SEARCHRES',
  'CONDSTORE',
  'QRESYNC',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'SORT',
  'SORT=DISPLAY',
  'THREAD=ORDEREDSUBJECT',
  'THREAD=REFERENCES',
  'BINARY',
  'ACL',
  'RIGHTS=texk',
  'OBJECTID',
  'UTF8=ACCEPT',
];

export function capabilities(s: Session): string[] {
  const caps = [...BASE];
  if (s.state === 'notauth') {
    if (!s.secure && s.starttls) caps.push('STARTTLS');
    caps.push(s.mayLogin ? 'AUTH=PLAIN' : 'LOGINDISABLED');
  }
  caps.push(...AFTER_LOGIN, `APPENDLIMIT=${s.ctx.limits.maxMessage}`);
  // RFC 4978 §3: not offered once compression is on.
  if (!s.compressed) caps.push('COMPRESS=DEFLATE');
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
