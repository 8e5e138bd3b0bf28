// The mail area's data: JMAP types (RFC 8621) as the app uses them, and the calls that fetch
// and change them. Components hold no JMAP details beyond what is here.
import { MethodError, type Invocation, type Jmap } from '../api/jmap.ts';

export const USING_MAIL = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'];
export const USING_SUBMISSION = [...USING_MAIL, 'urn:ietf:params:jmap:submission'];
export const USING_VACATION = [...USING_MAIL, 'urn:ietf:params:jmap:vacationresponse'];

export interface Mailbox {
  id: string;
  name: string;
  parentId: string | null;
  role: string | null;
  sortOrder: number;
  totalEmails: number;
  unreadEmails: number;
  totalThreads: number;
  unreadThreads: number;
}

export interface Address {
  name: string | null;
  email: string;
}

export interface EmailSummary {
  id: string;
  threadId: string;
  mailboxIds: Record<string, boolean>;
  keywords: Record<string, boolean>;
  from: Address[] | null;
  to: Address[] | null;
  subject: string | null;
  preview: string;
  receivedAt: string;
  hasAttachment: boolean;
}

export interface BodyPart {
  partId: string | null;
  blobId: string | null;
  size: number;
  name: string | null;
  type: string;
  disposition: string | null;
  cid: string | null;
}

export interface EmailFull extends EmailSummary {
  cc: Address[] | null;
  bcc: Address[] | null;
  replyTo: Address[] | null;
  sentAt: string | null;
  messageId: string[] | null;
  inReplyTo: string[] | null;
  references: string[] | null;
  textBody: BodyPart[];
  htmlBody: BodyPart[];
  attachments: BodyPart[];
  bodyValues: Record<string, { value: string; isTruncated: boolean }>;
}

export const SUMMARY_PROPS = [
  'id',
  'threadId',
  'mailboxIds',
  'keywords',
  'from',
  'to',
  'subject',
  'preview',
  'receivedAt',
  'hasAttachment',
];
const FULL_PROPS = [
  ...SUMMARY_PROPS,
  'cc',
  'bcc',
  'replyTo',
  'sentAt',
  'messageId',
  'inReplyTo',
  'references',
  'textBody',
  'htmlBody',
  'attachments',
  'bodyValues',
];

/** Roles in the order the folder list shows them (RFC 8621 §2, IANA mailbox roles). */
export const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];

export type EmailFilter = Record<string, unknown>;

export interface Page {
  ids: string[];
  position: number;
  total: number;
  /** The query's state (Email/query queryState): positions are those of this state. */
  queryState: string;
  /** The Email state the summaries were read at (Email/get state). */
  emailState: string;
  emails: EmailSummary[];
  /** Messages in each listed email's thread. */
  threadSizes: Record<string, number>;
}

/** How the list is sorted and grouped; Email/queryChanges must repeat it (RFC 8620 §5.6). */
export const LIST_QUERY = {
  sort: [{ property: 'receivedAt', isAscending: false }],
  collapseThreads: true,
};

/** A method's arguments, or the method error it answered, thrown as MethodError. */
export function check(res: Invocation | undefined): Record<string, unknown> {
  if (!res) throw new MethodError({ type: 'serverFail', description: 'no response' });
  if (res[0] === 'error') throw new MethodError(res[1]);
  return res[1];
}

/** Every mailbox, and the Mailbox state they were read at. */
export async function getMailboxes(jmap: Jmap): Promise<{ list: Mailbox[]; state: string }> {
  return jmap.one<{ list: Mailbox[]; state: string }>('Mailbox/get', { ids: null });
}

