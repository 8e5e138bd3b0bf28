// Email/copy (RFC 8621 §4.7, RFC 8620 §5.4) copies emails between two accounts. The source
// must differ from the target (§5.4; within one account Email/set changes mailboxIds), and a
// user reaches only their own account today, so every call is answered with the error the
// RFC names: invalidArguments for the same account, fromAccountNotFound for another.
import { z } from 'zod';
import { CAP_MAIL } from '../limits.ts';
import { jmapAccountId, mustAccount, parseArgs, type Method } from '../context.ts';
import { MethodError } from '../errors.ts';

const schema = z.object({
  fromAccountId: z.string(),
  ifFromInState: z.string().nullable().optional(),
  accountId: z.string(),
  ifInState: z.string().nullable().optional(),
  create: z.record(z.string(), z.record(z.string(), z.unknown())),
  onSuccessDestroyOriginal: z.boolean().optional(),
  destroyFromIfInState: z.string().nullable().optional(),
});

export const emailCopy: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    mustAccount(ctx, args.accountId);
    if (args.fromAccountId === jmapAccountId(ctx.account))
      throw new MethodError(
        'invalidArguments',
        'fromAccountId must differ from accountId; use Email/set to change mailboxIds',
      );
    throw new MethodError('fromAccountNotFound', `no account ${args.fromAccountId}`);
  },
};
