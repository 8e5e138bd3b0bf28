// Interface language: Lao or English, chosen by the user (kept in localStorage), else from the
// browser. Every string lives in locales/<lang>/<namespace>.json; test/web/i18n.test.ts
// checks that both languages have every key. Dates in Lao come from lao-dates.ts when the
// browser's Intl has no Lao data (Chromium has none).
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { formatLaoDate, intlHasLao } from './lao-dates.ts';
import { formatSize } from './sizes.ts';

export const LANGUAGES = ['lo', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'champa.language';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Every locales/<lang>/<ns>.json, bundled (both languages together are a few KB). */
function resources(): Resources {
  const files = import.meta.glob<Record<string, unknown>>('../locales/*/*.json', {
    eager: true,
    import: 'default',
  });
  const out: Resources = {};
  for (const [path, data] of Object.entries(files)) {
    const m = /\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
    if (!m) continue;
    (out[m[1]!] ??= {})[m[2]!] = data;
  }
  return out;
}

export function preferredLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'lo' || saved === 'en') return saved;
  return navigator.languages.some((l) => l.toLowerCase().startsWith('lo')) ? 'lo' : 'en';
}

export async function setLanguage(lang: Language): Promise<void> {
  localStorage.setItem(STORAGE_KEY, lang);
  await i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export async function initI18n(): Promise<void> {
  const lang = preferredLanguage();
  const res = resources();
  await i18next.use(initReactI18next).init({
    resources: res,
    lng: lang,
    fallbackLng: 'en',
    ns: Object.keys(res.en ?? {}),
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  document.documentElement.lang = lang;
}

/** Dates and numbers in the interface language. */
export function formatDate(ms: number, opts: Intl.DateTimeFormatOptions): string {
  if (i18next.language === 'lo' && !intlHasLao()) return formatLaoDate(ms, opts);
  return new Intl.DateTimeFormat(i18next.language, opts).format(ms);
}

export function formatNumber(n: number, opts: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(i18next.language, opts).format(n);
}

/** Bytes as "1.2 MB" / "1,2 ເມກະໄບຕ໌", 1024-based as quotas are (sizes.ts). */
export function formatBytes(n: number): string {
  return formatSize(n, (key, opts) => i18next.t(key, { ns: 'common', ...opts }), formatNumber);
}
