// The app's frame: asks the server who is signed in, then shows the sign-in page, the forced
// password change, or the signed-in app (top bar + the area the route names: mail, settings,
// or the administration console for accounts that hold a role). The console and settings
// load on demand, so the first visit downloads only what the inbox needs.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../src/api/account.ts';
import { ForcedPasswordChange } from '../account/ChangePassword.tsx';
import { SignIn } from '../account/SignIn.tsx';
import { Welcome } from '../account/Welcome.tsx';
import { api, ApiError, whenSignedOut } from '../api/http.ts';
import { Jmap } from '../api/jmap.ts';
import { MailApp } from '../mail/MailApp.tsx';
import { Alert, Spinner } from '../ui/Alert.tsx';
import { defaultRoute, useRoute } from './router.ts';
import { isAdministrator, SessionContext, type SessionValue } from './session.tsx';

const AdminApp = lazy(() => import('../admin/AdminApp.tsx'));
const Settings = lazy(() =>
  import('../account/Settings.tsx').then((m) => ({ default: m.Settings })),
);

type State =
  | { kind: 'loading' }
  | { kind: 'offline' }
  | { kind: 'signed-out' }
  | { kind: 'must-change'; me: Me }
  | { kind: 'in'; me: Me; jmap: Jmap };

export function App() {
  // A welcome link (https://host/welcome#<token>) opens its own page, signed in or not.
  if (location.pathname === '/welcome') return <Welcome token={location.hash.slice(1)} />;
  return <SignedInApp />;
}

function SignedInApp() {
  const { t } = useTranslation();
  const [state, setState] = useState<State>({ kind: 'loading' });

  const enter = useCallback(async (me: Me): Promise<void> => {
    if (me.mustChangePassword) {
      setState({ kind: 'must-change', me });
      return;
    }
    setState({ kind: 'in', me, jmap: await Jmap.connect() });
  }, []);

  const load = useCallback(async (): Promise<void> => {
    try {
      await enter(await api<Me>('GET', '/api/session', undefined, { quiet401: true }));
    } catch (err) {
      setState(
        err instanceof ApiError && err.status === 401
          ? { kind: 'signed-out' }
          : { kind: 'offline' },
      );
    }
  }, [enter]);

  const signedOut = useCallback(() => setState({ kind: 'signed-out' }), []);
  useEffect(() => {
    whenSignedOut(signedOut);
    void load();
  }, [load, signedOut]);

  if (state.kind === 'loading') return <Spinner label={t('loading')} />;
  if (state.kind === 'offline')
    return (
      <main className="signin">
        <Alert kind="error">{t('offline')}</Alert>
        <button className="button" onClick={() => void load()}>
          {t('retry')}
        </button>
      </main>
    );
  if (state.kind === 'signed-out') return <SignIn onSignedIn={(me) => void enter(me)} />;
  if (state.kind === 'must-change') return <ForcedPasswordChange onDone={() => void load()} />;
  return <SignedIn me={state.me} jmap={state.jmap} reload={load} signedOut={signedOut} />;
}

function SignedIn(props: {
  me: Me;
  jmap: Jmap;
  reload: () => Promise<void>;
  signedOut: () => void;
}) {
  const { t } = useTranslation();
  const route = useRoute();
  const { jmap, reload, signedOut } = props;
  const [me, setMe] = useState(props.me);
  const value = useMemo<SessionValue>(
    () => ({
      me,
      jmap,
      refresh: async () => {
        const next = await api<Me>('GET', '/api/session');
        if (next.mustChangePassword) await reload();
        else setMe(next);
      },
      signOut: async () => {
        await api('DELETE', '/api/session').catch(() => undefined);
        jmap.close();
        signedOut();
      },
    }),
    [me, jmap, reload, signedOut],
  );
  const area = route[0] ?? 'mail';
  const admin = isAdministrator(me);
  useEffect(() => {
    if (route.length === 0) defaultRoute('', 'mail');
  }, [route.length]);
  useEffect(() => () => jmap.close(), [jmap]);

  return (
    <SessionContext.Provider value={value}>
      <div className="app">
        <header className="topbar">
          <a className="brand" href="#/mail" aria-label="Champa">
            <img src="/icon.svg" alt="" width="28" height="28" />
            <span>Champa</span>
          </a>
          <nav className="areas" aria-label={t('areas')}>
            <a href="#/mail" aria-current={area === 'mail' ? 'page' : undefined}>
              {t('area.mail')}
            </a>
            {admin && (
              <a href="#/admin" aria-current={area === 'admin' ? 'page' : undefined}>
                {t('area.admin')}
              </a>
            )}
            <a href="#/settings" aria-current={area === 'settings' ? 'page' : undefined}>
              {t('area.settings')}
            </a>
          </nav>
          <div className="who">
            <span className="who-name" title={me.email}>
              {me.name || me.email}
            </span>
            <button className="button quiet" onClick={() => void value.signOut()}>
              {t('signOut')}
            </button>
          </div>
        </header>
        <Suspense fallback={<Spinner label={t('loading')} />}>
          {area === 'settings' ? (
            <Settings />
          ) : area === 'admin' && admin ? (
            <AdminApp route={route.slice(1)} />
          ) : (
            <MailApp route={route.slice(1)} />
          )}
        </Suspense>
      </div>
    </SessionContext.Provider>
  );
}
