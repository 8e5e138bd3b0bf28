// The vacation response (JMAP VacationResponse, RFC 8621 §8) and the automatic reply it makes
// at delivery, following RFC 3834. A reply is sent only when the response is on and today is
// within its dates, the message came with a sender (not a bounce), is not itself automatic
// (Auto-Submitted other than "no"), not from a list or bulk mail (List-Id, List-*,
// Precedence bulk/list/junk), not from the account itself, names one of the account's
// addresses in To or Cc (§2), and the sender was not answered in the last REPLY_PERIOD_MS
// (§2: "once per period"). The reply carries Auto-Submitted: auto-replied (§5) and
// In-Reply-To / References (§3.1.4), goes from a null reverse path (§3.3), and is delivered
// like any other mail (local through ingest, remote through the queue).
// Invariant: replies run after the delivery committed and never delay or fail it.
import type { Core } from './core.ts';
import { nextModseq, PendingEvents, recordChanges } from './changes.ts';
import { getAccountById, resolveRecipient, sendableAddresses } from './accounts.ts';
import { ingest } from './deliver.ts';
import { enqueue } from './outbound.ts';
import { formatDate, headerText, newMessageId } from '../mail/headers.ts';
import { normalizeAddress } from '../mail/address.ts';
import { parseHeaders, headerValue } from '../mail/mimeparts.ts';
import { errorMessage } from '../util/errors.ts';
import MimeNode from 'nodemailer/lib/mime-node';
import { addressParser, decodeWords } from 'postal-mime';

export interface Vacation {
  isEnabled: boolean;
  fromDate: number | null;
  toDate: number | null;
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
}

export const REPLY_PERIOD_MS = 7 * 24 * 3600_000;

const OFF: Vacation = {
  isEnabled: false,
  fromDate: null,
  toDate: null,
  subject: null,
  textBody: null,
  htmlBody: null,
};

export async function getVacation(core: Core, accountId: number): Promise<Vacation> {
  const r = await core.db
    .selectFrom('vacation')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!r) return OFF;
  return {
    isEnabled: Number(r.is_enabled) === 1,
    fromDate: r.from_date === null ? null : Number(r.from_date),
    toDate: r.to_date === null ? null : Number(r.to_date),
    subject: r.subject,
    textBody: r.text_body,
    htmlBody: r.html_body,
  };
}

export async function setVacation(core: Core, accountId: number, v: Vacation): Promise<void> {
  const row = {
    is_enabled: v.isEnabled ? 1 : 0,
    from_date: v.fromDate,
    to_date: v.toDate,
    subject: v.subject,
    text_body: v.textBody,
    html_body: v.htmlBody,
    updated_at: Date.now(),
  };
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    const had = await trx
      .updateTable('vacation')
      .set(row)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (Number(had.numUpdatedRows) === 0)
      await trx
        .insertInto('vacation')
        .values({ account_id: accountId, ...row })
        .execute();
    // A new or changed response answers everyone again.
    await trx.deleteFrom('vacation_replies').where('account_id', '=', accountId).execute();
    await recordChanges(trx, accountId, modseq, [
      { type: 'VacationResponse', id: 'singleton', op: 'u' },
    ]);
    events.add(accountId, modseq, 'VacationResponse');
  });
  events.publish(core);
}

const pending = new WeakMap<Core, Set<Promise<void>>>();

/** Resolves once the replies started so far are sent (tests; a clean stop). */
export async function vacationIdle(core: Core): Promise<void> {
  await Promise.all([...(pending.get(core) ?? [])]);
}

/**
 * After a delivery: the accounts among `accountIds` whose response is on answer the sender.
 * Returns at once; the replies run on their own (vacationIdle waits for them).
 */
export function replyAfterDelivery(
  core: Core,
  accountIds: number[],
  raw: Uint8Array,
  sender: string,
): void {
  if (!sender || accountIds.length === 0) return;
  const p = (async () => {
    const now = Date.now();
    const on = await core.db
      .selectFrom('vacation')
      .select('account_id')
      .where('account_id', 'in', accountIds)
      .where('is_enabled', '=', 1)
      .execute();
    for (const { account_id } of on)
      await replyOne(core, Number(account_id), raw, sender, now).catch((err: unknown) =>
        core.log.warn({ err: errorMessage(err) }, 'vacation reply failed'),
      );
  })().catch((err: unknown) => core.log.warn({ err: errorMessage(err) }, 'vacation check failed'));
  let set = pending.get(core);
  if (!set) pending.set(core, (set = new Set()));
  set.add(p);
  void p.finally(() => set.delete(p));
}