/** Orders mailboxes: roles first in ROLE_ORDER, then the rest as a tree by sortOrder, name. */
export function mailboxTree(list: Mailbox[]): { box: Mailbox; depth: number }[] {
  const out: { box: Mailbox; depth: number }[] = [];
  const roleRank = (m: Mailbox): number => {
    const i = m.role ? ROLE_ORDER.indexOf(m.role) : -1;
    return i < 0 ? ROLE_ORDER.length : i;
  };
  const byOrder = (a: Mailbox, b: Mailbox): number =>
    roleRank(a) - roleRank(b) || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name);
  const children = new Map<string | null, Mailbox[]>();
  const ids = new Set(list.map((m) => m.id));
  for (const m of list) {
    const parent = m.parentId && ids.has(m.parentId) ? m.parentId : null;
    const arr = children.get(parent) ?? [];
    arr.push(m);
    children.set(parent, arr);
  }
  const walk = (parent: string | null, depth: number): void => {
    for (const m of (children.get(parent) ?? []).sort(byOrder)) {
      out.push({ box: m, depth });
      walk(m.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export const byRole = (list: Mailbox[], role: string): Mailbox | undefined =>
  list.find((m) => m.role === role);

/** One page of the conversation list: Email/query (collapsed threads) + Email/get + Thread/get. */
export async function queryPage(
  jmap: Jmap,
  filter: EmailFilter,
  position: number,
  limit: number,
): Promise<Page> {
  const accountId = jmap.accountId;
  const res = await jmap.call([
    [
      'Email/query',
      {
        accountId,
        filter,
        ...LIST_QUERY,
        position,
        limit,
        calculateTotal: true,
      },
      'q',
    ],
    [
      'Email/get',
      {
        accountId,
        '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
        properties: SUMMARY_PROPS,
      },
      'g',
    ],
    [
      'Thread/get',
      {
        accountId,
        '#ids': { resultOf: 'g', name: 'Email/get', path: '/list/*/threadId' },
      },
      't',
    ],
  ]);
  const q = check(res[0]) as {
    ids: string[];
    position: number;
    total?: number;
    queryState: string;
  };
  const g = check(res[1]) as { list: EmailSummary[]; state: string };
  const th = check(res[2]) as { list: { id: string; emailIds: string[] }[] };
  const threadSizes: Record<string, number> = {};
  for (const t of th.list) threadSizes[t.id] = t.emailIds.length;
  return {
    ids: q.ids,
    position: q.position,
    total: q.total ?? q.ids.length,
    queryState: q.queryState,
    emailState: g.state,
    emails: g.list,
    threadSizes,
  };
}

/** The messages of a thread, oldest first, with their bodies. */
export async function getThread(jmap: Jmap, threadId: string): Promise<EmailFull[]> {
  const accountId = jmap.accountId;
  const res = await jmap.call([
    ['Thread/get', { accountId, ids: [threadId] }, 't'],
    [
      'Email/get',
      {
        accountId,
        '#ids': { resultOf: 't', name: 'Thread/get', path: '/list/*/emailIds' },
        properties: FULL_PROPS,
        fetchHTMLBodyValues: true,
        fetchTextBodyValues: true,
        maxBodyValueBytes: 2_000_000,
      },
      'g',
    ],
  ]);
  check(res[0]);
  const list = (check(res[1]) as { list: EmailFull[] }).list;
  return list.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

/** Emails by id with their bodies (a draft to go on with). */
export async function getEmails(jmap: Jmap, ids: string[]): Promise<EmailFull[]> {
  const r = await jmap.one<{ list: EmailFull[] }>('Email/get', {
    ids,
    properties: FULL_PROPS,
    fetchHTMLBodyValues: true,
    fetchTextBodyValues: true,
    maxBodyValueBytes: 2_000_000,
  });
  return r.list;
}

/** Every email of the given threads, with mailboxes and keywords (for actions on threads). */
export async function threadMembers(
  jmap: Jmap,
  threadIds: string[],
): Promise<Pick<EmailSummary, 'id' | 'mailboxIds' | 'keywords'>[]> {
  if (threadIds.length === 0) return [];
  const accountId = jmap.accountId;
  const res = await jmap.call([
    ['Thread/get', { accountId, ids: threadIds }, 't'],
    [
      'Email/get',
      {
        accountId,
        '#ids': { resultOf: 't', name: 'Thread/get', path: '/list/*/emailIds' },
        properties: ['id', 'mailboxIds', 'keywords'],
      },
      'g',
    ],
  ]);
  return (check(res[1]) as { list: Pick<EmailSummary, 'id' | 'mailboxIds' | 'keywords'>[] }).list;
}

export async function setEmails(
  jmap: Jmap,
  args: {
    update?: Record<string, Record<string, unknown>>;
    destroy?: string[];
  },
): Promise<void> {
  const r = await jmap.one<{
    notUpdated?: Record<string, { description?: string; type: string }> | null;
    notDestroyed?: Record<string, { description?: string; type: string }> | null;
  }>('Email/set', args);
  const failed = Object.values({ ...(r.notUpdated ?? {}), ...(r.notDestroyed ?? {}) })[0];
  if (failed) throw new Error(failed.description ?? failed.type);
}

export async function snippets(
  jmap: Jmap,
  filter: EmailFilter,
  emailIds: string[],
): Promise<Record<string, { subject: string | null; preview: string | null }>> {
  if (emailIds.length === 0) return {};
  const r = await jmap.one<{
    list: { emailId: string; subject: string | null; preview: string | null }[];
  }>('SearchSnippet/get', { filter, emailIds });
  const out: Record<string, { subject: string | null; preview: string | null }> = {};
  for (const s of r.list) out[s.emailId] = { subject: s.subject, preview: s.preview };
  return out;
}

export interface Identity {
  id: string;
  name: string;
  email: string;
  textSignature: string;
  htmlSignature: string;
}

export async function getIdentities(jmap: Jmap): Promise<Identity[]> {
  const r = await jmap.one<{ list: Identity[] }>('Identity/get', { ids: null }, USING_SUBMISSION);
  return r.list;
}

export const addressText = (a: Address): string => (a.name ? `${a.name} <${a.email}>` : a.email);

export const displayName = (a: Address | undefined | null): string => (a ? a.name || a.email : '');

/** Parses "Name <a@b>" or "a@b"; null when it is not an address. */
export function parseAddress(text: string): Address | null {
  const s = text.trim().replace(/[,;]+$/, '');
  const m = /^(.*)<([^<>\s]+@[^<>\s]+)>$/.exec(s);
  if (m) {
    const name = m[1]!.trim().replace(/^"|"$/g, '');
    return { name: name || null, email: m[2]! };
  }
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(s) ? { name: null, email: s } : null;
}
