// The reading pane: one conversation, oldest message first; read messages before the last
// are folded. HTML mail is cleaned by DOMPurify and shown in a sandboxed frame that may run
// no script; pictures from other servers stay blocked (a sender learns when and where mail is
// read from them) until the user allows them for this message. Plain text gets its links.
// Attachments: size, download, and a preview of pictures and PDFs.
import DOMPurify from 'dompurify';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Jmap } from '../api/jmap.ts';
import { useSession } from '../app/session.tsx';
import { formatBytes, formatDate } from '../i18n/index.ts';
import { Spinner } from '../ui/Alert.tsx';
import type { ComposeRequest } from './composeTypes.ts';
import { MoveMenu, type Action } from './MailApp.tsx';
import { addressText, displayName, getThread, setEmails } from './model.ts';
import type { Address, BodyPart, EmailFull, Mailbox } from './model.ts';
import { remember } from './recent.ts';
import { BackIcon } from './icons.tsx';

export function Reader(props: {
  threadId: string;
  version: number;
  mailboxes: Mailbox[];
  current: Mailbox | undefined;
  onLoaded: (emails: EmailFull[]) => void;
  onBack: () => void;
  onCompose: (req: ComposeRequest) => void;
  onAct: (kind: Action, to?: string) => void;
  onError: (err: unknown) => void;
}) {
  const { t } = useTranslation('mail');
  const { jmap } = useSession();
  const { threadId, version, onLoaded, onError } = props;
  const [emails, setEmailsState] = useState<EmailFull[] | null>(null);
  const marked = useRef(new Set<string>());

  useEffect(() => {
    let live = true;
    getThread(jmap, threadId)
      .then((list) => {
        if (!live) return;
        // Drafts and deleted copies belong to other folders' views.
        const shown = list.filter((e) => !e.keywords.$draft);
        setEmailsState(shown);
        onLoaded(shown);
        for (const e of shown) for (const a of e.from ?? []) remember(a);
        const unread = shown.filter((e) => !e.keywords.$seen && !marked.current.has(e.id));
        for (const e of unread) marked.current.add(e.id);
        if (unread.length > 0)
          void setEmails(jmap, {
            update: Object.fromEntries(unread.map((e) => [e.id, { 'keywords/$seen': true }])),
          }).catch(onError);
      })
      .catch((err: unknown) => {
        if (live) onError(err);
      });
    return () => {
      live = false;
    };
  }, [jmap, threadId, version, onLoaded, onError]);

  if (!emails) return <Spinner label={t('loading')} />;
  if (emails.length === 0)
    return (
      <div className="reader-empty">
        <button className="button back-button" onClick={props.onBack}>
          {t('back')}
        </button>
        {t('conversationGone')}
      </div>
    );
  const last = emails[emails.length - 1]!;
  const flagged = emails.some((e) => e.keywords.$flagged);
  return (
    <article className="reader" data-testid="reader">
      <div className="reader-bar">
        <button className="button quiet back-button" onClick={props.onBack} aria-label={t('back')}>
          <BackIcon />
        </button>
        <div className="toolbar" role="toolbar" aria-label={t('actions')}>
          {props.current?.role !== 'archive' &&
            props.mailboxes.some((m) => m.role === 'archive') && (
              <button className="button" onClick={() => props.onAct('archive')}>
                {t('archive')}
              </button>
            )}
          <button className="button" onClick={() => props.onAct('delete')}>
            {props.current?.role === 'trash' ? t('deleteForGood') : t('delete')}
          </button>
          <button className="button" onClick={() => props.onAct('unread')}>
            {t('markUnread')}
          </button>
          <button className="button" aria-pressed={flagged} onClick={() => props.onAct('flag')}>
            {flagged ? t('unflag') : t('flag')}
          </button>
          <MoveMenu
            mailboxes={props.mailboxes}
            current={props.current}
            onMove={(id) => props.onAct('move', id)}
          />
        </div>
      </div>
      <h1 className="reader-subject">{last.subject || t('noSubject')}</h1>
      {emails.map((e) => (
        <Message
          key={e.id}
          email={e}
          folded={e !== last && !!e.keywords.$seen}
          onCompose={props.onCompose}
        />
      ))}
    </article>
  );
}

function Addresses({ label, list }: { label: string; list: Address[] | null }) {
  if (!list || list.length === 0) return null;
  return (
    <div className="addr-line">
      <span className="muted">{label}</span> {list.map(addressText).join(', ')}
    </div>
  );
}

