// The administration console: asks the admin API who the administrator is and where each
// action reaches (GET /api/admin/me), then shows the sections their roles open: dashboard,
// units, users, bulk import, mail queue, message trace, audit log, domains, roles, API keys.
// The route after #/admin/ names the section (and, for users, the account). On a phone the
// section list folds into a menu button. Loaded on demand: none of this is in the first visit.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminMe } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { Spinner } from '../ui/Alert.tsx';
import { ApiKeys } from './ApiKeys.tsx';
import { Audit } from './Audit.tsx';
import { Dashboard } from './Dashboard.tsx';
import { Domains } from './Domains.tsx';
import { Import } from './Import.tsx';
import { AdminContext, adminValue, useLoad, type Action, type AdminValue } from './lib.ts';
import { Problem } from './parts.tsx';
import { Queue } from './Queue.tsx';
import { Roles } from './Roles.tsx';
import { Trace } from './Trace.tsx';
import { Units } from './Units.tsx';
import { UserDetail } from './UserDetail.tsx';
import { Users } from './Users.tsx';
import './admin.css';

interface Section {
  id: string;
  /** Shown when the administrator may do this somewhere (null: always). */
  needs: Action | null;
}

const SECTIONS: Section[] = [
  { id: 'dashboard', needs: null },
  { id: 'users', needs: 'account.read' },
  { id: 'units', needs: 'unit.read' },
  { id: 'import', needs: 'account.create' },
  { id: 'roles', needs: 'unit.read' },
  { id: 'queue', needs: 'queue.manage' },
  { id: 'trace', needs: 'trace.read' },
  { id: 'audit', needs: 'audit.read' },
  { id: 'domains', needs: 'account.read' },
  { id: 'keys', needs: null },
];

export default function AdminApp({ route }: { route: string[] }) {
  const { t } = useTranslation('admin');
  const me = useLoad((signal) => api<AdminMe>('GET', '/api/admin/me', undefined, { signal }), '');
  const value = useMemo(() => (me.data ? adminValue(me.data) : null), [me.data]);
  if (me.error && !me.data)
    return (
      <div className="page">
        <Problem error={me.error} />
      </div>
    );
  if (!value) return <Spinner label={t('loading')} />;
  return (
    <AdminContext.Provider value={value}>
      <Console route={route} admin={value} />
    </AdminContext.Provider>
  );
}

function Console({ route, admin }: { route: string[]; admin: AdminValue }) {
  const { t } = useTranslation('admin');
  const [menuOpen, setMenuOpen] = useState(false);
  const visible = SECTIONS.filter((s) => s.needs === null || admin.can(s.needs));
  const current = visible.find((s) => s.id === route[0])?.id ?? 'dashboard';
  return (
    <div className="adm">
      <div className="adm-nav-wrap">
        <button
          className="button adm-menu-button"
          aria-expanded={menuOpen}
          aria-controls="adm-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span> {t(`nav.${current}`)}
        </button>
        <nav
          id="adm-nav"
          className={`adm-nav${menuOpen ? ' open' : ''}`}
          aria-label={t('nav.label')}
        >
          {visible.map((s) => (
            <a
              key={s.id}
              href={`#/admin/${s.id}`}
              aria-current={s.id === current ? 'page' : undefined}
              onClick={() => setMenuOpen(false)}
            >
              {t(`nav.${s.id}`)}
            </a>
          ))}
        </nav>
      </div>
      {/* Scrolls on its own: focusable, so that a keyboard can scroll it (WCAG 2.1.1). */}
      <main className="adm-main" tabIndex={0}>
        <Body section={current} rest={route.slice(1)} />
      </main>
    </div>
  );
}

function Body({ section, rest }: { section: string; rest: string[] }) {
  switch (section) {
    case 'users':
      // #/admin/users/<address>, or #/admin/users/~/unit/path for the accounts of a unit.
      if (rest[0] === '~') return <Users unit={`/${rest.slice(1).join('/')}`} />;
      return rest[0] ? <UserDetail key={rest[0]} email={rest[0]} /> : <Users unit="" />;
    case 'units':
      return <Units />;
    case 'import':
      return <Import />;
    case 'roles':
      return <Roles />;
    case 'queue':
      return <Queue />;
    case 'trace':
      return <Trace />;
    case 'audit':
      return <Audit />;
    case 'domains':
      return <Domains />;
    case 'keys':
      return <ApiKeys />;
    default:
      return <Dashboard />;
  }
}
