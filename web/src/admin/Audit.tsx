// The audit log (global administrators and auditors): every administrative action and every
// refusal, newest first, filtered by actor, action (a prefix with "." or "*"), outcome, unit and
// dates, a page at a time.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry, Page } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatDate } from '../i18n/index.ts';
import { Spinner } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { dayStart, qs, useLoad } from './lib.ts';
import { DateRangeApply, Pager, Problem, SelectField, UnitField, useUnits } from './parts.tsx';

const DAY = 86_400_000;

interface Filters {
  actor: string;
  action: string;
  outcome: string;
  unit: string;
  since: string;
  until: string;
}

export function Audit() {
  const { t } = useTranslation('admin');
  const units = useUnits();
  const empty: Filters = { actor: '', action: '', outcome: '', unit: '', since: '', until: '' };
  const [form, setForm] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const [offset, setOffset] = useState(0);
  const until = dayStart(filters.until);
  const query = qs({
    actor: filters.actor.trim(),
    action: filters.action.trim(),
    outcome: filters.outcome,
    unit: filters.unit.trim(),
    since: dayStart(filters.since),
    until: until === undefined ? undefined : until + DAY,
    offset,
    limit: 50,
  });
  const page = useLoad(
    (signal) => api<Page<AuditEntry>>('GET', `/api/admin/audit${query}`, undefined, { signal }),
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
      <h1>{t('audit.title')}</h1>
      <form className="adm-filters" onSubmit={submit}>
        <Field
          label={t('audit.actor')}
          value={form.actor}
          onChange={(e) => set('actor')(e.target.value)}
        />
        <Field
          label={t('audit.action')}
          hint={t('audit.actionHint')}
          value={form.action}
          onChange={(e) => set('action')(e.target.value)}
        />
        <SelectField
          label={t('audit.outcome')}
          value={form.outcome}
          onChange={set('outcome')}
          options={[
            { value: '', label: t('audit.anyOutcome') },
            { value: 'ok', label: t('audit.outcomes.ok') },
            { value: 'denied', label: t('audit.outcomes.denied') },
            { value: 'error', label: t('audit.outcomes.error') },
          ]}
        />
        <UnitField label={t('users.unit')} value={form.unit} units={units} onChange={set('unit')} />
        <DateRangeApply since={form.since} until={form.until} onChange={(k, v) => set(k)(v)} />
      </form>
      <Problem error={page.error} />
      {page.loading && !page.data && <Spinner label={t('loading')} />}
      {page.data && (
        <>
          {page.data.items.length === 0 && <p className="muted">{t('audit.none')}</p>}
          {page.data.items.length > 0 && (
            <div className="adm-table-wrap">
              <table className="adm-table">
                <thead>
                  <tr>
                    <th>{t('trace.when')}</th>
                    <th>{t('audit.actor')}</th>
                    <th>{t('audit.action')}</th>
                    <th>{t('audit.target')}</th>
                    <th>{t('audit.outcome')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.items.map((r) => (
                    <tr key={r.id}>
                      <td data-label={t('trace.when')}>
                        {formatDate(r.at, { dateStyle: 'short', timeStyle: 'medium' })}
                      </td>
                      <td data-label={t('audit.actor')} className="adm-break">
                        {r.actor}
                        {r.ip && <div className="muted">{r.ip}</div>}
                      </td>
                      <td data-label={t('audit.action')}>
                        <code>{r.action}</code>
                      </td>
                      <td data-label={t('audit.target')} className="adm-break">
                        {r.target}
                        {r.unit && <div className="muted">{r.unit}</div>}
                        {Object.keys(r.detail).length > 0 && (
                          <details>
                            <summary>{t('audit.details')}</summary>
                            <pre className="adm-json" tabIndex={0}>
                              {JSON.stringify(r.detail, null, 1)}
                            </pre>
                          </details>
                        )}
                      </td>
                      <td data-label={t('audit.outcome')}>
                        <span className={`badge adm-outcome-${r.outcome}`}>
                          {t(`audit.outcomes.${r.outcome}`)}
                        </span>
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
