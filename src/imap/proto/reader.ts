// A cursor over one framed IMAP command (RFC 9051 §9 grammar, RFC 3501 §9): atoms, quoted
// strings, literals `{n}` / `{n+}` (RFC 7888) whose bytes follow their CRLF inside the buffer,
// numbers and parenthesised lists. No storage, no I/O. Invariant: every method either returns
// a value or throws ParseError, never any other exception, whatever the bytes.

export class ParseError extends Error {
  /** Response code to send with the BAD (e.g. 'TOOBIG'), if any. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'ParseError';
    this.code = code;
  }
}

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** ATOM-CHAR: any CHAR except atom-specials (RFC 9051 §9): ( ) { SP CTL % * " \ ] */
export function isAtomChar(c: number): boolean {
  if (c <= 0x1f || c >= 0x7f) return false;
  return !'(){ %*"\\]'.includes(String.fromCharCode(c));
}

/** ASTRING-CHAR adds "]" (resp-specials) to ATOM-CHAR. */
function isAstringChar(c: number): boolean {
  return isAtomChar(c) || c === 0x5d;
}

const MAX_NUMBER = 2 ** 53 - 1;

export class Reader {
  readonly buf: Buffer;
  pos = 0;
  constructor(buf: Buffer) {
    this.buf = buf;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  peek(): number {
    return this.pos < this.buf.length ? this.buf[this.pos]! : -1;
  }
  peekChar(): string {
    return this.pos < this.buf.length ? String.fromCharCode(this.buf[this.pos]!) : '';
  }
  fail(what: string): never {
    throw new ParseError(`${what} expected at octet ${this.pos}`);
  }

  sp(): void {
    if (this.peek() !== SP) this.fail('space');
    this.pos++;
  }
  /** Consumes a space when one follows; returns whether it did. */
  maybeSp(): boolean {
    if (this.peek() !== SP) return false;
    this.pos++;
    return true;
  }
  char(ch: string): void {
    if (this.peekChar() !== ch) this.fail(`"${ch}"`);
    this.pos++;
  }
  maybeChar(ch: string): boolean {
    if (this.peekChar() !== ch) return false;
    this.pos++;
    return true;
  }
  /** The command must end here. */
  end(): void {
    if (!this.done) this.fail('end of command');
  }

  /** Reads a run of bytes accepted by `ok`; at least one. */
  #run(ok: (c: number) => boolean, what: string): string {
    const start = this.pos;
    while (this.pos < this.buf.length && ok(this.buf[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail(what);
    return this.buf.toString('latin1', start, this.pos);
  }

  atom(): string {
    return this.#run(isAtomChar, 'atom');
  }
  /** An atom that may contain "]" (tags of astring, flag names do not). */
  astringAtom(): string {
    return this.#run(isAstringChar, 'atom');
  }
  /** Tag: ASTRING-CHAR except "+" (RFC 9051 §9). */
  tag(): string {
    return this.#run((c) => isAstringChar(c) && c !== 0x2b, 'tag');
  }

  /** A name of letters, digits, "." and "-" (fetch items, status items, search keys). */
  name(): string {
    return this.#run(
      (c) =>
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2e ||
        c === 0x2d,
      'name',
    );
  }

  number(): number {
    const s = this.#run((c) => c >= 0x30 && c <= 0x39, 'number');
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n > MAX_NUMBER) this.fail('smaller number');
    return n;
  }
  /** nz-number: 1..4294967295 (RFC 9051 §9, number). */
  nzNumber32(): number {
    const n = this.number();
    if (n < 1 || n > 0xffffffff) this.fail('number from 1 to 4294967295');
    return n;
  }

  quoted(): Buffer {
    this.char('"');
    const out: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === CR || c === LF) this.fail('closing quote');
      this.pos++;
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const e = this.peek();
        if (e !== DQUOTE && e !== BACKSLASH) this.fail('quoted-special after backslash');
        this.pos++;
        out.push(e);
      } else if (c === 0) this.fail('no NUL');
      else out.push(c);
    }
    return Buffer.from(out);
  }

  /** `{n}` or `{n+}` CRLF then n octets (the framer put them right here). */
  literal(): Buffer {
    this.char('{');
    const n = this.number();
    this.maybeChar('+');
    this.char('}');
    if (this.peek() !== CR) this.fail('CRLF after literal');
    this.pos++;
    if (this.peek() !== LF) this.fail('CRLF after literal');
    this.pos++;
    if (this.pos + n > this.buf.length) this.fail(`${n} literal octets`);
    const data = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return data;
  }
  /** A literal8 `~{n}` (RFC 3516 BINARY, used by APPEND) or a plain literal. */
  literalOrLiteral8(): Buffer {
    this.maybeChar('~');
    return this.literal();
  }

  /** string = quoted / literal, as bytes. */
  stringBytes(): Buffer {
    const c = this.peekChar();
    if (c === '"') return this.quoted();
    if (c === '{') return this.literal();
    return this.fail('string');
  }
  /** astring = 1*ASTRING-CHAR / string, decoded as UTF-8 (RFC 9051 is UTF-8 throughout). */
  astring(): string {
    const c = this.peekChar();
    if (c === '"' || c === '{') return this.stringBytes().toString('utf8');
    return this.astringAtom();
  }
  string(): string {
    return this.stringBytes().toString('utf8');
  }
  /** nstring: NIL or a string. */
  nstring(): string | null {
    if (this.#word('NIL')) return null;
    return this.string();
  }
  /** list-mailbox: 1*list-char / string; list-char adds % * ] to ATOM-CHAR. */
  listMailbox(): string {
    const c = this.peekChar();
    if (c === '"' || c === '{') return this.string();
    return this.#run((b) => isAstringChar(b) || b === 0x25 || b === 0x2a, 'list pattern');
  }

  /** Consumes a case-insensitive keyword if the next atom is exactly it. */
  #word(w: string): boolean {
    const end = this.pos + w.length;
    if (end > this.buf.length) return false;
    if (this.buf.toString('latin1', this.pos, end).toUpperCase() !== w) return false;
    const next = end < this.buf.length ? this.buf[end]! : -1;
    if (next !== -1 && isAtomChar(next) && next !== 0x5b) return false;
    this.pos = end;
    return true;
  }
  word(w: string): boolean {
    return this.#word(w.toUpperCase());
  }

  /** "(" item *(SP item) ")" ; `allowEmpty` accepts "()". */
  list<T>(item: () => T, allowEmpty = true): T[] {
    this.char('(');
    const out: T[] = [];
    if (this.maybeChar(')')) {
      if (!allowEmpty) this.fail('list item');
      return out;
    }
    for (;;) {
      out.push(item());
      if (this.maybeChar(')')) return out;
      this.sp();
    }
  }
}
