// One delivery attempt for a group of recipients (one message, one domain). Says what
// happened to each recipient; deciding retries and notices is the worker's job.
// Local recipients (a bounce to one of our own senders) go through `ingest()`, no SMTP hop.
// Remote: static route or smarthost, else MX hosts in order (RFC 5321 §5.1), each host's
// addresses in turn until one answers; once a peer has answered MAIL/RCPT/DATA, its replies
// are final for this attempt (other MXs are tried only when a peer cannot be reached).
import type { QueueMessage, QueueRecipient } from '../store/schema.ts';
import type { Core } from '../core/core.ts';
import { ingest } from '../core/deliver.ts';
import { resolveRecipient } from '../core/accounts.ts';
import { lookupMx, resolveHost, type MxResolver } from '../mail/mx.ts';
import { statusOfReply } from '../mail/dsn.ts';
import { errorMessage, UserError } from '../util/errors.ts';
import { routeFor, type HostPort } from './route.ts';
import { SessionError, SmtpSession, type Batch } from './client.ts';

export interface Outcome {
  kind: 'delivered' | 'deferred' | 'bounced';
  /** Enhanced status code (RFC 3463). */
  status: string;
  /** The peer's reply or our own reason, one line, e.g. "550 5.1.1 no such user". */
  diagnostic: string;
  /** The host that answered, for Remote-MTA and the log ("mx.example [192.0.2.1]"). */
  remote: string | null;
  remoteHost: string | null;
  /** Delivered to a peer without DSN support: we report success ourselves ("relayed"). */
  relayed?: boolean;
}

export interface GroupContext {
  core: Core;
  resolver: MxResolver;
  /** Addresses tried per attempt, across all MX hosts. */
  maxAddresses?: number;
  /** Port of MX hosts, 25 unless a test says otherwise. */
  mxPort?: number | undefined;
}

const all = (rows: QueueRecipient[], o: Outcome) => new Map(rows.map((r) => [r.id, o]));

function fromReply(code: number, reply: string, remoteHost: string, remote: string): Outcome {
  if (code === 0)
    return { kind: 'deferred', status: '4.4.2', diagnostic: reply, remote, remoteHost };
  const status = statusOfReply(code, reply);
  const kind = code < 300 ? 'delivered' : code >= 500 ? 'bounced' : 'deferred';
  return { kind, status, diagnostic: reply, remote, remoteHost };
}

export async function deliverLocal(
  ctx: GroupContext,
  rows: QueueRecipient[],
  raw: Buffer,
  now: number,
): Promise<Map<number, Outcome>> {
  const out = new Map<number, Outcome>();
  const byAccount = new Map<number, QueueRecipient[]>();
  for (const r of rows) {
    const a = await resolveRecipient(ctx.core, r.recipient);
    if (!a) {
      out.set(r.id, {
        kind: 'bounced',
        status: '5.1.1',
        diagnostic: '550 5.1.1 no such mailbox here',
        remote: null,
        remoteHost: null,
      });
      continue;
    }
    const list = byAccount.get(Number(a.id)) ?? [];
    list.push(r);
    byAccount.set(Number(a.id), list);
  }
  if (byAccount.size === 0) return out;
  const local = (kind: Outcome['kind'], status: string, diagnostic: string): Outcome => ({
    kind,
    status,
    diagnostic,
    remote: null,
    remoteHost: null,
  });
  try {
    const results = await ingest(
      ctx.core,
      raw,
      // The mailbox the door filed it for (Junk after a spam verdict), else the inbox.
      [...byAccount].map(([accountId, list]) => {
        const role = list.find((r) => r.mailbox)?.mailbox;
        return role ? { accountId, role } : { accountId };
      }),
      { receivedAt: now },
    );
    for (const res of results) {
      const o = res.ok
        ? local('delivered', '2.0.0', '250 2.0.0 delivered to a local mailbox')
        : res.error === 'over_quota'
          ? local('deferred', '4.2.2', '452 4.2.2 mailbox full')
          : res.error === 'no_account'
            ? local('bounced', '5.1.1', '550 5.1.1 no such mailbox here')
            : local('deferred', '4.3.0', '451 4.3.0 mailbox unavailable');
      for (const r of byAccount.get(res.accountId) ?? []) out.set(r.id, o);
    }
  } catch (err) {
    const o =
      err instanceof UserError && err.code === 'not_found'
        ? local('bounced', '5.1.1', '550 5.1.1 no such mailbox here')
        : local('deferred', '4.3.0', `451 4.3.0 local delivery failed: ${errorMessage(err)}`);
    for (const list of byAccount.values()) for (const r of list) out.set(r.id, o);
  }
  return out;
}

