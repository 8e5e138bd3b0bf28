// Compose, loaded on first use (the editor is most of its weight): rich text with TipTap and a
// plain-text alternative made from it; reply, reply-all and forward (attachments carried
// over); the draft saved as you type (a new draft replaces the previous one in one Email/set,
// since a message cannot be edited in place; attachments then point at the new draft's
// parts, since the old draft's blobs go with it); attachments uploaded with progress; recipients
// from the address book and recent correspondents; sent with EmailSubmission, whose
// onSuccessUpdateEmail files the message in Sent and drops $draft (RFC 8621 §7.5).
import StarterKit from '@tiptap/starter-kit';
import { EditorContent, useEditor, type Editor } from '@tiptap/react';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Invocation } from '../api/jmap.ts';
import { useSession } from '../app/session.tsx';
import { formatBytes } from '../i18n/index.ts';
import { htmlToText, initial, textToHtml } from './composeContent.ts';
import type { ComposeRequest, Sent } from './composeTypes.ts';
import {
  byRole,
  getEmails,
  getIdentities,
  USING_SUBMISSION,
  type Address,
  type EmailFull,
  type Identity,
  type Mailbox,
} from './model.ts';
import { remember } from './recent.ts';
import { RecipientField } from './RecipientField.tsx';
import { LinkIcon, NumberedListIcon, QuoteIcon } from './icons.tsx';

const SAVE_DELAY_MS = 1500;

interface Attachment {
  key: string;
  name: string;
  type: string;
  size: number;
  blobId: string | null;
  progress: number;
  error: string | null;
}

