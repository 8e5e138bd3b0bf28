// AUTH (RFC 5034): SASL sign-in, PLAIN only (RFC 4616), after TLS only. With no argument it
// lists the mechanisms (the older RFC 1734 form some clients still send). The initial response
// may come on the command line ("=" for an empty one); otherwise the server sends "+ " and
// reads one response line, where "*" cancels (RFC 5034 §4).
import { actsAsItself, decodePlain } from '../../mail/sasl.ts';
import { splitArgs } from '../proto/command.ts';
import { challenge, multiline } from '../proto/reply.ts';
import { login, refusedWithoutTls } from '../login.ts';
import type { CommandHandler } from './index.ts';

export const auth: CommandHandler = {
  states: ['AUTHORIZATION'],
  async run(s, rest) {
    const args = splitArgs(rest);
    if (args.length === 0)
      return s.write(multiline('SASL mechanisms follow', s.mayLogin ? ['PLAIN'] : []));
    if (await refusedWithoutTls(s)) return;
    const [mech, initial, extra] = args as [string, string | undefined, string | undefined];
    if (mech.toUpperCase() !== 'PLAIN' || extra !== undefined)
      return s.err('unsupported authentication mechanism');
    let response = initial;
    if (response === undefined) {
      await s.write(challenge());
      const line = await s.nextLine();
      if (!line) return;
      if (line.tooLong) return s.err('response too long', 'AUTH');
      response = line.text;
      if (response === '*') return s.err('authentication cancelled');
    }
    const creds = response === '=' ? null : decodePlain(response);
    if (!creds) return s.err('malformed PLAIN response', 'AUTH');
    if (!actsAsItself(creds)) {
      s.ctx.authFailures.fail(s.ip);
      return s.err('authentication failed', 'AUTH');
    }
    await login(s, creds.authcid, creds.password);
  },
};
