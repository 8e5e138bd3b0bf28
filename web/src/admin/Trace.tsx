// Message trace over the delivery log: by sender, recipient, kind of event and dates, what
// happened to each message (accepted, delivered, deferred, bounced, rejected, relayed) and why.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Page, TraceEvent } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatDate } from '../i18n/index.ts';
import { Spinner } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { dayStart, qs, useLoad } from './lib.ts';
import { DateRangeApply, Pager, Problem, SelectField } from './parts.tsx';

const EVENTS = ['accepted', 'delivered', 'deferred', 'bounced', 'rejected', 'relayed'] as const;
const DAY = 86_400_000;

interface Filters {
  sender: string;
  recipient: string;
  event: string;
  since: string;
  until: string;
}

export function Trace() {
  const { t } = useTranslation('admin');
  const empty: Filters = { sender: '', recipient: '', event: '', since: '', until: '' };
  const [form, setForm] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const [offset, setOffset] = useState(0);
  const until = dayStart(filters.until);
  const query = qs({
    sender: filters.sender.trim(),
    recipient: filters.recipient.trim(),
    event: filters.event,
    since: dayStart(filters.since),
    until: until === undefined ? undefined : until + DAY,
    offset,
    limit: 50,
  });
  const page = useLoad(
    (signal) => api<Page<TraceEvent>>('GET', `/api/admin/trace${query}`, undefined, { signal }),
    query,
  );
  const set = (k: keyof Filters) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setFilters(form);
    setOffset(0);
  };
  return (
    <section>
      <h1>{t('trace.title')}</h1>
      <form className="adm-filters" onSubmit={submit}>
        <Field
          label={t('trace.sender')}
          value={form.sender}
          onChange={(e) => set('sender')(e.target.value)}
        />
        <Field
          label={t('trace.recipient')}
          value={form.recipient}
          onChange={(e) => set('recipient')(e.target.value)}
        />
        <SelectField
          label={t('trace.event')}
          value={form.event}
          onChange={set('event')}
          options={[
            { value: '', label: t('trace.anyEvent') },
            ...EVENTS.map((e) => ({ value: e, label: t(`trace.events.${e}`) })),
          ]}
        />
        <DateRangeApply since={form.since} until={form.until} onChange={(k, v) => set(k)(v)} />
      </form>
      <Problem error={page.error} />
      {page.loading && !page.data && <Spinner label={t('loading')} />}
      {page.data && (
        <>
          {page.data.items.length === 0 && <p className="muted">{t('trace.none')}</p>}
          {page.data.items.length > 0 && (
            <div className="adm-table-wrap">
              <table className="adm-table">
                <thead>
                  <tr>
                    <th>{t('trace.when')}</th>
                    <th>{t('trace.event')}</th>
                    <th>{t('trace.sender')}</th>
                    <th>{t('trace.recipient')}</th>
                    <th>{t('trace.detail')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.items.map((ev) => (
                    <tr key={ev.id}>
                      <td data-label={t('trace.when')}>
                        {formatDate(ev.at, { dateStyle: 'short', timeStyle: 'medium' })}
                      </td>
                      <td data-label={t('trace.event')}>
                        <span className={`badge adm-ev-${ev.event}`}>
                          {t(`trace.events.${ev.event}`, ev.event)}
                        </span>
                      </td>
                      <td data-label={t('trace.sender')} className="adm-break">
                        {ev.sender || '<>'}
                      </td>
                      <td data-label={t('trace.recipient')} className="adm-break">
                        {ev.recipient}
                      </td>
                      <td data-label={t('trace.detail')} className="adm-break">
                        {ev.detail}
                        {ev.remote && <div className="muted">{ev.remote}</div>}
                        {ev.messageId && <div className="muted">{ev.messageId}</div>}
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
    </section>
  );
}
