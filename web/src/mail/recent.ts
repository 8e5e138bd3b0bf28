// Recent correspondents, for recipient suggestions beside the address book: people whose mail
// was read or who were written to, most recent first, kept in this browser only.
import type { Address } from './model.ts';

const KEY = 'champa.recent';
const MAX = 200;

function load(): Address[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as Address[]) : [];
  } catch {
    return [];
  }
}

export function remember(a: Address): void {
  if (!a.email) return;
  const email = a.email.toLowerCase();
  const list = load().filter((x) => x.email.toLowerCase() !== email);
  list.unshift({ name: a.name, email: a.email });
  localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
}

/** Recent correspondents whose address or a word of whose name starts with `q`. */
export function recentMatching(q: string, limit = 5): Address[] {
  const s = q.trim().toLowerCase();
  if (!s) return [];
  return load()
    .filter(
      (a) =>
        a.email.toLowerCase().startsWith(s) ||
        (a.name ?? '')
          .toLowerCase()
          .split(/\s+/)
          .some((w) => w.startsWith(s)),
    )
    .slice(0, limit);
}
