// COMPRESS DEFLATE (RFC 4978): after the tagged OK, both directions are raw DEFLATE streams
// (the session's `compress`). Allowed once, after login (so over TLS already: compression sits
// above TLS, and no STARTTLS can follow). A second COMPRESS gets [COMPRESSIONACTIVE].
import { statusLine } from '../proto/writer.ts';
import { AUTHED, type Handler } from './types.ts';

export const compress: Handler<'COMPRESS'> = {
  states: AUTHED,
  async run(s, args, tag) {
    if (args.mechanism !== 'DEFLATE') {
      await s.finish(tag, 'NO', 'CANNOT', 'Only DEFLATE is supported');
      return;
    }
    if (s.compressed) {
      await s.finish(tag, 'NO', 'COMPRESSIONACTIVE', 'Already compressing');
      return;
    }
    // Pending mailbox updates go out before compression starts, then the OK in clear.
    if (s.selected) await s.selected.view.sync(s, s.mayExpunge);
    s.send(statusLine(tag, 'OK', null, 'DEFLATE active'));
    s.compress();
  },
};
