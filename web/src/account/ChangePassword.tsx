// Choosing a new password: forced at the first sign-in with a temporary password, and from
// the settings at any time. The server's policy message is shown beside the field.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/http.ts';
import { useProblemText } from '../i18n/problems.ts';
import { Alert } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';

export function ChangePasswordForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('account');
  const problemText = useProblemText();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (next !== again) {
      setErrors({ again: t('password.mismatch') });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api('POST', '/api/account/password', { current, password: next });
      onDone();
    } catch (err) {
      const problem = err instanceof ApiError ? err.fieldError('password') : undefined;
      if (problem) setErrors({ password: t('password.weak', { detail: problemText(problem) }) });
      else if (err instanceof ApiError && err.status === 400)
        setErrors({ current: t('password.currentWrong') });
      else setErrors({ form: t('refused.unreachable') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Field
        label={t('password.current')}
        type="password"
        name="current"
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        error={errors.current}
      />
      <Field
        label={t('password.new')}
        type="password"
        name="new-password"
        autoComplete="new-password"
        hint={t('password.rules')}
        value={next}
        onChange={(e) => setNext(e.target.value)}
        error={errors.password}
      />
      <Field
        label={t('password.again')}
        type="password"
        name="new-password-again"
        autoComplete="new-password"
        value={again}
        onChange={(e) => setAgain(e.target.value)}
        error={errors.again}
      />
      {errors.form && <Alert kind="error">{errors.form}</Alert>}
      <button className="button primary" type="submit" disabled={busy}>
        {t('password.submit')}
      </button>
    </form>
  );
}

export function ForcedPasswordChange({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('account');
  return (
    <main className="signin">
      <div className="signin-card">
        <h1>{t('password.forcedTitle')}</h1>
        <p>{t('password.forcedText')}</p>
        <ChangePasswordForm onDone={onDone} />
      </div>
    </main>
  );
}
