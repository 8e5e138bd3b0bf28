// The conversation list: virtual scrolling (only the rows on screen exist in the page), rows
// loaded in pages as they come into view, so 10,000 conversations scroll as smoothly as ten.
// Click opens; Ctrl/Cmd-click toggles a row in the selection, Shift-click selects a range.
// Rows drag onto folders to move. When rows come or go above the ones on screen (new mail at
// the top while the user reads further down), the rows on screen stay where they are, and the
// cursor stays on its conversation; at the very top, new mail simply shows there.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../i18n/index.ts';
import { DRAG_TYPE } from './Folders.tsx';
import { PaperclipIcon, StarIcon } from './icons.tsx';
import type { ListStore } from './listStore.ts';
import { displayName, type EmailSummary } from './model.ts';

const ROW = 80;

/** A date as a list shows it: the time today, day and month this year, else the full date. */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  if (d.toDateString() === now.toDateString())
    return formatDate(d.getTime(), { hour: '2-digit', minute: '2-digit' });
  if (d.getFullYear() === now.getFullYear())
    return formatDate(d.getTime(), { day: 'numeric', month: 'short' });
  return formatDate(d.getTime(), { day: 'numeric', month: 'short', year: 'numeric' });
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
};
const unescape = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m) => ENTITIES[m]!);

/** A search snippet (HTML with <mark>) as text with highlighted runs, never as HTML. */
export function highlighted(html: string): ReactNode[] {
  return html
    .split(/<mark>(.*?)<\/mark>/s)
    .map((part, i) =>
      i % 2 === 1 ? <mark key={i}>{unescape(part)}</mark> : unescape(part.replace(/<[^>]*>/g, '')),
    );
}

