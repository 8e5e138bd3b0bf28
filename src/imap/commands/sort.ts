// SORT and UID SORT (RFC 5256 §3; DISPLAYFROM/DISPLAYTO of RFC 5957): the messages a search
// matches, ordered by the criteria, the sequence number breaking ties. SUBJECT compares base
// subjects (§2.1); FROM/TO/CC the mailbox part of the first address; DATE the Date header,
// else the internal date (§2.2).
import { baseSubject } from '../../mail/basesubject.ts';
import { headerValue, parseMime } from '../../mail/mimeparts.ts';
import type { SortKey } from '../proto/grammar.ts';
import { raw } from '../proto/writer.ts';
import type { Session } from '../session.ts';
import { knownCharset, matching, type Candidate } from './search.ts';
import { SELECTED, type Handler } from './types.ts';

/** The first address of an address list: its mailbox (local part) and its display form. */
function firstAddress(list: string | null): { mailbox: string; display: string } {
  if (!list) return { mailbox: '', display: '' };
  const first = list.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[0]!.trim();
  const angle = /<([^>]*)>/.exec(first);
  const addr = (angle ? angle[1]! : first).trim();
  const name = angle ? first.slice(0, angle.index).replace(/"/g, '').trim() : '';
  return { mailbox: addr.split('@')[0]!.toLowerCase(), display: (name || addr).toLowerCase() };
}

async function sortValue(s: Session, c: Candidate, key: string): Promise<string | number> {
  switch (key) {
    case 'ARRIVAL':
      return c.row.receivedAt;
    case 'DATE':
      return c.row.sentAt ?? c.row.receivedAt;
    case 'SIZE':
      return c.row.size;
    case 'SUBJECT':
      return baseSubject(c.row.subject);
    case 'FROM':
      return firstAddress(c.row.from).mailbox;
    case 'TO':
      return firstAddress(c.row.to).mailbox;
    case 'DISPLAYFROM':
      return firstAddress(c.row.from).display;
    case 'DISPLAYTO':
      return firstAddress(c.row.to).display;
    default: {
      c.raw ??= await s.core.blobs.get(c.row.blobHash);
      return firstAddress(headerValue(parseMime(c.raw).headers, 'cc')).mailbox;
    }
  }
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const sort: Handler<'SORT'> = {
  states: SELECTED,
  async run(s, args, tag) {
    if (!knownCharset(args.program.charset)) {
      await s.finish(tag, 'NO', 'BADCHARSET (UTF-8 US-ASCII)', 'Unsupported charset');
      return;
    }
    const found = await matching(s, args.program.key);
    const keyed: { c: Candidate; v: (string | number)[] }[] = [];
    for (const c of found) {
      const v: (string | number)[] = [];
      for (const k of args.criteria) v.push(await sortValue(s, c, k.key));
      keyed.push({ c, v });
    }
    const crit: SortKey[] = args.criteria;
    keyed.sort((x, y) => {
      for (let i = 0; i < crit.length; i++) {
        const d = compare(x.v[i]!, y.v[i]!);
        if (d) return crit[i]!.reverse ? -d : d;
      }
      return x.c.seq - y.c.seq;
    });
    s.untagged([raw('SORT'), ...keyed.map((k) => (args.uid ? k.c.uid : k.c.seq))]);
    await s.finish(tag, 'OK', null, 'SORT completed');
  },
};
