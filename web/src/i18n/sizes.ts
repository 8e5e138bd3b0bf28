// Sizes of mail, attachments and quotas, 1024-based as the server counts them (a quota of 2G
// is 2 × 1024³ bytes, core/accounts.ts parseQuota), with the unit words of the interface
// language from common.json `size.*` (Intl has no Lao unit names: it writes "0 byte"). The
// English words are KB, MB, GB and TB in their binary sense, as the quota field writes 2G.

export const SIZE_UNITS = ['byte', 'kb', 'mb', 'gb', 'tb'] as const;
export type SizeUnit = (typeof SIZE_UNITS)[number];

/** Bytes as a number of the largest unit that keeps it at 1 or more, 1024 to a step. */
export function sizeParts(bytes: number): {
  value: number;
  unit: SizeUnit;
  fractionDigits: number;
} {
  let i = 0;
  let v = Math.max(0, bytes);
  while (v >= 1024 && i < SIZE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  // One decimal below 10 of a unit (1.5 MB), none above (250 MB) and never for bytes; a value
  // that would round up to 1024 is written in the next unit instead (1023.96 KB → 1 MB).
  const fractionDigits = i > 0 && v < 10 ? 1 : 0;
  const rounded = Number(v.toFixed(fractionDigits));
  if (rounded >= 1024 && i < SIZE_UNITS.length - 1)
    return { value: 1, unit: SIZE_UNITS[i + 1]!, fractionDigits: 1 };
  return { value: rounded, unit: SIZE_UNITS[i]!, fractionDigits };
}

/**
 * The size in words: `t` looks up common.json (`size.<unit>` with {{n}} and a count for the
 * plural of "byte"), `formatNumber` writes the number in the interface language.
 */
export function formatSize(
  bytes: number,
  t: (key: string, opts: { n: string; count: number }) => string,
  formatNumber: (n: number, opts: Intl.NumberFormatOptions) => string,
): string {
  const p = sizeParts(bytes);
  const n = formatNumber(p.value, {
    minimumFractionDigits: 0,
    maximumFractionDigits: p.fractionDigits,
  });
  return t(`size.${p.unit}`, { n, count: p.value });
}
