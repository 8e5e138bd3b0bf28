// The mailbox a command names, or the `NO [NONEXISTENT]` answer (RFC 5530) when there is none.
import { mailboxByName } from '../../core/mailboxes.ts';
import type { Mailbox } from '../../store/schema.ts';
import type { Session } from '../session.ts';

export async function namedMailbox(s: Session, tag: string, wire: string): Promise<Mailbox | null> {
  const mb = await mailboxByName(s.core.db, s.account!.id, s.decodeName(wire));
  if (mb) return mb;
  await s.finish(tag, 'NO', 'NONEXISTENT', 'No such mailbox');
  return null;
}
