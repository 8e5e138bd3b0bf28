// The mail area: folders, the conversation list and the reading pane side by side on a
// desktop, one at a time on a phone (folders in a drawer, a back button). The route says what
// is shown: #/mail/<mailboxId>[/<threadId>] or #/mail/search/<text>[/<threadId>]. Compose
// is a chunk of its own, loaded when first opened. Push (EventSource) tells what changed;
// the folders catch up with Mailbox/changes, the list with Email/queryChanges (listStore.ts),
// and the open conversation is read again only when one of its messages changed, so new mail
// appears without a reload and the user keeps their place and the message they read.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultRoute, navigate } from '../app/router.ts';
import { useSession } from '../app/session.tsx';
import { Spinner } from '../ui/Alert.tsx';
import { deleteThreads, markRead, moveThreads, toggleFlag, type Where } from './actions.ts';
import { Folders } from './Folders.tsx';
import { Help } from './Help.tsx';
import { ListStore, type Touched } from './listStore.ts';
import { MessageList } from './MessageList.tsx';
import { byRole, getEmails, type EmailFull, type EmailSummary, type Mailbox } from './model.ts';
import { folderName } from './names.ts';
import { Reader } from './Reader.tsx';
import { Toasts, type Toast } from './Toasts.tsx';
import { useMailboxes } from './useMailboxes.ts';
import { MenuIcon } from './icons.tsx';
import type { ComposeRequest, Sent } from './composeTypes.ts';
import './mail.css';

const Compose = lazy(() => import('./Compose.tsx'));

function parseRoute(route: string[]): { box?: string; search?: string; thread?: string } {
  if (route[0] === 'search') return { search: route[1] ?? '', thread: route[2] };
  return { box: route[0], thread: route[1] };
}

