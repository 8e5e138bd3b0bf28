// LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9), with the LIST-EXTENDED options that clients
// use (RFC 5258: SUBSCRIBED, SPECIAL-USE selection; RETURN SUBSCRIBED, CHILDREN, SPECIAL-USE,
// STATUS from RFC 5819). Special-use attributes (RFC 6154) and \HasChildren/\HasNoChildren
// (RFC 3348) are always sent. "*" matches across "/", "%" within one level. Mailboxes other
// accounts share with the l right (RFC 4314 §4) follow under "Other Users/<owner>/", with
// the levels above them as \Noselect; they count as subscribed (nowhere to keep the choice).
import { sharedMailboxesFor } from '../../core/acl.ts';
import { listMailboxes } from '../../core/mailboxes.ts';
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

export async function runList(
  s: Session,
  tag: string,
  opts: {
    reference: string;
    patterns: string[];
    subscribedOnly: boolean;
    specialOnly: boolean;
    lsub: boolean;
    returns: string[];
  },
): Promise<void> {
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
  const wantStatus = opts.returns.find((r) => r.startsWith('STATUS '));
  const returnSubscribed = opts.returns.includes('SUBSCRIBED') || opts.subscribedOnly;
  const sorted = [...all].sort((a, b) =>
    a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : 1,
  );
  for (const mb of sorted) {
    if (!matches(mb.name, regexes)) continue;
    if ((opts.subscribedOnly || opts.lsub) && !mb.subscribed) continue;
    const use = specialUse(mb.role);
    if (opts.specialOnly && !use) continue;
    const attrs: Value[] = [];
    if (!opts.lsub) {
      const kids = all.some((m: Mailbox) => m.name.startsWith(mb.name + '/'));
      attrs.push(raw(kids ? '\\HasChildren' : '\\HasNoChildren'));
      if (use) attrs.push(raw(use));
      if (returnSubscribed && mb.subscribed) attrs.push(raw('\\Subscribed'));
    }
    s.untagged([raw(verb), attrs, '/', s.encodeName(mb.name)]);
    if (wantStatus) {
      const items = await statusItems(s, mb, wantStatus.slice(7).split(' '));
      s.untagged([raw('STATUS'), s.encodeName(mb.name), items]);
    }
  }
  if (!opts.specialOnly) await listShared(s, verb, regexes, opts.lsub, returnSubscribed);
  await s.finish(tag, 'OK', null, `${verb} completed`);
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
      subscribedOnly: args.select.includes('SUBSCRIBED'),
      specialOnly: args.select.includes('SPECIAL-USE'),
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
      subscribedOnly: true,
      specialOnly: false,
      lsub: true,
      returns: [],
    });
  },
};
