// AUTHENTICATE PLAIN (RFC 9051 §6.2.2, RFC 4616) with SASL-IR (RFC 4959): the initial response
// may come with the command; otherwise the server sends an empty "+" and reads one line.
// "*" cancels (BAD, §6.2.2).
import { actsAsItself, decodePlain } from '../../mail/sasl.ts';
import { continuation } from '../proto/writer.ts';
import { signIn } from './login.ts';
import type { Handler } from './types.ts';

export const authenticate: Handler<'AUTHENTICATE'> = {
  states: ['notauth'],
  async run(s, args, tag) {
    if (args.mechanism !== 'PLAIN') {
      await s.finish(tag, 'NO', 'CANNOT', 'Only AUTHENTICATE PLAIN is supported');
      return;
    }
    if (!s.mayLogin) {
      await s.finish(tag, 'NO', 'PRIVACYREQUIRED', 'Use STARTTLS first');
      return;
    }
    let response = args.initial;
    if (response === null) {
      s.send(continuation(''));
      const line = await s.nextLine();
      if (line === null) return;
      response = line.toString('latin1').trim();
      if (response === '*') {
        await s.finish(tag, 'BAD', null, 'Authentication cancelled');
        return;
      }
    }
    const creds = response === '=' ? null : decodePlain(response);
    if (!creds || !actsAsItself(creds)) {
      s.ctx.authFailures.fail(s.ip);
      await s.finish(tag, 'NO', 'AUTHENTICATIONFAILED', 'Authentication failed');
      return;
    }
    await signIn(s, tag, creds.authcid, creds.password);
  },
};
