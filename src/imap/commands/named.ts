// The mailbox a command names (own or shared, through access.ts), or the `NO [NONEXISTENT]`
// answer (RFC 5530) when there is none the session may know of.
import { resolveMailbox, type MailboxRef } from '../access.ts';
import type { Session } from '../session.ts';

export async function namedMailbox(
  s: Session,
  tag: string,
  wire: string,
): Promise<MailboxRef | null> {
  const ref = await resolveMailbox(s, s.decodeName(wire));
  if (ref) return ref;
  await s.finish(tag, 'NO', 'NONEXISTENT', 'No such mailbox');
  return null;
}
