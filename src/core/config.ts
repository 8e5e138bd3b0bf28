// The server's configuration: one JSON file in the data folder (`champa.json`), validated at
// start. This zod schema is the single source of truth: every field carries its description,
// and `docs/config.md` is generated from it (`npm run docs:config`).
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { isTimeZone } from '../util/timezone.ts';
import { UserError } from '../util/errors.ts';

export const CONFIG_FILE = 'champa.json';

const port = z.number().int().min(0).max(65535);

export const configSchema = z
  .object({
    hostname: z
      .string()
      .min(1)
      .describe(
        "The server's own host name: the SMTP greeting, the TLS certificate, the MX target.",
      ),
    primaryDomain: z.string().min(1).describe('The first mail domain, created by `champa init`.'),
    timeZone: z
      .string()
      .default('UTC')
      .refine(isTimeZone, 'not a time zone name such as "Asia/Vientiane" or "UTC"')
      .describe(
        'The organisation\'s time zone (an IANA name such as "Asia/Vientiane"): IMAP shows when messages arrived in it, and IMAP date searches (SINCE, ON, BEFORE) count its days, so a message that came at 06:00 in Vientiane is found on that day.',
      ),
    database: z
      .string()
      .default('sqlite:champa.db')
      .describe(
        'Metadata store: `sqlite:PATH` (relative to the data folder) or a `postgres://` URL for clusters.',
      ),
    blobDir: z
      .string()
      .default('blobs')
      .describe('Folder of message blobs, relative to the data folder.'),
    listen: z
      .object({
        address: z.string().default('0.0.0.0').describe('Address every door listens on.'),
        portBase: z
          .number()
          .int()
          .min(0)
          .max(55000)
          .default(0)
          .describe(
            'Ports are portBase+25 (MX), +465, +587, +143, +993, +110, +995, +80, +443; 0 means the standard ports.',
          ),
        ports: z
          .object({
            smtp: port.optional().describe('SMTP MX (default portBase+25).'),
            submissions: port.optional().describe('Submission over TLS (default portBase+465).'),
            submission: port
              .optional()
              .describe('Submission with STARTTLS (default portBase+587).'),
            imap: port.optional().describe('IMAP with STARTTLS (default portBase+143).'),
            imaps: port.optional().describe('IMAP over TLS (default portBase+993).'),
            pop3: port.optional().describe('POP3 with STLS (default portBase+110).'),
            pop3s: port.optional().describe('POP3 over TLS (default portBase+995).'),
            http: port.optional().describe('HTTP (default portBase+80).'),
            https: port.optional().describe('HTTPS (default portBase+443).'),
          })
          .default({})
          .describe('Per-door port overrides; 0 here picks any free port (tests).'),
        publicPorts: z
          .object({
            submissions: port.optional(),
            submission: port.optional(),
            imap: port.optional(),
            imaps: port.optional(),
            pop3: port.optional(),
            pop3s: port.optional(),
          })
          .default({})
          .describe(
            'Ports mail apps are told to use (Thunderbird autoconfig, Outlook autodiscover, the iPhone profile) when a firewall forwards the standard ports to other ones; default: the ports listened on.',
          ),
      })
      .default({ address: '0.0.0.0', portBase: 0, ports: {}, publicPorts: {} }),
    tls: z
      .object({
        cert: z
          .string()
          .default('tls/cert.pem')
          .describe('PEM certificate chain, relative to the data folder.'),
        key: z
          .string()
          .default('tls/key.pem')
          .describe('PEM private key, relative to the data folder.'),
      })
      .default({ cert: 'tls/cert.pem', key: 'tls/key.pem' }),
    dns: z
      .object({
        servers: z
          .array(z.string())
          .default([])
          .describe(
            'DNS resolvers as "ip" or "ip:port"; empty means the system resolver. For air-gapped sites and tests.',
          ),
      })
      .default({ servers: [] }),
    smtp: z
      .object({
        maxMessageSize: z
          .number()
          .int()
          .positive()
          .default(50 * 1024 * 1024)
          .describe('Largest message accepted, in bytes (SIZE).'),
        maxRecipients: z
          .number()
          .int()
          .positive()
          .default(1000)
          .describe('Most RCPT TO per transaction.'),
        maxConnectionsPerIp: z
          .number()
          .int()
          .positive()
          .default(30)
          .describe('Concurrent connections from one address.'),
        messagesPerIpPerMinute: z
          .number()
          .int()
          .positive()
          .default(600)
          .describe('Messages accepted from one address per minute on the MX.'),
        authFailuresBeforeBlock: z
          .number()
          .int()
          .positive()
          .default(10)
          .describe('Failed AUTH attempts from one address before a 10-minute block.'),
        loopbackIsTrusted: z
          .boolean()
          .default(false)
          .describe('Treat 127.0.0.0/8 as a trusted relay (for local scripts). Off by default.'),
        spamCommand: z.string().optional().describe('Reserved: an external spam filter hook.'),
      })
      .default({
        maxMessageSize: 50 * 1024 * 1024,
        maxRecipients: 1000,
        maxConnectionsPerIp: 30,
        messagesPerIpPerMinute: 600,
        authFailuresBeforeBlock: 10,
        loopbackIsTrusted: false,
      }),
    queue: z
      .object({
        routes: z
          .record(z.string(), z.string())
          .default({})
          .describe(
            'Static routes: destination domain → "host:port" (or "*" for every domain), bypassing MX lookup.',
          ),
        smarthost: z
          .string()
          .optional()
          .describe('Send all outbound mail through this "host:port" relay.'),
        retryDays: z
          .number()
          .positive()
          .default(5)
          .describe('Days to keep retrying before a bounce.'),
        delayNoticeHours: z
          .number()
          .positive()
          .default(4)
          .describe('Hours after which the sender is told that mail is delayed.'),
        concurrencyPerDomain: z
          .number()
          .int()
          .positive()
          .default(4)
          .describe('Parallel deliveries to one destination domain.'),
        backoffMinutes: z
          .array(z.number().positive())
          .default([1, 5, 15, 30, 60, 120, 240])
          .describe('Waits between attempts; the last repeats.'),
        requireTls: z
          .boolean()
          .default(false)
          .describe('Refuse to deliver without STARTTLS (opportunistic when false).'),
      })
      .default({
        routes: {},
        retryDays: 5,
        delayNoticeHours: 4,
        concurrencyPerDomain: 4,
        backoffMinutes: [1, 5, 15, 30, 60, 120, 240],
        requireTls: false,
      }),
    security: z
      .object({
        lockoutThreshold: z
          .number()
          .int()
          .positive()
          .default(10)
          .describe(
            'Failed sign-ins of one account (from any address, on any door) before it is locked.',
          ),
        lockoutBaseSeconds: z
          .number()
          .int()
          .positive()
          .default(60)
          .describe('Length of the first lock; each further lock doubles it.'),
        lockoutMaxSeconds: z
          .number()
          .int()
          .positive()
          .default(3600)
          .describe('Longest lock. The doubling restarts after a day without failures.'),
        passwordMinLength: z
          .number()
          .int()
          .min(8)
          .max(128)
          .default(10)
          .describe(
            'Shortest password accepted; common passwords and ones containing the user name are refused too.',
          ),
        allowPlaintextOnLoopback: z
          .boolean()
          .default(false)
          .describe(
            'Let connections from 127.0.0.0/8 or ::1 sign in without TLS on IMAP 143 and POP3 110 (local scripts, webmail on the same host). Never for other addresses; SMTP submission stays TLS-only. Off by default.',
          ),
      })
      .default({
        lockoutThreshold: 10,
        lockoutBaseSeconds: 60,
        lockoutMaxSeconds: 3600,
        passwordMinLength: 10,
        allowPlaintextOnLoopback: false,
      }),
    jmap: z
      .object({
        undoSendSeconds: z
          .number()
          .int()
          .min(0)
          .max(600)
          .default(10)
          .describe(
            'Seconds a message sent from the web app (JMAP EmailSubmission) is held before it leaves, so the sender can undo it.',
          ),
        uploadTtlHours: z
          .number()
          .positive()
          .default(24)
          .describe(
            'Hours an upload (JMAP blob upload) not yet used by an email is kept before it is dropped.',
          ),
        submissionDays: z
          .number()
          .positive()
          .default(30)
          .describe(
            'Days a sent or canceled JMAP EmailSubmission (the record of a message sent from the web app, with its delivery status) is kept before it is removed (RFC 8621 §7 lets the server delete them). The sent message itself stays in Sent.',
          ),
        pushAllowPrivateAddresses: z
          .boolean()
          .default(false)
          .describe(
            'Let JMAP push subscriptions (RFC 8620 §7.2) post to private, loopback, link-local and other non-public addresses. Off by default: a push URL whose host resolves to any such address gets nothing, so a user cannot make the server call its own network. Turn on only for a closed intranet whose push service has a private address, or for tests.',
          ),
      })
      .default({
        undoSendSeconds: 10,
        uploadTtlHours: 24,
        submissionDays: 30,
        pushAllowPrivateAddresses: false,
      }),
    changes: z
      .object({
        tombstoneDays: z
          .number()
          .positive()
          .default(90)
          .describe(
            'Days to keep the change history (the log of what changed and the records of removed messages) that lets clients sync only what changed (IMAP QRESYNC, CONDSTORE, JMAP /changes). A client last synced before that resyncs in full.',
          ),
      })
      .default({ tombstoneDays: 90 }),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info')
          .describe('Least severe level written to the log (JSON lines on standard output).'),
      })
      .default({ level: 'info' }),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

