// Names shown for folders: the standard roles in the interface language, the user's own as named.
import type { Mailbox } from './model.ts';

export const ROLE_NAMES = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];

export function folderName(m: Mailbox, t: (key: string) => string): string {
  return m.role && ROLE_NAMES.includes(m.role) ? t(`role.${m.role}`) : m.name;
}
