// The console's small helpers: who may do what where (from GET /api/admin/me), query strings,
// a loading hook that cancels stale requests, downloads, and quota text. Hiding a button is
// only a courtesy: the server checks every action again and refuses with 403.
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { AdminMe } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';

export type Action =
  | 'unit.read'
  | 'unit.create'
  | 'unit.move'
  | 'unit.remove'
  | 'account.read'
  | 'account.create'
  | 'account.update'
  | 'account.move'
  | 'account.disable'
  | 'account.password.reset'
  | 'account.unlock'
  | 'account.remove'
  | 'alias.manage'
  | 'quota.set'
  | 'audit.read'
  | 'trace.read'
  | 'domain.manage'
  | 'role.grant'
  | 'queue.manage';

/** A unit is inside a subtree when it is its root or lies below it (docs/delegation.md). */
export function isWithin(path: string, root: string): boolean {
  if (root === '/') return true;
  return path === root || path.startsWith(`${root}/`);
}

export interface AdminValue {
  me: AdminMe;
  /** Whether the administrator may do `action` at all, or on `unit` when given. */
  can(action: Action, unit?: string): boolean;
  /** Where `action` may be done: 'all' or subtree roots. */
  where(action: Action): 'all' | string[];
}

export function adminValue(me: AdminMe): AdminValue {
  const where = (action: Action): 'all' | string[] => me.reach[action] ?? [];
  return {
    me,
    where,
    can(action, unit) {
      const w = where(action);
      if (w === 'all') return true;
      if (unit === undefined) return w.length > 0;
      return w.some((root) => isWithin(unit, root));
    },
  };
}

export const AdminContext = createContext<AdminValue | null>(null);

export function useAdmin(): AdminValue {
  const v = useContext(AdminContext);
  if (!v) throw new Error('useAdmin outside the console');
  return v;
}

/** `?a=1&b=x` from the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** `/api/admin/users/<email>` with the address as one percent-encoded segment. */
export const userPath = (email: string, rest = ''): string =>
  `/api/admin/users/${encodeURIComponent(email)}${rest}`;

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs `load` now and whenever `key` changes; an older answer never overwrites a newer one. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [n, setN] = useState(0);
  const fn = useRef(load);
  fn.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fn.current(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (!ctl.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => ctl.abort();
  }, [key, n]);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: () => setN((x) => x + 1),
  };
}

/** Hands the browser a file to save. */
export function saveFile(text: string, filename: string, type = 'text/csv;charset=utf-8'): void {
  // A byte-order mark so that spreadsheet programs read the Lao names as UTF-8.
  const blob = new Blob(['\uFEFF', text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads a CSV route of the admin API (with the session) as a file. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  saveFile(await api<string>('GET', path), filename);
}

const UNITS: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "500M", "2G", "0" → bytes (as the server's CSV import reads them); null when not a size. */
export function parseQuota(text: string): number | null {
  const m = /^\s*(\d+(?:[.,]\d+)?)\s*([KMGT]i?B?|B)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 'B').toUpperCase()[0] ?? 'B';
  return Math.round(Number(m[1]!.replace(',', '.')) * (UNITS[unit] ?? 1));
}

/** Bytes → the shortest exact "500M" / "2G" form for the quota field. */
export function quotaText(bytes: number): string {
  if (bytes === 0) return '0';
  for (const u of ['T', 'G', 'M', 'K'] as const)
    if (bytes % UNITS[u]! === 0) return `${bytes / UNITS[u]!}${u}`;
  return String(bytes);
}

/** A date input's value (yyyy-mm-dd, local) → ms at the start of that day, or undefined. */
export function dayStart(value: string): number | undefined {
  if (!value) return undefined;
  const t = new Date(`${value}T00:00:00`).getTime();
  return Number.isFinite(t) ? t : undefined;
}
