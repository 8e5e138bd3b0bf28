// /api/admin/… for running the service: the dashboard, the mail queue, message trace, the
// audit log, domains and their DNS records, API keys, and "who am I". Queue actions and DNS
// are global administrators' (core/roles.ts); trace and audit are auditors' too, cut to reach.
import { NewApiKey, type AdminMe, type DomainDns, type DomainInfo } from '../../api/schemas.ts';
import { pageAudit } from '../../core/adminquery.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../core/apikeys.ts';
import { audit } from '../../core/audit.ts';
import { dashboard, startOfDayUtc } from '../../core/dashboard.ts';
import { recordsFor, resolverFor, splitIps } from '../../core/domaindns.ts';
import { getDomain, listDomains } from '../../core/domains.ts';
import { listQueue, removeQueued, retryQueue } from '../../core/outbound.ts';
import {
  ADMIN_ACTIONS,
  authorize,
  grantsOf,
  performAdmin,
  reach,
  type AdminAction,
} from '../../core/roles.ts';
import { traceMail } from '../../core/trace.ts';
import { normalizeUnitPath } from '../../core/units.ts';
import { checkRecords } from '../../mail/dnsrecords.ts';
import { ForbiddenError, UserError } from '../../util/errors.ts';
import { problem } from '../../util/problems.ts';
import { BadRequest, fieldError, parse } from '../input.ts';
import {
  bool,
  int,
  json,
  noContent,
  readable,
  rolesOf,
  time,
  type Ctx,
  type Handler,
} from './context.ts';

function queueId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new BadRequest([fieldError('id', problem('queueIdInvalid'))]);
  return Number(text);
}

/** API keys are for administrators: an account holding no role may not make one. */
async function mustHoldRole(c: Ctx, action: string): Promise<void> {
  if (c.account && (await grantsOf(c.core, c.account)).length > 0) return;
  await audit(
    c.core,
    c.actor,
    action,
    { accountId: c.account?.id },
    { reason: 'no role' },
    'denied',
  );
  throw new ForbiddenError(problem('apiKeysNeedRole'));
}

