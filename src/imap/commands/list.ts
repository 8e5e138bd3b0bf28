// LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9), with LIST-EXTENDED (RFC 5258: SUBSCRIBED,
// SPECIAL-USE and RECURSIVEMATCH selection, CHILDINFO; RETURN SUBSCRIBED, CHILDREN,
// SPECIAL-USE, STATUS from RFC 5819; unknown options are BAD in the grammar). Subscribed names
// whose mailbox was deleted stay subscribed (core/mailboxset.ts) and are listed \NonExistent.
// Special-use attributes (RFC 6154) and \HasChildren/\HasNoChildren (RFC 3348) are always
// sent. "*" matches across "/", "%" within one level. Mailboxes other
// accounts share with the l right (RFC 4314 §4) follow under "Other Users/<owner>/", with
// the levels above them as \Noselect; they count as subscribed (nowhere to keep the choice).
import { sharedMailboxesFor } from '../../core/acl.ts';
import { listMailboxes } from '../../core/mailboxes.ts';
import { orphanSubscriptions } from '../../core/mailboxset.ts';
import { OTHER_USERS, sharedName } from '../access.ts';
import type { Mailbox } from '../../store/schema.ts';
import { raw, type Value } from '../proto/writer.ts';
import type { Session } from '../session.ts';
import { statusItems } from './status.ts';
import { AUTHED, type Handler } from './types.ts';

const USE: Record<string, string> = {
  drafts: '\\Drafts',
  sent: '\\Sent',
  junk: '\\Junk',
  trash: '\\Trash',
  archive: '\\Archive',
  all: '\\All',
  flagged: '\\Flagged',
};

export function specialUse(role: string | null): string | null {
  return role ? (USE[role] ?? null) : null;
}

/** The role for a special-use attribute (CREATE USE), or undefined. */
export function roleOf(attr: string): string | undefined {
  const a = attr.toLowerCase();
  return Object.keys(USE).find((k) => USE[k]!.toLowerCase() === a);
}

