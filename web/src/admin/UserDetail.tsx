// One account: its details and sign-in state, and the actions the administrator's roles allow
// on it: name and quota, aliases, disable/enable, password reset (a temporary password shown
// once, to be changed at the next sign-in), unlock, two-step sign-in reset, a welcome link,
// move to another unit, remove. A helpdesk sees reset and unlock only; an auditor reads.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CreatedUser, SignInState, UserDetail as Detail } from '../../../src/api/schemas.ts';
import { api, ApiError } from '../api/http.ts';
import { navigate } from '../app/router.ts';
import { formatBytes, formatDate } from '../i18n/index.ts';
import { useProblemText } from '../i18n/problems.ts';
import { Alert, Spinner } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { parseQuota, quotaText, useAdmin, useLoad, userPath } from './lib.ts';
import { Confirm, Problem, ShownOnce, UnitField, useUnits } from './parts.tsx';

const when = (ms: number): string => formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' });

export function UserDetail({ email }: { email: string }) {
  const { t } = useTranslation('admin');
  const { can } = useAdmin();
  const u = useLoad((signal) => api<Detail>('GET', userPath(email), undefined, { signal }), email);
  const [notice, setNotice] = useState<ReactNode>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState<'remove' | 'disable' | null>(null);

  /** Runs an action; its refusal (403 included) shows at the top of the page. */
  const act = async (fn: () => Promise<ReactNode>): Promise<void> => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await fn());
      u.reload();
    } catch (err) {
      setError(err);
    }
  };

  const back = (
    <a href="#/admin/users" className="adm-back">
      ← {t('users.title')}
    </a>
  );
  if (!u.data)
    return (
      <section>
        {back}
        <Problem error={u.error} />
        {u.loading && <Spinner label={t('loading')} />}
      </section>
    );
  const d = u.data;
  const unit = d.unit;
  const s = d.signIn;
  return (
    <section className="adm-user">
      {back}
      <h1>
        {d.name || d.email}{' '}
        {d.disabled && <span className="badge adm-badge-off">{t('users.disabled')}</span>}
      </h1>
      <p className="muted adm-break">{d.email}</p>
      <Problem error={error ?? u.error} />
      {notice}

      <div className="adm-cards">
        <div className="card">
          <h2>{t('user.details')}</h2>
          <dl className="adm-dl">
            <dt>{t('users.unit')}</dt>
            <dd>
              <code>{unit}</code>
            </dd>
            <dt>{t('users.quota')}</dt>
            <dd>
              {t('user.used', {
                used: formatBytes(d.usedBytes),
                quota: d.quota ? formatBytes(d.quota) : t('users.unlimited'),
              })}
            </dd>
            <dt>{t('user.createdAt')}</dt>
            <dd>{when(d.createdAt)}</dd>
            {d.roles.length > 0 && (
              <>
                <dt>{t('user.roles')}</dt>
                <dd>
                  {d.roles.map((r) => (
                    <div key={r.role + r.unit}>
                      {t(`role.${r.role}`)} <code>{r.unit}</code>
                    </div>
                  ))}
                </dd>
              </>
            )}
          </dl>
        </div>

        <SignInCard
          email={email}
          state={s}
          canReset={can('account.password.reset', unit)}
          canUnlock={can('account.unlock', unit)}
          act={act}
        />

        {(can('account.update', unit) || can('quota.set', unit)) && (
          <EditCard
            detail={d}
            act={act}
            canName={can('account.update', unit)}
            canQuota={can('quota.set', unit)}
          />
        )}

        {(can('alias.manage', unit) || d.aliases.length > 0) && (
          <AliasCard detail={d} canEdit={can('alias.manage', unit)} act={act} />
        )}

        {can('account.move', unit) && <MoveCard detail={d} act={act} />}

        {(can('account.disable', unit) || can('account.remove', unit)) && (
          <div className="card">
            <h2>{t('user.state')}</h2>
            <div className="adm-actions start">
              {can('account.disable', unit) &&
                (d.disabled ? (
                  <button
                    className="button"
                    onClick={() =>
                      void act(async () => {
                        await api('PATCH', userPath(email), { disabled: false });
                        return <Alert kind="ok">{t('user.enabledNow')}</Alert>;
                      })
                    }
                  >
                    {t('user.enable')}
                  </button>
                ) : (
                  <button className="button" onClick={() => setConfirm('disable')}>
                    {t('user.disable')}
                  </button>
                ))}
              {can('account.remove', unit) && (
                <button className="button danger" onClick={() => setConfirm('remove')}>
                  {t('user.remove')}
                </button>
              )}
            </div>
          </div>
        )}
      </div>

      {confirm === 'disable' && (
        <Confirm
          title={t('user.disableTitle')}
          text={t('user.disableText', { email })}
          action={t('user.disable')}
          onCancel={() => setConfirm(null)}
          onDone={async () => {
            await api('PATCH', userPath(email), { disabled: true });
            setConfirm(null);
            setNotice(<Alert kind="ok">{t('user.disabledNow')}</Alert>);
            u.reload();
          }}
        />
      )}
      {confirm === 'remove' && (
        <Confirm
          title={t('user.removeTitle')}
          text={t('user.removeText', { email })}
          action={t('user.remove')}
          onCancel={() => setConfirm(null)}
          onDone={async () => {
            await api('DELETE', userPath(email));
            navigate('admin/users');
          }}
        />
      )}
    </section>
  );
}