export const opsHandlers: Record<string, Handler> = {
  async me(c) {
    const a = c.account!;
    const reaches: Record<string, 'all' | string[]> = {};
    for (const action of ADMIN_ACTIONS) reaches[action] = await reach(c.core, c.actor, action);
    const out: AdminMe = {
      email: a.email,
      name: a.name,
      unit: a.unit_path,
      via: c.via ?? 'basic',
      roles: await rolesOf(c.core, a),
      reach: reaches,
    };
    return json(200, out);
  },

  async dashboard(c) {
    const r = (action: AdminAction) => reach(c.core, c.actor, action);
    const reaches = {
      accounts: await r('account.read'),
      units: await r('unit.read'),
      queue: await r('queue.manage'),
      trace: await r('trace.read'),
    };
    if (Object.values(reaches).every((x) => x !== 'all' && x.length === 0))
      await authorize(c.core, c.actor, 'account.read');
    const since = time(c.query.since, 'since') ?? startOfDayUtc();
    return json(200, await dashboard(c.core, reaches, since));
  },

  async listQueue(c) {
    await readable(c, 'queue.manage');
    const all = bool(c.query.all) ?? false;
    const offset = int(c.query.offset) ?? 0;
    const limit = Math.min(Math.max(int(c.query.limit) ?? 100, 1), 1000);
    const rows = await listQueue(c.core, { all, limit: offset + limit });
    let count = c.core.db.selectFrom('queue_recipients');
    if (!all) count = count.where('status', '=', 'queued');
    const total = Number(
      (await count.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0,
    );
    return json(200, { items: rows.slice(offset), total, offset, limit });
  },

  async retryQueueAll(c) {
    const n = await performAdmin(
      c.core,
      c.actor,
      'queue.manage',
      { label: 'queue:all' },
      () => retryQueue(c.core),
      { op: 'retry' },
    );
    return json(200, { recipients: n });
  },

  async retryQueued(c) {
    const id = queueId(c.params.id!);
    const n = await performAdmin(
      c.core,
      c.actor,
      'queue.manage',
      { label: `queue:${id}` },
      () => retryQueue(c.core, id),
      { op: 'retry' },
    );
    return json(200, { recipients: n });
  },

  async deleteQueued(c) {
    const id = queueId(c.params.id!);
    const n = await performAdmin(
      c.core,
      c.actor,
      'queue.manage',
      { label: `queue:${id}` },
      () => removeQueued(c.core, id),
      { op: 'remove' },
    );
    return json(200, { recipients: n });
  },

  async trace(c) {
    const where = await readable(c, 'trace.read');
    const page = await traceMail(c.core, where, {
      sender: c.query.sender,
      recipient: c.query.recipient,
      event: c.query.event as Parameters<typeof traceMail>[2]['event'],
      since: time(c.query.since, 'since'),
      until: time(c.query.until, 'until'),
      offset: int(c.query.offset),
      limit: int(c.query.limit),
    });
    return json(200, page);
  },

  async audit(c) {
    const where = await readable(c, 'audit.read');
    const page = await pageAudit(c.core, where, {
      actor: c.query.actor,
      action: c.query.action,
      outcome: c.query.outcome as 'ok' | 'denied' | 'error' | undefined,
      unit: c.query.unit === undefined ? undefined : normalizeUnitPath(c.query.unit),
      since: time(c.query.since, 'since'),
      until: time(c.query.until, 'until'),
      offset: int(c.query.offset),
      limit: int(c.query.limit),
    });
    return json(200, {
      ...page,
      items: page.items.map(({ unitPath, ...rest }) => ({ ...rest, unit: unitPath })),
    });
  },

  async listDomains(c) {
    await readable(c, 'account.read');
    const out: DomainInfo[] = (await listDomains(c.core)).map((d) => ({
      name: d.name,
      accounts: Number(d.accounts),
      disabled: d.disabled === 1,
      dkimSelector: d.dkim_selector,
      createdAt: Number(d.created_at),
    }));
    return json(200, out);
  },

  async domainDns(c) {
    const name = c.params.name!.toLowerCase();
    await authorize(c.core, c.actor, 'domain.manage', { domain: name });
    const d = await getDomain(c.core, name);
    if (!d) throw new UserError('not_found', problem('domainNotFound', { domain: name }));
    const ips = c.query.ip
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const records = recordsFor(c.core.config, d, splitIps(ips));
    const checked = bool(c.query.check) ?? false;
    const out: DomainDns = {
      domain: d.name,
      checked,
      records: checked ? await checkRecords(records, resolverFor(c.core.config)) : records,
    };
    return json(200, out);
  },

  async listApiKeys(c) {
    await mustHoldRole(c, 'apikey.list');
    return json(200, await listApiKeys(c.core, c.account!.id));
  },

  async createApiKey(c) {
    const k = parse(NewApiKey, c.body);
    if (c.via === 'apikey') {
      await audit(
        c.core,
        c.actor,
        'apikey.create',
        { accountId: c.account!.id },
        { reason: 'signed in with a key' },
        'denied',
      );
      throw new ForbiddenError(problem('apiKeyCannotMakeKeys'));
    }
    await mustHoldRole(c, 'apikey.create');
    const created = await createApiKey(c.core, c.account!.id, {
      label: k.label,
      expiresAt: k.expiresAt ?? null,
    });
    await audit(
      c.core,
      c.actor,
      'apikey.create',
      { email: c.account!.email },
      {
        id: created.id,
        label: created.label,
        expiresAt: created.expiresAt,
      },
    );
    return json(201, created);
  },

  async revokeApiKey(c) {
    const id = c.params.id!;
    if (!(await revokeApiKey(c.core, c.account!.id, id)))
      throw new UserError('not_found', problem('apiKeyNotFound', { id }));
    await audit(c.core, c.actor, 'apikey.revoke', { email: c.account!.email }, { id });
    return noContent();
  },
};
