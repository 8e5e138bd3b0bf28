// Mail app set-up, so that a person types only their address and password:
//   GET  /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=…   Thunderbird (and
//   GET  /mail/config-v1.1.xml?emailaddress=…                          Evolution, K-9/Thunderbird
//        for Android, FairEmail) autoconfig, the second on autoconfig.DOMAIN
//   POST /autodiscover/autodiscover.xml                                Outlook's "POX"
//        autodiscover for IMAP/SMTP accounts (any letter case in the path)
//   GET  /api/account/mobileconfig                                     the signed-in person's
//        profile for the iPhone and iPad Mail app (com.apple.mail.managed)
//   GET  /api/account/client-settings                                  the same values as JSON,
//        for the web app's "mail apps" card
// The first two answer anyone, for the domains served here only, and say nothing about whether
// an address exists (the answer is the same for every address of a domain). No password is
// ever put in a profile: the phone asks for it.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientSettings, type ClientSettings, type Endpoint } from '../core/clientsettings.ts';
import type { Core } from '../core/core.ts';
import { isLocalDomain } from '../core/domains.ts';
import { signedIn, type HttpAuth } from './auth.ts';
import { BodyTooLarge, readBody, send, sendJson, sendProblem } from './respond.ts';

const AUTODISCOVER_MAX_BODY = 16 * 1024;
const XML_TYPE = 'application/xml; charset=utf-8';

/** XML text and attribute values (XML 1.0 §2.4). */
function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** A plausible domain name, lower-cased, or null. */
function domainName(s: string): string | null {
  const d = s.trim().toLowerCase().replace(/\.$/, '');
  return /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(
    d,
  )
    ? d
    : null;
}

function domainOfAddress(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at > 0 ? domainName(address.slice(at + 1)) : null;
}

/**
 * Thunderbird's autoconfig file (clientConfig 1.1, as described in Mozilla's "Autoconfiguration
 * in Thunderbird"): implicit TLS first (RFC 8314 §3.3), STARTTLS second; the user name is the
 * whole address (%EMAILADDRESS% is filled in by the client).
 */