/** The hosts to try, or the outcome for everyone when DNS already decides. */
async function targets(ctx: GroupContext, domain: string): Promise<HostPort[] | Outcome> {
  const route = routeFor(ctx.core.config, domain);
  if (route.kind === 'static') return [route.target];
  const mx = await lookupMx(ctx.resolver, domain);
  const fail = (kind: Outcome['kind'], status: string, diagnostic: string): Outcome => ({
    kind,
    status,
    diagnostic,
    remote: null,
    remoteHost: null,
  });
  switch (mx.kind) {
    case 'nullmx': // RFC 7505 §4.2
      return fail('bounced', '5.1.10', `556 5.1.10 ${domain} does not accept mail (null MX)`);
    case 'nodomain':
      return fail('bounced', '5.1.2', `550 5.1.2 domain ${domain} does not exist`);
    case 'temporary':
      return fail('deferred', '4.4.3', `451 4.4.3 ${mx.reason}`);
    case 'hosts':
      return mx.hosts.map((host) => ({ host, port: ctx.mxPort ?? 25 }));
  }
}

/** Splits recipients by their DSN parameters: nodemailer sends one set per envelope. */
function batches(
  msg: QueueMessage,
  rows: QueueRecipient[],
  raw: Buffer,
): Map<string, Batch & { rows: QueueRecipient[] }> {
  const out = new Map<string, Batch & { rows: QueueRecipient[] }>();
  for (const r of rows) {
    const key = `${r.notify ?? ''}|${r.orcpt ?? ''}`;
    let b = out.get(key);
    if (!b) {
      b = {
        from: msg.sender,
        to: [],
        notify: r.notify,
        orcpt: r.orcpt,
        envId: msg.env_id,
        ret: msg.ret,
        raw,
        rows: [],
      };
      out.set(key, b);
    }
    b.to.push(r.recipient);
    b.rows.push(r);
  }
  return out;
}

export async function deliverRemote(
  ctx: GroupContext,
  msg: QueueMessage,
  domain: string,
  rows: QueueRecipient[],
  raw: Buffer,
): Promise<Map<number, Outcome>> {
  const hosts = await targets(ctx, domain);
  if (!Array.isArray(hosts)) return all(rows, hosts);
  const cfg = ctx.core.config;
  const opts = { name: cfg.hostname, requireTls: cfg.queue.requireTls };
  let budget = ctx.maxAddresses ?? 10;
  let lastError = `no address found for ${domain}`;
  for (const hp of hosts) {
    const addrs = await resolveHost(ctx.resolver, hp.host);
    if (addrs.kind === 'temporary') {
      lastError = addrs.reason;
      continue;
    }
    if (addrs.addresses.length === 0) lastError = `${hp.host} has no address`;
    for (const address of addrs.addresses) {
      if (budget-- <= 0) break;
      const remote =
        hp.host === address ? `[${address}]:${hp.port}` : `${hp.host} [${address}]:${hp.port}`;
      let session: SmtpSession;
      try {
        session = await SmtpSession.open({ address, port: hp.port, host: hp.host }, opts);
      } catch (err) {
        lastError = `${remote}: ${err instanceof SessionError ? err.message : errorMessage(err)}`;
        continue;
      }
      const out = new Map<number, Outcome>();
      try {
        for (const b of batches(msg, rows, raw).values()) {
          if (!session.usable) {
            for (const r of b.rows)
              out.set(r.id, fromReply(0, `${remote}: connection lost`, hp.host, remote));
            continue;
          }
          const res = await session.send(b);
          b.rows.forEach((r, i) => {
            const rep = res.replies[i]!;
            const o = fromReply(rep.code, rep.reply, hp.host, remote);
            if (o.kind === 'delivered' && !res.peerDsn) o.relayed = true;
            out.set(r.id, o);
          });
        }
      } finally {
        session.close();
      }
      return out;
    }
  }
  return all(rows, {
    kind: 'deferred',
    status: '4.4.1',
    diagnostic: `421 4.4.1 ${lastError}`,
    remote: null,
    remoteHost: null,
  });
}
