/**
 * Time labels of the recording view: relative time from the recording's start (h:mm:ss.mmm), and absolute
 * wall-clock time in the recording's own time zone (Intl), for recordings that have a wall clock.
 */

/** `h:mm:ss` with `decimals` (0–3) digits of the second, from seconds since the start (negative: "−"). */
export function formatRelative(s: number, decimals = 3): string {
  const d = Math.max(0, Math.min(3, Math.trunc(decimals)));
  const sign = s < 0 ? '−' : '';
  const unit = 10 ** d;
  // Rounded once, in whole units of the last digit, so 59.9996 s becomes 0:01:00.000 and not 0:00:60.000.
  const total = Math.round(Math.abs(s) * unit);
  const whole = Math.floor(total / unit);
  const frac = total - whole * unit;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  const base = `${sign}${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return d > 0 ? `${base}.${String(frac).padStart(d, '0')}` : base;
}

/** A compact duration ("24 h", "1 h 30 min", "2 min 5 s", "3.25 s", "12 ms"). */
export function formatDuration(s: number): string {
  if (!(s >= 0)) return '';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Number(s.toFixed(s < 10 ? 2 : 1))} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return sec > 0 ? `${m} min ${sec} s` : `${m} min`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, decimals: 0 | 1 | 2 | 3, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${decimals}|${withDate}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      ...(decimals > 0 ? { fractionalSecondDigits: decimals as 1 | 2 | 3 } : {}),
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isKnownZone(timeZone: string): boolean {
  try {
    formatter(timeZone, 0, false);
    return true;
  } catch {
    return false;
  }
}

/**
 * Wall-clock time of position `s` of a recording that started at `startMs` (Unix ms), in `timeZone`:
 * `HH:MM:SS[.mmm]`, or `YYYY-MM-DD HH:MM:SS` with `withDate`. Falls back to UTC for an unknown zone.
 */
export function formatAbsolute(startMs: number, s: number, timeZone: string, decimals = 0, withDate = false): string {
  const d = Math.max(0, Math.min(3, Math.trunc(decimals))) as 0 | 1 | 2 | 3;
  const zone = isKnownZone(timeZone) ? timeZone : 'UTC';
  const parts = formatter(zone, d, withDate).formatToParts(new Date(startMs + s * 1000));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${get('hour')}:${get('minute')}:${get('second')}${d > 0 ? `.${get('fractionalSecond')}` : ''}`;
  return withDate ? `${get('year')}-${get('month')}-${get('day')} ${time}` : time;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's short name at that moment ("CET", "GMT+2"), for the ruler's caption (drawn every frame: cached). */
export function zoneName(startMs: number, timeZone: string): string {
  if (!isKnownZone(timeZone)) return 'UTC';
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' });
    zoneFormatters.set(timeZone, f);
  }
  return f.formatToParts(new Date(startMs)).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}
