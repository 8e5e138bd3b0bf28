// The server's problems in the interface language. The admin API names each problem by a
// stable code with its parameters (src/util/problems.ts, the one list); the strings are
// `problem.<code>` in locales/<lang>/admin.json with the parameters as {{name}}, and
// test/web/problems.test.ts checks that both languages have every code of the list. A code
// this build does not know (a newer server) shows the server's English as it came.
import { useTranslation } from 'react-i18next';
import type { Coded } from '../api/http.ts';

export function useProblemText(): (p: Coded) => string {
  const { t, i18n } = useTranslation('admin');
  return (p) => {
    const key = `problem.${p.code ?? ''}`;
    if (!p.code || !i18n.exists(key, { ns: 'admin' })) return p.message;
    const params: Record<string, string | number> = { ...p.params };
    // A role is a word of the interface too (role.unit_admin: "Unit administrator").
    const role = params.role;
    if (typeof role === 'string' && i18n.exists(`role.${role}`, { ns: 'admin' }))
      params.role = t(`role.${role}`);
    return t(key, params);
  };
}
