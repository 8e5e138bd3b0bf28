// Cutting text into search words (DESIGN.md, "Search that reads Lao"). Lao, Thai, Khmer and
// Burmese are written without spaces between words, and Chinese and Japanese without any:
// runs of those scripts go through `Intl.Segmenter` (ICU's dictionaries) with the script's
// locale. Everything else is cut by a Unicode regular expression: letters, marks and digits,
// joined across an inner apostrophe, period or colon ("don't", "3.14", "example.com"), much as
// UAX #29 does, at a tenth of the cost on the delivery path.
// Invariants: the same function prepares documents and queries, on the server only (browsers
// cut differently); words are NFC, lower-case, never empty, never contain whitespace, and are
// at most MAX_WORD code units long (longer ones are cut, on both sides alike).

/** Scripts whose words need a dictionary, with the locale to segment them in. */
const DICTIONARY_SCRIPTS: [RegExp, string][] = [
  [/\p{Script=Lao}/u, 'lo'],
  [/\p{Script=Thai}/u, 'th'],
  [/\p{Script=Khmer}/u, 'km'],
  [/\p{Script=Myanmar}/u, 'my'],
  [/\p{Script=Hiragana}|\p{Script=Katakana}/u, 'ja'],
  [/\p{Script=Han}/u, 'zh'],
];

/** A run of one dictionary script, with the marks and digits that belong to it. */
const RUN =
  /(?:\p{Script=Lao}|\p{Script=Thai}|\p{Script=Khmer}|\p{Script=Myanmar}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Han}|\u30FC)+/gu;

/** Other text: letters, marks, digits and connectors, joined across ' ’ . : inside a word. */
const OTHER = /[\p{L}\p{M}\p{N}\p{Pc}]+(?:['’.:][\p{L}\p{M}\p{N}\p{Pc}]+)*/gu;

export const MAX_WORD = 100;

const segmenters = new Map<string, Intl.Segmenter>();

function segmenter(locale: string): Intl.Segmenter {
  let s = segmenters.get(locale);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity: 'word' });
    segmenters.set(locale, s);
  }
  return s;
}

function localeOf(run: string): string {
  for (const [re, locale] of DICTIONARY_SCRIPTS) if (re.test(run)) return locale;
  return 'und';
}

function push(out: string[], word: string): void {
  out.push(word.length > MAX_WORD ? word.slice(0, MAX_WORD) : word);
}

function otherWords(text: string, out: string[]): void {
  for (const m of text.matchAll(OTHER)) push(out, m[0]);
}

/**
 * The words of a text, in order, NFC and lower-case. Runs of Lao, Thai, Khmer, Burmese,
 * Japanese and Chinese are cut by `Intl.Segmenter` (only its word-like segments count).
 */
export function words(text: string): string[] {
  const t = text.normalize('NFC').toLowerCase();
  const out: string[] = [];
  let last = 0;
  for (const m of t.matchAll(RUN)) {
    if (m.index > last) otherWords(t.slice(last, m.index), out);
    for (const s of segmenter(localeOf(m[0])).segment(m[0])) if (s.isWordLike) push(out, s.segment);
    last = m.index + m[0].length;
  }
  if (last < t.length) otherWords(last === 0 ? t : t.slice(last), out);
  return out;
}

/** The words of a text joined with single spaces: what the full-text index stores. */
export function segmentText(text: string): string {
  return words(text).join(' ');
}
