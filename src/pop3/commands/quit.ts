// QUIT (RFC 1939 §4, §6). In AUTHORIZATION it only signs off. In TRANSACTION it enters the
// UPDATE state: the messages marked deleted leave the INBOX through core (one change-log
// entry, seen by IMAP and JMAP), then the connection closes. If that fails, -ERR says so and
// nothing is lost.
import { maildropOf } from './common.ts';
import type { CommandHandler } from './index.ts';

export const quit: CommandHandler = {
  states: ['AUTHORIZATION', 'TRANSACTION'],
  async run(s) {
    if (s.state === 'TRANSACTION') {
      s.state = 'UPDATE';
      const drop = maildropOf(s);
      try {
        await drop.commit();
      } catch (e) {
        s.ctx.log.error({ ip: s.ip, user: s.account, err: String(e) }, 'pop3 update failed');
        await s.err('some deleted messages were not removed', 'SYS/TEMP');
        s.end();
        return;
      }
      await s.ok(`Champa POP3 server signing off (${drop.stat().count} messages left)`);
    } else await s.ok('Champa POP3 server signing off');
    s.end();
  },
};
