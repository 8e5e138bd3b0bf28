// The text keys of SEARCH (RFC 9051 §6.4.4: FROM, TO, CC, BCC, SUBJECT, BODY, TEXT) through
// the shared full-text index (core/search.ts), so a Lao word is found inside a sentence
// written without spaces. Before the key tree is evaluated, each text key is looked up once
// for the selected mailbox's emails; evaluation then asks whether an email is in its set.
// A key's words must all occur in the field (AND), inside longer words too (IMAP's substring
// semantics). TEXT covers subject, addresses, body text and attachment names, not every
// header field (HEADER does that, on the raw message).
import { searchText, type TextField } from '../../core/search.ts';
import type { SearchKey } from '../proto/search.ts';
import type { Session } from '../session.ts';

type TextKey = Extract<SearchKey, { op: 'text' }>;

const FIELDS: Record<TextKey['field'], TextField[]> = {
  from: ['from'],
  to: ['to'],
  cc: ['cc'],
  bcc: ['bcc'],
  subject: ['subject'],
  body: ['body'],
  text: [],
};

const hits = new WeakMap<SearchKey, Set<string>>();

function textKeys(k: SearchKey, out: TextKey[]): TextKey[] {
  if (k.op === 'text') out.push(k);
  else if (k.op === 'not') textKeys(k.key, out);
  else if (k.op === 'or') {
    textKeys(k.a, out);
    textKeys(k.b, out);
  } else if (k.op === 'and') for (const x of k.keys) textKeys(x, out);
  return out;
}

/** Looks up every text key of the tree among the selected mailbox's emails. */
export async function prepareTextKeys(s: Session, key: SearchKey): Promise<void> {
  const { emailIds: within, accountId } = s.selected!.view;
  for (const k of textKeys(key, []))
    hits.set(k, await searchText(s.core, accountId, k.value, { fields: FIELDS[k.field], within }));
}

/** Whether the email matches a text key looked up by `prepareTextKeys`. */
export function textMatches(k: TextKey, emailId: string): boolean {
  return hits.get(k)?.has(emailId) ?? false;
}
