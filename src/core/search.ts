// Text search over an account's mail through the shared full-text index (store/fulltext.ts):
// IMAP SEARCH today, JMAP Email/query and SearchSnippet next. Documents and queries are cut
// into words by the same function (mail/segment.ts), so a Lao word is found inside a sentence
// written without spaces.
import { segmentText, words } from '../mail/segment.ts';
import type { MessageText } from '../mail/meta.ts';
import type { TextField } from '../store/fulltext.ts';
import type { Core } from './core.ts';
import { flushIndex } from './indexer.ts';

export type { TextField };
export { TEXT_FIELDS } from '../store/fulltext.ts';

/** The index fields of a message, cut once per message however many recipients it has. */
export function indexFields(text: MessageText): Record<TextField, string> {
  return {
    subject: segmentText(text.subject),
    from: segmentText(text.from),
    to: segmentText(text.to),
    cc: segmentText(text.cc),
    bcc: segmentText(text.bcc),
    body: segmentText(text.body),
    attachments: segmentText(text.attachments),
    headers: segmentText(text.headers),
  };
}

export interface TextSearch {
  /** Fields to look in (a word may match in any of them); none or empty: every field. */
  fields?: readonly TextField[];
  /** 'contains' (default): each word anywhere in the text, inside longer words too;
   *  'word': each word a whole word. */
  match?: 'word' | 'contains';
  /** Only these emails (e.g. the selected mailbox's). */
  within?: string[];
}

/** The ids of the account's emails whose text has every word of `query`. */
export async function searchText(
  core: Core,
  accountId: number,
  query: string,
  opts: TextSearch = {},
): Promise<Set<string>> {
  await flushIndex(core); // mail committed a moment ago is searchable
  const ids = await core.store.fulltext.search(core.db, {
    accountId,
    words: words(query),
    fields: opts.fields ?? [],
    match: opts.match ?? 'contains',
    ...(opts.within ? { within: opts.within } : {}),
  });
  return new Set(ids);
}
