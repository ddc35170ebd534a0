import type { QualityCheck } from '../types.js';

/** Wall-clock plausibility limits; a study overrides them with detector options `imuChecks.<name>`. */
export const CLOCK_DEFAULTS = Object.freeze({
  /** A first or last sample before this year is `bad` (a device clock that was never set reads 1970 or 2000). */
  minYear: 2010,
  /** … or more than this many years after the current one. */
  maxYearsAhead: 1,
});
export type ClockParams = typeof CLOCK_DEFAULTS;

/** UTC offset (minutes) of an IANA zone at an instant, from Intl's `longOffset` name (`GMT+05:30`, `GMT`). */
export function utcOffsetMin(fmt: Intl.DateTimeFormat, ms: number): number {
  const name = fmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /([+-])(\d{1,2})(?::?(\d{2}))?/.exec(name);
  if (m === null) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

function offsetName(min: number): string {
  const a = Math.abs(min);
  return `UTC${min < 0 ? '−' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function zoneFormat(timezone: string): Intl.DateTimeFormat | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
  } catch {
    return null;
  }
}

/** Instants (ms) where the zone's UTC offset changes between `fromMs` and `toMs` (to the second). */
export function offsetChanges(fmt: Intl.DateTimeFormat, fromMs: number, toMs: number): { atMs: number; before: number; after: number }[] {
  const out: { atMs: number; before: number; after: number }[] = [];
  if (!(toMs > fromMs)) return out;
  // Hourly steps (coarser beyond a year, so at most ~9,000 look-ups); transitions are hours apart.
  const step = Math.max(3_600_000, (toMs - fromMs) / 9000);
  let a = fromMs;
  let oa = utcOffsetMin(fmt, a);
  while (a < toMs) {
    const b = Math.min(toMs, a + step);
    const ob = utcOffsetMin(fmt, b);
    if (ob !== oa) {
      let lo = a;
      let hi = b;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2);
        if (utcOffsetMin(fmt, mid) === oa) lo = mid;
        else hi = mid;
      }
      out.push({ atMs: Math.ceil(hi / 1000) * 1000, before: oa, after: ob });
    }
    a = b;
    oa = ob;
  }
  return out;
}

/**
 * `clock_plausible` for a stream whose times are wall-clock (Unix epoch): the years of its first and last
 * samples within [minYear, now + maxYearsAhead], and, when the study gives the participant's IANA time zone,
 * any daylight-saving (UTC offset) change inside the recording, with its time. Times that count from the
 * recording's start are not judged.
 */
export function clockCheck(
  stream: string,
  range: { firstMs: number; lastMs: number } | null,
  absolute: boolean,
  p: ClockParams,
  opts: { timezone?: string; nowMs: number },
): QualityCheck {
  const base = { name: 'clock_plausible', stream, threshold: p.minYear, unit: 'year' };
  if (range === null) return { ...base, status: 'ok', message: `Stream "${stream}" has no samples, so its clock cannot be judged.` };
  if (!absolute) {
    return { ...base, status: 'ok', message: `Stream "${stream}" times count from the recording's start (no wall clock), so the date is not judged.` };
  }
  const y0 = new Date(range.firstMs).getUTCFullYear();
  const y1 = new Date(range.lastMs).getUTCFullYear();
  const maxYear = new Date(opts.nowMs).getUTCFullYear() + p.maxYearsAhead;
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  if (y0 < p.minYear || y1 > maxYear || Number.isNaN(y0) || Number.isNaN(y1)) {
    return {
      ...base, status: 'bad', value: y0 < p.minYear ? y0 : y1,
      message: `Stream "${stream}" runs from ${iso(range.firstMs)} to ${iso(range.lastMs)}, outside ${p.minYear}–${maxYear}: the device clock was not set (or the file's time unit was misread). Correct the start time before aligning it with other recordings.`,
    };
  }
  const span = `Stream "${stream}" runs from ${iso(range.firstMs)} to ${iso(range.lastMs)}`;
  const tz = opts.timezone;
  if (tz === undefined || tz === '') return { ...base, status: 'ok', value: y0, message: `${span}: a plausible date (no time zone given, so daylight-saving changes are not checked).` };
  const fmt = zoneFormat(tz);
  if (fmt === null) return { ...base, status: 'warn', value: y0, message: `${span}; the time zone "${tz}" is unknown, so local times cannot be derived: set an IANA zone such as Europe/London.` };
  const changes = offsetChanges(fmt, range.firstMs, range.lastMs);
  if (changes.length === 0) return { ...base, status: 'ok', value: y0, message: `${span}: a plausible date, with no daylight-saving change in ${tz} inside it.` };
  const list = changes.map((c) => `${iso(c.atMs)} (${offsetName(c.before)} → ${offsetName(c.after)})`).join(', ');
  return {
    ...base, status: 'warn', value: y0,
    message: `${span} and crosses ${changes.length === 1 ? 'a daylight-saving change' : `${changes.length} daylight-saving changes`} in ${tz} at ${list}: local clock times skip or repeat there, so use UTC (or the offset at each sample) for durations and day boundaries.`,
  };
}
