// Choosing a new password: forced at the first sign-in with a temporary password, and from
// the settings at any time. The server's policy message is shown beside the field.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/http.ts';
import { useProblemText } from '../i18n/problems.ts';
import { Alert } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';

/** Why the server refused a new password, in the reader's language; undefined otherwise. */
export function useWeakPasswordText(): (err: unknown) => string | undefined {
  const { t } = useTranslation('account');
  const problemText = useProblemText();
  return (err) => {
    const problem = err instanceof ApiError ? err.fieldError('password') : undefined;
    return problem ? t('password.weak', { detail: problemText(problem) }) : undefined;
  };
}

/** A new password, typed twice, with the policy under the first field. */
export function NewPasswordFields(props: {
  value: string;
  again: string;
  onValue: (v: string) => void;
  onAgain: (v: string) => void;
  error?: string | undefined;
  againError?: string | undefined;
}) {
  const { t } = useTranslation('account');
  return (
    <>
      <Field
        label={t('password.new')}
        type="password"
        name="new-password"
        autoComplete="new-password"
        hint={t('password.rules')}
        value={props.value}
        onChange={(e) => props.onValue(e.target.value)}
        error={props.error}
      />
      <Field
        label={t('password.again')}
        type="password"
        name="new-password-again"
        autoComplete="new-password"
        value={props.again}
        onChange={(e) => props.onAgain(e.target.value)}
        error={props.againError}
      />
    </>
  );
}

export function ChangePasswordForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('account');
  const weakText = useWeakPasswordText();
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
      const weak = weakText(err);
      if (weak) setErrors({ password: weak });
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
      <NewPasswordFields
        value={next}
        again={again}
        onValue={setNext}
        onAgain={setAgain}
        error={errors.password}
        againError={errors.again}
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
