// Blob/copy (RFC 8620 §6.3). A user reaches only their own account today, so a copy names
// the same account on both sides: every blob the account reads is copied as itself (blob ids
// are content names), others are notFound; any other account is fromAccountNotFound.
import { z } from 'zod';
import { CAP_CORE } from '../limits.ts';
import { jmapAccountId, mustAccount, parseArgs, type Method } from '../context.ts';
import { MethodError, type SetError } from '../errors.ts';
import { readBlob } from '../blobs.ts';

const schema = z.object({
  fromAccountId: z.string(),
  accountId: z.string(),
  blobIds: z.array(z.string()),
});

export const blobCopy: Method = {
  capability: CAP_CORE,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    if (args.fromAccountId !== jmapAccountId(ctx.account))
      throw new MethodError('fromAccountNotFound', `no account ${args.fromAccountId}`);
    const copied: Record<string, string> = {};
    const notCopied: Record<string, SetError> = {};
    for (const id of args.blobIds)
      if (await readBlob(ctx.core, accountId, id)) copied[id] = id;
      else notCopied[id] = { type: 'notFound' };
    return {
      fromAccountId: args.fromAccountId,
      accountId: args.accountId,
      copied: Object.keys(copied).length > 0 ? copied : null,
      notCopied: Object.keys(notCopied).length > 0 ? notCopied : null,
    };
  },
};
