// What a message being written starts with (recipients, subject, the quote of a reply or the
// head of a forward) and the text forms of its body: kept out of Compose.tsx, which is the
// editor and its life.
import DOMPurify from 'dompurify';
import type { TFunction } from 'i18next';
import { formatDate } from '../i18n/index.ts';
import type { ComposeRequest } from './composeTypes.ts';
import { addressText, type Address, type EmailFull } from './model.ts';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const textToHtml = (s: string): string =>
  s
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');

/** The plain-text alternative of the HTML the editor makes (RFC 2046 §5.1.4). */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const walk = (n: Node, quote: string): string => {
    if (n.nodeType === Node.TEXT_NODE) return n.textContent ?? '';
    if (!(n instanceof Element)) return '';
    const inner = (q = quote): string => [...n.childNodes].map((c) => walk(c, q)).join('');
    switch (n.tagName) {
      case 'BR':
        return '\n';
      case 'P':
      case 'DIV':
      case 'H1':
      case 'H2':
      case 'H3':
        return `${inner()}\n\n`;
      case 'LI':
        return `- ${inner().trim()}\n`;
      case 'UL':
      case 'OL':
        return `${inner()}\n`;
      case 'A': {
        const href = n.getAttribute('href') ?? '';
        const text = inner();
        return href && href !== text && !href.startsWith('mailto:') ? `${text} <${href}>` : text;
      }
      case 'BLOCKQUOTE':
        return (
          inner()
            .trim()
            .split('\n')
            .map((l) => `> ${l}`)
            .join('\n') + '\n\n'
        );
      default:
        return inner();
    }
  };
  return walk(doc.body, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function subjectFor(mode: ComposeRequest['mode'], s: string | null): string {
  const subject = s ?? '';
  if (mode === 'reply' || mode === 'replyAll')
    return /^re:/i.test(subject) ? subject : `Re: ${subject}`;
  if (mode === 'forward') return /^fwd?:/i.test(subject) ? subject : `Fwd: ${subject}`;
  return subject;
}

function bodyOf(email: EmailFull): string {
  const html = email.htmlBody
    .filter((p) => p.type === 'text/html' && p.partId)
    .map((p) => email.bodyValues[p.partId!]?.value ?? '')
    .join('');
  if (html) return DOMPurify.sanitize(html, { FORBID_TAGS: ['style', 'img'] });
  const text = email.textBody
    .filter((p) => p.partId)
    .map((p) => email.bodyValues[p.partId!]?.value ?? '')
    .join('\n');
  return textToHtml(text);
}

const sameAddress = (a: Address, b: string): boolean => a.email.toLowerCase() === b.toLowerCase();

const displayNameOf = (a: Address): string => a.name || a.email;

/** Recipients, subject, body and attachments the editor starts with. */
export function initial(req: ComposeRequest, me: string, t: TFunction<'mail'>) {
  const src = req.source;
  if (!src || req.mode === 'new')
    return { to: [], cc: [], bcc: [], subject: '', html: `<p></p>`, attachments: [] };
  if (req.mode === 'draft')
    return {
      to: src.to ?? [],
      cc: src.cc ?? [],
      bcc: src.bcc ?? [],
      subject: src.subject ?? '',
      html: bodyOf(src),
      attachments: src.attachments,
    };
  const from = src.from?.[0];
  const when = formatDate(new Date(src.receivedAt).getTime(), {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const who = from ? escapeHtml(addressText(from)) : '';
  if (req.mode === 'forward') {
    const head = [
      `<p>${escapeHtml(t('forwardedHeader'))}<br>`,
      `${escapeHtml(t('from'))}: ${who}<br>`,
      `${escapeHtml(t('date'))}: ${escapeHtml(when)}<br>`,
      `${escapeHtml(t('subject'))}: ${escapeHtml(src.subject ?? '')}<br>`,
      `${escapeHtml(t('to'))}: ${escapeHtml((src.to ?? []).map(addressText).join(', '))}</p>`,
    ].join('');
    return {
      to: [],
      cc: [],
      bcc: [],
      subject: subjectFor('forward', src.subject),
      html: `<p></p>${head}${bodyOf(src)}`,
      attachments: src.attachments.filter((a) => a.blobId),
    };
  }
  const replyTo = src.replyTo?.length ? src.replyTo : (src.from ?? []);
  let to = replyTo;
  let cc: Address[] = [];
  if (req.mode === 'replyAll') {
    const seen = new Set<string>();
    const keep = (a: Address): boolean => {
      const k = a.email.toLowerCase();
      if (seen.has(k) || sameAddress(a, me)) return false;
      seen.add(k);
      return true;
    };
    to = [...replyTo, ...(src.to ?? [])].filter(keep);
    cc = (src.cc ?? []).filter(keep);
    if (to.length === 0) to = replyTo;
  }
  const wrote = escapeHtml(t('wrote', { date: when, name: from ? displayNameOf(from) : '' }));
  return {
    to,
    cc,
    bcc: [],
    subject: subjectFor(req.mode, src.subject),
    html: `<p></p><p>${wrote}</p><blockquote>${bodyOf(src)}</blockquote>`,
    attachments: [],
  };
}
