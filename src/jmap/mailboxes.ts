// The account's mailboxes as JMAP sees them (RFC 8621 §2): stored names are full paths with
// "/" (core/mailboxset.ts), so `name` is the last part and `parentId` the parent path's id.
// sortOrder is the user's when set, else by role: inbox first, then the other special uses.
import { listMailboxes } from '../core/mailboxes.ts';
import { SEPARATOR } from '../core/mailboxset.ts';
import type { Kysely } from 'kysely';
import type { Database, Mailbox } from '../store/schema.ts';

export interface JmapMailbox {
  id: string;
  /** The stored full path. */
  path: string;
  name: string;
  parentId: string | null;
  role: string | null;
  sortOrder: number;
  isSubscribed: boolean;
}

const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];

export function jmapMailbox(b: Mailbox, byPath: Map<string, string>): JmapMailbox {
  const cut = b.name.lastIndexOf(SEPARATOR);
  const roleRank = b.role ? ROLE_ORDER.indexOf(b.role) : -1;
  return {
    id: b.id,
    path: b.name,
    name: cut < 0 ? b.name : b.name.slice(cut + 1),
    parentId: cut < 0 ? null : (byPath.get(b.name.slice(0, cut)) ?? null),
    role: b.role,
    sortOrder:
      b.sort_order !== null && b.sort_order !== undefined
        ? Number(b.sort_order)
        : roleRank < 0
          ? 100
          : roleRank + 1,
    isSubscribed: Number(b.subscribed) === 1,
  };
}

export async function jmapMailboxes(
  db: Kysely<Database>,
  accountId: number,
): Promise<JmapMailbox[]> {
  const boxes = await listMailboxes(db, accountId);
  const byPath = new Map(boxes.map((b) => [b.name, b.id]));
  return boxes.map((b) => jmapMailbox(b, byPath));
}
