// The text keys of SEARCH (RFC 9051 §6.4.4). FROM, TO, CC, BCC and SUBJECT are substring
// matches on the envelope's fields (mail/envaddress.ts: decoded, case-insensitive), read from
// the stored envelope. BODY and TEXT, which the RFC lets a server match flexibly, go through
// the shared full-text index (core/search.ts), so a Lao word is found inside a sentence
// written without spaces: before the key tree is evaluated, each is looked up once for the
// selected mailbox's emails, and evaluation asks whether an email is in its set. A key's words
// must all occur (AND), inside longer words too. TEXT covers subject, addresses, body text,
// attachment names and every top-level header field (signatures aside).
import { searchText, TEXT_FIELDS, type TextField } from '../../core/search.ts';
import { addressTexts, searchFold, subjectText } from '../../mail/envaddress.ts';
import type { Envelope } from '../../mail/structure.ts';
import type { SearchKey } from '../proto/search.ts';
import type { Session } from '../session.ts';

type TextKey = Extract<SearchKey, { op: 'text' }>;

/** The keys the index answers (the others are envelope fields). */
const FIELDS: Partial<Record<TextKey['field'], readonly TextField[]>> = {
  body: ['body'],
  // RFC 9051 §6.4.4: the header (MIME fields included) or the body.
  text: [...TEXT_FIELDS, 'headers'],
};

/** Whether a text key is matched on the envelope rather than through the index. */
export function onEnvelope(k: TextKey): boolean {
  return FIELDS[k.field] === undefined;
}

/** Whether the envelope's field holds the key's string (substring, case-insensitive). */
export function envelopeMatches(k: TextKey, env: Envelope | undefined): boolean {
  const needle = searchFold(k.value);
  if (!env) return needle === '';
  if (k.field === 'subject') return subjectText(env.subject).includes(needle);
  const list =
    k.field === 'from' ? env.from : k.field === 'to' ? env.to : k.field === 'cc' ? env.cc : env.bcc;
  if (needle === '') return true;
  return addressTexts(list).some((t) => t.includes(needle));
}

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
  for (const k of textKeys(key, [])) {
    const fields = FIELDS[k.field];
    if (fields) hits.set(k, await searchText(s.core, accountId, k.value, { fields, within }));
  }
}

/** Whether the email matches a text key looked up by `prepareTextKeys`. */
export function textMatches(k: TextKey, emailId: string): boolean {
  return hits.get(k)?.has(emailId) ?? false;
}
