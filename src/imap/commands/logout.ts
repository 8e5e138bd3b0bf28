// LOGOUT (RFC 9051 §6.1.3): BYE, then OK, then the connection closes.
import { statusLine } from '../proto/writer.ts';
import { ANY, type Handler } from './types.ts';

export const logout: Handler<'LOGOUT'> = {
  states: ANY,
  async run(s, _args, tag) {
    s.send(statusLine('*', 'BYE', null, 'Champa IMAP logging out'));
    s.send(statusLine(tag, 'OK', null, 'LOGOUT completed'));
    s.close();
  },
};
