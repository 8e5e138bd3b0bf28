// The sign-in page: address and password, then — when two-step sign-in is on — the code from
// the authenticator app (or a recovery code). Refusals are shown in the interface language
// from the server's `reason`.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../src/api/account.ts';
import { api, ApiError } from '../api/http.ts';
import { Alert } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';

const REASONS = new Set([
  'invalid',
  'totp_invalid',
  'blocked',
  'must_change_password',
  'app_password_required',
]);

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const { t } = useTranslation('account');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = await api<Me>(
        'POST',
        '/api/session',
        { email: email.trim(), password, ...(askCode ? { code: code.trim() } : {}) },
        { quiet401: true },
      );
      onSignedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'totp_required') setAskCode(true);
      else if (err instanceof ApiError && err.reason && REASONS.has(err.reason))
        setError(t(`refused.${err.reason}`));
      else setError(t('refused.unreachable'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <div className="signin-head">
          <img src="/icon.svg" alt="" width="40" height="40" />
          <h1>{t('signIn.title')}</h1>
          <LanguageSwitch />
        </div>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Field
            label={t('signIn.email')}
            type="email"
            name="email"
            autoComplete="username"
            inputMode="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            disabled={askCode}
          />
          <Field
            label={t('signIn.password')}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            disabled={askCode}
          />
          {askCode && (
            <Field
              label={t('signIn.code')}
              hint={t('signIn.codeHint')}
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              autoFocus
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          )}
          {error && <Alert kind="error">{error}</Alert>}
          <button className="button primary wide" type="submit" disabled={busy}>
            {busy ? t('signIn.busy') : t('signIn.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
