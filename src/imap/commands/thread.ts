// THREAD and UID THREAD (RFC 5256 §4): ORDEREDSUBJECT and REFERENCES over the messages a
// search matches; the algorithms live in proto/thread.ts. REFERENCES reads Message-ID,
// References and In-Reply-To from each message's header block.
import { headerValue, parseHeaders } from '../../mail/mimeparts.ts';
import { orderedSubject, references, type ThreadMessage } from '../proto/thread.ts';
import { raw } from '../proto/writer.ts';
import { knownCharset, matching } from './search.ts';
import { SELECTED, type Handler } from './types.ts';

function ids(value: string | null): string[] {
  return value ? [...value.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]) : [];
}

export const thread: Handler<'THREAD'> = {
  states: SELECTED,
  async run(s, args, tag) {
    if (args.algorithm !== 'ORDEREDSUBJECT' && args.algorithm !== 'REFERENCES') {
      await s.finish(tag, 'BAD', null, 'Unknown THREAD algorithm');
      return;
    }
    if (!knownCharset(args.program.charset)) {
      await s.finish(tag, 'NO', 'BADCHARSET (UTF-8 US-ASCII)', 'Unsupported charset');
      return;
    }
    const found = await matching(s, args.program.key);
    const msgs: ThreadMessage[] = [];
    for (const c of found) {
      const m: ThreadMessage = {
        n: args.uid ? c.uid : c.seq,
        date: c.row.sentAt ?? c.row.receivedAt,
        subject: c.row.subject,
        messageId: null,
        references: [],
      };
      if (args.algorithm === 'REFERENCES') {
        const buf = c.raw ?? (await s.core.blobs.get(c.row.blobHash));
        const end = buf.indexOf('\r\n\r\n');
        const h = parseHeaders(buf.toString('latin1', 0, end < 0 ? buf.length : end));
        m.messageId = ids(headerValue(h, 'message-id'))[0] ?? null;
        const refs = ids(headerValue(h, 'references'));
        m.references = refs.length ? refs : ids(headerValue(h, 'in-reply-to')).slice(0, 1);
      }
      msgs.push(m);
    }
    const text = args.algorithm === 'REFERENCES' ? references(msgs) : orderedSubject(msgs);
    s.untagged([raw('THREAD'), ...(text ? [raw(text)] : [])]);
    await s.finish(tag, 'OK', null, 'THREAD completed');
  },
};
