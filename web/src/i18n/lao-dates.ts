// Lao dates without a megabyte of locale data. Chromium's Intl has no Lao (it falls back to
// English) and FormatJS's polyfill with Lao data weighs over 250 KB compressed — most of the
// slow-link budget. Lao writes dates day-month-year like en-GB, so the British format's parts
// are kept and the month and weekday names (CLDR's Lao names) put in their place; times are
// 24-hour, as in Laos.

const MONTHS = [
  'ມັງກອນ',
  'ກຸມພາ',
  'ມີນາ',
  'ເມສາ',
  'ພຶດສະພາ',
  'ມິຖຸນາ',
  'ກໍລະກົດ',
  'ສິງຫາ',
  'ກັນຍາ',
  'ຕຸລາ',
  'ພະຈິກ',
  'ທັນວາ',
];
const WEEKDAYS = ['ວັນອາທິດ', 'ວັນຈັນ', 'ວັນອັງຄານ', 'ວັນພຸດ', 'ວັນພະຫັດ', 'ວັນສຸກ', 'ວັນເສົາ'];

/** True when the browser's Intl knows Lao dates (then it is used as it is). */
export const intlHasLao = (): boolean => Intl.DateTimeFormat.supportedLocalesOf(['lo']).length > 0;

export function formatLaoDate(ms: number, opts: Intl.DateTimeFormatOptions): string {
  const o: Intl.DateTimeFormatOptions = { ...opts, hourCycle: 'h23' };
  // dateStyle/timeStyle cannot be mixed with field options: spell them out.
  if (o.dateStyle) {
    const style = o.dateStyle;
    delete o.dateStyle;
    o.day = 'numeric';
    o.month = style === 'short' ? '2-digit' : 'long';
    o.year = 'numeric';
    if (style === 'full') o.weekday = 'long';
  }
  if (o.timeStyle) {
    delete o.timeStyle;
    o.hour = '2-digit';
    o.minute = '2-digit';
  }
  const date = new Date(ms);
  return new Intl.DateTimeFormat('en-GB', o)
    .formatToParts(date)
    .map((p) => {
      if (p.type === 'month' && !/^\d+$/.test(p.value)) return MONTHS[date.getMonth()];
      if (p.type === 'weekday') return WEEKDAYS[date.getDay()];
      if (p.type === 'literal') return p.value.replace(/\bat\b/, '').replace(/,\s*$/, ' ');
      return p.value;
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}
