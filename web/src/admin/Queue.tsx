// The outbound mail queue (global administrators): each waiting recipient with its attempts
// and last error; make one message (or all) due now, or drop a message without delivering it.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueEntry, Page } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatBytes, formatDate, formatNumber } from '../i18n/index.ts';
import { Alert, Spinner } from '../ui/Alert.tsx';
import { qs, useLoad } from './lib.ts';
import { Confirm, Pager, Problem } from './parts.tsx';

const when = (ms: number): string => formatDate(ms, { dateStyle: 'short', timeStyle: 'short' });

export function Queue() {
  const { t } = useTranslation('admin');
  const [offset, setOffset] = useState(0);
  const [all, setAll] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [dropping, setDropping] = useState<QueueEntry | null>(null);
  const query = qs({ all: all ? 'true' : undefined, offset, limit: 50 });
  const page = useLoad(
    (signal) => api<Page<QueueEntry>>('GET', `/api/admin/queue${query}`, undefined, { signal }),
    query,
  );
  const run = (p: Promise<{ recipients: number }>): void => {
    setError(null);
    setNotice('');
    p.then((r) => {
      setNotice(t('queue.affected', { n: formatNumber(r.recipients) }));
      page.reload();
    }, setError);
  };
  return (
    <section>
      <div className="adm-head">
        <h1>{t('queue.title')}</h1>
        <div className="adm-head-actions">
          <label className="adm-check">
            <input
              type="checkbox"
              checked={all}
              onChange={(e) => {
                setAll(e.target.checked);
                setOffset(0);
              }}
            />
            {t('queue.showAll')}
          </label>
          <button className="button" onClick={() => run(api('POST', '/api/admin/queue/retry'))}>
            {t('queue.retryAll')}
          </button>
        </div>
      </div>
      <Problem error={error ?? page.error} />
      {notice && <Alert kind="ok">{notice}</Alert>}
      {page.loading && !page.data && <Spinner label={t('loading')} />}
      {page.data && (
        <>
          {page.data.items.length === 0 && <p className="muted">{t('queue.empty')}</p>}
          {page.data.items.length > 0 && (
            <div className="adm-table-wrap">
              <table className="adm-table">
                <thead>
                  <tr>
                    <th>{t('queue.sender')}</th>
                    <th>{t('queue.recipient')}</th>
                    <th>{t('queue.status')}</th>
                    <th>{t('queue.attempts')}</th>
                    <th>{t('queue.next')}</th>
                    <th>{t('queue.lastError')}</th>
                    <th>
                      <span className="visually-hidden">{t('actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.items.map((q) => (
                    <tr key={`${q.queueId}-${q.recipient}`}>
                      <td data-label={t('queue.sender')} className="adm-break">
                        {q.sender || t('queue.bounce')}
                        <div className="muted">
                          #{q.queueId} · {formatBytes(q.size)} · {when(q.createdAt)}
                        </div>
                      </td>
                      <td data-label={t('queue.recipient')} className="adm-break">
                        {q.recipient}
                      </td>
                      <td data-label={t('queue.status')}>
                        {t(`queue.state.${q.status}`, q.status)}
                      </td>
                      <td data-label={t('queue.attempts')}>{formatNumber(q.attempts)}</td>
                      <td data-label={t('queue.next')}>{when(q.nextAttemptAt)}</td>
                      <td data-label={t('queue.lastError')} className="adm-break">
                        {q.lastError ?? '—'}
                      </td>
                      <td className="adm-cell-actions">
                        {q.status === 'queued' && (
                          <button
                            className="button"
                            onClick={() => run(api('POST', `/api/admin/queue/${q.queueId}/retry`))}
                          >
                            {t('queue.retry')}
                          </button>
                        )}
                        <button className="button danger" onClick={() => setDropping(q)}>
                          {t('delete')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager page={page.data} onOffset={setOffset} />
        </>
      )}
      {dropping && (
        <Confirm
          title={t('queue.deleteTitle')}
          text={t('queue.deleteText', { id: dropping.queueId, sender: dropping.sender || '<>' })}
          action={t('delete')}
          onCancel={() => setDropping(null)}
          onDone={async () => {
            const r = await api<{ recipients: number }>(
              'DELETE',
              `/api/admin/queue/${dropping.queueId}`,
            );
            setDropping(null);
            setNotice(t('queue.affected', { n: formatNumber(r.recipients) }));
            page.reload();
          }}
        />
      )}
    </section>
  );
}