export function MailApp({ route }: { route: string[] }) {
  const { t } = useTranslation('mail');
  const { jmap } = useSession();
  const [drawer, setDrawer] = useState(false);
  const [help, setHelp] = useState(false);
  const [compose, setCompose] = useState<ComposeRequest | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [selection, setSelection] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState(0);
  const [readerVersion, setReaderVersion] = useState(0);
  const [openThread, setOpenThread] = useState<EmailFull[]>([]);
  const searchRef = useRef<HTMLInputElement>(null);
  const { box, search, thread } = parseRoute(route);

  const toast = useCallback((tt: Omit<Toast, 'id'>) => {
    const id = Math.random().toString(36).slice(2);
    setToasts((all) => [...all.slice(-2), { ...tt, id }]);
    if (!tt.sticky) setTimeout(() => setToasts((all) => all.filter((x) => x.id !== id)), 6000);
    return id;
  }, []);
  const dismiss = useCallback(
    (id: string) => setToasts((all) => all.filter((x) => x.id !== id)),
    [],
  );
  const fail = useCallback(
    (err: unknown) =>
      toast({ text: t('failed', { detail: err instanceof Error ? err.message : String(err) }) }),
    [toast, t],
  );

  const { mailboxes, sync: syncMailboxes } = useMailboxes(jmap, fail);

  // No folder in the route: the inbox.
  const inbox = mailboxes ? byRole(mailboxes, 'inbox') : undefined;
  useEffect(() => {
    if (search === undefined && !box && inbox) defaultRoute('mail', `mail/${inbox.id}`);
  }, [box, search, inbox]);

  const where = useMemo<Where | null>(
    () => (search !== undefined ? { search: true } : box ? { mailboxId: box } : null),
    [search, box],
  );
  const filterKey = search !== undefined ? `s:${search}` : box ? `m:${box}` : '';
  const store = useMemo(() => {
    if (search !== undefined) return new ListStore(jmap, { text: search });
    if (box) return new ListStore(jmap, { inMailbox: box });
    return null;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one store per folder or search
  }, [jmap, filterKey]);
  useEffect(() => {
    setSelection(new Set());
    setCursor(0);
    return () => store?.close();
  }, [store]);

  // The open conversation is read again when a sync touched it.
  const reading = useRef<{ thread?: string; emails: EmailFull[] }>({ emails: [] });
  useEffect(() => {
    reading.current = { thread, emails: openThread };
  }, [thread, openThread]);
  const reread = useCallback((touched: Touched) => {
    const { thread: open, emails } = reading.current;
    if (
      open &&
      (touched.all || touched.threads.has(open) || emails.some((e) => touched.destroyed.has(e.id)))
    )
      setReaderVersion((v) => v + 1);
  }, []);

  // Push: the server says which types changed and their new states; catch up with them.
  useEffect(() => {
    return jmap.onChange((changed) => {
      const mine = changed[jmap.accountId];
      if (!mine) return;
      // Counts move with mail: an Email change may change mailboxes too.
      if (mine.Mailbox !== undefined || mine.Email !== undefined) syncMailboxes(mine.Mailbox);
      if (mine.Email !== undefined) {
        if (store) store.sync().then(reread, fail);
        else setReaderVersion((v) => v + 1);
      }
    });
  }, [jmap, store, syncMailboxes, reread, fail]);

  const base = search !== undefined ? `mail/search/${search}` : `mail/${box ?? ''}`;
  const openThreadId = useCallback((threadId: string) => navigate(`${base}/${threadId}`), [base]);
  const backToList = useCallback(() => navigate(base), [base]);

  /** The threads an action applies to: the selection, else the open one, else the cursor's. */
  const targets = useCallback(
    (openOnly: boolean): { threads: string[]; newest: string[]; ids: string[] } => {
      if (!store) return { threads: [], newest: [], ids: [] };
      const ids = selection.size > 0 && !openOnly ? [...selection] : [];
      if (ids.length === 0) {
        if (thread) {
          const row = store.ids.find((id) => id && store.emails.get(id)?.threadId === thread);
          if (row) ids.push(row);
          else if (openThread.length > 0) {
            const last = openThread[openThread.length - 1]!;
            return { threads: [thread], newest: [last.id], ids: [] };
          }
        } else {
          const row = store.ids[cursor];
          if (row) ids.push(row);
        }
      }
      const emails = ids.map((id) => store.emails.get(id)).filter((e) => e !== undefined);
      return { threads: emails.map((e) => e.threadId), newest: emails.map((e) => e.id), ids };
    },
    [store, selection, thread, cursor, openThread],
  );

  const afterRemoval = useCallback(
    (ids: string[], threads: string[]) => {
      store?.hide(ids);
      setSelection(new Set());
      if (thread && threads.includes(thread)) backToList();
    },
    [store, thread, backToList],
  );

  /** After a move or delete: rows the server still lists here (a search) come back. */
  const settle = useCallback(
    async (ids: string[]) => {
      if (!store) return;
      await store.sync();
      store.unhide(ids);
    },
    [store],
  );

  const act = useCallback(
    async (kind: Action, to?: string, openOnly = false) => {
      if (!mailboxes || !where) return;
      const { threads, newest, ids } = targets(openOnly);
      if (threads.length === 0) return;
      try {
        if (kind === 'read' || kind === 'unread') {
          store?.patch(ids, (e) => ({
            ...e,
            keywords: { ...e.keywords, $seen: kind === 'read' },
          }));
          await markRead(jmap, threads, kind === 'read');
        } else if (kind === 'flag') {
          const on = await toggleFlag(jmap, threads, newest);
          store?.patch(ids, (e) => ({ ...e, keywords: { ...e.keywords, $flagged: on } }));
        } else if (kind === 'delete') {
          afterRemoval(ids, threads);
          const r = await deleteThreads(jmap, threads, where, mailboxes);
          toast({ text: t(r === 'destroyed' ? 'deletedForGood' : 'movedToTrash') });
          await settle(ids);
        } else {
          const target = kind === 'archive' ? byRole(mailboxes, 'archive')?.id : to;
          if (!target) return;
          afterRemoval(ids, threads);
          await moveThreads(jmap, threads, where, target);
          const name = mailboxes.find((m) => m.id === target);
          toast({ text: t('movedTo', { folder: name ? folderName(name, t) : '' }) });
          await settle(ids);
        }
      } catch (err) {
        fail(err);
        store?.unhide(ids);
        void store?.reload();
      }
    },
    [mailboxes, where, targets, store, jmap, afterRemoval, settle, toast, t, fail],
  );

  const dropOn = useCallback(
    async (mailboxId: string, threadIds: string[]) => {
      if (!where || !store) return;
      const ids = store.ids.filter(
        (id): id is string => !!id && threadIds.includes(store.emails.get(id)?.threadId ?? ''),
      );
      afterRemoval(ids, threadIds);
      try {
        await moveThreads(jmap, threadIds, where, mailboxId);
        const name = mailboxes?.find((m) => m.id === mailboxId);
        toast({ text: t('movedTo', { folder: name ? folderName(name, t) : '' }) });
        await settle(ids);
      } catch (err) {
        fail(err);
        store.unhide(ids);
        void store.reload();
      }
    },
    [where, store, afterRemoval, settle, jmap, mailboxes, toast, t, fail],
  );

  const startCompose = useCallback(
    (req: ComposeRequest) => {
      setCompose(req);
    },
    [setCompose],
  );

  /** A draft opens in compose, to go on writing it; anything else in the reading pane. */
  const openRow = useCallback(
    (email: EmailSummary) => {
      if (!email.keywords.$draft) {
        openThreadId(email.threadId);
        return;
      }
      getEmails(jmap, [email.id])
        .then(([draft]) => {
          if (draft) setCompose({ mode: 'draft', source: draft });
        })
        .catch(fail);
    },
    [jmap, openThreadId, fail],
  );

  const onSent = useCallback(
    (sent: Sent) => {
      const ms = Math.max(0, sent.sendAt - Date.now());
      const id = toast({
        text: t('sending'),
        sticky: ms > 0,
        action: ms > 0 ? { label: t('undo'), run: () => void sent.undo().then(reopen) } : undefined,
      });
      const reopen = (draft: EmailFull | null): void => {
        dismiss(id);
        if (draft) {
          toast({ text: t('sendUndone') });
          setCompose({ mode: 'draft', source: draft });
        } else toast({ text: t('tooLateToUndo') });
      };
      if (ms > 0)
        setTimeout(() => {
          dismiss(id);
          toast({ text: t('sent') });
        }, ms);
    },
    [toast, dismiss, t],
  );

  // Keyboard shortcuts (listed in the "?" dialog). Not while typing or composing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const el = e.target as HTMLElement | null;
      if (
        e.ctrlKey ||
        e.metaKey ||
        e.altKey ||
        compose ||
        (el &&
          (el.isContentEditable ||
            ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) ||
            el.closest('dialog')))
      )
        return;
      const total = store?.total ?? 0;
      const last = openThread[openThread.length - 1];
      const step = (d: number): void => {
        const next = Math.min(Math.max(0, cursor + d), Math.max(0, total - 1));
        setCursor(next);
        const row = store?.at(next);
        if (thread && row) openThreadId(row.threadId);
      };
      const handled = ((): boolean => {
        switch (e.key) {
          case 'j':
            step(1);
            return true;
          case 'k':
            step(-1);
            return true;
          case 'o':
          case 'Enter': {
            const row = store?.at(cursor);
            if (row) openRow(row);
            return !!row;
          }
          case 'u':
            backToList();
            return true;
          case 'r':
          case 'a':
          case 'f':
            if (!last) return false;
            startCompose({
              mode: e.key === 'r' ? 'reply' : e.key === 'a' ? 'replyAll' : 'forward',
              source: last,
            });
            return true;
          case 'e':
            void act('archive');
            return true;
          case '#':
            void act('delete');
            return true;
          case 's':
            void act('flag');
            return true;
          case 'c':
            startCompose({ mode: 'new' });
            return true;
          case '/':
            searchRef.current?.focus();
            return true;
          case '?':
            setHelp(true);
            return true;
          default:
            return false;
        }
      })();
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [
    store,
    cursor,
    thread,
    openThread,
    compose,
    openThreadId,
    openRow,
    backToList,
    act,
    startCompose,
  ]);

  // Keep the cursor on the open conversation, so j/k continue from it.
  useEffect(() => {
    if (!thread || !store) return;
    const i = store.ids.findIndex((id) => id && store.emails.get(id)?.threadId === thread);
    if (i >= 0) setCursor(i);
  }, [thread, store]);

  if (!mailboxes) return <Spinner label={t('loading')} />;
  const current = box ? mailboxes.find((m) => m.id === box) : undefined;
  const title =
    search !== undefined
      ? t('searchResults', { text: search })
      : current
        ? folderName(current, t)
        : '';

  return (
    <div className={`mail${thread ? ' reading' : ''}${drawer ? ' drawer-open' : ''}`}>
      <aside className="mail-folders" aria-label={t('folders')}>
        <button
          className="button primary compose-button"
          onClick={() => startCompose({ mode: 'new' })}
        >
          {t('compose')}
        </button>
        <Folders
          mailboxes={mailboxes}
          current={search === undefined ? box : undefined}
          onPick={(id) => {
            setDrawer(false);
            navigate(`mail/${id}`);
          }}
          onDrop={(id, threads) => void dropOn(id, threads)}
        />
        <button className="button quiet help-button" onClick={() => setHelp(true)}>
          {t('shortcuts.title')}
        </button>
      </aside>
      {drawer && (
        <div className="drawer-scrim" onClick={() => setDrawer(false)} aria-hidden="true" />
      )}
      <section className="mail-list" aria-label={title}>
        <div className="list-head">
          <button
            className="button quiet icon drawer-button"
            aria-label={t('folders')}
            aria-expanded={drawer}
            onClick={() => setDrawer((d) => !d)}
          >
            <MenuIcon />
          </button>
          <form
            className="search"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              const q = searchRef.current?.value.trim() ?? '';
              if (q) navigate(`mail/search/${q.replace(/\//g, ' ')}`);
              else if (inbox) navigate(`mail/${inbox.id}`);
            }}
          >
            <input
              ref={searchRef}
              key={search ?? ''}
              type="search"
              name="q"
              defaultValue={search ?? ''}
              placeholder={t('searchPlaceholder')}
              aria-label={t('search')}
            />
          </form>
        </div>
        <div className="list-title">
          <h1>{title}</h1>
          <Toolbar
            mailboxes={mailboxes}
            current={current}
            visible={selection.size > 0}
            onAct={(k, to) => void act(k, to)}
          />
        </div>
        <button
          className="button primary compose-fab"
          aria-label={t('shortcuts.compose')}
          onClick={() => startCompose({ mode: 'new' })}
        >
          +
        </button>
        {store && (
          <MessageList
            store={store}
            search={search !== undefined}
            openThread={thread}
            selection={selection}
            setSelection={setSelection}
            cursor={cursor}
            setCursor={setCursor}
            onOpen={openRow}
          />
        )}
      </section>
      <section className="mail-reader" aria-label={t('conversation')}>
        {thread ? (
          <Reader
            key={thread}
            threadId={thread}
            version={readerVersion}
            mailboxes={mailboxes}
            current={current}
            onLoaded={setOpenThread}
            onBack={backToList}
            onCompose={startCompose}
            onAct={(k, to) => void act(k, to, true)}
            onError={fail}
          />
        ) : (
          <div className="reader-empty">{t('nothingOpen')}</div>
        )}
      </section>
      {compose && (
        <Suspense fallback={<Spinner label={t('loading')} />}>
          <Compose
            key={`${compose.mode}:${compose.source?.id ?? ''}`}
            request={compose}
            mailboxes={mailboxes}
            onClose={() => setCompose(null)}
            onSent={onSent}
            onError={fail}
          />
        </Suspense>
      )}
      {help && <Help onClose={() => setHelp(false)} />}
      <Toasts toasts={toasts} dismiss={dismiss} />
    </div>
  );
}

