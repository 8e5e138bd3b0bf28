// Identity/get (RFC 8621 §6.1): one identity per address the user may send as (the account
// address and its aliases, core/accounts.ts sendableAddresses). Ids are stable: "I" + the
// address in base64url. Identity/set (names, signatures) comes with the web app.
import { sendableAddresses } from '../../core/accounts.ts';
import { accountModseq } from '../../core/messages.ts';
import { CAP_SUBMISSION } from '../limits.ts';
import { mustAccount, parseArgs, stateOf, type Method } from '../context.ts';
import { checkIdsLimit, getSchema, pick, properties } from '../get.ts';

const KNOWN = [
  'id',
  'name',
  'email',
  'replyTo',
  'bcc',
  'textSignature',
  'htmlSignature',
  'mayDelete',
];

export const identityGet: Method = {
  capability: CAP_SUBMISSION,
  async run(ctx, raw) {
    const args = parseArgs(getSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    checkIdsLimit(args.ids);
    const props = properties(args.properties, KNOWN);
    const addresses = await sendableAddresses(ctx.core, accountId);
    const all = addresses.map((email) => ({
      id: 'I' + Buffer.from(email, 'utf8').toString('base64url').slice(0, 250),
      name: ctx.account.name,
      email,
      replyTo: null,
      bcc: null,
      textSignature: '',
      htmlSignature: '',
      mayDelete: false,
    }));
    const found = new Map(all.map((i) => [i.id, i]));
    const wanted = args.ids ?? all.map((i) => i.id);
    return {
      accountId: args.accountId,
      state: stateOf(await accountModseq(ctx.core.db, accountId)),
      list: wanted.filter((id) => found.has(id)).map((id) => pick(found.get(id)!, props)),
      notFound: wanted.filter((id) => !found.has(id)),
    };
  },
};
