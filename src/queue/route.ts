// Where the queue sends mail for a domain: a static route from `queue.routes` (exact domain,
// then "*"), else the `queue.smarthost` relay, else the domain's MX (src/mail/mx.ts).
import type { Config } from '../core/config.ts';

export interface HostPort {
  host: string;
  port: number;
}

export type Route = { kind: 'static'; target: HostPort } | { kind: 'mx' };

/** Parses "host", "host:port", "[v6]:port" or "v6"; the port defaults to 25. */
export function parseHostPort(text: string, defaultPort = 25): HostPort {
  const t = text.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : defaultPort };
  const colons = t.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = t.split(':') as [string, string];
    return { host, port: Number(port) || defaultPort };
  }
  return { host: t, port: defaultPort };
}

export function routeFor(config: Config, domain: string): Route {
  const entries = Object.entries(config.queue.routes);
  const find = (name: string) => entries.find(([k]) => k.toLowerCase() === name)?.[1];
  const direct = find(domain.toLowerCase()) ?? find('*');
  if (direct) return { kind: 'static', target: parseHostPort(direct) };
  if (config.queue.smarthost)
    return { kind: 'static', target: parseHostPort(config.queue.smarthost) };
  return { kind: 'mx' };
}
