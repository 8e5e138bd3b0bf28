// Cuts the client's byte stream into whole commands (RFC 9051 §2.2): a command is one line,
// unless that line ends in a literal announcement `{n}` / `{n+}` (RFC 7888 LITERAL+) / `~{n}`
// (RFC 3516), in which case n octets follow and then the rest of the command. The framer
// returns each command as one Buffer (without the final CRLF), literals inline, so the
// parser needs no I/O. Invariants: memory is bounded by `maxLine` per line and by what
// `literalLimit` allows per literal; a synchronising literal is acknowledged with "+" only
// after it was allowed; an oversized non-synchronising literal cannot be skipped safely, so it
// is fatal (RFC 7888 §4: reject with BAD, then the connection closes).

export interface FramerSink {
  command(buf: Buffer): void;
  /** The client waits for "+" before sending a synchronising literal. */
  continueLiteral(): void;
  /** A command cut short: answer `tag BAD [code] text`; `fatal` closes the connection. */
  reject(tag: string, code: string | null, text: string, fatal: boolean): void;
}

export interface FramerLimits {
  /** Longest line (without literals), in octets. RFC 9051 §4: at least 8192 recommended. */
  maxLine: number;
  /** Longest whole command including literals. */
  maxCommand: number;
  /**
   * Largest literal allowed for a command that begins with `head` (e.g. "a1 APPEND"), or
   * a code to reject with. APPEND takes messages; other commands take small strings.
   */
  literalLimit(head: string): number;
}

const LITERAL_END = /(~?)\{(\d{1,20})(\+?)\}\r?$/;

function tagOf(head: string): string {
  const m = /^([^\s(){%*"\\+]{1,64})/.exec(head);
  return m ? m[1]! : '*';
}

export class Framer {
  readonly #sink: FramerSink;
  readonly #limits: FramerLimits;
  #buf: Buffer = Buffer.alloc(0);
  /** Parts of the command under way (lines with their CRLF, and literal bytes). */
  #parts: Buffer[] = [];
  #size = 0;
  #literalLeft = 0;
  #skipping = false;
  #dead = false;

  constructor(sink: FramerSink, limits: FramerLimits) {
    this.#sink = sink;
    this.#limits = limits;
  }

  /** The command under way, as text so far (for the tag of a rejection). */
  #head(fallback: Buffer): string {
    const first = this.#parts[0] ?? fallback;
    return first.subarray(0, 200).toString('latin1');
  }

  #reject(line: string, code: string | null, text: string, fatal: boolean): void {
    const tag = tagOf(line);
    this.#parts = [];
    this.#size = 0;
    this.#literalLeft = 0;
    if (fatal) {
      this.#dead = true;
      this.#buf = Buffer.alloc(0);
    }
    this.#sink.reject(tag, code, text, fatal);
  }

  push(chunk: Buffer): void {
    if (this.#dead) return;
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    while (!this.#dead && this.#buf.length > 0) {
      if (this.#literalLeft > 0) {
        const n = Math.min(this.#literalLeft, this.#buf.length);
        this.#parts.push(this.#buf.subarray(0, n));
        this.#buf = this.#buf.subarray(n);
        this.#literalLeft -= n;
        continue;
      }
      const lf = this.#buf.indexOf(0x0a);
      if (lf < 0) {
        if (this.#buf.length > this.#limits.maxLine) {
          const head = this.#head(this.#buf);
          this.#buf = Buffer.alloc(0);
          this.#skipping = true;
          this.#reject(head, 'TOOBIG', 'Line too long', false);
        }
        return;
      }
      const line = this.#buf.subarray(0, lf + 1);
      this.#buf = this.#buf.subarray(lf + 1);
      if (this.#skipping) {
        // The rest of an over-long line: dropped. The client may still send an announced
        // literal after it; its bytes then arrive as garbage lines and get their own BAD.
        this.#skipping = false;
        continue;
      }
      this.#line(line);
    }
  }

  #line(line: Buffer): void {
    if (line.length > this.#limits.maxLine) {
      this.#reject(this.#head(line), 'TOOBIG', 'Line too long', false);
      return;
    }
    this.#size += line.length;
    if (this.#size > this.#limits.maxCommand) {
      this.#reject(this.#head(line), 'TOOBIG', 'Command too long', false);
      return;
    }
    const text = line.toString('latin1', Math.max(0, line.length - 40), line.length - 1);
    const m = LITERAL_END.exec(text);
    if (!m) {
      let end = line.length - 1;
      if (end > 0 && line[end - 1] === 0x0d) end--;
      this.#parts.push(line.subarray(0, end));
      const cmd = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
      this.#parts = [];
      this.#size = 0;
      this.#sink.command(cmd);
      return;
    }
    const n = Number(m[2]);
    const sync = m[3] !== '+';
    // Normalise a bare-LF announcement to CRLF so the parser sees one form.
    this.#parts.push(
      line[line.length - 2] === 0x0d
        ? line
        : Buffer.concat([line.subarray(0, -1), Buffer.from('\r\n')]),
    );
    const head = this.#head(line);
    const allowed = Math.min(this.#limits.literalLimit(head), this.#limits.maxCommand - this.#size);
    if (!Number.isSafeInteger(n) || n > allowed) {
      // RFC 9051 §7.1 / RFC 7889: [TOOBIG]. A synchronising literal was never sent, so the
      // client's next line is a new command; a non-synchronising one is already on its way.
      this.#reject(head, 'TOOBIG', 'Literal too large', !sync);
      return;
    }
    this.#size += n;
    this.#literalLeft = n;
    if (sync) this.#sink.continueLiteral();
  }
}
