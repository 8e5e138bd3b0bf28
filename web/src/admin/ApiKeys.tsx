// API keys for scripts: each acts with its owner's roles. Make one (the key is shown only
// then), see when each was last used, revoke it.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiKey, CreatedApiKey } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatDate } from '../i18n/index.ts';
import { Spinner } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { dayStart, useLoad } from './lib.ts';
import { Confirm, Problem, ShownOnce } from './parts.tsx';

const date = (ms: number): string => formatDate(ms, { dateStyle: 'medium' });

export function ApiKeys() {
  const { t } = useTranslation('admin');
  const list = useLoad(
    (signal) => api<ApiKey[]>('GET', '/api/admin/apikeys', undefined, { signal }),
    '',
  );
  const [label, setLabel] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setError(null);
    const at = dayStart(expires);
    api<CreatedApiKey>('POST', '/api/admin/apikeys', { label: label.trim(), expiresAt: at }).then(
      (k) => {
        setCreated(k);
        setLabel('');
        setExpires('');
        list.reload();
      },
      setError,
    );
  };
  return (
    <section>
      <h1>{t('keys.title')}</h1>
      <p className="muted">{t('keys.intro')}</p>
      <form className="card adm-filters" onSubmit={submit}>
        <Field
          label={t('keys.label')}
          required
          value={label}
          onChange={(e) => setLabel(e.target.value)}
        />
        <Field
          label={t('keys.expires')}
          hint={t('keys.expiresHint')}
          type="date"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
        />
        <div className="adm-filter-submit">
          <button className="button primary">{t('keys.create')}</button>
        </div>
      </form>
      <Problem error={error} />
      {created && (
        <ShownOnce label={t('keys.created', { label: created.label })} value={created.key} />
      )}
      <Problem error={list.error} />
      {list.loading && !list.data && <Spinner label={t('loading')} />}
      {list.data && list.data.length === 0 && <p className="muted">{t('keys.none')}</p>}
      {list.data && list.data.length > 0 && (
        <div className="adm-table-wrap">
          <table className="adm-table">
            <thead>
              <tr>
                <th>{t('keys.label')}</th>
                <th>{t('keys.createdAt')}</th>
                <th>{t('keys.expires')}</th>
                <th>{t('keys.lastUsed')}</th>
                <th>
                  <span className="visually-hidden">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((k) => (
                <tr key={k.id}>
                  <td data-label={t('keys.label')} className="adm-break">
                    {k.label}
                  </td>
                  <td data-label={t('keys.createdAt')}>{date(k.createdAt)}</td>
                  <td data-label={t('keys.expires')}>
                    {k.expiresAt ? date(k.expiresAt) : t('keys.never')}
                  </td>
                  <td data-label={t('keys.lastUsed')}>
                    {k.lastUsedAt ? date(k.lastUsedAt) : t('keys.neverUsed')}
                  </td>
                  <td className="adm-cell-actions">
                    <button className="button danger" onClick={() => setRevoking(k)}>
                      {t('keys.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <Confirm
          title={t('keys.revokeTitle')}
          text={t('keys.revokeText', { label: revoking.label })}
          action={t('keys.revoke')}
          onCancel={() => setRevoking(null)}
          onDone={async () => {
            await api('DELETE', `/api/admin/apikeys/${encodeURIComponent(revoking.id)}`);
            setRevoking(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
