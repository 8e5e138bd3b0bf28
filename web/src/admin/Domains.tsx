// The served domains and, for global administrators, the DNS records each needs (MX, SPF,
// DKIM, DMARC, autoconfig…), with a live check of what the DNS answers now.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DomainDns, DomainInfo } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatNumber } from '../i18n/index.ts';
import { Spinner } from '../ui/Alert.tsx';
import { qs, useAdmin, useLoad } from './lib.ts';
import { Problem } from './parts.tsx';

export function Domains() {
  const { t } = useTranslation('admin');
  const { can } = useAdmin();
  const list = useLoad(
    (signal) => api<DomainInfo[]>('GET', '/api/admin/domains', undefined, { signal }),
    '',
  );
  return (
    <section>
      <h1>{t('domains.title')}</h1>
      <Problem error={list.error} />
      {list.loading && !list.data && <Spinner label={t('loading')} />}
      {list.data?.map((d) => (
        <div className="card" key={d.name}>
          <div className="adm-head">
            <h2 className="adm-break">
              {d.name}{' '}
              {d.disabled && <span className="badge adm-badge-off">{t('users.disabled')}</span>}
            </h2>
            <span className="muted">{t('domains.accounts', { n: formatNumber(d.accounts) })}</span>
          </div>
          {can('domain.manage') && <DnsRecords domain={d.name} />}
        </div>
      ))}
    </section>
  );
}

function DnsRecords({ domain }: { domain: string }) {
  const { t } = useTranslation('admin');
  const [shown, setShown] = useState<DomainDns | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const load = (check: boolean): void => {
    setBusy(true);
    setError(null);
    api<DomainDns>(
      'GET',
      `/api/admin/domains/${encodeURIComponent(domain)}/dns${qs({ check: check ? 'true' : undefined })}`,
    )
      .then(setShown, setError)
      .finally(() => setBusy(false));
  };
  return (
    <>
      <div className="adm-actions start">
        <button className="button" onClick={() => load(false)} disabled={busy}>
          {t('domains.records')}
        </button>
        <button className="button primary" onClick={() => load(true)} disabled={busy}>
          {busy ? t('domains.checking') : t('domains.check')}
        </button>
      </div>
      <Problem error={error} />
      {shown && (
        <div className="adm-table-wrap">
          <table className="adm-table adm-dns">
            <thead>
              <tr>
                <th>{t('domains.name')}</th>
                <th>{t('domains.type')}</th>
                <th>{t('domains.value')}</th>
                {shown.checked && <th>{t('domains.status')}</th>}
              </tr>
            </thead>
            <tbody>
              {shown.records.map((r) => (
                <tr key={r.name + r.type + r.value}>
                  <td data-label={t('domains.name')}>
                    <code className="adm-dns-name">{r.name}</code>
                    <div className="muted">{r.purpose}</div>
                  </td>
                  <td data-label={t('domains.type')}>{r.type}</td>
                  <td data-label={t('domains.value')} className="adm-break">
                    <code>{r.value}</code>
                  </td>
                  {shown.checked && (
                    <td data-label={t('domains.status')}>
                      <span className={`badge adm-dns-${r.status ?? 'error'}`}>
                        {t(`domains.statuses.${r.status ?? 'error'}`)}
                      </span>
                      {r.status === 'different' && r.found && (
                        <div className="muted adm-break">{r.found.join(' · ')}</div>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
