// The readable text of an HTML body, for previews, the search index and search snippets:
// what a reader sees, not the markup. Style sheets, scripts, the head and comments are
// dropped whole (a preview must not begin with "p{color:#333}"), block ends become spaces,
// and character references are decoded (HTML Living Standard §13.5: named ones mail
// actually uses, and every numeric one).

const NAMED: Record<string, string> = {
  nbsp: ' ',
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
  euro: '€',
  zwnj: '\u200c',
  zwj: '\u200d',
  shy: '',
};

function decodeEntity(whole: string, body: string): string {
  if (body[0] === '#') {
    const code =
      body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
    return Number.isInteger(code) &&
      code > 0 &&
      code <= 0x10ffff &&
      (code < 0xd800 || code > 0xdfff)
      ? String.fromCodePoint(code)
      : '\ufffd';
  }
  return NAMED[body.toLowerCase()] ?? whole;
}

export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(/<(script|style|head|title|template)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});?/g, decodeEntity)
    .replace(/[ \t\r\n\f\u00a0]+/g, ' ')
    .trim();
}
