// What the TRANSACTION commands share: the session's maildrop, and a message-number argument
// that must name a message not marked deleted (RFC 1939 §5).
import type { Entry, Maildrop } from '../maildrop.ts';
import { parseNumber } from '../proto/command.ts';
import type { Session } from '../session.ts';

export function maildropOf(s: Session): Maildrop {
  if (!s.maildrop) throw new Error('POP3 TRANSACTION state without a maildrop');
  return s.maildrop;
}

/** The message an argument names, or null after answering -ERR. */
export async function messageArg(s: Session, arg: string | undefined): Promise<Entry | null> {
  const drop = maildropOf(s);
  const n = parseNumber(arg);
  if (n === null) {
    await s.err('a message number is required');
    return null;
  }
  const e = drop.get(n);
  if (e) return e;
  await s.err(drop.isDeleted(n) ? `message ${n} is already deleted` : `no message ${n}`);
  return null;
}
