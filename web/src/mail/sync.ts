// Catching up after a push (RFC 8620 §7): the JMAP calls that bring an open list and the
// folders from the states the app holds to the server's current ones, each in one request.
// A list: Email/queryChanges (§5.6) for positions, the summaries and thread sizes of what it
// added, and Email/changes (§5.2) with the keywords and mailboxes of updated emails (a flag
// set from IMAP), which a server need not name in queryChanges when the sort and filter do
// not depend on them. Folders: Mailbox/changes and Mailbox/get of what changed (counts).
// `null` means the server cannot say (cannotCalculateChanges, tooManyChanges, more changes
// than asked for): the caller loads afresh. A failed request throws; the states stay, so the
// next push tries again from them.
import { MethodError, type Invocation, type Jmap } from '../api/jmap.ts';
import {
  check,
  LIST_QUERY,
  SUMMARY_PROPS,
  type EmailFilter,
  type EmailSummary,
  type Mailbox,
} from './model.ts';

/** At most this many changes are taken by push; beyond them a fresh load costs less. */
export const MAX_CHANGES = 250;

export type EmailFlags = Pick<EmailSummary, 'id' | 'threadId' | 'keywords' | 'mailboxIds'>;

export interface ListChanges {
  queryState: string;
  total: number;
  removed: string[];
  added: { id: string; index: number }[];
  /** Summaries of the added emails, and the sizes of their threads. */
  emails: EmailSummary[];
  threadSizes: Record<string, number>;
  /** Search snippets of the added emails (a search list only). */
  snippets: Record<string, { subject: string | null; preview: string | null }>;
  emailState: string;
  /** Emails changed since the old Email state, and the threads they belong to. */
  updated: EmailFlags[];
  created: { id: string; threadId: string }[];
  destroyed: string[];
}

const ref = (resultOf: string, name: string, path: string) => ({ resultOf, name, path });

/** The changes of one list since its query state and Email state; null: load it afresh. */
export async function listChanges(
  jmap: Jmap,
  filter: EmailFilter,
  since: { queryState: string; emailState: string },
  search: boolean,
): Promise<ListChanges | null> {
  const accountId = jmap.accountId;
  const calls: Invocation[] = [
    [
      'Email/queryChanges',
      {
        accountId,
        filter,
        ...LIST_QUERY,
        sinceQueryState: since.queryState,
        maxChanges: MAX_CHANGES,
        calculateTotal: true,
      },
      'qc',
    ],
    [
      'Email/get',
      {
        accountId,
        '#ids': ref('qc', 'Email/queryChanges', '/added/*/id'),
        properties: SUMMARY_PROPS,
      },
      'ga',
    ],
    ['Thread/get', { accountId, '#ids': ref('ga', 'Email/get', '/list/*/threadId') }, 'ta'],
    ['Email/changes', { accountId, sinceState: since.emailState, maxChanges: MAX_CHANGES }, 'ec'],
    [
      'Email/get',
      {
        accountId,
        '#ids': ref('ec', 'Email/changes', '/updated'),
        properties: ['id', 'threadId', 'keywords', 'mailboxIds'],
      },
      'gu',
    ],
    [
      'Email/get',
      { accountId, '#ids': ref('ec', 'Email/changes', '/created'), properties: ['id', 'threadId'] },
      'gc',
    ],
  ];
  if (search)
    calls.push([
      'SearchSnippet/get',
      { accountId, filter, '#emailIds': ref('qc', 'Email/queryChanges', '/added/*/id') },
      'sn',
    ]);
  const res = await jmap.call(calls);
  try {
    const qc = check(res[0]) as {
      newQueryState: string;
      total?: number;
      removed: string[];
      added: { id: string; index: number }[];
    };
    const ec = check(res[3]) as {
      newState: string;
      hasMoreChanges: boolean;
      destroyed: string[];
    };
    if (ec.hasMoreChanges || qc.total === undefined) return null;
    const ga = check(res[1]) as { list: EmailSummary[] };
    const ta = check(res[2]) as { list: { id: string; emailIds: string[] }[] };
    const gu = check(res[4]) as { list: EmailFlags[] };
    const gc = check(res[5]) as { list: { id: string; threadId: string }[] };
    const threadSizes: Record<string, number> = {};
    for (const t of ta.list) threadSizes[t.id] = t.emailIds.length;
    const snippets: ListChanges['snippets'] = {};
    if (search) {
      const sn = check(res[6]) as {
        list: { emailId: string; subject: string | null; preview: string | null }[];
      };
      for (const s of sn.list) snippets[s.emailId] = { subject: s.subject, preview: s.preview };
    }
    return {
      queryState: qc.newQueryState,
      total: qc.total,
      removed: qc.removed,
      added: qc.added,
      emails: ga.list,
      threadSizes,
      snippets,
      emailState: ec.newState,
      updated: gu.list,
      created: gc.list,
      destroyed: ec.destroyed,
    };
  } catch (err) {
    // cannotCalculateChanges, tooManyChanges (RFC 8620 §5.2, §5.6), or a server that knows
    // neither method: a fresh load answers all of them.
    if (err instanceof MethodError) return null;
    throw err;
  }
}

export interface MailboxChanges {
  state: string;
  /** Created and updated mailboxes, whole. */
  changed: Mailbox[];
  destroyed: string[];
}

/** Mailboxes changed since a Mailbox state (counts move with mail); null: get them all. */
export async function mailboxChanges(
  jmap: Jmap,
  sinceState: string,
): Promise<MailboxChanges | null> {
  const accountId = jmap.accountId;
  const res = await jmap.call([
    ['Mailbox/changes', { accountId, sinceState, maxChanges: MAX_CHANGES }, 'mc'],
    ['Mailbox/get', { accountId, '#ids': ref('mc', 'Mailbox/changes', '/created') }, 'g1'],
    ['Mailbox/get', { accountId, '#ids': ref('mc', 'Mailbox/changes', '/updated') }, 'g2'],
  ]);
  try {
    const mc = check(res[0]) as { newState: string; hasMoreChanges: boolean; destroyed: string[] };
    if (mc.hasMoreChanges) return null;
    const created = (check(res[1]) as { list: Mailbox[] }).list;
    const updated = (check(res[2]) as { list: Mailbox[] }).list;
    return { state: mc.newState, changed: [...created, ...updated], destroyed: mc.destroyed };
  } catch (err) {
    if (err instanceof MethodError) return null;
    throw err;
  }
}
