// SearchSnippet/get (RFC 8621 §5.1): for each email, its subject and a piece of its body
// with the words of the filter's text, subject and body conditions marked (snippet.ts).
// The body is the email's textBody (HTML as text), read from the blob.
import { z } from 'zod';
import { emailsByIds } from '../../core/messages.ts';
import { htmlToText } from '../../mail/htmltext.ts';
import { partText } from '../../mail/partcontent.ts';
import { CAP_MAIL, CORE_LIMITS } from '../limits.ts';
import { idSchema, mustAccount, parseArgs, type Method } from '../context.ts';
import { MethodError } from '../errors.ts';
import { structureOf } from '../blobs.ts';
import { bodyLists, bodyTree } from '../bodystructure.ts';
import { filterTerms, markPreview, markSubject } from '../snippet.ts';

const schema = z.object({
  accountId: z.string(),
  filter: z.record(z.string(), z.unknown()).nullable().optional(),
  emailIds: z.array(idSchema),
});

export const searchSnippetGet: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    if (args.emailIds.length > CORE_LIMITS.maxObjectsInGet)
      throw new MethodError('requestTooLarge', `at most ${CORE_LIMITS.maxObjectsInGet} emails`);
    const subjectTerms = filterTerms(args.filter, ['text', 'subject']);
    const bodyTerms = filterTerms(args.filter, ['text', 'body']);
    const rows = await emailsByIds(ctx.core.db, accountId, args.emailIds);
    const list: Record<string, unknown>[] = [];
    const notFound: string[] = [];
    for (const id of args.emailIds) {
      const r = rows.get(id);
      if (!r) {
        notFound.push(id);
        continue;
      }
      let preview: string | null = null;
      if (bodyTerms.size > 0) {
        const buf = await ctx.core.blobs.get(r.blobHash);
        const { textBody } = bodyLists(bodyTree(await structureOf(ctx.core, r.blobHash, buf)));
        const text = textBody
          .filter((n) => n.info.type === 'text')
          .map((n) => {
            const t = partText(buf, n.info).text;
            return n.info.subtype === 'html' ? htmlToText(t) : t;
          })
          .join('\n');
        preview = markPreview(text, bodyTerms);
      }
      list.push({ emailId: id, subject: markSubject(r.subject, subjectTerms), preview });
    }
    return { accountId: args.accountId, list, notFound: notFound.length > 0 ? notFound : null };
  },
};