export function autoconfigXml(domain: string, s: ClientSettings): string {
  const server = (kind: 'incomingServer' | 'outgoingServer', type: string, e: Endpoint): string =>
    [
      `    <${kind} type="${type}">`,
      `      <hostname>${esc(e.host)}</hostname>`,
      `      <port>${e.port}</port>`,
      `      <socketType>${e.security === 'tls' ? 'SSL' : 'STARTTLS'}</socketType>`,
      `      <username>%EMAILADDRESS%</username>`,
      `      <authentication>password-cleartext</authentication>`,
      `    </${kind}>`,
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${esc(domain)}">`,
    `    <domain>${esc(domain)}</domain>`,
    `    <displayName>${esc(domain)}</displayName>`,
    `    <displayShortName>${esc(domain)}</displayShortName>`,
    server('incomingServer', 'imap', s.imap),
    server('incomingServer', 'imap', s.imapStarttls),
    server('incomingServer', 'pop3', s.pop3),
    server('outgoingServer', 'smtp', s.smtp),
    server('outgoingServer', 'smtp', s.smtpStarttls),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}

const AUTODISCOVER_RESPONSE_NS =
  'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_RESPONSE_NS =
  'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** Outlook's POX autodiscover answer for an IMAP/SMTP account ([MS-OXDSCLI] §2.2.4). */
export function autodiscoverXml(address: string, s: ClientSettings): string {
  const protocol = (type: string, e: Endpoint): string =>
    [
      '      <Protocol>',
      `        <Type>${type}</Type>`,
      `        <Server>${esc(e.host)}</Server>`,
      `        <Port>${e.port}</Port>`,
      '        <DomainRequired>off</DomainRequired>',
      `        <LoginName>${esc(address)}</LoginName>`,
      '        <SPA>off</SPA>',
      `        <SSL>${e.security === 'tls' ? 'on' : 'off'}</SSL>`,
      `        <Encryption>${e.security === 'tls' ? 'SSL' : 'TLS'}</Encryption>`,
      '        <AuthRequired>on</AuthRequired>',
      '      </Protocol>',
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${AUTODISCOVER_RESPONSE_NS}">`,
    `  <Response xmlns="${OUTLOOK_RESPONSE_NS}">`,
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    protocol('IMAP', s.imap),
    protocol('SMTP', s.smtp),
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

function autodiscoverError(code: number, message: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${AUTODISCOVER_RESPONSE_NS}">`,
    '  <Response>',
    `    <Error Time="${new Date().toISOString().slice(11, 19)}" Id="1">`,
    `      <ErrorCode>${code}</ErrorCode>`,
    `      <Message>${esc(message)}</Message>`,
    '      <DebugData />',
    '    </Error>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

/** A UUID that is the same for every download of one account's profile (so it replaces). */
function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  // Shaped as a version-5-style name-based UUID (RFC 9562 §5.5): version and variant bits set.
  const v = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/**
 * The iPhone/iPad configuration profile (Apple's "Configuration Profile Reference",
 * com.apple.mail.managed payload): IMAP over TLS, SMTP over TLS, the same password for both,
 * asked for on the phone at installation. Unsigned: iOS shows it as "Not Verified".
 */
export function mobileconfigXml(
  account: { email: string; name: string },
  s: ClientSettings,
  hostname: string,
): string {
  const reverse = hostname.split('.').reverse().join('.');
  const str = (k: string, v: string): string =>
    `      <key>${k}</key>\n      <string>${esc(v)}</string>`;
  const int = (k: string, v: number): string =>
    `      <key>${k}</key>\n      <integer>${v}</integer>`;
  const bool = (k: string, v: boolean): string => `      <key>${k}</key>\n      <${v}/>`;
  const mail = [
    str('EmailAccountDescription', account.email),
    str('EmailAccountName', account.name || account.email),
    str('EmailAccountType', 'EmailTypeIMAP'),
    str('EmailAddress', account.email),
    str('IncomingMailServerAuthentication', 'EmailAuthPassword'),
    str('IncomingMailServerHostName', s.imap.host),
    int('IncomingMailServerPortNumber', s.imap.port),
    bool('IncomingMailServerUseSSL', true),
    str('IncomingMailServerUsername', account.email),
    str('OutgoingMailServerAuthentication', 'EmailAuthPassword'),
    str('OutgoingMailServerHostName', s.smtp.host),
    int('OutgoingMailServerPortNumber', s.smtp.port),
    bool('OutgoingMailServerUseSSL', true),
    str('OutgoingMailServerUsername', account.email),
    bool('OutgoingPasswordSameAsIncomingPassword', true),
    str('PayloadDisplayName', account.email),
    str('PayloadIdentifier', `${reverse}.mail.${account.email}`),
    str('PayloadType', 'com.apple.mail.managed'),
    str('PayloadUUID', stableUuid(hostname, account.email, 'mail')),
    int('PayloadVersion', 1),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>PayloadContent</key>',
    '  <array>',
    '    <dict>',
    ...mail,
    '    </dict>',
    '  </array>',
    '  <key>PayloadDisplayName</key>',
    `  <string>${esc(`${hostname}: ${account.email}`)}</string>`,
    '  <key>PayloadIdentifier</key>',
    `  <string>${esc(`${reverse}.profile.${account.email}`)}</string>`,
    '  <key>PayloadRemovalDisallowed</key>',
    '  <false/>',
    '  <key>PayloadType</key>',
    '  <string>Configuration</string>',
    '  <key>PayloadUUID</key>',
    `  <string>${stableUuid(hostname, account.email, 'profile')}</string>`,
    '  <key>PayloadVersion</key>',
    '  <integer>1</integer>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

export interface ClientSetupOptions {
  /** The ports the other doors really listen on (`champa serve` passes them). */
  listening?: Record<string, number>;
}

export function clientSetupRoutes(core: Core, auth: HttpAuth, opts: ClientSetupOptions = {}) {
  const settings = (): ClientSettings => clientSettings(core.config, opts.listening);
  const onlyGet = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    sendProblem(req, res, 405, 'about:blank', 'use GET', {}, { Allow: 'GET, HEAD' });
    return false;
  };

  async function autoconfig(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!onlyGet(req, res)) return;
    const address = url.searchParams.get('emailaddress');
    // Without an address (older clients), the domain is the Host's, less "autoconfig.".
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^autoconfig\./i, '');
    const domain = address !== null ? domainOfAddress(address) : domainName(host);
    if (!domain || !(await isLocalDomain(core, domain))) {
      sendProblem(req, res, 404, 'about:blank', 'no mail domain of that name is served here');
      return;
    }
    send(req, res, 200, autoconfigXml(domain, settings()), XML_TYPE, {
      'Cache-Control': 'public, max-age=3600',
    });
  }

  async function autodiscover(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      sendProblem(req, res, 405, 'about:blank', 'use POST', {}, { Allow: 'POST' });
      return;
    }
    let body: string;
    try {
      body = (await readBody(req, AUTODISCOVER_MAX_BODY)).toString('utf8');
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      sendProblem(req, res, 413, 'about:blank', err.message);
      return;
    }
    const m = /<(?:\w+:)?EMailAddress>\s*([^<\s]+)\s*<\/(?:\w+:)?EMailAddress>/i.exec(body);
    const address = m?.[1] ?? '';
    const domain = domainOfAddress(address);
    if (!domain) {
      send(req, res, 400, autodiscoverError(600, 'Invalid Request'), XML_TYPE);
      return;
    }
    if (!(await isLocalDomain(core, domain))) {
      send(
        req,
        res,
        404,
        autodiscoverError(500, 'No mail domain of that name is served here'),
        XML_TYPE,
      );
      return;
    }
    send(req, res, 200, autodiscoverXml(address, settings()), XML_TYPE, {
      'Cache-Control': 'no-store',
    });
  }

  return {
    async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      const path = url.pathname;
      if (
        path === '/.well-known/autoconfig/mail/config-v1.1.xml' ||
        path === '/mail/config-v1.1.xml'
      ) {
        await autoconfig(req, res, url);
        return true;
      }
      if (path.toLowerCase() === '/autodiscover/autodiscover.xml') {
        await autodiscover(req, res);
        return true;
      }
      if (path === '/api/account/client-settings') {
        if (!onlyGet(req, res)) return true;
        const account = await signedIn(auth, req, res);
        if (!account) return true;
        sendJson(req, res, 200, { email: account.email, ...settings() });
        return true;
      }
      if (path === '/api/account/mobileconfig') {
        if (!onlyGet(req, res)) return true;
        const account = await signedIn(auth, req, res);
        if (!account) return true;
        const file = `${account.email.replace(/[^A-Za-z0-9.@_-]/g, '_')}.mobileconfig`;
        send(
          req,
          res,
          200,
          mobileconfigXml(account, settings(), core.config.hostname),
          'application/x-apple-aspen-config',
          { 'Content-Disposition': `attachment; filename="${file}"`, 'Cache-Control': 'no-store' },
        );
        return true;
      }
      return false;
    },
  };
}
