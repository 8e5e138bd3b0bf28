// SORT and UID SORT (RFC 5256 §3; DISPLAYFROM/DISPLAYTO of RFC 5957): the messages a search
// matches, ordered by the criteria, the sequence number breaking ties. SUBJECT compares base
// subjects (§2.1); FROM/TO/CC the addr-mailbox of the envelope's first address (a group's
// name for a group), DISPLAYFROM/DISPLAYTO its display value (RFC 5957 §3), from the stored
// envelope; DATE the Date header, else the internal date (§2.2).
import { baseSubject } from '../../mail/basesubject.ts';
import { envelopesByHash } from '../../core/blobmeta.ts';
import { sortDisplay, sortMailbox } from '../../mail/envaddress.ts';
import type { Envelope } from '../../mail/structure.ts';
import type { SortKey } from '../proto/grammar.ts';
import { raw } from '../proto/writer.ts';
import { knownCharset, matching, type Candidate } from './search.ts';
import { SELECTED, type Handler } from './types.ts';

const FROM_ENVELOPE = new Set(['FROM', 'TO', 'CC', 'DISPLAYFROM', 'DISPLAYTO']);

function sortValue(c: Candidate, key: string, env: Envelope | undefined): string | number {
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
      return sortMailbox(env?.from ?? null);
    case 'TO':
      return sortMailbox(env?.to ?? null);
    case 'CC':
      return sortMailbox(env?.cc ?? null);
    case 'DISPLAYFROM':
      return sortDisplay(env?.from ?? null);
    default: // DISPLAYTO
      return sortDisplay(env?.to ?? null);
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
    const envelopes = args.criteria.some((k) => FROM_ENVELOPE.has(k.key))
      ? await envelopesByHash(
          s.core,
          found.map((c) => c.row.blobHash),
        )
      : null;
    const keyed = found.map((c) => {
      const env = c.envelope ?? envelopes?.get(c.row.blobHash);
      return { c, v: args.criteria.map((k) => sortValue(c, k.key, env)) };
    });
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
