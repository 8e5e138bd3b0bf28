// What the user does to conversations: read/unread, flag, move, archive, delete. Each acts on
// whole threads (every message of the conversation in the folder shown), as Gmail and
// Outlook do, with one Email/set.
import type { Jmap } from '../api/jmap.ts';
import { byRole, setEmails, threadMembers, type Mailbox } from './model.ts';

export type Where = { mailboxId: string } | { search: true };

const inView = (mailboxIds: Record<string, boolean>, where: Where): boolean =>
  'search' in where || mailboxIds[where.mailboxId] === true;

export async function markRead(jmap: Jmap, threadIds: string[], seen: boolean): Promise<void> {
  const members = await threadMembers(jmap, threadIds);
  const update: Record<string, Record<string, unknown>> = {};
  for (const m of members)
    if (Boolean(m.keywords.$seen) !== seen) update[m.id] = { 'keywords/$seen': seen || null };
  if (Object.keys(update).length > 0) await setEmails(jmap, { update });
}

/** Flags the newest message of each thread, or, when any is flagged, unflags them all. */
export async function toggleFlag(
  jmap: Jmap,
  threadIds: string[],
  newestIds: string[],
): Promise<boolean> {
  const members = await threadMembers(jmap, threadIds);
  const flagged = members.some((m) => m.keywords.$flagged);
  const update: Record<string, Record<string, unknown>> = {};
  if (flagged) {
    for (const m of members) if (m.keywords.$flagged) update[m.id] = { 'keywords/$flagged': null };
  } else for (const id of newestIds) update[id] = { 'keywords/$flagged': true };
  await setEmails(jmap, { update });
  return !flagged;
}

export async function moveThreads(
  jmap: Jmap,
  threadIds: string[],
  where: Where,
  to: string,
): Promise<void> {
  const members = await threadMembers(jmap, threadIds);
  const update: Record<string, Record<string, unknown>> = {};
  for (const m of members) {
    if (!inView(m.mailboxIds, where) || m.mailboxIds[to]) continue;
    update[m.id] =
      'mailboxId' in where
        ? { [`mailboxIds/${where.mailboxId}`]: null, [`mailboxIds/${to}`]: true }
        : { mailboxIds: { [to]: true } };
  }
  if (Object.keys(update).length > 0) await setEmails(jmap, { update });
}

/** To Trash; from Trash (or Junk) for good. Returns 'trashed' or 'destroyed'. */
export async function deleteThreads(
  jmap: Jmap,
  threadIds: string[],
  where: Where,
  mailboxes: Mailbox[],
): Promise<'trashed' | 'destroyed'> {
  const trash = byRole(mailboxes, 'trash');
  const here = 'mailboxId' in where ? mailboxes.find((m) => m.id === where.mailboxId) : undefined;
  if (!trash || here?.role === 'trash' || here?.role === 'junk') {
    const members = await threadMembers(jmap, threadIds);
    const destroy = members.filter((m) => inView(m.mailboxIds, where)).map((m) => m.id);
    if (destroy.length > 0) await setEmails(jmap, { destroy });
    return 'destroyed';
  }
  await moveThreads(jmap, threadIds, where, trash.id);
  return 'trashed';
}
