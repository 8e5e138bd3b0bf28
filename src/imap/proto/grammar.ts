// The command grammar (RFC 9051 §6, RFC 3501 §6 and the extensions we speak): turns one framed
// command into a typed request. Pure: no storage, no session state. Invariant: any input gives
// either a Command or a ParseError carrying the tag when one could be read (so the answer is a
// tagged BAD, else an untagged one); nothing else is thrown.
import { ParseError, Reader } from './reader.ts';
import { readSeqSet, type SeqSet } from './seqset.ts';
import { readFetchAtts, type FetchAtt } from './fetchatt.ts';
import { readSearch, type SearchProgram } from './search.ts';

export type StoreAction = 'set' | 'add' | 'remove';

export type Args =
  | { name: 'CAPABILITY' | 'NOOP' | 'LOGOUT' | 'STARTTLS' | 'CHECK' | 'CLOSE' | 'UNSELECT' }
  | { name: 'EXPUNGE' | 'IDLE' | 'NAMESPACE' }
  | { name: 'LOGIN'; user: string; password: string }
  | { name: 'AUTHENTICATE'; mechanism: string; initial: string | null }
  | { name: 'ID'; params: Record<string, string | null> | null }
  | { name: 'ENABLE'; caps: string[] }
  | { name: 'SELECT' | 'EXAMINE'; mailbox: string; condstore: boolean; qresync: Qresync | null }
  | { name: 'CREATE'; mailbox: string; use: string[] }
  | { name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE'; mailbox: string }
  | { name: 'RENAME'; from: string; to: string }
  | { name: 'LIST'; select: string[]; reference: string; patterns: string[]; returns: string[] }
  | { name: 'LSUB'; reference: string; patterns: string[] }
  | { name: 'STATUS'; mailbox: string; items: string[] }
  | {
      name: 'APPEND';
      mailbox: string;
      flags: string[];
      date: string | null;
      message: Buffer;
      /** Sent as `UTF8 (~{n}…)` (RFC 6855 §4): a message that may carry UTF-8 headers. */
      utf8: boolean;
    }
  | {
      name: 'FETCH';
      uid: boolean;
      set: SeqSet;
      atts: FetchAtt[];
      changedSince: number | null;
      /** UID FETCH … (CHANGEDSINCE n VANISHED), RFC 7162 §3.2.6. */
      vanished: boolean;
    }
  | {
      name: 'STORE';
      uid: boolean;
      set: SeqSet;
      action: StoreAction;
      silent: boolean;
      flags: string[];
      unchangedSince: number | null;
    }
  | { name: 'COPY' | 'MOVE'; uid: boolean; set: SeqSet; mailbox: string }
  | { name: 'SEARCH'; uid: boolean; program: SearchProgram }
  | { name: 'UID EXPUNGE'; set: SeqSet }
  | { name: 'GETQUOTA'; root: string }
  | { name: 'GETQUOTAROOT'; mailbox: string }
  | { name: 'SETQUOTA'; root: string; limits: [string, number][] }
  | { name: 'COMPRESS'; mechanism: string }
  | { name: 'GETACL' | 'MYRIGHTS'; mailbox: string }
  | { name: 'SETACL'; mailbox: string; identifier: string; rights: string }
  | { name: 'DELETEACL' | 'LISTRIGHTS'; mailbox: string; identifier: string }
  | { name: 'SORT'; uid: boolean; criteria: SortKey[]; program: SearchProgram }
  | { name: 'THREAD'; uid: boolean; algorithm: string; program: SearchProgram };

/** A SORT criterion (RFC 5256 §3), with REVERSE folded in. */
export interface SortKey {
  key: string;
  reverse: boolean;
}

const SORT_KEYS = new Set([
  'ARRIVAL',
  'CC',
  'DATE',
  'FROM',
  'SIZE',
  'SUBJECT',
  'TO',
  'DISPLAYFROM',
  'DISPLAYTO',
]);

/** SORT (criteria) charset search-keys (RFC 5256 §3; the charset is mandatory there). */
function readSort(r: Reader, uid: boolean): Args {
  let reverse = false;
  const criteria: SortKey[] = [];
  r.list(() => {
    const w = r.name().toUpperCase();
    if (w === 'REVERSE') {
      reverse = true;
      return 0;
    }
    if (!SORT_KEYS.has(w)) r.fail('sort criterion');
    criteria.push({ key: w, reverse });
    reverse = false;
    return 0;
  }, false);
  if (reverse || criteria.length === 0) r.fail('sort criterion after REVERSE');
  r.sp();
  return { name: 'SORT', uid, criteria, program: readCharsetSearch(r) };
}

/** The charset of SORT/THREAD comes first, without the CHARSET keyword. */
function readCharsetSearch(r: Reader): SearchProgram {
  const charset = r.astring().toUpperCase();
  r.sp();
  const p = readSearch(r);
  return { ...p, charset };
}

export type CommandName = Args['name'];

/** SELECT/EXAMINE (QRESYNC (uidvalidity modseq [known-uids [(seqs uids)]])), RFC 7162 §3.2.5. */
export interface Qresync {
  uidValidity: number;
  modseq: number;
  knownUids: SeqSet | null;
  seqMatch: { seqs: SeqSet; uids: SeqSet } | null;
}

export interface Command {
  tag: string;
  args: Args;
}

/** flag = "\" atom / atom (keywords); "\*" only in PERMANENTFLAGS, never from a client. */
function readFlag(r: Reader): string {
  if (r.maybeChar('\\')) return '\\' + r.atom();
  return r.atom();
}

function readFlagList(r: Reader): string[] {
  return r.list(() => readFlag(r));
}

/** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE */
function readDateTime(r: Reader): string {
  const s = r.quoted().toString('latin1');
  if (!/^[ \d]\d-[A-Za-z]{3}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}$/.test(s)) r.fail('date-time');
  return s;
}

