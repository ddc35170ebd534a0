import type { QualityCheck } from '../types.js';
import { isTimeZone, offsetChanges, offsetName } from '../../domain/time-zone.js';

/** Wall-clock plausibility limits; a study overrides them with detector options `imuChecks.<name>`. */
export const CLOCK_DEFAULTS = Object.freeze({
  /** A first or last sample before this year is `bad` (a device clock that was never set reads 1970 or 2000). */
  minYear: 2010,
  /** … or more than this many years after the current one. */
  maxYearsAhead: 1,
});
export type ClockParams = typeof CLOCK_DEFAULTS;

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
  if (!isTimeZone(tz)) return { ...base, status: 'warn', value: y0, message: `${span}; the time zone "${tz}" is unknown, so local times cannot be derived: set an IANA zone such as Europe/London.` };
  const changes = offsetChanges(tz, range.firstMs, range.lastMs);
  if (changes.length === 0) return { ...base, status: 'ok', value: y0, message: `${span}: a plausible date, with no daylight-saving change in ${tz} inside it.` };
  const list = changes.map((c) => `${iso(c.atMs)} (${offsetName(c.before)} → ${offsetName(c.after)})`).join(', ');
  return {
    ...base, status: 'warn', value: y0,
    message: `${span} and crosses ${changes.length === 1 ? 'a daylight-saving change' : `${changes.length} daylight-saving changes`} in ${tz} at ${list}: local clock times skip or repeat there, so use UTC (or the offset at each sample) for durations and day boundaries.`,
  };
}
