// Changing the keywords (IMAP flags) of emails: IMAP STORE, JMAP Email/set keywords. One
// transaction under one new modseq of the account: the emails whose keyword set really
// changes get the new set and the modseq, their mailboxes' modseq moves too (HIGHESTMODSEQ),
// and the change log records Email 'u'. Emails unchanged keep their modseq; if none changes,
// no modseq is used. With `unchangedSince` (RFC 7162 §3.1.3) an email modified after that
// modseq is left alone and reported in `conflicts`.
import type { Core } from './core.ts';
import {
  nextModseq,
  PendingEvents,
  recordChanges,
  releaseModseq,
  touchMailboxesOf,
} from './changes.ts';
import { normalizeKeywords, parseKeywords } from '../mail/keywords.ts';

export type KeywordAction = 'set' | 'add' | 'remove';

export interface KeywordResult {
  /** 0 when nothing changed. */
  modseq: number;
  /** New keyword sets of the emails that changed. */
  changed: Map<string, string[]>;
  /** Emails skipped because they changed after `unchangedSince`. */
  conflicts: string[];
}

const CHUNK = 500;

export async function updateKeywords(
  core: Core,
  accountId: number,
  emailIds: string[],
  action: KeywordAction,
  keywords: string[],
  unchangedSince: number | null = null,
): Promise<KeywordResult> {
  const ids = [...new Set(emailIds)];
  const kws = normalizeKeywords(keywords);
  const events = new PendingEvents();
  const result = await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    const changed = new Map<string, string[]>();
    const conflicts: string[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await trx
        .selectFrom('emails')
        .select(['id', 'keywords', 'modseq'])
        .where('account_id', '=', accountId)
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) {
        if (unchangedSince !== null && Number(r.modseq) > unchangedSince) {
          conflicts.push(r.id);
          continue;
        }
        const before = normalizeKeywords(parseKeywords(r.keywords));
        const set = new Set(action === 'set' ? [] : before);
        for (const k of kws) {
          if (action === 'remove') set.delete(k);
          else set.add(k);
        }
        const after = normalizeKeywords(set);
        if (after.join(' ') !== before.join(' ')) changed.set(r.id, after);
      }
    }
    if (changed.size === 0) {
      await releaseModseq(trx, accountId, modseq);
      return { modseq: 0, changed, conflicts };
    }
    for (const [id, after] of changed)
      await trx
        .updateTable('emails')
        .set({ keywords: JSON.stringify(after), modseq })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .execute();
    const changedIds = [...changed.keys()];
    await touchMailboxesOf(trx, accountId, changedIds, modseq);
    await recordChanges(
      trx,
      accountId,
      modseq,
      changedIds.map((id) => ({ type: 'Email', id, op: 'u' as const })),
    );
    events.add(accountId, modseq, 'Email');
    return { modseq, changed, conflicts };
  });
  events.publish(core);
  return result;
}
