// The wall clock of an instant in an IANA time zone (through Intl, no table of our own), for
// what protocols show in local time with its offset (IMAP INTERNALDATE) or count in local
// days (IMAP date searches). The server's zone is `timeZone` in the config.

export interface ZonedParts {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC at that instant (+420 for Asia/Vientiane). */
  offsetMinutes: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'longOffset',
    });
    formats.set(zone, f);
  }
  return f;
}

/** Whether `zone` names a time zone this runtime knows ("UTC", "Asia/Vientiane"). */
export function isTimeZone(zone: string): boolean {
  try {
    format(zone);
    return true;
  } catch {
    return false;
  }
}

export function zonedParts(ms: number, zone: string): ZonedParts {
  const parts = new Map(
    format(zone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const n = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.get(type));
  // "GMT", or "GMT+07:00" / "GMT-03:30".
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(parts.get('timeZoneName') ?? 'GMT');
  const offset = m?.[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return {
    year: n('year'),
    month: n('month'),
    day: n('day'),
    hour: n('hour'),
    minute: n('minute'),
    second: n('second'),
    offsetMinutes: offset,
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The local day of an instant, "YYYY-MM-DD". */
export function localDay(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** "+0700", "-0330", "+0000": the offset as RFC 5322 and IMAP write it. */
export function offsetText(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}
