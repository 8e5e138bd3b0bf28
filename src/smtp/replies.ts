// SMTP replies with exact enhanced status codes (RFC 3463, RFC 2034), on top of smtp-server.
// smtp-server picks the enhanced code from the reply code alone (554 → 5.6.0, 550 → 5.1.1);
// our handlers need the precise one (554 5.7.1 relay denied, 452 4.2.2 mailbox full…).
// A handler fails with `smtpError(code, 'x.y.z', text)`; `DoorServer` sends such a text's
// leading code instead of the guessed one. It also keeps two promises of RFC 3207 / 4954:
// AUTH is not advertised before TLS on a door that wants TLS first, and AUTH before TLS is
// answered 530 5.7.0 (RFC 3207 §4) rather than smtp-server's 538.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

export interface SmtpError extends Error {
  responseCode: number;
}

/** An error for an smtp-server callback: "554 5.7.1 Relaying denied". */
export function smtpError(code: number, enhanced: string, text: string): SmtpError {
  const e = new Error(`${enhanced} ${text}`) as SmtpError;
  e.responseCode = code;
  return e;
}

const EXPLICIT = /^([245]\.\d{1,3}\.\d{1,3}) ([^]*)$/;

export interface DoorServerOptions extends SMTPServerOptions {
  /** Leave AUTH out of EHLO until the connection is encrypted. */
  authAfterTls?: boolean;
}

function patchConnection(conn: SMTPConnection, authAfterTls: boolean): void {
  const send = conn.send.bind(conn);
  conn.send = (code: number, data?: string | string[] | null, context?: string | false): void => {
    if (code === 538) {
      // RFC 3207 §4: "530 Must issue a STARTTLS command first".
      return send(530, '5.7.0 Must issue a STARTTLS command first', false);
    }
    if (authAfterTls && !conn.secure && code === 250 && Array.isArray(data))
      return send(
        code,
        data.filter((line) => !/^AUTH\b/i.test(line)),
        context,
      );
    if (typeof data === 'string') {
      const m = EXPLICIT.exec(data);
      if (m) {
        const text = conn._useEnhancedStatusCodes() ? data : (m[2] ?? '');
        return send(code, text, false);
      }
    }
    return send(code, data, context);
  };
}

/** An SMTPServer whose connections speak the replies above. */
export class DoorServer extends SMTPServer {
  constructor(options: DoorServerOptions) {
    super(options);
    const authAfterTls = options.authAfterTls ?? false;
    const connections = new Set<SMTPConnection>();
    const add = connections.add.bind(connections);
    connections.add = (conn: SMTPConnection) => {
      patchConnection(conn, authAfterTls);
      return add(conn);
    };
    this.connections = connections;
  }
}
