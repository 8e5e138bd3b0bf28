// Search snippets (RFC 8621 §5): text with the words a search matched wrapped in
// <mark></mark>, HTML-escaped. Words are found the way the index cut them (mail/segment.ts):
// the text is walked by Intl.Segmenter (ICU dictionaries for Lao, Thai and the others), and a
// segment is marked when one of its index words is a search word, so a Lao word written
// inside a sentence without spaces is marked where it stands.
import { words } from '../mail/segment.ts';

const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

function escape(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`,
  );
}

/** [start, end) of every segment of `text` that matches a search word. */
export function matches(text: string, terms: Set<string>): [number, number][] {
  const out: [number, number][] = [];
  if (terms.size === 0) return out;
  for (const s of segmenter.segment(text))
    if (s.isWordLike && words(s.segment).some((w) => terms.has(w)))
      out.push([s.index, s.index + s.segment.length]);
  return out;
}

function marked(text: string, spans: [number, number][], from: number, to: number): string {
  let out = '';
  let at = from;
  for (const [a, b] of spans) {
    if (b <= from || a >= to) continue;
    out +=
      escape(text.slice(at, Math.max(a, at))) +
      '<mark>' +
      escape(text.slice(Math.max(a, from), Math.min(b, to))) +
      '</mark>';
    at = Math.min(b, to);
  }
  return out + escape(text.slice(at, to));
}

/** The subject with its matches marked, or null when nothing matched. */
export function markSubject(subject: string, terms: Set<string>): string | null {
  const spans = matches(subject, terms);
  return spans.length > 0 ? marked(subject, spans, 0, subject.length) : null;
}

/**
 * Up to `max` characters of body text around the first match, cut between graphemes, with
 * the matches marked; null when the body does not match.
 */
export function markPreview(body: string, terms: Set<string>, max = 255): string | null {
  const text = body.replace(/\s+/g, ' ').trim();
  const spans = matches(text, terms);
  if (spans.length === 0) return null;
  const first = spans[0]![0];
  let start = first < 40 ? 0 : first - 40;
  let end = Math.min(text.length, start + max);
  // Move both cuts onto grapheme boundaries (never split a Lao vowel or tone mark).
  const bounds = new Set<number>([0, text.length]);
  for (const g of graphemes.segment(
    text.slice(Math.max(0, start - 8), Math.min(text.length, end + 8)),
  ))
    bounds.add(Math.max(0, start - 8) + g.index);
  while (start > 0 && !bounds.has(start)) start--;
  while (end > start && !bounds.has(end)) end--;
  return (start > 0 ? '…' : '') + marked(text, spans, start, end);
}

/** The search words of a filter's text conditions (NOT branches give none). */
export function filterTerms(
  filter: Record<string, unknown> | null | undefined,
  keys: readonly string[],
): Set<string> {
  const out = new Set<string>();
  const walk = (f: Record<string, unknown>): void => {
    if ('operator' in f) {
      if (f.operator === 'NOT' || !Array.isArray(f.conditions)) return;
      for (const c of f.conditions)
        if (c && typeof c === 'object') walk(c as Record<string, unknown>);
      return;
    }
    for (const k of keys) if (typeof f[k] === 'string') for (const w of words(f[k])) out.add(w);
  };
  if (filter) walk(filter);
  return out;
}
