// CLOSE and UNSELECT (RFC 9051 §6.4.1, §6.4.2): CLOSE silently expunges \Deleted messages of a
// mailbox opened read-write; UNSELECT does not. Both return to the authenticated state.
import { canExpunge, expungeDeleted } from './expunge.ts';
import { SELECTED, type Handler } from './types.ts';

export const close: Handler<'CLOSE' | 'UNSELECT'> = {
  states: SELECTED,
  async run(s, args, tag) {
    const sel = s.selected!;
    // RFC 4314 §4: CLOSE expunges only with the e right, and then silently.
    if (args.name === 'CLOSE' && !sel.readOnly && (await canExpunge(s)))
      await expungeDeleted(s, null, false);
    s.selected = null;
    s.state = 'auth';
    await s.finish(tag, 'OK', null, `${args.name} completed`);
  },
};