/** LIST selection and return options we know (RFC 5258 §3, RFC 6154 §5.1, RFC 5819). */
const LIST_SELECT = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const LIST_RETURN = new Set(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE']);

function readList(r: Reader): Args {
  let select: string[] = [];
  if (r.peekChar() === '(') {
    select = r.list(() => r.name().toUpperCase());
    r.sp();
    // RFC 5258 §3: an option the server does not know is BAD, and so is RECURSIVEMATCH
    // without a selection option it can refine (REMOTE does not count, §3.1).
    const unknown = select.find((o) => !LIST_SELECT.has(o));
    if (unknown) throw new ParseError(`unknown LIST selection option ${unknown.slice(0, 40)}`);
    if (
      select.includes('RECURSIVEMATCH') &&
      !select.some((o) => o === 'SUBSCRIBED' || o === 'SPECIAL-USE')
    )
      throw new ParseError('RECURSIVEMATCH needs another selection option');
  }
  const reference = r.astring();
  r.sp();
  const patterns = r.peekChar() === '(' ? r.list(() => r.listMailbox(), false) : [r.listMailbox()];
  let returns: string[] = [];
  if (r.maybeSp()) {
    if (!r.word('RETURN')) r.fail('RETURN');
    r.sp();
    returns = r.list(() => {
      const w = r.name().toUpperCase();
      if (w === 'STATUS') {
        r.sp();
        return `STATUS ${r.list(() => r.name().toUpperCase(), false).join(' ')}`;
      }
      if (!LIST_RETURN.has(w)) throw new ParseError(`unknown LIST return option ${w.slice(0, 40)}`);
      return w;
    });
  }
  return { name: 'LIST', select, reference, patterns, returns };
}

/** select-params (RFC 4466 §2.1): CONDSTORE (RFC 7162 §3.1.8) and QRESYNC (§3.2.5). */
function readSelectParams(r: Reader): { condstore: boolean; qresync: Qresync | null } {
  let condstore = false;
  let qresync: Qresync | null = null;
  r.list(() => {
    const w = r.name().toUpperCase();
    if (w === 'CONDSTORE') condstore = true;
    else if (w === 'QRESYNC') {
      r.sp();
      r.char('(');
      const uidValidity = r.nzNumber32();
      r.sp();
      const modseq = r.number();
      let knownUids: SeqSet | null = null;
      let seqMatch: Qresync['seqMatch'] = null;
      if (r.maybeSp()) {
        if (r.peekChar() !== '(') knownUids = readSeqSet(r);
        if (knownUids === null || r.maybeSp()) {
          r.char('(');
          const seqs = readSeqSet(r);
          r.sp();
          seqMatch = { seqs, uids: readSeqSet(r) };
          r.char(')');
        }
      }
      r.char(')');
      qresync = { uidValidity, modseq, knownUids, seqMatch };
    } else r.fail('CONDSTORE or QRESYNC');
    return 0;
  }, false);
  return { condstore, qresync };
}

function readStore(r: Reader, uid: boolean): Args {
  const set = readSeqSet(r);
  r.sp();
  let unchangedSince: number | null = null;
  if (r.peekChar() === '(') {
    // RFC 7162 §3.1.3: STORE seq (UNCHANGEDSINCE n) ...
    r.char('(');
    if (!r.word('UNCHANGEDSINCE')) r.fail('UNCHANGEDSINCE');
    r.sp();
    unchangedSince = r.number();
    r.char(')');
    r.sp();
  }
  const sign = r.maybeChar('+') ? 'add' : r.maybeChar('-') ? 'remove' : 'set';
  const item = r.name().toUpperCase();
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') r.fail('FLAGS or FLAGS.SILENT');
  r.sp();
  let flags: string[];
  if (r.peekChar() === '(') flags = readFlagList(r);
  else {
    flags = [readFlag(r)];
    while (r.maybeSp()) flags.push(readFlag(r));
  }
  return {
    name: 'STORE',
    uid,
    set,
    action: sign,
    silent: item === 'FLAGS.SILENT',
    flags,
    unchangedSince,
  };
}

function readFetch(r: Reader, uid: boolean): Args {
  const set = readSeqSet(r);
  r.sp();
  const atts = readFetchAtts(r);
  let changedSince: number | null = null;
  let vanished = false;
  if (r.maybeSp()) {
    // RFC 7162 §3.1.4.1, §3.2.6: (CHANGEDSINCE n [VANISHED]); VANISHED only with UID FETCH.
    r.list(() => {
      const w = r.name().toUpperCase();
      if (w === 'CHANGEDSINCE') {
        r.sp();
        changedSince = r.number();
      } else if (w === 'VANISHED' && uid) vanished = true;
      else r.fail('fetch modifier');
      return 0;
    }, false);
    if (vanished && changedSince === null) r.fail('CHANGEDSINCE with VANISHED');
  }
  return { name: 'FETCH', uid, set, atts, changedSince, vanished };
}

function readArgs(r: Reader, name: string, uid: boolean): Args {
  switch (name) {
    case 'CAPABILITY':
    case 'NOOP':
    case 'LOGOUT':
    case 'STARTTLS':
    case 'CHECK':
    case 'CLOSE':
    case 'UNSELECT':
    case 'IDLE':
    case 'NAMESPACE':
      return { name };
    case 'EXPUNGE':
      if (uid) {
        r.sp();
        return { name: 'UID EXPUNGE', set: readSeqSet(r) };
      }
      return { name };
    case 'LOGIN': {
      r.sp();
      const user = r.astring();
      r.sp();
      return { name, user, password: r.astring() };
    }
    case 'AUTHENTICATE': {
      r.sp();
      const mechanism = r.atom().toUpperCase();
      const initial = r.maybeSp() ? r.atom() : null;
      return { name, mechanism, initial };
    }
    case 'ID': {
      r.sp();
      if (r.word('NIL')) return { name, params: null };
      const params: Record<string, string | null> = {};
      r.char('(');
      if (!r.maybeChar(')')) {
        for (let i = 0; i < 30; i++) {
          const k = r.string();
          r.sp();
          params[k.slice(0, 30)] = r.nstring()?.slice(0, 1024) ?? null;
          if (r.maybeChar(')')) return { name, params };
          r.sp();
        }
        r.fail('")" (at most 30 ID fields)');
      }
      return { name, params };
    }
    case 'ENABLE': {
      const caps: string[] = [];
      while (r.maybeSp()) caps.push(r.atom().toUpperCase());
      if (caps.length === 0) r.fail('capability');
      return { name, caps };
    }
    case 'SELECT':
    case 'EXAMINE': {
      r.sp();
      const mailbox = r.astring();
      const params = r.maybeSp() ? readSelectParams(r) : { condstore: false, qresync: null };
      return { name, mailbox, ...params };
    }
    case 'CREATE': {
      r.sp();
      const mailbox = r.astring();
      let use: string[] = [];
      if (r.maybeSp()) {
        // RFC 6154 §3: CREATE name (USE (\Drafts))
        r.char('(');
        if (!r.word('USE')) r.fail('USE');
        r.sp();
        use = readFlagList(r);
        r.char(')');
      }
      return { name, mailbox, use };
    }
    case 'DELETE':
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      r.sp();
      return { name, mailbox: r.astring() };
    case 'RENAME': {
      r.sp();
      const from = r.astring();
      r.sp();
      return { name, from, to: r.astring() };
    }
    case 'LIST':
      r.sp();
      return readList(r);
    case 'LSUB': {
      r.sp();
      const reference = r.astring();
      r.sp();
      return { name, reference, patterns: [r.listMailbox()] };
    }
    case 'STATUS': {
      r.sp();
      const mailbox = r.astring();
      r.sp();
      return { name, mailbox, items: r.list(() => r.name().toUpperCase(), false) };
    }
    case 'APPEND': {
      r.sp();
      const mailbox = r.astring();
      r.sp();
      let flags: string[] = [];
      let date: string | null = null;
      if (r.peekChar() === '(') {
        flags = readFlagList(r);
        r.sp();
      }
      if (r.peekChar() === '"') {
        date = readDateTime(r);
        r.sp();
      }
      // RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")".
      if (r.word('UTF8')) {
        r.sp();
        r.char('(');
        r.char('~');
        const message = r.literal();
        r.char(')');
        return { name, mailbox, flags, date, message, utf8: true };
      }
      return { name, mailbox, flags, date, message: r.literalOrLiteral8(), utf8: false };
    }
    case 'FETCH':
      r.sp();
      return readFetch(r, uid);
    case 'STORE':
      r.sp();
      return readStore(r, uid);
    case 'COPY':
    case 'MOVE': {
      r.sp();
      const set = readSeqSet(r);
      r.sp();
      return { name, uid, set, mailbox: r.astring() };
    }
    case 'SEARCH':
      r.sp();
      return { name, uid, program: readSearch(r) };
    case 'GETQUOTA':
      r.sp();
      return { name, root: r.astring() };
    case 'GETQUOTAROOT':
    case 'GETACL':
    case 'MYRIGHTS':
      r.sp();
      return { name, mailbox: r.astring() };
    case 'SETACL':
    case 'DELETEACL':
    case 'LISTRIGHTS': {
      // RFC 4314 §3.1–§3.4: mailbox SP identifier [SP mod-rights]
      r.sp();
      const mailbox = r.astring();
      r.sp();
      const identifier = r.astring();
      if (name !== 'SETACL') return { name, mailbox, identifier };
      r.sp();
      return { name, mailbox, identifier, rights: r.astring() };
    }
    case 'SETQUOTA': {
      r.sp();
      const root = r.astring();
      r.sp();
      const limits: [string, number][] = [];
      r.char('(');
      while (!r.maybeChar(')')) {
        if (limits.length) r.sp();
        const res = r.atom().toUpperCase();
        r.sp();
        limits.push([res, r.number()]);
        if (limits.length > 20) r.fail('fewer resources');
      }
      return { name, root, limits };
    }
    case 'COMPRESS':
      r.sp();
      return { name, mechanism: r.atom().toUpperCase() };
    case 'SORT':
      r.sp();
      return readSort(r, uid);
    case 'THREAD': {
      r.sp();
      const algorithm = r.atom().toUpperCase();
      r.sp();
      return { name, uid, algorithm, program: readCharsetSearch(r) };
    }
  }
  throw new ParseError(`unknown command ${name.slice(0, 40)}`);
}

const UID_COMMANDS = new Set([
  'FETCH',
  'STORE',
  'COPY',
  'MOVE',
  'SEARCH',
  'EXPUNGE',
  'SORT',
  'THREAD',
]);

/** Thrown with the tag so the caller can answer `tag BAD`. */
export class CommandError extends ParseError {
  readonly tag: string | null;
  constructor(tag: string | null, err: ParseError) {
    super(err.message, err.code);
    this.tag = tag;
  }
}

/** Parses one framed command; throws CommandError (never anything else). */
export function parseCommand(buf: Buffer): Command {
  const r = new Reader(buf);
  let tag: string | null = null;
  try {
    tag = r.tag();
    r.sp();
    let name = r.name().toUpperCase();
    let uid = false;
    if (name === 'UID') {
      r.sp();
      name = r.name().toUpperCase();
      if (!UID_COMMANDS.has(name))
        r.fail('FETCH, STORE, COPY, MOVE, SEARCH, SORT, THREAD or EXPUNGE after UID');
      uid = true;
    }
    const args = readArgs(r, name, uid);
    r.end();
    return { tag, args };
  } catch (err) {
    if (err instanceof ParseError) throw new CommandError(tag, err);
    // Defensive: a bug in the grammar must still end in a clean BAD.
    throw new CommandError(tag, new ParseError('unparsable command'));
  }
}

export { ParseError };