type Act = (fn: () => Promise<ReactNode>) => Promise<void>;

function SignInCard(props: {
  email: string;
  state: SignInState;
  canReset: boolean;
  canUnlock: boolean;
  act: Act;
}) {
  const { t } = useTranslation('admin');
  const { email, state: s, act } = props;
  const [welcomeTo, setWelcomeTo] = useState('');
  const [confirming, setConfirming] = useState(false);
  const yes = (b: boolean): string => (b ? t('yes') : t('no'));
  return (
    <div className="card">
      <h2>{t('user.signIn')}</h2>
      <dl className="adm-dl">
        <dt>{t('user.locked')}</dt>
        <dd>
          {s.locked && s.lockedUntil
            ? t('user.lockedUntil', { when: when(s.lockedUntil) })
            : yes(s.locked)}
          {s.failures > 0 && ` · ${t('user.failures', { n: s.failures })}`}
        </dd>
        <dt>{t('user.totp')}</dt>
        <dd>{yes(s.totp)}</dd>
        <dt>{t('user.mustChange')}</dt>
        <dd>{yes(s.mustChangePassword)}</dd>
        <dt>{t('user.appPasswords')}</dt>
        <dd>{s.appPasswords}</dd>
        {s.welcome && (
          <>
            <dt>{t('user.welcome')}</dt>
            <dd>
              {t('user.welcomeWaiting', { to: s.welcome.sentTo, when: when(s.welcome.expiresAt) })}
            </dd>
          </>
        )}
      </dl>
      <div className="adm-actions start">
        {props.canReset && (
          <button className="button primary" onClick={() => setConfirming(true)}>
            {t('user.resetPassword')}
          </button>
        )}
        {props.canUnlock && (
          <button
            className="button"
            onClick={() =>
              void act(async () => {
                await api('POST', userPath(email, '/unlock'));
                return <Alert kind="ok">{t('user.unlocked')}</Alert>;
              })
            }
          >
            {t('user.unlock')}
          </button>
        )}
        {props.canReset && s.totp && (
          <button
            className="button"
            onClick={() =>
              void act(async () => {
                await api('DELETE', userPath(email, '/totp'));
                return <Alert kind="ok">{t('user.totpReset')}</Alert>;
              })
            }
          >
            {t('user.resetTotp')}
          </button>
        )}
      </div>
      {props.canReset && (
        <form
          className="adm-inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              const r = await api<{ sentTo: string; expiresAt: number }>(
                'POST',
                userPath(email, '/welcome'),
                { sendTo: welcomeTo.trim() },
              );
              setWelcomeTo('');
              return (
                <Alert kind="ok">
                  {t('user.welcomeSent', { to: r.sentTo, when: when(r.expiresAt) })}
                </Alert>
              );
            });
          }}
        >
          <Field
            label={t('user.welcomeTo')}
            hint={t('user.welcomeHint')}
            type="email"
            value={welcomeTo}
            required
            onChange={(e) => setWelcomeTo(e.target.value)}
          />
          <button className="button">{t('user.sendWelcome')}</button>
        </form>
      )}
      {confirming && (
        <Confirm
          title={t('user.resetTitle')}
          text={t('user.resetText', { email })}
          action={t('user.resetPassword')}
          onCancel={() => setConfirming(false)}
          onDone={async () => {
            const r = await api<CreatedUser>('POST', userPath(email, '/password'), {});
            setConfirming(false);
            await act(async () => (
              <ShownOnce
                label={t('user.newPassword', { email })}
                value={r.password ?? ''}
                note={t('users.mustChange')}
              />
            ));
          }}
        />
      )}
    </div>
  );
}