export interface LoadedConfig extends Config {
  /** Absolute path of the data folder. */
  dataDir: string;
}

/** Environment variables that override the file (documented in docs/config.md). */
export const ENV_OVERRIDES: Record<string, string> = {
  CHAMPA_DATABASE: 'database',
  CHAMPA_PORT_BASE: 'listen.portBase',
  CHAMPA_LISTEN_ADDRESS: 'listen.address',
  CHAMPA_DNS_SERVERS: 'dns.servers (comma-separated)',
  CHAMPA_LOG_LEVEL: 'log.level',
};

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const obj = (k: string): Record<string, unknown> => {
    const v = raw[k];
    if (v && typeof v === 'object') return v as Record<string, unknown>;
    const o: Record<string, unknown> = {};
    raw[k] = o;
    return o;
  };
  if (env.CHAMPA_DATABASE) raw.database = env.CHAMPA_DATABASE;
  if (env.CHAMPA_PORT_BASE) obj('listen').portBase = Number(env.CHAMPA_PORT_BASE);
  if (env.CHAMPA_LISTEN_ADDRESS) obj('listen').address = env.CHAMPA_LISTEN_ADDRESS;
  if (env.CHAMPA_DNS_SERVERS)
    obj('dns').servers = env.CHAMPA_DNS_SERVERS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (env.CHAMPA_LOG_LEVEL) obj('log').level = env.CHAMPA_LOG_LEVEL;
}

