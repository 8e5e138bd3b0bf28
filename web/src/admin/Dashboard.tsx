// The dashboard: accounts, storage, units, the queue, today's mail and failed sign-ins, each
// as far as the administrator's roles reach (the server sends null for what is not theirs).
import { useTranslation } from 'react-i18next';
import type { Dashboard as Figures } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatBytes, formatDate, formatNumber } from '../i18n/index.ts';
import { Spinner } from '../ui/Alert.tsx';
import { useAdmin, useLoad } from './lib.ts';
import { Problem } from './parts.tsx';

function Tile({ label, value, sub }: { label: string; value: string; sub?: string | undefined }) {
  return (
    <div className="adm-tile">
      <div className="adm-tile-label">{label}</div>
      <div className="adm-tile-value">{value}</div>
      {sub && <div className="muted">{sub}</div>}
    </div>
  );
}

export function Dashboard() {
  const { t } = useTranslation('admin');
  const { me } = useAdmin();
  const d = useLoad(
    (signal) => api<Figures>('GET', '/api/admin/dashboard', undefined, { signal }),
    '',
  );
  const f = d.data;
  return (
    <section>
      <h1>{t('dashboard.title')}</h1>
      <p className="muted">
        {t('dashboard.you', {
          name: me.name || me.email,
          roles: me.roles.map((r) => `${t(`role.${r.role}`)} ${r.unit}`).join(', '),
        })}
      </p>
      <Problem error={d.error} />
      {!f && d.loading && <Spinner label={t('loading')} />}
      {f && (
        <div className="adm-tiles">
          {f.accounts && (
            <Tile
              label={t('dashboard.accounts')}
              value={formatNumber(f.accounts.total)}
              sub={t('dashboard.disabled', { n: formatNumber(f.accounts.disabled) })}
            />
          )}
          {f.accounts && (
            <Tile
              label={t('dashboard.storage')}
              value={formatBytes(f.accounts.storageBytes)}
              sub={
                f.accounts.quotaBytes > 0
                  ? t('dashboard.ofQuota', { quota: formatBytes(f.accounts.quotaBytes) })
                  : undefined
              }
            />
          )}
          {f.units !== null && <Tile label={t('dashboard.units')} value={formatNumber(f.units)} />}
          {f.queue && (
            <Tile
              label={t('dashboard.queue')}
              value={formatNumber(f.queue.waiting)}
              sub={
                f.queue.oldestAt
                  ? t('dashboard.oldest', {
                      when: formatDate(f.queue.oldestAt, {
                        dateStyle: 'medium',
                        timeStyle: 'short',
                      }),
                    })
                  : t('dashboard.retrying', { n: formatNumber(f.queue.retrying) })
              }
            />
          )}
          {f.mail && (
            <Tile
              label={t('dashboard.mailToday')}
              value={formatNumber(f.mail.accepted + f.mail.relayed)}
              sub={t('dashboard.mailDetail', {
                delivered: formatNumber(f.mail.delivered),
                deferred: formatNumber(f.mail.deferred),
                bounced: formatNumber(f.mail.bounced),
              })}
            />
          )}
          {f.failedSignIns !== null && (
            <Tile label={t('dashboard.failedSignIns')} value={formatNumber(f.failedSignIns)} />
          )}
        </div>
      )}
    </section>
  );
}
