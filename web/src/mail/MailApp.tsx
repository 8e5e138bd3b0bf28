// The mail area: folders, conversation list, reading pane, compose.
import { useTranslation } from 'react-i18next';

export function MailApp({ route }: { route: string[] }) {
  const { t } = useTranslation('mail');
  return (
    <div className="page" data-route={route.join('/')}>
      <h1>{t('inbox')}</h1>
    </div>
  );
}
