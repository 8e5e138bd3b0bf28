// Parses one POP3 command line, with no storage (RFC 1939 §3, RFC 2449 §4). A command is a
// case-insensitive keyword of three or four letters, then arguments separated by single
// spaces. The argument text is handed over whole: PASS may contain spaces (RFC 1939 §7).

export interface Command {
  /** Upper-case keyword, e.g. 'RETR'. */
  verb: string;
  /** Everything after the first space ('' when none). */
  rest: string;
}

/** Null when the line is no command at all (empty, or no keyword of 3–4 letters). */
export function parseCommand(line: string): Command | null {
  const m = /^([A-Za-z]{3,4})(?: (.*))?$/s.exec(line);
  if (!m) return null;
  return { verb: m[1]!.toUpperCase(), rest: m[2] ?? '' };
}

/** The space-separated arguments of a command (empty strings dropped). */
export function splitArgs(rest: string): string[] {
  return rest.split(' ').filter((a) => a !== '');
}

/** A message number or line count: decimal digits only, at most 9 of them. */
export function parseNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}
