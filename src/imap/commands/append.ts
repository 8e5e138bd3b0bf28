// APPEND (RFC 9051 §6.3.12, APPENDUID RFC 4315 §3): the message goes through core's one
// ingest path (durable before OK), into the named mailbox with the given flags as keywords
// and the given internal date. A message with UTF-8 headers (RFC 6532) comes as
// `UTF8 (~{n}…)` once UTF8=ACCEPT is enabled (RFC 6855 §4) and is stored as it is. Parts
// holding NUL octets (sent as literal8, RFC 3516 §4.4) are stored in base64.
import { ingest } from '../../core/deliver.ts';
import { permit, resolveMailbox } from '../access.ts';
import { flagToKeyword } from '../../mail/keywords.ts';
import { encodeNulParts } from '../../mail/nulparts.ts';
import { AUTHED, type Handler } from './types.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** date-time " 7-Feb-2024 10:00:00 +0700" → epoch milliseconds. */
export function parseDateTime(s: string): number | null {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(s);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  if (month < 0) return null;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '-' ? -1 : 1);
  const t = utc - offset;
  return Number.isFinite(t) ? t : null;
}

export const append: Handler<'APPEND'> = {
  states: AUTHED,
  async run(s, args, tag) {
    if (args.utf8 && !s.utf8) {
      await s.finish(tag, 'BAD', null, 'APPEND UTF8 needs ENABLE UTF8=ACCEPT first');
      return;
    }
    const ref = await resolveMailbox(s, s.decodeName(args.mailbox));
    if (!ref) {
      await s.finish(tag, 'NO', 'TRYCREATE', 'No such mailbox');
      return;
    }
    if (!(await permit(s, tag, ref, 'i'))) return; // RFC 4314 §4: APPEND needs i
    const { accountId, mailbox: mb } = ref;
    const keywords = args.flags.map(flagToKeyword).filter((k): k is string => k !== null);
    const receivedAt = args.date ? parseDateTime(args.date) : Date.now();
    if (receivedAt === null) {
      await s.finish(tag, 'BAD', null, 'Invalid date-time');
      return;
    }
    if (args.message.length === 0) {
      await s.finish(tag, 'NO', null, 'Empty message');
      return;
    }
    // RFC 3516 §4.4: parts with NUL octets (a literal8) are kept in base64, so BODY[] can
    // send them; a NUL that cannot be re-encoded is refused.
    const message = encodeNulParts(args.message);
    if (!message) {
      await s.finish(tag, 'NO', 'UNKNOWN-CTE', 'NUL octets outside a part that can hold them');
      return;
    }
    const [r] = await ingest(
      s.core,
      message,
      [{ accountId, mailbox: mb.name, keywords, ignoreQuota: false }],
      { receivedAt },
    );
    if (!r?.ok) {
      const code = r?.error === 'over_quota' ? 'OVERQUOTA' : null;
      await s.finish(tag, 'NO', code, `APPEND failed: ${r?.error ?? 'unknown'}`);
      return;
    }
    await s.finish(tag, 'OK', `APPENDUID ${Number(mb.uid_validity)} ${r.uid}`, 'APPEND completed');
  },
};
