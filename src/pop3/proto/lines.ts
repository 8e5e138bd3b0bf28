// Splits the POP3 byte stream into lines, with no storage. A line ends at LF (CRLF expected,
// bare LF tolerated, the CR dropped). Memory stays bounded: a line longer than `maxBytes` is
// not kept; its bytes are skipped up to the next LF and it comes out as one `tooLong` line.
// Lines are decoded as UTF-8 (invalid bytes become U+FFFD), since passwords may be Lao.

export interface Line {
  text: string;
  /** Octets of the line including its line end (RFC 2449 §4 counts the CRLF). */
  bytes: number;
  /** The line was longer than the limit; `text` is empty. */
  tooLong: boolean;
}

export class LineSplitter {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #held = 0;
  #skipping = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds received bytes; returns the lines they complete, in order. */
  push(chunk: Buffer): Line[] {
    const out: Line[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (!this.#skipping) {
        if (this.#held + piece.length > this.#maxBytes) {
          this.#skipping = true;
          this.#parts = [];
        } else this.#parts.push(piece);
        this.#held += piece.length;
      } else this.#held += piece.length;
      if (nl < 0) break;
      const bytes = this.#held + 1;
      if (this.#skipping) out.push({ text: '', bytes, tooLong: true });
      else {
        let line = Buffer.concat(this.#parts);
        if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
        out.push({ text: line.toString('utf8'), bytes, tooLong: false });
      }
      this.#parts = [];
      this.#held = 0;
      this.#skipping = false;
      start = nl + 1;
    }
    return out;
  }

  /** Forgets any partial line (after STLS: nothing sent before the handshake may count). */
  reset(): void {
    this.#parts = [];
    this.#held = 0;
    this.#skipping = false;
  }
}
