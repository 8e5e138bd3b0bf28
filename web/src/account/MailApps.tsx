// Settings → mail apps: what to type into Thunderbird, Outlook or a phone's mail app when it
// does not set itself up (most do, from autoconfig/autodiscover), and the iPhone/iPad profile.
// The values come from the server (GET /api/account/client-settings), the same ones that
// autoconfig, autodiscover and the profile give (src/core/clientsettings.ts).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientSettings, Endpoint } from '../../../src/api/account.ts';
import { api } from '../api/http.ts';
import { useSession } from '../app/session.tsx';

export function MailApps() {
  const { t } = useTranslation('account');
  const { me } = useSession();
  const [s, setS] = useState<ClientSettings | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    api<ClientSettings>('GET', '/api/account/client-settings', undefined, { signal: ac.signal })
      .then(setS)
      .catch(() => {
        if (!ac.signal.aborted) setFailed(true);
      });
    return () => ac.abort();
  }, []);

  const row = (label: string, e: Endpoint) => (
    <tr>
      <th scope="row">{label}</th>
      <td>
        <code>{e.host}</code>
      </td>
      <td>
        <code>{e.port}</code>
      </td>
      <td>{e.security === 'tls' ? t('mailApps.tls') : t('mailApps.starttls')}</td>
    </tr>
  );

  return (
    <section className="card" aria-labelledby="mail-apps-title" data-testid="mail-apps">
      <h2 id="mail-apps-title">{t('mailApps.title')}</h2>
      <p>{t('mailApps.intro')}</p>
      {failed && <p role="alert">{t('mailApps.unavailable')}</p>}
      {s && (
        <div className="table-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <td />
                <th scope="col">{t('mailApps.server')}</th>
                <th scope="col">{t('mailApps.port')}</th>
                <th scope="col">{t('mailApps.security')}</th>
              </tr>
            </thead>
            <tbody>
              {row(t('mailApps.incoming'), s.imap)}
              {row(t('mailApps.outgoing'), s.smtp)}
              {row(t('mailApps.outgoingAlt'), s.smtpStarttls)}
            </tbody>
          </table>
        </div>
      )}
      <p>{t('mailApps.userName', { email: me.email })}</p>
      {me.totp && <p>{t('mailApps.appPassword')}</p>}
      <p>
        <a className="button" href="/api/account/mobileconfig" download>
          {t('mailApps.iphone')}
        </a>
      </p>
      <p className="muted">{t('mailApps.iphoneHint')}</p>
    </section>
  );
}