function addressesIn(value: string | null): string[] {
  if (!value) return [];
  const out: string[] = [];
  const walk = (list: ReturnType<typeof addressParser>): void => {
    for (const a of list)
      if ('group' in a && Array.isArray(a.group)) walk(a.group);
      else if ('address' in a && a.address) out.push(normalizeAddress(a.address) ?? a.address);
  };
  try {
    walk(addressParser(value));
  } catch {
    /* an unreadable field names nobody */
  }
  return out;
}

async function replyOne(
  core: Core,
  accountId: number,
  raw: Uint8Array,
  envelopeSender: string,
  now: number,
): Promise<void> {
  const v = await getVacation(core, accountId);
  if (
    !v.isEnabled ||
    (v.fromDate !== null && now < v.fromDate) ||
    (v.toDate !== null && now >= v.toDate)
  )
    return;
  const headers = parseHeaders(headerText(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)));
  const h = (n: string): string | null => headerValue(headers, n);
  const auto = (h('auto-submitted') ?? 'no').trim().toLowerCase();
  if (!auto.startsWith('no')) return; // RFC 3834 §2
  if (headers.some((x) => x.name === 'list-id' || x.name.startsWith('list-'))) return;
  if (/^(bulk|list|junk)$/i.test((h('precedence') ?? '').trim())) return;
  const sender = normalizeAddress(envelopeSender);
  if (!sender || /^(mailer-daemon|postmaster|noreply|no-reply)@/i.test(sender)) return;
  const mine = await sendableAddresses(core, accountId);
  if (mine.includes(sender)) return;
  const named = [...addressesIn(h('to')), ...addressesIn(h('cc'))];
  if (!named.some((a) => mine.includes(a))) return; // §2: not to mail it was not sent to
  // Once per sender per period: the row is taken first, so two deliveries reply once.
  const since = now - REPLY_PERIOD_MS;
  const taken = await core.db.transaction().execute(async (trx) => {
    const last = await trx
      .selectFrom('vacation_replies')
      .select('sent_at')
      .where('account_id', '=', accountId)
      .where('sender', '=', sender)
      .executeTakeFirst();
    if (last && Number(last.sent_at) > since) return false;
    if (last)
      await trx
        .updateTable('vacation_replies')
        .set({ sent_at: now })
        .where('account_id', '=', accountId)
        .where('sender', '=', sender)
        .execute();
    else
      await trx
        .insertInto('vacation_replies')
        .values({ account_id: accountId, sender, sent_at: now })
        .execute();
    return true;
  });
  if (!taken) return;
  const account = await getAccountById(core, accountId);
  if (!account) return;
  const subject = v.subject ?? `Auto: ${decodeWords(h('subject') ?? '')}`.trim();
  const node = new MimeNode(
    v.htmlBody && v.textBody
      ? 'multipart/alternative'
      : v.htmlBody
        ? 'text/html; charset=utf-8'
        : 'text/plain; charset=utf-8',
    {
      hostname: core.config.hostname,
      newline: 'win',
    },
  );
  node.setHeader('From', { name: account.name, address: account.email });
  node.setHeader('To', sender);
  node.setHeader('Subject', subject);
  node.setHeader('Date', formatDate(new Date(now)));
  node.setHeader('Message-ID', { value: newMessageId(core.config.hostname), prepared: true });
  node.setHeader('Auto-Submitted', 'auto-replied'); // RFC 3834 §5
  const original = h('message-id');
  if (original) {
    node.setHeader('In-Reply-To', { value: original, prepared: true });
    node.setHeader('References', {
      value: `${h('references') ?? ''} ${original}`.trim(),
      prepared: true,
    });
  }
  if (v.htmlBody && v.textBody) {
    node.createChild('text/plain; charset=utf-8').setContent(v.textBody);
    node.createChild('text/html; charset=utf-8').setContent(v.htmlBody);
  } else node.setContent(v.htmlBody ?? v.textBody ?? '');
  const reply = await node.build();
  const local = await resolveRecipient(core, sender);
  if (local) await ingest(core, reply, [{ accountId: local.id }]);
  else
    await enqueue(core, { sender: '', recipients: [{ address: sender }], raw: reply, accountId });
}