function patternRegex(pattern: string): RegExp {
  // INBOX matches whatever its case (RFC 9051 §5.1); stored names spell it "INBOX".
  const p = /^inbox(\/|$)/i.test(pattern) ? 'INBOX' + pattern.slice(5) : pattern;
  let re = '';
  for (const ch of p) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += '[^/]*';
    else re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

function matches(name: string, patterns: RegExp[]): boolean {
  return patterns.some((p) => p.test(name));
}

/** The names above a name: "a/b/c" → "a", "a/b". */
function ancestors(name: string): string[] {
  const parts = name.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** INBOX first, then by name. */
function byName(a: string, b: string): number {
  return a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

export interface ListOptions {
  reference: string;
  patterns: string[];
  /** Selection options (RFC 5258 §3.1): SUBSCRIBED, SPECIAL-USE, RECURSIVEMATCH, REMOTE. */
  select: string[];
  lsub: boolean;
  /** Return options: SUBSCRIBED, CHILDREN, SPECIAL-USE, "STATUS item…". */
  returns: string[];
}

export async function runList(s: Session, tag: string, opts: ListOptions): Promise<void> {
  const verb = opts.lsub ? 'LSUB' : 'LIST';
  if (opts.patterns.length === 1 && opts.patterns[0] === '') {
    // RFC 9051 §6.3.9: the hierarchy delimiter and root.
    s.untagged([raw(verb), [raw('\\Noselect')], '/', '']);
    await s.finish(tag, 'OK', null, `${verb} completed`);
    return;
  }
  const ref = s.decodeName(opts.reference);
  const regexes = opts.patterns.map((p) => patternRegex(ref + s.decodeName(p)));
  const all = await listMailboxes(s.core.db, s.account!.id);
  const mailboxes = new Map(all.map((m) => [m.name, m]));
  const subscribed = new Set([
    ...all.filter((m) => Number(m.subscribed) === 1).map((m) => m.name),
    ...(await orphanSubscriptions(s.core.db, s.account!.id)),
  ]);
  if (opts.lsub) listSubscribed(s, opts, regexes, mailboxes, subscribed);
  else await listNames(s, opts, regexes, mailboxes, subscribed);
  if (!opts.select.includes('SPECIAL-USE'))
    await listShared(
      s,
      verb,
      regexes,
      opts.lsub,
      opts.returns.includes('SUBSCRIBED') || opts.select.includes('SUBSCRIBED'),
    );
  await s.finish(tag, 'OK', null, `${verb} completed`);
}

/**
 * LIST with the LIST-EXTENDED selection rules (RFC 9051 §6.3.9.3, Table 3 of §6.3.9.6): a
 * name that matches a pattern is listed when it meets the selection criteria (subscribed
 * names count even with no mailbox, then \NonExistent) or, with RECURSIVEMATCH, when a
 * descendant that does not match the patterns meets them (CHILDINFO).
 */
async function listNames(
  s: Session,
  opts: ListOptions,
  regexes: RegExp[],
  mailboxes: Map<string, Mailbox>,
  subscribed: Set<string>,
): Promise<void> {
  const bySubscription = opts.select.includes('SUBSCRIBED');
  const bySpecialUse = opts.select.includes('SPECIAL-USE');
  const recursive = opts.select.includes('RECURSIVEMATCH');
  const criteria = opts.select.filter((o) => o === 'SUBSCRIBED' || o === 'SPECIAL-USE');
  const meets = (name: string): boolean => {
    if (bySubscription && !subscribed.has(name)) return false;
    if (bySpecialUse && !specialUse(mailboxes.get(name)?.role ?? null)) return false;
    return true;
  };
  // Every name that may be listed: the mailboxes, subscribed names without one, and (for
  // RECURSIVEMATCH) the names above those that meet the criteria.
  const names = new Set(mailboxes.keys());
  if (bySubscription) for (const n of subscribed) names.add(n);
  if (recursive)
    for (const n of [...names]) if (meets(n)) for (const a of ancestors(n)) names.add(a);
  const wantStatus = opts.returns.find((r) => r.startsWith('STATUS '));
  const returnSubscribed = bySubscription || opts.returns.includes('SUBSCRIBED');
  const sorted = [...names].sort(byName);
  for (const name of sorted) {
    if (!matches(name, regexes)) continue;
    const met = meets(name);
    // §6.3.9.6: CHILDINFO only for a descendant not listed itself (no redundant ones).
    const childInfo =
      recursive && sorted.some((d) => d.startsWith(name + '/') && meets(d) && !matches(d, regexes));
    if (!met && !childInfo) continue;
    const mb = mailboxes.get(name);
    const attrs: Value[] = [];
    if (!mb) attrs.push(raw('\\NonExistent'));
    else {
      const kids = sorted.some((n) => n.startsWith(name + '/') && mailboxes.has(n));
      attrs.push(raw(kids ? '\\HasChildren' : '\\HasNoChildren'));
      const use = specialUse(mb.role);
      if (use) attrs.push(raw(use));
    }
    if (returnSubscribed && subscribed.has(name)) attrs.push(raw('\\Subscribed'));
    const line: Value[] = [raw('LIST'), attrs, '/', s.encodeName(name)];
    if (childInfo) line.push(['CHILDINFO', criteria]);
    s.untagged(line);
    if (wantStatus && mb) {
      const items = await statusItems(s, mb, wantStatus.slice(7).split(' '));
      s.untagged([raw('STATUS'), s.encodeName(name), items]);
    }
  }
}

/**
 * LSUB (RFC 3501 §6.3.9): the subscribed names that match, \Noselect when no mailbox has the
 * name; and when a "%" stops short of a subscribed name, its unsubscribed ancestor that
 * matches, flagged \Noselect ("foo/bar" subscribed, "foo" not: LSUB "" % returns foo).
 */
function listSubscribed(
  s: Session,
  opts: ListOptions,
  regexes: RegExp[],
  mailboxes: Map<string, Mailbox>,
  subscribed: Set<string>,
): void {
  const percent = opts.patterns.some((p) => p.includes('%'));
  const out = new Map<string, boolean>(); // name → \Noselect
  for (const name of subscribed) {
    if (matches(name, regexes)) out.set(name, !mailboxes.has(name));
    else if (percent)
      for (const a of ancestors(name))
        if (!subscribed.has(a) && matches(a, regexes)) out.set(a, true);
  }
  for (const name of [...out.keys()].sort(byName))
    s.untagged([raw('LSUB'), out.get(name) ? [raw('\\Noselect')] : [], '/', s.encodeName(name)]);
}

/** The shared part of a LIST: "Other Users", each owner, then the mailboxes (RFC 2342). */
async function listShared(
  s: Session,
  verb: string,
  regexes: RegExp[],
  lsub: boolean,
  subscribed: boolean,
): Promise<void> {
  const shared = (await sharedMailboxesFor(s.core.db, s.account!.id)).filter((m) =>
    m.rights.includes('l'),
  );
  if (shared.length === 0) return;
  const names = shared.map((m) => sharedName(m.ownerEmail, m.mailbox.name)).sort();
  const levels = new Set<string>([OTHER_USERS]);
  for (const m of shared) levels.add(`${OTHER_USERS}/${m.ownerEmail}`);
  const line = (name: string, attrs: string[]): void => {
    if (!matches(name, regexes)) return;
    if (!lsub && subscribed && !attrs.includes('\\Noselect')) attrs.push('\\Subscribed');
    s.untagged([raw(verb), lsub ? [] : attrs.map(raw), '/', s.encodeName(name)]);
  };
  if (!lsub) for (const level of [...levels].sort()) line(level, ['\\Noselect', '\\HasChildren']);
  for (const name of names) {
    const kids = names.some((n) => n.startsWith(name + '/'));
    line(name, [kids ? '\\HasChildren' : '\\HasNoChildren']);
  }
}

export const list: Handler<'LIST'> = {
  states: AUTHED,
  async run(s, args, tag) {
    await runList(s, tag, {
      reference: args.reference,
      patterns: args.patterns,
      select: args.select,
      lsub: false,
      returns: args.returns,
    });
  },
};

export const lsub: Handler<'LSUB'> = {
  states: AUTHED,
  async run(s, args, tag) {
    await runList(s, tag, {
      reference: args.reference,
      patterns: args.patterns,
      select: ['SUBSCRIBED'],
      lsub: true,
      returns: [],
    });
  },
};