export function MessageList(props: {
  store: ListStore;
  search: boolean;
  openThread: string | undefined;
  selection: Set<string>;
  setSelection: (s: Set<string>) => void;
  cursor: number;
  setCursor: (i: number) => void;
  onOpen: (email: EmailSummary) => void;
}) {
  const { t } = useTranslation('mail');
  const { store, selection, setSelection, cursor, setCursor, onOpen } = props;
  const version = useSyncExternalStore(store.subscribe, store.version);
  const parent = useRef<HTMLDivElement>(null);
  const anchor = useRef<number | null>(null);
  const total = store.total ?? 0;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    store.ensure(first, last + 20);
  }, [store, first, last, total]);

  // The first rows on screen and the cursor's row, as they were at the last change or scroll.
  const onScreen = useRef<{ top: number; index: number; ids: string[] } | null>(null);
  const cursorRow = useRef<string | undefined>(undefined);
  const cursorFollowed = useRef(false);
  // Hidden since (a phone reading a message): the place to go back to is kept as it was, and
  // restored when the list shows again, whatever the scroll offset is then.
  const hidden = useRef(false);
  const shown = (el: HTMLElement): boolean => {
    if (el.clientHeight > 0) return true;
    hidden.current = true;
    return false;
  };
  const remember = (): void => {
    const el = parent.current;
    if (!el || !shown(el) || hidden.current) return;
    const index = Math.floor(el.scrollTop / ROW);
    const ids = store.ids.slice(index, index + 5).filter((id): id is string => !!id);
    onScreen.current = { top: el.scrollTop, index, ids };
  };
  /**
   * Scrolls by as many rows as the rows last on screen moved; after the list was hidden, to
   * where they are now. Otherwise the scroll offset is touched only when rows moved, so a
   * fling on a touch screen is never interrupted by a page that loaded.
   */
  const keepPlace = (): void => {
    const el = parent.current;
    if (!el || !shown(el)) return;
    const restore = hidden.current;
    hidden.current = false;
    const was = onScreen.current;
    if (!was || was.top === 0) return;
    for (const [k, id] of was.ids.entries()) {
      const now = store.indexOf(id);
      if (now < 0) continue; // that row is gone: the next one says
      const moved = (now - was.index - k) * ROW;
      if (restore) el.scrollTop = was.top + moved;
      else if (moved !== 0) el.scrollTop += moved;
      return;
    }
  };
  useLayoutEffect(() => {
    keepPlace();
    const row = cursorRow.current;
    const at = row === undefined ? -1 : store.indexOf(row);
    if (at >= 0 && at !== cursor) {
      cursorFollowed.current = true;
      setCursor(at);
    }
    remember();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- after each change of the list only
  }, [version]);
  useEffect(() => {
    cursorRow.current = store.ids[cursor];
  }, [store, cursor, version]);
  // Shown again (back from a message on a phone): the rows last seen come back on screen,
  // wherever the mail that arrived meanwhile has moved them.
  const listed = total > 0;
  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (shown(el) && hidden.current) {
        keepPlace();
        remember();
      }
    });
    observer.observe(el);
    return () => observer.disconnect();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keepPlace reads refs and the store
  }, [listed, store]);

  // The cursor (j/k) stays on screen.
  // Only when the user moves it: new mail arriving must not pull the list back to it.
  useEffect(() => {
    if (cursorFollowed.current) {
      cursorFollowed.current = false;
      return;
    }
    if (virtualizer.options.count > cursor) virtualizer.scrollToIndex(cursor, { align: 'auto' });
  }, [cursor, virtualizer]);

  const click = (e: React.MouseEvent, index: number, email: EmailSummary): void => {
    if (e.ctrlKey || e.metaKey) {
      const next = new Set(selection);
      if (next.has(email.id)) next.delete(email.id);
      else next.add(email.id);
      setSelection(next);
      anchor.current = index;
      setCursor(index);
      return;
    }
    if (e.shiftKey && anchor.current !== null) {
      const [a, b] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
      const next = new Set<string>();
      for (let i = a; i <= b; i++) {
        const id = store.ids[i];
        if (id) next.add(id);
      }
      setSelection(next);
      setCursor(index);
      return;
    }
    anchor.current = index;
    setSelection(new Set());
    setCursor(index);
    onOpen(email);
  };

  if (store.total === null) return <div className="list-empty">{store.error ?? t('loading')}</div>;
  if (total === 0)
    return <div className="list-empty">{props.search ? t('noResults') : t('empty')}</div>;

  return (
    <div ref={parent} className="list-scroll" data-testid="message-list" onScroll={remember}>
      <div
        role="listbox"
        aria-multiselectable="true"
        aria-label={t('conversations')}
        style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
      >
        {items.map((v) => {
          const email = store.at(v.index);
          const style = {
            position: 'absolute' as const,
            top: 0,
            left: 0,
            width: '100%',
            height: v.size,
            transform: `translateY(${v.start}px)`,
          };
          if (!email)
            return (
              <div key={v.key} className="msg-row row-loading" style={style} aria-hidden="true" />
            );
          const unread = !email.keywords.$seen;
          const size = store.threadSizes.get(email.threadId) ?? 1;
          const snip = store.snippets.get(email.id);
          const selected = selection.has(email.id);
          const open = props.openThread === email.threadId;
          return (
            <div
              key={v.key}
              role="option"
              aria-selected={selected || open}
              className={`msg-row${unread ? ' unread' : ''}${selected ? ' selected' : ''}${open ? ' open' : ''}${v.index === cursor ? ' cursor' : ''}`}
              style={style}
              data-index={v.index}
              aria-posinset={v.index + 1}
              aria-setsize={total}
              tabIndex={v.index === cursor ? 0 : -1}
              draggable
              onDragStart={(e) => {
                const rows = selected
                  ? [...selection].map((id) => store.emails.get(id)?.threadId).filter(Boolean)
                  : [email.threadId];
                e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(rows));
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={(e) => click(e, v.index, email)}
            >
              <div className="row-top">
                <span className="row-from">
                  {(email.from ?? []).map(displayName).join(', ') || t('noSender')}
                </span>
                {size > 1 && <span className="row-size">{formatNumber(size)}</span>}
                {email.hasAttachment && (
                  <span
                    className="marker"
                    title={t('hasAttachment')}
                    aria-label={t('hasAttachment')}
                  >
                    <PaperclipIcon />
                  </span>
                )}
                {email.keywords.$flagged && (
                  <span className="marker flag" title={t('flagged')} aria-label={t('flagged')}>
                    <StarIcon />
                  </span>
                )}
                <time className="row-date" dateTime={email.receivedAt}>
                  {shortDate(email.receivedAt)}
                </time>
              </div>
              <div className="row-subject">
                {unread && <span className="visually-hidden">{t('unread')} </span>}
                {snip?.subject ? highlighted(snip.subject) : email.subject || t('noSubject')}
              </div>
              <div className="row-preview">
                {snip?.preview ? highlighted(snip.preview) : email.preview}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
