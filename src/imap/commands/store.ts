// STORE and UID STORE (RFC 9051 §6.4.6): FLAGS, +FLAGS, -FLAGS, .SILENT, and UNCHANGEDSINCE
// (RFC 7162 §3.1.3, answered with [MODIFIED]). Flags become keywords through mail/keywords.ts
// and change through core's updateKeywords (one modseq, change log, bus). Unless .SILENT, the
// new flags of each changed message are returned; UID STORE includes the UID (§6.4.8). A
// keyword new to the mailbox is first announced in FLAGS and PERMANENTFLAGS (§7.3.5).
import { updateKeywords } from '../../core/keywords.ts';
import { emailsByIds } from '../../core/messages.ts';
import { flagToKeyword } from '../../mail/keywords.ts';
import { formatSeqSet } from '../proto/seqset.ts';
import { raw, type Value } from '../proto/writer.ts';
import { permitSelected } from '../access.ts';
import { SELECTED, type Handler } from './types.ts';

export const store: Handler<'STORE'> = {
  states: SELECTED,
  async run(s, args, tag) {
    const sel = s.selected!;
    if (sel.readOnly) {
      await s.finish(tag, 'NO', 'READ-ONLY', 'Mailbox is read-only');
      return;
    }
    const keywords: string[] = [];
    // RFC 4314 §4: \Seen needs s, \Deleted needs t, every other flag w.
    const needed = new Set<string>();
    for (const f of args.flags) {
      const l = f.toLowerCase();
      if (l !== '\\recent') needed.add(l === '\\seen' ? 's' : l === '\\deleted' ? 't' : 'w');
    }
    if (args.action === 'set') needed.add('s').add('t').add('w');
    if (!(await permitSelected(s, tag, [...needed].join('')))) return;
    const accountId = sel.view.accountId;
    for (const f of args.flags) {
      const k = flagToKeyword(f);
      if (k) keywords.push(k);
      else if (f.toLowerCase() !== '\\recent') {
        await s.finish(tag, 'BAD', null, `Flag ${f} cannot be stored`);
        return;
      }
    }
    const idx = sel.view.select(args.set, args.uid);
    const ids = idx.map((i) => sel.view.emailIds[i]!);
    const res = await updateKeywords(
      s.core,
      accountId,
      ids,
      args.action,
      keywords,
      args.unchangedSince,
    );
    if (args.unchangedSince !== null) s.condstore = true; // RFC 7162 §3.1
    if (res.modseq) sel.view.own.add(res.modseq);
    // RFC 7162 §3.1.3: with CONDSTORE on, changed messages report their new MODSEQ, even
    // after .SILENT (then without FLAGS).
    if (!args.silent || (s.condstore && res.modseq)) {
      const rows = await emailsByIds(s.core.db, accountId, ids);
      if (!args.silent)
        sel.view.announce(
          s,
          [...rows.values()].flatMap((r) => r.keywords),
        );
      for (const i of idx) {
        const row = rows.get(sel.view.emailIds[i]!);
        if (!row) continue;
        const changed = res.changed.has(row.id);
        if (args.silent && !changed) continue;
        const items: Value[] = [];
        if (args.uid) items.push(raw('UID'), sel.view.uids[i]!);
        if (!args.silent)
          items.push(raw('FLAGS'), sel.view.flags(sel.view.uids[i]!, row.keywords, s.rev2));
        if (s.condstore) items.push(raw('MODSEQ'), [row.modseq]);
        s.untagged([i + 1, raw('FETCH'), items]);
      }
    }
    if (res.conflicts.length > 0) {
      const conflicted = new Set(res.conflicts);
      const nums = idx
        .filter((i) => conflicted.has(sel.view.emailIds[i]!))
        .map((i) => (args.uid ? sel.view.uids[i]! : i + 1))
        .sort((a, b) => a - b);
      await s.finish(tag, 'OK', `MODIFIED ${formatSeqSet(nums)}`, 'Conditional STORE failed');
      return;
    }
    await s.finish(tag, 'OK', null, 'STORE completed');
  },
};
