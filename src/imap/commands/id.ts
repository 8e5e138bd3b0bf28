// ID (RFC 2971): the server names itself; what the client says is logged at debug level.
import { raw } from '../proto/writer.ts';
import { ANY, type Handler } from './types.ts';

export const id: Handler<'ID'> = {
  states: ANY,
  async run(s, args, tag) {
    if (args.params) s.ctx.log.debug({ ip: s.ip, client: args.params }, 'imap client id');
    s.untagged([raw('ID'), ['name', 'Champa', 'vendor', 'Champa']]);
    await s.finish(tag, 'OK', null, 'ID completed');
  },
};
