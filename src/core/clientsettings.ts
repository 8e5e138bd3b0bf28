// What a mail app needs to know to reach this server: one host name (the certificate's) and,
// for each protocol, the port and how TLS starts. One answer serves Thunderbird's autoconfig,
// Outlook's autodiscover, the iPhone profile and the web app's "mail apps" card
// (http/clientsetup.ts), so they can never disagree.
// Ports: `listen.publicPorts` when a firewall forwards the standard ports elsewhere, else the
// port the door really listens on (also when the config said 0), else the configured one.
import type { ClientSettings, Endpoint } from '../api/account.ts';
import { portOf, type Config, type Door } from './config.ts';

export type { ClientSettings, Endpoint };

type ClientDoor = Extract<Door, 'imaps' | 'imap' | 'pop3s' | 'submissions' | 'submission'>;

export function clientSettings(
  cfg: Config,
  listening: Partial<Record<string, number>> = {},
): ClientSettings {
  const at = (door: ClientDoor, security: Endpoint['security']): Endpoint => ({
    host: cfg.hostname,
    port: cfg.listen.publicPorts[door] ?? listening[door] ?? portOf(cfg, door),
    security,
  });
  return {
    imap: at('imaps', 'tls'),
    imapStarttls: at('imap', 'starttls'),
    pop3: at('pop3s', 'tls'),
    smtp: at('submissions', 'tls'),
    smtpStarttls: at('submission', 'starttls'),
  };
}
