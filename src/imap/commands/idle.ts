// IDLE (RFC 2177, RFC 9051 §6.3.13): "+ idling", then changes of the selected mailbox are
// pushed as they happen: the change bus wakes the session, which reports EXISTS, EXPUNGE and
// FETCH FLAGS, until the client sends DONE.
import { continuation } from '../proto/writer.ts';
import { AUTHED, type Handler } from './types.ts';

export const idle: Handler<'IDLE'> = {
  states: AUTHED,
  async run(s, _args, tag) {
    let busy = Promise.resolve();
    const push = (): void => {
      busy = busy
        .then(async () => {
          if (s.selected && !s.closed) await s.selected.view.sync(s, true);
        })
        .catch((err: unknown) => s.ctx.log.warn({ err }, 'imap idle sync failed'));
    };
    const unsubscribe = s.core.bus.subscribe(s.selected?.view.accountId ?? s.account!.id, push);
    s.send(continuation('idling'));
    push();
    try {
      for (;;) {
        const line = await s.nextLine();
        if (line === null) return;
        if (line.toString('latin1').trim().toUpperCase() === 'DONE') break;
        await busy;
        await s.finish(tag, 'BAD', null, 'Expected DONE');
        return;
      }
    } finally {
      unsubscribe();
    }
    await busy.catch(() => undefined);
    await s.finish(tag, 'OK', null, 'IDLE terminated');
  },
};
