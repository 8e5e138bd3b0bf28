// Accounts: search by address or name, filter by unit and state, a page at a time (the server
// pages, so 10,000+ accounts cost one page); create an account (its generated password shown
// once) and export the accounts as CSV in the import format.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CreatedUser, Page, User } from '../../../src/api/schemas.ts';
import { api, ApiError } from '../api/http.ts';
import { navigate } from '../app/router.ts';
import { Spinner } from '../ui/Alert.tsx';
import { formatBytes } from '../i18n/index.ts';
import { useProblemText } from '../i18n/problems.ts';
import { Field } from '../ui/Field.tsx';
import { downloadCsv, parseQuota, qs, useAdmin, useLoad } from './lib.ts';
import { Dialog, Pager, Problem, SelectField, ShownOnce, UnitField, useUnits } from './parts.tsx';

const LIMIT = 50;

export function Users({ unit: initialUnit }: { unit: string }) {
  const { t } = useTranslation('admin');
  const { can } = useAdmin();
  const units = useUnits();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [unit, setUnit] = useState(initialUnit);
  const [state, setState] = useState('');
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  useEffect(() => setUnit(initialUnit), [initialUnit]);
  // Ask the server once typing pauses, not at every key.
  useEffect(() => {
    const id = setTimeout(() => {
      setQ(text.trim());
      setOffset(0);
    }, 300);
    return () => clearTimeout(id);
  }, [text]);
  const unitFilter = unit.trim();
  const query = qs({
    q,
    unit: unitFilter || undefined,
    disabled: state || undefined,
    offset,
    limit: LIMIT,
  });
  const page = useLoad(
    (signal) => api<Page<User>>('GET', `/api/admin/users${query}`, undefined, { signal }),
    query,
  );

  return (
    <section>
      <div className="adm-head">
        <h1>{t('users.title')}</h1>
        <div className="adm-head-actions">
          <button
            className="button"
            onClick={() => {
              setExportError(null);
              downloadCsv(
                `/api/admin/export/users${qs({ unit: unitFilter || undefined })}`,
                'users.csv',
              ).catch(setExportError);
            }}
          >
            {t('users.export')}
          </button>
          {can('account.create') && (
            <button className="button primary" onClick={() => setCreating(true)}>
              {t('users.create')}
            </button>
          )}
        </div>
      </div>
      <div className="adm-filters">
        <div className="field">
          <label htmlFor="adm-user-q">{t('users.search')}</label>
          <input
            id="adm-user-q"
            type="search"
            value={text}
            placeholder={t('users.searchHint')}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <UnitField
          label={t('users.unit')}
          value={unit}
          units={units}
          onChange={(v) => {
            setUnit(v);
            setOffset(0);
          }}
        />
        <SelectField
          label={t('users.state')}
          value={state}
          onChange={(v) => {
            setState(v);
            setOffset(0);
          }}
          options={[
            { value: '', label: t('users.stateAll') },
            { value: 'false', label: t('users.enabled') },
            { value: 'true', label: t('users.disabled') },
          ]}
        />
      </div>
      <Problem error={exportError} />
      <Problem error={page.error} />
      {page.loading && !page.data && <Spinner label={t('loading')} />}
      {page.data && (
        <>
          <div className="adm-table-wrap">
            <table className="adm-table" aria-busy={page.loading}>
              <thead>
                <tr>
                  <th>{t('users.address')}</th>
                  <th>{t('users.name')}</th>
                  <th>{t('users.unit')}</th>
                  <th>{t('users.quota')}</th>
                  <th>{t('users.state')}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((u) => (
                  <tr key={u.email}>
                    <td data-label={t('users.address')}>
                      <a href={`#/admin/users/${encodeURIComponent(u.email)}`}>{u.email}</a>
                    </td>
                    <td data-label={t('users.name')}>{u.name}</td>
                    <td data-label={t('users.unit')}>
                      <code>{u.unit}</code>
                    </td>
                    <td data-label={t('users.quota')}>
                      {u.quota ? formatBytes(u.quota) : t('users.unlimited')}
                    </td>
                    <td data-label={t('users.state')}>
                      {u.disabled ? (
                        <span className="badge adm-badge-off">{t('users.disabled')}</span>
                      ) : (
                        t('users.enabled')
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page.data.items.length === 0 && <p className="muted">{t('users.none')}</p>}
          <Pager page={page.data} onOffset={setOffset} />
        </>
      )}
      {creating && (
        <CreateUser
          defaultUnit={unitFilter}
          onCancel={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            page.reload();
          }}
        />
      )}
    </section>
  );
}

function CreateUser(props: { defaultUnit: string; onDone(): void; onCancel(): void }) {
  const { t } = useTranslation('admin');
  const units = useUnits();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [unit, setUnit] = useState(props.defaultUnit);
  const [quota, setQuota] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [quotaError, setQuotaError] = useState<string>();
  const [created, setCreated] = useState<CreatedUser | null>(null);
  const say = useProblemText();
  const fe = (f: string): string | undefined => {
    const e = error instanceof ApiError ? error.fieldError(f) : undefined;
    return e && say(e);
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setError(null);
    const bytes = quota.trim() ? parseQuota(quota) : undefined;
    if (bytes === null) {
      setQuotaError(t('users.quotaBad'));
      return;
    }
    setQuotaError(undefined);
    api<CreatedUser>('POST', '/api/admin/users', {
      email: email.trim(),
      name: name.trim(),
      unit: unit.trim(),
      quota: bytes,
    }).then(setCreated, setError);
  };
  if (created)
    return (
      <Dialog title={t('users.createdTitle')} onClose={props.onDone}>
        <p>{t('users.created', { email: created.email })}</p>
        {created.password && (
          <ShownOnce
            label={t('users.initialPassword')}
            value={created.password}
            note={t('users.mustChange')}
          />
        )}
        <div className="adm-actions">
          <button
            className="button"
            onClick={() => navigate(`admin/users/${encodeURIComponent(created.email)}`)}
          >
            {t('users.open')}
          </button>
          <button className="button primary" onClick={props.onDone}>
            {t('close')}
          </button>
        </div>
      </Dialog>
    );
  // Field errors show beside their fields; anything else (403, 409…) above the buttons.
  const beside = new Set(['email', 'name', 'unit', 'quota']);
  const allBeside =
    error instanceof ApiError &&
    error.status === 400 &&
    error.errors.length > 0 &&
    error.errors.every((x) => beside.has(x.field));
  return (
    <Dialog title={t('users.createTitle')} onClose={props.onCancel}>
      <form onSubmit={submit}>
        <Field
          label={t('users.address')}
          type="email"
          name="email"
          required
          autoComplete="off"
          value={email}
          error={fe('email')}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label={t('users.name')}
          name="name"
          required
          value={name}
          error={fe('name')}
          onChange={(e) => setName(e.target.value)}
        />
        <UnitField
          label={t('users.unit')}
          name="unit"
          required
          value={unit}
          units={units}
          error={fe('unit')}
          onChange={setUnit}
        />
        <Field
          label={t('users.quota')}
          name="quota"
          hint={t('users.quotaHint')}
          value={quota}
          error={quotaError ?? fe('quota')}
          onChange={(e) => setQuota(e.target.value)}
        />
        <p className="muted">{t('users.passwordGenerated')}</p>
        <Problem error={allBeside ? null : error} />
        <div className="adm-actions">
          <button type="button" className="button" onClick={props.onCancel}>
            {t('cancel')}
          </button>
          <button className="button primary">{t('users.createButton')}</button>
        </div>
      </form>
    </Dialog>
  );
}
