// Role grants on the units within reach: who holds which role where; grant and revoke (a unit
// administrator may hand out unit_admin, helpdesk and auditor inside their subtree, to
// accounts inside it; the server refuses anything further, and the refusal is shown).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Grant, Page } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatDate } from '../i18n/index.ts';
import { Alert, Spinner } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { qs, useAdmin, useLoad } from './lib.ts';
import { Confirm, Pager, Problem, SelectField, UnitField, useUnits } from './parts.tsx';

const ROLES = ['unit_admin', 'helpdesk', 'auditor', 'global_admin'] as const;

export function Roles() {
  const { t } = useTranslation('admin');
  const { can, where } = useAdmin();
  const units = useUnits();
  const [unit, setUnit] = useState('');
  const [offset, setOffset] = useState(0);
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const [notice, setNotice] = useState('');
  const query = qs({ unit: unit.trim(), offset, limit: 50 });
  const page = useLoad(
    (signal) => api<Page<Grant>>('GET', `/api/admin/roles${query}`, undefined, { signal }),
    query,
  );
  const global = where('role.grant') === 'all';
  return (
    <section>
      <h1>{t('roles.title')}</h1>
      <p className="muted">{t('roles.intro')}</p>
      {can('role.grant') && (
        <GrantForm
          units={units}
          roles={global ? [...ROLES] : ROLES.filter((r) => r !== 'global_admin')}
          onDone={(g) => {
            setNotice(
              t('roles.granted', { role: t(`role.${g.role}`), email: g.email, unit: g.unit }),
            );
            page.reload();
          }}
        />
      )}
      {notice && <Alert kind="ok">{notice}</Alert>}
      <div className="adm-filters">
        <UnitField
          label={t('roles.filterUnit')}
          value={unit}
          units={units}
          onChange={(v) => {
            setUnit(v);
            setOffset(0);
          }}
        />
      </div>
      <Problem error={page.error} />
      {page.loading && !page.data && <Spinner label={t('loading')} />}
      {page.data && (
        <>
          <div className="adm-table-wrap">
            <table className="adm-table">
              <thead>
                <tr>
                  <th>{t('users.address')}</th>
                  <th>{t('roles.role')}</th>
                  <th>{t('users.unit')}</th>
                  <th>{t('roles.grantedBy')}</th>
                  <th>
                    <span className="visually-hidden">{t('actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((g) => (
                  <tr key={g.email + g.role + g.unit}>
                    <td data-label={t('users.address')} className="adm-break">
                      <a href={`#/admin/users/${encodeURIComponent(g.email)}`}>{g.email}</a>
                    </td>
                    <td data-label={t('roles.role')}>{t(`role.${g.role}`)}</td>
                    <td data-label={t('users.unit')}>
                      <code>{g.unit}</code>
                    </td>
                    <td data-label={t('roles.grantedBy')} className="adm-break">
                      {g.grantedBy}
                      {g.grantedAt > 0 && (
                        <div className="muted">
                          {formatDate(g.grantedAt, { dateStyle: 'medium' })}
                        </div>
                      )}
                    </td>
                    <td className="adm-cell-actions">
                      {can('role.grant', g.unit) && (
                        <button className="button danger" onClick={() => setRevoking(g)}>
                          {t('roles.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page.data} onOffset={setOffset} />
        </>
      )}
      {revoking && (
        <Confirm
          title={t('roles.revokeTitle')}
          text={t('roles.revokeText', {
            role: t(`role.${revoking.role}`),
            email: revoking.email,
            unit: revoking.unit,
          })}
          action={t('roles.revoke')}
          onCancel={() => setRevoking(null)}
          onDone={async () => {
            await api('POST', '/api/admin/roles/revoke', {
              email: revoking.email,
              role: revoking.role,
              unit: revoking.unit,
            });
            setRevoking(null);
            page.reload();
          }}
        />
      )}
    </section>
  );
}

function GrantForm(props: {
  units: ReturnType<typeof useUnits>;
  roles: string[];
  onDone(g: Grant): void;
}) {
  const { t } = useTranslation('admin');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('helpdesk');
  const [unit, setUnit] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setError(null);
    api<Grant>('POST', '/api/admin/roles', { email: email.trim(), role, unit: unit.trim() }).then(
      (g) => {
        setEmail('');
        props.onDone(g);
      },
      setError,
    );
  };
  return (
    <form className="card adm-filters" onSubmit={submit}>
      <Field
        label={t('users.address')}
        type="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <SelectField
        label={t('roles.role')}
        value={role}
        onChange={setRole}
        options={props.roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
      />
      <UnitField
        label={t('users.unit')}
        value={unit}
        units={props.units}
        required
        onChange={setUnit}
      />
      <div className="adm-filter-submit">
        <button className="button primary">{t('roles.grant')}</button>
      </div>
      <div className="adm-full">
        <Problem error={error} />
      </div>
    </form>
  );
}
