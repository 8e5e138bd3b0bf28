// Values read from a message's envelope (structure.ts) for IMAP SEARCH and SORT, which both
// define their keys on the ENVELOPE structure: the searchable text of an address list and of
// the subject (RFC 9051 §6.4.4: FROM, TO, CC, BCC and SUBJECT are substring matches on the
// envelope's fields), and the sort values of RFC 5256 §3 (addr-mailbox of the first address)
// and RFC 5957 §3 (its display value). RFC 2047 words are decoded; text is NFC.
import { decodeWords } from 'postal-mime';
import type { AddressTuple } from './structure.ts';

function decoded(s: string): string {
  try {
    return decodeWords(s).normalize('NFC');
  } catch {
    return s.normalize('NFC');
  }
}

/** Lower-case, NFC: how search compares text (case-insensitive, RFC 9051 §6.4.4). */
export function searchFold(s: string): string {
  return s.normalize('NFC').toLowerCase();
}

/**
 * One searchable string per entry of an address list: `name <mailbox@host>` for an address
 * (either part may be missing), the group's name for the start of a group (RFC 9051 §7.5.2:
 * [NIL NIL name NIL]); group ends give nothing. Folded for search.
 */
export function addressTexts(list: AddressTuple[] | null): string[] {
  const out: string[] = [];
  for (const [name, , mailbox, host] of list ?? []) {
    if (mailbox === null && host === null) {
      if (name !== null) out.push(searchFold(decoded(name)));
      continue;
    }
    if (host === null && name === null) {
      out.push(searchFold(mailbox!)); // a group's name
      continue;
    }
    const addr = host === null ? (mailbox ?? '') : `${mailbox ?? ''}@${host}`;
    out.push(searchFold(name ? `${decoded(name)} <${addr}>` : `<${addr}>`));
  }
  return out;
}

/** The decoded subject, folded for search. */
export function subjectText(subject: string | null): string {
  return subject === null ? '' : searchFold(decoded(subject));
}

/** RFC 5256 §3 FROM/TO/CC: the addr-mailbox of the first address (a group's name), folded. */
export function sortMailbox(list: AddressTuple[] | null): string {
  const first = list?.[0];
  return first?.[2] ? first[2].toLowerCase() : '';
}

/**
 * RFC 5957 §3: the display name of the first address when it has one, else mailbox@host,
 * else the mailbox (a group's name), else ''. Folded for comparison.
 */
export function sortDisplay(list: AddressTuple[] | null): string {
  const first = list?.[0];
  if (!first) return '';
  const [name, , mailbox, host] = first;
  const display = name ? decoded(name) : '';
  if (display !== '') return searchFold(display);
  if (mailbox && host) return searchFold(`${mailbox}@${host}`);
  return mailbox ? searchFold(mailbox) : '';
}
