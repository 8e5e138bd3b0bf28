// The folder list: standard folders first (Inbox, Drafts, Sent, Archive, Junk, Trash), then the
// user's own as a tree; unread counts (Drafts shows how many there are). Conversations dragged
// from the list drop onto a folder to move there.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/index.ts';
import { folderName } from './names.ts';
import { mailboxTree, type Mailbox } from './model.ts';

export const DRAG_TYPE = 'application/x-champa-threads';

export function Folders(props: {
  mailboxes: Mailbox[];
  current: string | undefined;
  onPick: (id: string) => void;
  onDrop: (mailboxId: string, threadIds: string[]) => void;
}) {
  const { t } = useTranslation('mail');
  const [over, setOver] = useState<string | null>(null);
  return (
    <ul className="folders" role="list">
      {mailboxTree(props.mailboxes).map(({ box, depth }) => {
        const count = box.role === 'drafts' ? box.totalEmails : box.unreadEmails;
        return (
          <li key={box.id}>
            <a
              href={`#/mail/${box.id}`}
              className={`folder${over === box.id ? ' drop-over' : ''}`}
              style={{ paddingInlineStart: `${0.75 + depth * 1}rem` }}
              aria-current={props.current === box.id ? 'page' : undefined}
              data-role={box.role ?? undefined}
              onClick={(e) => {
                e.preventDefault();
                props.onPick(box.id);
              }}
              onDragOver={(e) => {
                if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
                e.preventDefault();
                e.dataTransfer.dropEffect = 'move';
                setOver(box.id);
              }}
              onDragLeave={() => setOver(null)}
              onDrop={(e) => {
                e.preventDefault();
                setOver(null);
                const threads = JSON.parse(e.dataTransfer.getData(DRAG_TYPE) || '[]') as string[];
                if (threads.length > 0 && box.id !== props.current) props.onDrop(box.id, threads);
              }}
            >
              <span className="grow folder-name">{folderName(box, t)}</span>
              {count > 0 && (
                <span
                  className="count"
                  aria-label={
                    box.role === 'drafts'
                      ? t('draftCount', { n: count })
                      : t('unreadCount', { n: count })
                  }
                >
                  {formatNumber(count)}
                </span>
              )}
            </a>
          </li>
        );
      })}
    </ul>
  );
}
