// STARTTLS (RFC 9051 §6.2.1) on port 143. Clear text the client pipelined after the command
// is dropped (it could be injected), and the session forgets everything learnt before TLS.
import { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { statusLine } from '../proto/writer.ts';
import type { Handler } from './types.ts';

export const starttls: Handler<'STARTTLS'> = {
  states: ['notauth'],
  async run(s, _args, tag) {
    if (s.secure || !s.starttls) {
      s.send(statusLine(tag, 'BAD', null, 'TLS is already active'));
      return;
    }
    s.detach();
    s.send(statusLine(tag, 'OK', null, 'Begin TLS negotiation now'));
    s.flush(); // in clear, before the TLS layer takes the socket
    const tls = new TLSSocket(s.socket as Socket, {
      isServer: true,
      secureContext: s.ctx.secureContext,
    });
    tls.on('error', () => s.close());
    await new Promise<void>((resolve) => {
      tls.once('secure', () => resolve());
      tls.once('close', () => resolve());
    });
    if (!tls.destroyed) s.upgrade(tls);
  },
};
