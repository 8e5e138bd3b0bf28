// The administration console: dashboard, units, users, import, queue, trace, audit, DNS.
import { useTranslation } from 'react-i18next';

export default function AdminApp({ route }: { route: string[] }) {
  const { t } = useTranslation('admin');
  return (
    <div className="page" data-route={route.join('/')}>
      <h1>{t('title')}</h1>
    </div>
  );
}
