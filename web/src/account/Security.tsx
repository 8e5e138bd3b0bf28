// Settings → security: two-step sign-in (RFC 6238 TOTP: enrol with the secret or the
// otpauth link, confirm with a first code, keep the recovery codes), the account's sessions
// (revoke any), and app passwords for mail apps when two-step sign-in is on.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionView } from '../../../src/api/account.ts';
import { api, ApiError } from '../api/http.ts';
import { useSession } from '../app/session.tsx';
import { formatDate } from '../i18n/index.ts';
import { Alert } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';

const when = (ms: number): string => formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' });

export function TwoStep() {
  const { t } = useTranslation('account');
  const { me, refresh } = useSession();
  const [enrol, setEnrol] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState('');

  const begin = async (): Promise<void> => {
    setError('');
    setEnrol(await api<{ secret: string; uri: string }>('POST', '/api/account/totp', {}));
  };
  const confirm = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      const r = await api<{ recoveryCodes: string[] }>('POST', '/api/account/totp/confirm', {
        code: code.trim(),
      });
      setCodes(r.recoveryCodes);
      setEnrol(null);
      setCode('');
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 400 ? t('totp.wrongCode') : String(err));
    }
  };
  const turnOff = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await api('DELETE', '/api/account/totp', { password });
      setPassword('');
      setCodes(null);
      await refresh();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 400 ? t('totp.wrongPassword') : String(err),
      );
    }
  };

  return (
    <section className="card" aria-labelledby="totp-title">
      <h2 id="totp-title">{t('totp.title')}</h2>
      <p>{me.totp ? t('totp.on') : t('totp.off')}</p>
      {codes && (
        <Alert kind="ok">
          <p>{t('totp.recoveryText')}</p>
          <ul className="recovery-codes" data-testid="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {!me.totp && !enrol && (
        <button className="button primary" onClick={() => void begin()}>
          {t('totp.start')}
        </button>
      )}
      {enrol && (
        <form onSubmit={(e) => void confirm(e)}>
          <p>{t('totp.scan')}</p>
          <p>
            <a href={enrol.uri}>{t('totp.openApp')}</a>
          </p>
          <p>
            {t('totp.secret')}{' '}
            <code className="secret" data-testid="totp-secret">
              {enrol.secret}
            </code>
          </p>
          <Field
            label={t('totp.firstCode')}
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={error || undefined}
          />
          <button className="button primary" type="submit">
            {t('totp.confirm')}
          </button>
        </form>
      )}
      {me.totp && (
        <form onSubmit={(e) => void turnOff(e)}>
          <Field
            label={t('totp.passwordToTurnOff')}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={error || undefined}
          />
          <button className="button danger" type="submit">
            {t('totp.turnOff')}
          </button>
        </form>
      )}
    </section>
  );
}

export function Sessions() {
  const { t } = useTranslation('account');
  const [list, setList] = useState<SessionView[]>([]);
  const load = useCallback(async () => {
    setList(await api<SessionView[]>('GET', '/api/account/sessions'));
  }, []);
  useEffect(() => void load(), [load]);
  const revoke = async (id: string): Promise<void> => {
    await api('DELETE', `/api/account/sessions/${id}`);
    await load();
  };
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('sessions.title')}</h2>
      <ul className="plain-list">
        {list.map((s) => (
          <li key={s.id} className="row">
            <div className="grow">
              <div>{s.userAgent ?? t('sessions.unknownDevice')}</div>
              <div className="muted">
                {s.ip ?? ''} · {t('sessions.lastSeen', { when: when(s.lastSeenAt) })}
              </div>
            </div>
            {s.current ? (
              <span className="badge">{t('sessions.current')}</span>
            ) : (
              <button className="button" onClick={() => void revoke(s.id)}>
                {t('sessions.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

interface AppPassword {
  id: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export function AppPasswords() {
  const { t } = useTranslation('account');
  const [list, setList] = useState<AppPassword[]>([]);
  const [label, setLabel] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const load = useCallback(async () => {
    setList(await api<AppPassword[]>('GET', '/api/account/app-passwords'));
  }, []);
  useEffect(() => void load(), [load]);
  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await api<AppPassword & { password: string }>('POST', '/api/account/app-passwords', {
      label,
    });
    setShown(r.password);
    setLabel('');
    await load();
  };
  return (
    <section className="card" aria-labelledby="apppw-title">
      <h2 id="apppw-title">{t('appPasswords.title')}</h2>
      <p className="muted">{t('appPasswords.text')}</p>
      {shown && (
        <Alert kind="ok">
          {t('appPasswords.shownOnce')} <code data-testid="app-password">{shown}</code>
        </Alert>
      )}
      <form className="row" onSubmit={(e) => void create(e)}>
        <Field
          label={t('appPasswords.label')}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          required
        />
        <button className="button" type="submit" disabled={!label.trim()}>
          {t('appPasswords.create')}
        </button>
      </form>
      <ul className="plain-list">
        {list.map((p) => (
          <li key={p.id} className="row">
            <div className="grow">
              <div>{p.label}</div>
              <div className="muted">{when(p.createdAt)}</div>
            </div>
            <button
              className="button"
              onClick={() =>
                void api('DELETE', `/api/account/app-passwords/${p.id}`).then(() => load())
              }
            >
              {t('appPasswords.revoke')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
