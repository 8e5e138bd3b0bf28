// The page a welcome link opens (https://host/welcome#<token>): shows whose account it is,
// lets the person choose their first password (POST /api/welcome), then sends them to sign
// in. The token travels in the fragment, so it never reaches a server log.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/http.ts';
import { NewPasswordFields, useWeakPasswordText } from './ChangePassword.tsx';
import { Alert, Spinner } from '../ui/Alert.tsx';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';

interface WelcomeInfo {
  email: string;
  name: string;
  expiresAt: number;
}

export function Welcome({ token }: { token: string }) {
  const { t } = useTranslation('account');
  const weakText = useWeakPasswordText();
  const [info, setInfo] = useState<WelcomeInfo | null | 'invalid'>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);

  useEffect(() => {
    api<WelcomeInfo>('POST', '/api/welcome/info', { token }, { quiet401: true })
      .then(setInfo)
      .catch(() => setInfo('invalid'));
  }, [token]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (password !== again) {
      setError(t('password.mismatch'));
      return;
    }
    try {
      await api('POST', '/api/welcome', { token, password }, { quiet401: true });
      setDone(true);
    } catch (err) {
      setError(weakText(err) ?? t('welcome.invalid'));
    }
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <div className="signin-head">
          <img src="/icon.svg" alt="" width="40" height="40" />
          <h1>{t('welcome.title')}</h1>
          <LanguageSwitch />
        </div>
        {info === null && <Spinner label={t('welcome.checking')} />}
        {info === 'invalid' && <Alert kind="error">{t('welcome.invalid')}</Alert>}
        {done && (
          <>
            <Alert kind="ok">{t('welcome.done')}</Alert>
            <a className="button primary wide" href="/">
              {t('signIn.submit')}
            </a>
          </>
        )}
        {info && info !== 'invalid' && !done && (
          <form onSubmit={(e) => void submit(e)} noValidate>
            <p>{t('welcome.text', { name: info.name || info.email, email: info.email })}</p>
            <NewPasswordFields
              value={password}
              again={again}
              onValue={setPassword}
              onAgain={setAgain}
              error={error || undefined}
            />
            <button className="button primary wide" type="submit">
              {t('welcome.submit')}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