export default function Compose(props: {
  request: ComposeRequest;
  mailboxes: Mailbox[];
  onClose: () => void;
  onSent: (sent: Sent) => void;
  onError: (err: unknown) => void;
}) {
  const { t } = useTranslation('mail');
  const { jmap, me } = useSession();
  const { request, mailboxes, onClose, onSent, onError } = props;
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [ready, setReady] = useState(false);
  const [to, setTo] = useState<Address[]>([]);
  const [cc, setCc] = useState<Address[]>([]);
  const [bcc, setBcc] = useState<Address[]>([]);
  const [showCc, setShowCc] = useState(false);
  const [subject, setSubject] = useState('');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved' | 'sending'>('idle');
  const [problem, setProblem] = useState<string | null>(null);
  const draftId = useRef<string | null>(
    request.mode === 'draft' ? (request.source?.id ?? null) : null,
  );
  const saving = useRef<Promise<void>>(Promise.resolve());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const dirty = useRef(false);
  const fileInput = useRef<HTMLInputElement>(null);
  /** An attachment's blob id → the same part in the last saved draft (see `save`). */
  const movedBlobs = useRef(new Map<string, string>());
  const drafts = byRole(mailboxes, 'drafts');
  const sent = byRole(mailboxes, 'sent');

  const editor = useEditor({
    extensions: [StarterKit.configure({ link: { openOnClick: false } })],
    content: '',
    // A reply or a draft starts in the text, from the first frame: nothing typed is lost.
    autofocus: request.mode === 'reply' || request.mode === 'replyAll' || request.mode === 'draft',
    injectCSS: false,
    shouldRerenderOnTransaction: true,
    editorProps: { attributes: { class: 'editor-area', 'aria-label': t('body') } },
  });

  // Start at once from the message replied to (recipients, subject, quote), so that what the
  // user types straight away is kept; the identity (From and the signature) arrives later,
  // and the signature is put in above the quote without touching what was typed.
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    let live = true;
    const begin = (): void => {
      editor.off('create', begin);
      if (!live || editor.isDestroyed) return;
      const init = initial(request, me.email, t);
      setTo(init.to);
      setCc(init.cc);
      setBcc(init.bcc);
      setShowCc(init.cc.length > 0 || init.bcc.length > 0);
      setSubject(init.subject);
      setAttachments(
        init.attachments.map((a, i) => ({
          key: `src-${i}`,
          name: a.name ?? 'attachment',
          type: a.type,
          size: a.size,
          blobId: a.blobId,
          progress: 1,
          error: null,
        })),
      );
      editor.commands.setContent(init.html, { emitUpdate: false });
      // The nodes after the first (empty) paragraph are the quote: the signature goes above.
      const quoteNodes = editor.state.doc.childCount - 1;
      // A reply has its recipients: start in the text. Otherwise start in To.
      if (request.mode === 'reply' || request.mode === 'replyAll' || request.mode === 'draft')
        editor.commands.focus('start');
      setReady(true);
      void getIdentities(jmap)
        .catch(() => [] as Identity[])
        .then((ids) => {
          if (!live || editor.isDestroyed) return;
          const id =
            ids.find((i) => i.email.toLowerCase() === me.email.toLowerCase()) ?? ids[0] ?? null;
          setIdentity(id);
          const sig = id?.htmlSignature || (id?.textSignature ? textToHtml(id.textSignature) : '');
          if (!sig || request.mode === 'draft') return; // a draft has its signature already
          const doc = editor.state.doc;
          let at = doc.content.size;
          for (let i = 0; i < quoteNodes && i < doc.childCount; i++)
            at -= doc.child(doc.childCount - 1 - i).nodeSize;
          editor
            .chain()
            .command(({ tr }) => {
              tr.setMeta('preventUpdate', true); // not a change of the user's: no draft saved
              tr.setMeta('addToHistory', false); // and not undone by Ctrl+Z
              return true;
            })
            .insertContentAt(at, `<p></p><p>-- </p>${sig}`, { updateSelection: false })
            .run();
        });
    };
    // The editor takes commands once it is in the page (tiptap's `create`).
    if (editor.isInitialized) begin();
    else editor.on('create', begin);
    return () => {
      live = false;
      editor.off('create', begin);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the editor exists
  }, [editor]);

  /** The message as JMAP creates it (RFC 8621 §4.6). */
  const emailObject = useCallback((): Record<string, unknown> => {
    const html = editor?.getHTML() ?? '';
    const src = request.source;
    const reply = request.mode === 'reply' || request.mode === 'replyAll';
    const fromDraft = request.mode === 'draft' && src;
    const inReplyTo = reply ? src?.messageId : fromDraft ? src.inReplyTo : null;
    const references = reply
      ? [...(src?.references ?? []), ...(src?.messageId ?? [])]
      : fromDraft
        ? src.references
        : null;
    return {
      mailboxIds: drafts ? { [drafts.id]: true } : {},
      keywords: { $draft: true, $seen: true },
      from: [{ name: identity?.name || me.name || null, email: identity?.email ?? me.email }],
      to,
      cc,
      bcc,
      subject,
      ...(inReplyTo?.length ? { inReplyTo } : {}),
      ...(references?.length ? { references } : {}),
      textBody: [{ partId: 'text', type: 'text/plain' }],
      htmlBody: [{ partId: 'html', type: 'text/html' }],
      bodyValues: { text: { value: htmlToText(html) }, html: { value: html } },
      attachments: attachments
        .filter((a) => a.blobId)
        .map((a) => ({
          blobId: movedBlobs.current.get(a.blobId!) ?? a.blobId,
          type: a.type,
          name: a.name,
          disposition: 'attachment',
        })),
    };
  }, [editor, request, drafts, identity, me, to, cc, bcc, subject, attachments]);

  /** Saves the draft: a new one created, the previous destroyed, in one request. */
  const save = useCallback((): Promise<void> => {
    const run = async (): Promise<void> => {
      if (!dirty.current || !drafts) return;
      dirty.current = false;
      setStatus('saving');
      const prev = draftId.current;
      const blobs = attachments.flatMap((a) => (a.blobId ? [a.blobId] : []));
      const r = await jmap.one<{
        created?: Record<string, { id: string }> | null;
        notCreated?: Record<string, { description?: string; type: string }> | null;
      }>('Email/set', { create: { d: emailObject() }, ...(prev ? { destroy: [prev] } : {}) });
      const made = r.created?.d;
      if (!made) throw new Error(r.notCreated?.d?.description ?? r.notCreated?.d?.type ?? '');
      draftId.current = made.id;
      // The previous draft is gone, and with it the blobs of its parts (an opened draft's
      // attachments are such parts): from now on the attachments are the new draft's parts.
      if (prev && blobs.length > 0) {
        const [saved] = (
          await jmap.one<{ list: Pick<EmailFull, 'attachments'>[] }>('Email/get', {
            ids: [made.id],
            properties: ['attachments'],
            bodyProperties: ['blobId'],
          })
        ).list;
        if (saved?.attachments.length === blobs.length)
          blobs.forEach((b, i) => {
            const now = saved.attachments[i]?.blobId;
            if (now) movedBlobs.current.set(b, now);
          });
      }
      setStatus('saved');
    };
    saving.current = saving.current.then(run).catch((err: unknown) => {
      dirty.current = true;
      setStatus('idle');
      setProblem(err instanceof Error ? err.message : String(err));
    });
    return saving.current;
  }, [jmap, drafts, emailObject, attachments]);

  const changed = useCallback(() => {
    dirty.current = true;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), SAVE_DELAY_MS);
  }, [save]);

  // Every change of the fields or the text saves the draft a moment later (and only that:
  // folders updated by push give `changed` a new identity but change nothing to save).
  const latestChanged = useRef(changed);
  useEffect(() => {
    latestChanged.current = changed;
  }, [changed]);
  const first = useRef(true);
  useEffect(() => {
    if (!ready) return;
    if (first.current) {
      first.current = false;
      return;
    }
    latestChanged.current();
  }, [ready, to, cc, bcc, subject, attachments]);
  useEffect(() => {
    if (!editor) return;
    const on = (): void => changed();
    editor.on('update', on);
    return () => {
      editor.off('update', on);
    };
  }, [editor, changed]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const attach = (files: FileList | File[]): void => {
    for (const file of files) {
      const key = `${Date.now()}-${Math.random()}`;
      const row: Attachment = {
        key,
        name: file.name,
        type: file.type || 'application/octet-stream',
        size: file.size,
        blobId: null,
        progress: 0,
        error: null,
      };
      setAttachments((all) => [...all, row]);
      const update = (patch: Partial<Attachment>): void =>
        setAttachments((all) => all.map((a) => (a.key === key ? { ...a, ...patch } : a)));
      jmap.uploads
        .run(() => jmap.upload(file, (progress) => update({ progress })))
        .then(({ blobId }) => update({ blobId, progress: 1 }))
        .catch((err: unknown) => update({ error: err instanceof Error ? err.message : 'error' }));
    }
  };

  const uploading = attachments.some((a) => !a.blobId && !a.error);

  const send = async (): Promise<void> => {
    setProblem(null);
    if (to.length + cc.length + bcc.length === 0) {
      setProblem(t('noRecipients'));
      return;
    }
    if (uploading) {
      setProblem(t('stillUploading'));
      return;
    }
    if (!identity) {
      setProblem(t('noIdentity'));
      return;
    }
    if (timer.current) clearTimeout(timer.current);
    dirty.current = false;
    setStatus('sending');
    await saving.current;
    const prev = draftId.current;
    const onSuccess: Record<string, unknown> = { 'keywords/$draft': null };
    if (drafts) onSuccess[`mailboxIds/${drafts.id}`] = null;
    if (sent) onSuccess[`mailboxIds/${sent.id}`] = true;
    const accountId = jmap.accountId;
    const calls: Invocation[] = [
      [
        'Email/set',
        { accountId, create: { m: emailObject() }, ...(prev ? { destroy: [prev] } : {}) },
        'e',
      ],
      [
        'EmailSubmission/set',
        {
          accountId,
          create: { s: { identityId: identity.id, emailId: '#m' } },
          onSuccessUpdateEmail: { '#s': onSuccess },
        },
        's',
      ],
    ];
    try {
      const res = await jmap.call(calls, USING_SUBMISSION);
      const e = res.find((r) => r[2] === 'e' && r[0] === 'Email/set')?.[1] as
        | {
            created?: Record<string, { id: string }> | null;
            notCreated?: Record<string, { type: string; description?: string }> | null;
          }
        | undefined;
      const s = res.find((r) => r[2] === 's' && r[0] === 'EmailSubmission/set')?.[1] as
        | {
            created?: Record<string, { id: string; sendAt?: string }> | null;
            notCreated?: Record<string, { type: string; description?: string }> | null;
          }
        | undefined;
      const error = res.find((r) => r[0] === 'error');
      const emailId = e?.created?.m?.id;
      const sub = s?.created?.s;
      if (!emailId || !sub) {
        const why =
          e?.notCreated?.m ??
          s?.notCreated?.s ??
          (error?.[1] as { type: string; description?: string } | undefined);
        if (emailId) draftId.current = emailId;
        throw new Error(why?.description ?? why?.type ?? 'not sent');
      }
      for (const a of [...to, ...cc, ...bcc]) remember(a);
      const sendAt = sub.sendAt ? Date.parse(sub.sendAt) : Date.now();
      onSent({
        sendAt,
        undo: async () => {
          const r = await jmap.one<{ updated?: Record<string, unknown> | null }>(
            'EmailSubmission/set',
            { update: { [sub.id]: { undoStatus: 'canceled' } } },
            USING_SUBMISSION,
          );
          if (!r.updated || !(sub.id in r.updated)) return null;
          // Back to Drafts, to be edited again.
          const back: Record<string, unknown> = { 'keywords/$draft': true };
          if (sent) back[`mailboxIds/${sent.id}`] = null;
          if (drafts) back[`mailboxIds/${drafts.id}`] = true;
          await jmap.one('Email/set', { update: { [emailId]: back } });
          return (await getEmails(jmap, [emailId]))[0] ?? null;
        },
      });
      onClose();
    } catch (err) {
      setStatus('idle');
      setProblem(t('sendFailed', { detail: err instanceof Error ? err.message : String(err) }));
    }
  };

  const close = async (): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    await save();
    onClose();
  };

  const discard = async (): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    dirty.current = false;
    await saving.current;
    if (draftId.current) await jmap.one('Email/set', { destroy: [draftId.current] }).catch(onError);
    onClose();
  };

  const title =
    request.mode === 'reply' || request.mode === 'replyAll'
      ? t('replyTitle')
      : request.mode === 'forward'
        ? t('forwardTitle')
        : t('newMessage');

  return (
    <div
      className="compose"
      role="dialog"
      aria-label={title}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        if (e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        attach(e.dataTransfer.files);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
        if (e.key === 'Escape') void close();
      }}
    >
      <div className="compose-head">
        <h2 className="grow">{title}</h2>
        <span className="muted compose-status" role="status">
          {status === 'saving' ? t('saving') : status === 'saved' ? t('saved') : ''}
        </span>
        <button
          className="button quiet icon"
          aria-label={t('closeCompose')}
          onClick={() => void close()}
        >
          ×
        </button>
      </div>
      <fieldset className="compose-fields" disabled={!ready}>
        <RecipientField
          label={t('to')}
          value={to}
          onChange={setTo}
          autoFocus={ready && (request.mode === 'new' || request.mode === 'forward')}
        />
        {showCc ? (
          <>
            <RecipientField label={t('cc')} value={cc} onChange={setCc} />
            <RecipientField label={t('bcc')} value={bcc} onChange={setBcc} />
          </>
        ) : (
          <button className="button quiet cc-toggle" onClick={() => setShowCc(true)}>
            {t('ccBcc')}
          </button>
        )}
        <label className="compose-line">
          <span className="compose-label">{t('subject')}</span>
          <input
            className="grow"
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            aria-label={t('subject')}
          />
        </label>
      </fieldset>
      <EditorToolbar editor={editor} />
      <EditorContent editor={editor} className="editor" />
      {attachments.length > 0 && (
        <ul className="compose-attachments">
          {attachments.map((a) => (
            <li key={a.key} className="compose-attachment" data-testid="compose-attachment">
              <span className="grow attachment-name" title={a.name}>
                {a.name}
              </span>
              <span className="muted">{formatBytes(a.size)}</span>
              {a.error ? (
                <span className="field-error">{t('uploadFailed')}</span>
              ) : !a.blobId ? (
                <progress
                  value={a.progress}
                  max={1}
                  aria-label={t('uploading', { name: a.name })}
                />
              ) : null}
              <button
                className="button quiet icon"
                aria-label={t('removeAttachment', { name: a.name })}
                onClick={() => setAttachments((all) => all.filter((x) => x.key !== a.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <div className="alert alert-error" role="alert">
          {problem}
        </div>
      )}
      <div className="compose-foot">
        <button
          className="button primary"
          disabled={status === 'sending' || !ready}
          onClick={() => void send()}
        >
          {status === 'sending' ? t('sendingShort') : t('send')}
        </button>
        <button className="button" onClick={() => fileInput.current?.click()}>
          {t('attach')}
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="attach-input"
          onChange={(e) => {
            if (e.target.files) attach(e.target.files);
            e.target.value = '';
          }}
        />
        <span className="grow" />
        <button className="button quiet" onClick={() => void discard()}>
          {t('discard')}
        </button>
      </div>
    </div>
  );
}

function EditorToolbar({ editor }: { editor: Editor | null }) {
  const { t } = useTranslation('mail');
  if (!editor) return null;
  const b = (label: string, text: ReactNode, active: boolean, run: () => void) => (
    <button
      type="button"
      className="button quiet icon"
      aria-label={label}
      aria-pressed={active}
      title={label}
      onMouseDown={(e) => e.preventDefault()}
      onClick={run}
    >
      {text}
    </button>
  );
  return (
    <div className="editor-toolbar" role="toolbar" aria-label={t('formatting')}>
      {b(t('bold'), 'B', editor.isActive('bold'), () => editor.chain().focus().toggleBold().run())}
      {b(t('italic'), 'I', editor.isActive('italic'), () =>
        editor.chain().focus().toggleItalic().run(),
      )}
      {b(t('bulletList'), '•', editor.isActive('bulletList'), () =>
        editor.chain().focus().toggleBulletList().run(),
      )}
      {b(t('numberedList'), <NumberedListIcon />, editor.isActive('orderedList'), () =>
        editor.chain().focus().toggleOrderedList().run(),
      )}
      {b(t('quote'), <QuoteIcon />, editor.isActive('blockquote'), () =>
        editor.chain().focus().toggleBlockquote().run(),
      )}
      {b(t('link'), <LinkIcon />, editor.isActive('link'), () => {
        const url = window.prompt(t('linkPrompt'), editor.getAttributes('link').href as string);
        if (url === null) return;
        if (url === '') editor.chain().focus().unsetLink().run();
        else editor.chain().focus().setLink({ href: url }).run();
      })}
    </div>
  );
}
