// The POP3 commands by keyword, each in its own file with the states it is allowed in
// (RFC 1939 §4–§6, RFC 2449, RFC 2595, RFC 5034).
import type { Session, State } from '../session.ts';
import { auth } from './auth.ts';
import { capa } from './capa.ts';
import { dele } from './dele.ts';
import { list } from './list.ts';
import { noop } from './noop.ts';
import { pass } from './pass.ts';
import { quit } from './quit.ts';
import { retr } from './retr.ts';
import { rset } from './rset.ts';
import { stat } from './stat.ts';
import { stls } from './stls.ts';
import { top } from './top.ts';
import { uidl } from './uidl.ts';
import { user } from './user.ts';

export interface CommandHandler {
  states: readonly State[];
  /** `rest` is the text after the keyword and one space. */
  run(s: Session, rest: string): Promise<void>;
}

export const COMMANDS = new Map<string, CommandHandler>([
  ['CAPA', capa],
  ['STLS', stls],
  ['USER', user],
  ['PASS', pass],
  ['AUTH', auth],
  ['STAT', stat],
  ['LIST', list],
  ['UIDL', uidl],
  ['RETR', retr],
  ['TOP', top],
  ['DELE', dele],
  ['NOOP', noop],
  ['RSET', rset],
  ['QUIT', quit],
]);