function Message(props: {
  email: EmailFull;
  folded: boolean;
  onCompose: (req: ComposeRequest) => void;
}) {
  const { t } = useTranslation('mail');
  const { email } = props;
  const [open, setOpen] = useState(!props.folded);
  const from = email.from?.[0];
  const date = formatDate(new Date(email.receivedAt).getTime(), {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  if (!open)
    return (
      <button className="message folded" onClick={() => setOpen(true)}>
        <span className="msg-from">{displayName(from)}</span>
        <span className="grow muted msg-preview">{email.preview}</span>
        <span className="muted">{date}</span>
      </button>
    );
  return (
    <section className="message" data-testid="message">
      <header className="msg-head">
        <div className="grow">
          <div className="msg-from">
            <strong>{displayName(from)}</strong>{' '}
            {from?.name && <span className="muted">&lt;{from.email}&gt;</span>}
          </div>
          <Addresses label={t('to')} list={email.to} />
          <Addresses label={t('cc')} list={email.cc} />
        </div>
        <time className="muted msg-date" dateTime={email.receivedAt}>
          {date}
        </time>
      </header>
      <Body email={email} />
      <Attachments email={email} />
      <div className="msg-actions">
        <button
          className="button"
          onClick={() => props.onCompose({ mode: 'reply', source: email })}
        >
          {t('reply')}
        </button>
        <button
          className="button"
          onClick={() => props.onCompose({ mode: 'replyAll', source: email })}
        >
          {t('replyAll')}
        </button>
        <button
          className="button"
          onClick={() => props.onCompose({ mode: 'forward', source: email })}
        >
          {t('forward')}
        </button>
      </div>
    </section>
  );
}

/** The text of the parts JMAP lists as the body (RFC 8621 §4.1.4). */
function partsText(email: EmailFull, parts: BodyPart[], type: string): string | null {
  const chosen = parts.filter((p) => p.type === type && p.partId);
  if (chosen.length === 0) return null;
  return chosen.map((p) => email.bodyValues[p.partId!]?.value ?? '').join('\n');
}

function Body({ email }: { email: EmailFull }) {
  const html = partsText(email, email.htmlBody, 'text/html');
  if (html !== null) return <HtmlBody email={email} html={html} />;
  const text = partsText(email, email.textBody, 'text/plain') ?? '';
  return <TextBody text={text} />;
}

const LINK = /(https?:\/\/[^\s<>"')\]]+[^\s<>"')\].,;:!?])|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;

export function TextBody({ text }: { text: string }) {
  const out: ReactNode[] = [];
  let at = 0;
  for (const m of text.matchAll(LINK)) {
    out.push(text.slice(at, m.index));
    const href = m[1] ? m[1] : `mailto:${m[2]}`;
    out.push(
      <a key={m.index} href={href} target="_blank" rel="noopener noreferrer">
        {m[0]}
      </a>,
    );
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return <div className="text-body">{out}</div>;
}

const REMOTE = /^\s*(https?:)?\/\//i;
const CSS_REMOTE = /url\(\s*['"]?\s*(https?:)?\/\//i;

/** Sanitises mail HTML; remote pictures removed unless allowed. Reports whether any were. */
export function cleanHtml(
  html: string,
  opts: { allowRemote: boolean; cidUrl: (cid: string) => string | null },
): { html: string; remote: boolean } {
  let remote = false;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
    for (const attr of ['src', 'background', 'poster', 'srcset']) {
      const v = node.getAttribute(attr);
      if (v === null) continue;
      if (/^cid:/i.test(v)) {
        const url = opts.cidUrl(v.slice(4).replace(/^<|>$/g, ''));
        if (url) node.setAttribute(attr, url);
        else node.removeAttribute(attr);
      } else if (REMOTE.test(v) || attr === 'srcset') {
        remote = true;
        if (!opts.allowRemote) node.removeAttribute(attr);
      }
    }
    const style = node.getAttribute('style');
    if (style && CSS_REMOTE.test(style)) {
      remote = true;
      if (!opts.allowRemote) node.setAttribute('style', style.replace(/url\([^)]*\)/gi, 'none'));
    }
  });
  const clean = DOMPurify.sanitize(html, {
    WHOLE_DOCUMENT: true,
    FORBID_TAGS: ['form', 'input', 'button', 'textarea', 'select', 'base', 'link', 'meta'],
    FORBID_ATTR: ['id', 'name'],
  });
  DOMPurify.removeHook('afterSanitizeAttributes');
  if (CSS_REMOTE.test(clean)) remote = true;
  return { html: clean, remote };
}

function HtmlBody({ email, html }: { email: EmailFull; html: string }) {
  const { t } = useTranslation('mail');
  const { jmap } = useSession();
  const [allow, setAllow] = useState(false);
  const frame = useRef<HTMLIFrameElement>(null);
  const { doc, remote } = useMemo(() => {
    const parts = [...email.attachments, ...email.htmlBody];
    const r = cleanHtml(html, {
      allowRemote: allow,
      cidUrl: (cid) => {
        const p = parts.find((x) => x.cid?.replace(/^<|>$/g, '') === cid && x.blobId);
        return p ? jmap.downloadUrl(p.blobId!, p.name ?? 'image', p.type) : null;
      },
    });
    // A second policy inside the frame: pictures only from here (inline ones) until allowed,
    // no fonts, frames or connections anywhere.
    const img = allow ? "img-src 'self' data: blob: https:" : "img-src 'self' data: blob:";
    const csp = `default-src 'none'; ${img}; style-src 'unsafe-inline'; font-src data:`;
    const head =
      `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
      `<style>html,body{margin:0;padding:0;font-family:'Noto Sans Lao',system-ui,sans-serif;` +
      `font-size:15px;line-height:1.6;color:#1b1f24;overflow-wrap:anywhere}` +
      `img{max-width:100%;height:auto}table{max-width:100%}</style>`;
    const withHead = /<head>/i.test(r.html)
      ? r.html.replace(/<head>/i, `<head>${head}`)
      : `<html><head>${head}</head><body>${r.html}</body></html>`;
    return { doc: `<!doctype html>${withHead}`, remote: r.remote };
  }, [html, allow, email, jmap]);

  // Grow the frame to its content (it is same-origin with no script, so the page can measure).
  useEffect(() => {
    const f = frame.current;
    if (!f) return;
    let observer: ResizeObserver | null = null;
    const fit = (): void => {
      const d = f.contentDocument;
      if (d?.documentElement) f.style.height = `${d.documentElement.scrollHeight + 4}px`;
    };
    const onLoad = (): void => {
      fit();
      const body = f.contentDocument?.body;
      if (body) {
        observer = new ResizeObserver(fit);
        observer.observe(body);
      }
    };
    f.addEventListener('load', onLoad);
    return () => {
      f.removeEventListener('load', onLoad);
      observer?.disconnect();
    };
  }, [doc]);

  return (
    <>
      {remote && !allow && (
        <div className="remote-bar" role="status">
          <span className="grow">{t('remoteBlocked')}</span>
          <button className="button" onClick={() => setAllow(true)}>
            {t('showImages')}
          </button>
        </div>
      )}
      <iframe
        ref={frame}
        className="html-body"
        title={t('messageBody')}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        srcDoc={doc}
      />
    </>
  );
}

const PREVIEWABLE_IMAGE = /^image\/(png|jpe?g|gif|webp|bmp|avif)$/i;
const isPdf = (type: string): boolean => type.toLowerCase() === 'application/pdf';
/** Whether the browser shows PDFs itself (false on phones that hand them to another app). */
const pdfViewer = (): boolean => navigator.pdfViewerEnabled !== false;

function Attachments({ email }: { email: EmailFull }) {
  const { t } = useTranslation('mail');
  const { jmap } = useSession();
  const [preview, setPreview] = useState<BodyPart | null>(null);
  const list = email.attachments.filter((a) => a.blobId && (a.disposition !== 'inline' || !a.cid));
  if (list.length === 0) return null;
  return (
    <div className="attachments">
      <h2 className="visually-hidden">{t('attachments')}</h2>
      <ul className="attachment-list">
        {list.map((a, i) => {
          const name = a.name ?? t('unnamed');
          const url = jmap.downloadUrl(a.blobId!, name, a.type);
          const image = PREVIEWABLE_IMAGE.test(a.type);
          const pdf = isPdf(a.type) && pdfViewer();
          return (
            <li key={`${a.blobId}-${i}`} className="attachment" data-testid="attachment">
              {image ? (
                <button
                  className="thumb"
                  onClick={() => setPreview(a)}
                  aria-label={t('preview', { name })}
                >
                  <img src={url} alt="" loading="lazy" />
                </button>
              ) : (
                <span className="thumb file-type" aria-hidden="true">
                  {(name.split('.').pop() ?? '').slice(0, 4).toUpperCase() || '?'}
                </span>
              )}
              <div className="grow attachment-meta">
                <div className="attachment-name" title={name}>
                  {name}
                </div>
                <div className="muted">{formatBytes(a.size)}</div>
              </div>
              {(image || pdf) && (
                <button className="button quiet" onClick={() => setPreview(a)}>
                  {t('previewShort')}
                </button>
              )}
              <a className="button quiet" href={url} download={name}>
                {t('download')}
              </a>
            </li>
          );
        })}
      </ul>
      {preview && <Preview jmap={jmap} part={preview} onClose={() => setPreview(null)} />}
    </div>
  );
}

function Preview({ jmap, part, onClose }: { jmap: Jmap; part: BodyPart; onClose: () => void }) {
  const { t } = useTranslation('mail');
  const { t: tc } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const name = part.name ?? t('unnamed');
  const url = jmap.downloadUrl(part.blobId!, name, part.type);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog preview" onClose={onClose} aria-label={name}>
      <div className="row">
        <strong className="grow attachment-name">{name}</strong>
        <a className="button quiet" href={url} download={name}>
          {t('download')}
        </a>
        <button className="button" onClick={() => ref.current?.close()}>
          {tc('close')}
        </button>
      </div>
      {isPdf(part.type) ? (
        // The frame's document is the PDF itself, from the server, served inline under a
        // policy of its own (no script, a sandbox, this page only as its parent) and never
        // sniffed as anything but a PDF: the browser's viewer shows it under its real name.
        <iframe
          className="pdf-frame"
          src={jmap.viewUrl(part.blobId!, name, part.type)}
          title={name}
        />
      ) : (
        <img className="preview-image" src={url} alt={name} />
      )}
    </dialog>
  );
}