export type Action = 'read' | 'unread' | 'flag' | 'archive' | 'delete' | 'move';

export function Toolbar(props: {
  mailboxes: Mailbox[];
  current: Mailbox | undefined;
  visible: boolean;
  onAct: (kind: Action, to?: string) => void;
}) {
  const { t } = useTranslation('mail');
  const { mailboxes, current, visible, onAct } = props;
  if (!visible) return null;
  const archive = byRole(mailboxes, 'archive');
  return (
    <div className="toolbar" role="toolbar" aria-label={t('actions')}>
      {archive && current?.role !== 'archive' && (
        <button className="button" onClick={() => onAct('archive')}>
          {t('archive')}
        </button>
      )}
      <button className="button" onClick={() => onAct('delete')}>
        {current?.role === 'trash' ? t('deleteForGood') : t('delete')}
      </button>
      <button className="button" onClick={() => onAct('read')}>
        {t('markRead')}
      </button>
      <button className="button" onClick={() => onAct('unread')}>
        {t('markUnread')}
      </button>
      <button className="button" onClick={() => onAct('flag')}>
        {t('flag')}
      </button>
      <MoveMenu mailboxes={mailboxes} current={current} onMove={(id) => onAct('move', id)} />
    </div>
  );
}

export function MoveMenu(props: {
  mailboxes: Mailbox[];
  current: Mailbox | undefined;
  onMove: (id: string) => void;
}) {
  const { t } = useTranslation('mail');
  return (
    <select
      className="move-menu"
      aria-label={t('moveTo')}
      value=""
      onChange={(e) => {
        if (e.target.value) props.onMove(e.target.value);
      }}
    >
      <option value="">{t('moveTo')}</option>
      {props.mailboxes
        .filter((m) => m.id !== props.current?.id && m.role !== 'drafts')
        .map((m) => (
          <option key={m.id} value={m.id}>
            {folderName(m, t)}
          </option>
        ))}
    </select>
  );
}
