// SEARCH keys (RFC 9051 §6.4.4, RFC 3501 §6.4.4) parsed into a tree. Flag keys become
// { flag, set }; RECENT and OLD ask for \Recent in the session ({ recent }), NEW is RECENT
// UNSEEN (RFC 3501 §6.4.4). Dates are day strings "YYYY-MM-DD" (date only, §9).
import { ParseError, type Reader } from './reader.ts';
import { readSeqSet, type SeqSet } from './seqset.ts';

export type SearchKey =
  | { op: 'all' }
  | { op: 'flag'; flag: string; set: boolean }
  | { op: 'recent'; set: boolean }
  | { op: 'seq'; set: SeqSet }
  | { op: 'uid'; set: SeqSet }
  | { op: 'text'; field: 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'body' | 'text'; value: string }
  | { op: 'header'; field: string; value: string }
  | { op: 'date'; which: 'internal' | 'sent'; cmp: 'before' | 'on' | 'since'; day: string }
  | { op: 'size'; cmp: 'larger' | 'smaller'; n: number }
  | { op: 'modseq'; n: number }
  | { op: 'not'; key: SearchKey }
  | { op: 'or'; a: SearchKey; b: SearchKey }
  | { op: 'and'; keys: SearchKey[] };

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true],
  UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true],
  UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true],
  UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true],
  UNSEEN: ['\\Seen', false],
};

const TEXT_KEYS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT', 'BODY', 'TEXT']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** date = date-text / DQUOTE date-text DQUOTE; date-text = d[d]-Mon-yyyy. */
function readDate(r: Reader): string {
  const quoted = r.maybeChar('"');
  const text = r.name();
  if (quoted) r.char('"');
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  const month = m ? MONTHS.indexOf(m[2]!.toUpperCase()) : -1;
  if (!m || month < 0 || Number(m[1]) < 1 || Number(m[1]) > 31) r.fail('date (1-Jan-2024)');
  return `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

const MAX_DEPTH = 64;

function readKey(r: Reader, depth: number): SearchKey {
  if (depth > MAX_DEPTH) throw new ParseError('search keys nested too deeply');
  if (r.peekChar() === '(') {
    const keys = r.list(() => readKey(r, depth + 1), false);
    return keys.length === 1 ? keys[0]! : { op: 'and', keys };
  }
  const c = r.peek();
  if ((c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x24)
    return { op: 'seq', set: readSeqSet(r) };
  const word = r.name().toUpperCase();
  const flag = FLAG_KEYS[word];
  if (flag) return { op: 'flag', flag: flag[0], set: flag[1] };
  if (TEXT_KEYS.has(word)) {
    r.sp();
    return { op: 'text', field: word.toLowerCase() as 'from', value: r.astring() };
  }
  switch (word) {
    case 'ALL':
      return { op: 'all' };
    case 'RECENT':
    case 'OLD':
      return { op: 'recent', set: word === 'RECENT' };
    case 'NEW':
      return {
        op: 'and',
        keys: [
          { op: 'recent', set: true },
          { op: 'flag', flag: '\\Seen', set: false },
        ],
      };
    case 'KEYWORD':
    case 'UNKEYWORD':
      r.sp();
      return { op: 'flag', flag: r.atom(), set: word === 'KEYWORD' };
    case 'HEADER': {
      r.sp();
      const field = r.astring();
      r.sp();
      return { op: 'header', field, value: r.astring() };
    }
    case 'BEFORE':
    case 'ON':
    case 'SINCE':
    case 'SENTBEFORE':
    case 'SENTON':
    case 'SENTSINCE': {
      r.sp();
      const sent = word.startsWith('SENT');
      const cmp = (sent ? word.slice(4) : word).toLowerCase() as 'before';
      return { op: 'date', which: sent ? 'sent' : 'internal', cmp, day: readDate(r) };
    }
    case 'LARGER':
    case 'SMALLER':
      r.sp();
      return { op: 'size', cmp: word.toLowerCase() as 'larger', n: r.number() };
    case 'UID':
      r.sp();
      return { op: 'uid', set: readSeqSet(r) };
    case 'NOT':
      r.sp();
      return { op: 'not', key: readKey(r, depth + 1) };
    case 'OR': {
      r.sp();
      const a = readKey(r, depth + 1);
      r.sp();
      return { op: 'or', a, b: readKey(r, depth + 1) };
    }
    case 'MODSEQ': {
      // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type] mod-sequence-valzer
      r.sp();
      if (r.peekChar() === '"') {
        r.string();
        r.sp();
        r.atom();
        r.sp();
      }
      return { op: 'modseq', n: r.number() };
    }
  }
  throw new ParseError(`unknown search key ${word.slice(0, 40)}`);
}

export interface SearchProgram {
  /** RETURN options (ESEARCH, RFC 4731); null when the client did not ask. */
  returnOpts: string[] | null;
  charset: string | null;
  key: SearchKey;
}

export function readSearch(r: Reader): SearchProgram {
  let returnOpts: string[] | null = null;
  let charset: string | null = null;
  if (r.word('RETURN')) {
    r.sp();
    returnOpts = r.list(() => r.name().toUpperCase());
    r.sp();
  }
  if (r.word('CHARSET')) {
    r.sp();
    charset = r.astring().toUpperCase();
    r.sp();
  }
  const keys: SearchKey[] = [readKey(r, 0)];
  while (r.maybeSp()) keys.push(readKey(r, 0));
  return { returnOpts, charset, key: keys.length === 1 ? keys[0]! : { op: 'and', keys } };
}