function EditCard(props: { detail: Detail; act: Act; canName: boolean; canQuota: boolean }) {
  const { t } = useTranslation('admin');
  const d = props.detail;
  const [name, setName] = useState(d.name);
  const [quota, setQuota] = useState(quotaText(d.quota));
  const [quotaError, setQuotaError] = useState<string>();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const bytes = parseQuota(quota);
    if (props.canQuota && bytes === null) {
      setQuotaError(t('users.quotaBad'));
      return;
    }
    setQuotaError(undefined);
    const body: { name?: string; quota?: number } = {};
    if (props.canName && name.trim() !== d.name) body.name = name.trim();
    if (props.canQuota && bytes !== null && bytes !== d.quota) body.quota = bytes;
    if (Object.keys(body).length === 0) return;
    void props.act(async () => {
      await api('PATCH', userPath(d.email), body);
      return <Alert kind="ok">{t('user.saved')}</Alert>;
    });
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>{t('user.edit')}</h2>
      {props.canName && (
        <Field label={t('users.name')} value={name} onChange={(e) => setName(e.target.value)} />
      )}
      {props.canQuota && (
        <Field
          label={t('users.quota')}
          hint={t('users.quotaHint')}
          value={quota}
          error={quotaError}
          onChange={(e) => setQuota(e.target.value)}
        />
      )}
      <button className="button primary">{t('save')}</button>
    </form>
  );
}

function AliasCard(props: { detail: Detail; canEdit: boolean; act: Act }) {
  const { t } = useTranslation('admin');
  const d = props.detail;
  const [address, setAddress] = useState('');
  const [error, setError] = useState<unknown>(null);
  const say = useProblemText();
  const addressError = error instanceof ApiError ? error.fieldError('address') : undefined;
  return (
    <div className="card">
      <h2>{t('user.aliases')}</h2>
      {d.aliases.length === 0 && <p className="muted">{t('user.noAliases')}</p>}
      <ul className="plain-list">
        {d.aliases.map((a) => (
          <li key={a} className="row">
            <span className="grow adm-break">{a}</span>
            {props.canEdit && (
              <button
                className="button danger"
                aria-label={t('user.removeAlias', { address: a })}
                onClick={() =>
                  void props.act(async () => {
                    await api('DELETE', userPath(d.email, `/aliases/${encodeURIComponent(a)}`));
                    return <Alert kind="ok">{t('user.aliasRemoved', { address: a })}</Alert>;
                  })
                }
              >
                {t('delete')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {props.canEdit && (
        <form
          className="adm-inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            api('POST', userPath(d.email, '/aliases'), { address: address.trim() }).then(() => {
              setAddress('');
              void props.act(async () => (
                <Alert kind="ok">{t('user.aliasAdded', { address: address.trim() })}</Alert>
              ));
            }, setError);
          }}
        >
          <Field
            label={t('user.newAlias')}
            type="email"
            required
            value={address}
            error={addressError && say(addressError)}
            onChange={(e) => setAddress(e.target.value)}
          />
          <button className="button">{t('user.addAlias')}</button>
        </form>
      )}
      {!addressError && <Problem error={error} />}
    </div>
  );
}

function MoveCard(props: { detail: Detail; act: Act }) {
  const { t } = useTranslation('admin');
  const units = useUnits();
  const [unit, setUnit] = useState('');
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        void props.act(async () => {
          const r = await api<{ unit: string }>('POST', userPath(props.detail.email, '/move'), {
            unit: unit.trim(),
          });
          setUnit('');
          return <Alert kind="ok">{t('user.moved', { unit: r.unit })}</Alert>;
        });
      }}
    >
      <h2>{t('user.move')}</h2>
      <p className="muted">{t('user.moveText')}</p>
      <UnitField
        label={t('user.moveTo')}
        value={unit}
        units={units.filter((u) => u.path !== props.detail.unit)}
        required
        onChange={setUnit}
      />
      <button className="button">{t('user.moveButton')}</button>
    </form>
  );
}