/** Validates a parsed config object; errors name the key and what is expected. */
export function parseConfig(
  raw: unknown,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): LoadedConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new UserError(
      'config',
      `${join(dataDir, CONFIG_FILE)}: the file must hold a JSON object`,
    );
  const copy = structuredClone(raw) as Record<string, unknown>;
  applyEnv(copy, env);
  const r = configSchema.safeParse(copy);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const key = i.path.join('.') || '(top level)';
      return `  ${key}: ${i.message}`;
    });
    throw new UserError(
      'config',
      `${join(dataDir, CONFIG_FILE)} is not valid:\n${lines.join('\n')}\nFix these keys (see docs/config.md) and start again.`,
    );
  }
  return { ...r.data, dataDir: resolve(dataDir) };
}

export function loadConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = join(dataDir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(
      'config',
      `no Champa data folder at ${resolve(dataDir)} (missing ${CONFIG_FILE}); create one with "champa init --data ${dataDir} --domain DOMAIN"`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError('config', `${file}: not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, dataDir, env);
}

/** A path from the config, relative to the data folder unless absolute. */
export function dataPath(cfg: LoadedConfig, p: string): string {
  return isAbsolute(p) ? p : join(cfg.dataDir, p);
}

/** The database URL with a relative sqlite path made absolute. */
export function databaseUrl(cfg: LoadedConfig): string {
  if (cfg.database.startsWith('sqlite:')) return `sqlite:${dataPath(cfg, cfg.database.slice(7))}`;
  return cfg.database;
}

export type Door =
  'smtp' | 'submissions' | 'submission' | 'imap' | 'imaps' | 'pop3' | 'pop3s' | 'http' | 'https';

const STANDARD: Record<Door, number> = {
  smtp: 25,
  submissions: 465,
  submission: 587,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  http: 80,
  https: 443,
};

/** The port a door listens on: an explicit override, else portBase + the standard port. */
export function portOf(cfg: Config, door: Door): number {
  const o = cfg.listen.ports[door];
  if (o !== undefined) return o;
  return cfg.listen.portBase + STANDARD[door];
}
