// Settings: language, password, mail apps and phones, two-step sign-in, sessions, app
// passwords, and the mail settings (signature, out-of-office) from the mail area.
import { useTranslation } from 'react-i18next';
import { MailSettings } from '../mail/MailSettings.tsx';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';
import { ChangePasswordForm } from './ChangePassword.tsx';
import { MailApps } from './MailApps.tsx';
import { AppPasswords, Sessions, TwoStep } from './Security.tsx';
import { useState } from 'react';
import { Alert } from '../ui/Alert.tsx';

export function Settings() {
  const { t } = useTranslation('account');
  const [changed, setChanged] = useState(false);
  return (
    <div className="page settings">
      <h1>{t('settings.title')}</h1>
      <section className="card">
        <h2>{t('settings.language')}</h2>
        <LanguageSwitch />
      </section>
      <MailSettings />
      <section className="card">
        <h2>{t('password.title')}</h2>
        {changed && <Alert kind="ok">{t('password.changed')}</Alert>}
        <ChangePasswordForm onDone={() => setChanged(true)} />
      </section>
      <MailApps />
      <TwoStep />
      <Sessions />
      <AppPasswords />
    </div>
  );
}
