// Who is signed in, for every part of the app: the account (from GET /api/session) and a
// JMAP client once the password no longer has to be changed.
import { createContext, useContext } from 'react';
import type { Me } from '../../../src/api/account.ts';
import type { Jmap } from '../api/jmap.ts';

export interface SessionValue {
  me: Me;
  jmap: Jmap;
  /** Re-reads the account (after a change of password, name, two-step sign-in). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in app');
  return s;
}

/** True when the account holds any administrative role (the console is shown). */
export const isAdministrator = (me: Me): boolean => me.roles.length > 0;
