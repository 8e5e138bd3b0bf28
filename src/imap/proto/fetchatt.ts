// FETCH attributes (RFC 9051 §6.4.5, RFC 3501 §6.4.5): data items, the ALL/FAST/FULL macros,
// BODY[section]<partial> and BODY.PEEK, BINARY[section] (RFC 3516), MODSEQ (RFC 7162).
// `sectionName` rebuilds the name a response must echo (RFC 9051 §7.5.2: the section as
// requested, and only the origin octet of a partial).
import { ParseError, type Reader } from './reader.ts';

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface Section {
  /** Part numbers, e.g. [1, 2] for "1.2"; empty for the whole message. */
  part: number[];
  text: SectionText | null;
  /** Field names of HEADER.FIELDS (NOT), as the client wrote them. */
  fields: string[];
}

export type SimpleAtt =
  | 'FLAGS'
  | 'UID'
  | 'INTERNALDATE'
  | 'RFC822.SIZE'
  | 'ENVELOPE'
  | 'BODYSTRUCTURE'
  | 'BODY'
  | 'RFC822'
  | 'RFC822.HEADER'
  | 'RFC822.TEXT'
  | 'MODSEQ'
  | 'EMAILID'
  | 'THREADID';

export type FetchAtt =
  | { kind: SimpleAtt }
  | {
      kind: 'BODY[]' | 'BINARY[]' | 'BINARY.SIZE[]';
      peek: boolean;
      section: Section;
      partial: { start: number; length: number } | null;
    };

const SIMPLE = new Set<string>([
  'FLAGS',
  'UID',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
  'MODSEQ',
  'EMAILID',
  'THREADID',
]);

const MACROS: Record<string, SimpleAtt[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

function readSection(r: Reader, binary: boolean): Section {
  r.char('[');
  const part: number[] = [];
  let text: SectionText | null = null;
  let fields: string[] = [];
  if (!r.maybeChar(']')) {
    for (;;) {
      const c = r.peek();
      if (c >= 0x30 && c <= 0x39) {
        part.push(r.nzNumber32());
        if (r.maybeChar('.')) continue;
        break;
      }
      if (binary) r.fail('part number');
      const word = r.name().toUpperCase();
      if (word === 'HEADER' || word === 'TEXT') text = word;
      else if (word === 'MIME' && part.length > 0) text = 'MIME';
      else if (word === 'HEADER.FIELDS' || word === 'HEADER.FIELDS.NOT') {
        text = word;
        r.sp();
        fields = r.list(() => r.astring(), false);
      } else r.fail('section text');
      break;
    }
    r.char(']');
  }
  return { part, text, fields };
}

function readPartial(r: Reader): { start: number; length: number } | null {
  if (!r.maybeChar('<')) return null;
  const start = r.number();
  r.char('.');
  const length = r.number();
  if (length === 0) r.fail('non-zero partial length');
  r.char('>');
  return { start, length };
}

function readAtt(r: Reader): FetchAtt {
  const name = r.name().toUpperCase();
  if (name === 'BODY' || name === 'BODY.PEEK') {
    if (r.peekChar() !== '[') {
      if (name === 'BODY.PEEK') r.fail('"[" after BODY.PEEK');
      return { kind: 'BODY' };
    }
    const section = readSection(r, false);
    return { kind: 'BODY[]', peek: name === 'BODY.PEEK', section, partial: readPartial(r) };
  }
  if (name === 'BINARY' || name === 'BINARY.PEEK' || name === 'BINARY.SIZE') {
    const section = readSection(r, true);
    if (name === 'BINARY.SIZE')
      return { kind: 'BINARY.SIZE[]', peek: true, section, partial: null };
    return { kind: 'BINARY[]', peek: name === 'BINARY.PEEK', section, partial: readPartial(r) };
  }
  if (SIMPLE.has(name)) return { kind: name as SimpleAtt };
  throw new ParseError(`unknown fetch attribute ${name.slice(0, 40)}`);
}

/** fetch-att list, a single attribute, or a macro. */
export function readFetchAtts(r: Reader): FetchAtt[] {
  if (r.peekChar() === '(') return r.list(() => readAtt(r), false);
  const save = r.pos;
  const word = r.name().toUpperCase();
  const macro = MACROS[word];
  if (macro) return macro.map((kind) => ({ kind }));
  r.pos = save;
  return [readAtt(r)];
}

/** The item name a response carries for a BODY[...]/BINARY[...] request. */
export function sectionName(att: Extract<FetchAtt, { section: Section }>): string {
  const s = att.section;
  let inner = s.part.join('.');
  if (s.text) {
    inner += (inner ? '.' : '') + s.text;
    if (s.fields.length) inner += ` (${s.fields.map((f) => f.toUpperCase()).join(' ')})`;
  }
  const base = att.kind === 'BODY[]' ? 'BODY' : att.kind === 'BINARY[]' ? 'BINARY' : 'BINARY.SIZE';
  return `${base}[${inner}]${att.partial ? `<${att.partial.start}>` : ''}`;
}
