/**
 * Time zones: an IANA name (`Europe/Berlin`) or a fixed UTC offset (`+02:00`, `-0530`, `UTC`), and the
 * offset a zone has at an instant or at a local wall-clock time. Built on Intl (the ICU data Node ships),
 * so no zone database is kept here.
 */

const FIXED = /^(?:UTC|GMT|Z)?([+-])(\d{2}):?(\d{2})$/;

const formats = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormat(zone: string): Intl.DateTimeFormat | null {
  let f = formats.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      f = null;
    }
    if (formats.size < 1000) formats.set(zone, f);
  }
  return f;
}

function fixedOffsetMin(zone: string): number | null {
  if (zone === 'UTC' || zone === 'GMT' || zone === 'Z') return 0;
  const m = FIXED.exec(zone);
  if (m === null) return null;
  const min = Number(m[2]) * 60 + Number(m[3]);
  return min > 18 * 60 ? null : (m[1] === '-' ? -min : min);
}

/** True for an IANA zone Node knows or a fixed offset (`+02:00`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  return zone.length > 0 && zone.length <= 64 && (fixedOffsetMin(zone) !== null || zoneFormat(zone) !== null);
}

/** UTC offset (minutes) of an IANA zone at an instant, from Intl's `longOffset` name (`GMT+05:30`, `GMT`). */
export function utcOffsetMin(fmt: Intl.DateTimeFormat, ms: number): number {
  const name = fmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /([+-])(\d{1,2})(?::?(\d{2}))?/.exec(name);
  if (m === null) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The zone's UTC offset (minutes) at the instant `utcMs`; null for an unknown zone. */
export function offsetAtInstant(zone: string, utcMs: number): number | null {
  const fixed = fixedOffsetMin(zone);
  if (fixed !== null) return fixed;
  const f = zoneFormat(zone);
  return f === null ? null : utcOffsetMin(f, utcMs);
}

/**
 * The zone's UTC offset (minutes) in force at the local wall-clock time `localMs` (local time read as if it
 * were UTC): UTC = local − offset. A local time in a spring-forward gap takes the offset before the change
 * (as a clock that was not moved on would show); one repeated in the fall-back hour takes the earlier (summer)
 * offset. Null for an unknown zone.
 */
export function offsetAtLocal(zone: string, localMs: number): number | null {
  // The offsets a day either side (zones change at most once within a day): each is right if the instant it
  // gives has that offset; both are right in a repeated hour (the earlier instant, the larger offset, wins),
  // neither in a skipped one.
  const before = offsetAtInstant(zone, localMs - 86_400_000);
  const after = offsetAtInstant(zone, localMs + 86_400_000);
  if (before === null || after === null) return null;
  const fits = [before, after].filter((o) => offsetAtInstant(zone, localMs - o * 60_000) === o);
  return fits.length > 0 ? Math.max(...fits) : before;
}

/** Instants (ms) where the zone's UTC offset changes between `fromMs` and `toMs` (to the second). */
export function offsetChanges(zone: string, fromMs: number, toMs: number): { atMs: number; before: number; after: number }[] {
  const out: { atMs: number; before: number; after: number }[] = [];
  if (!(toMs > fromMs) || fixedOffsetMin(zone) !== null) return out;
  const fmt = zoneFormat(zone);
  if (fmt === null) return out;
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

/** `UTC+02:00`, `UTC−05:30`. */
export function offsetName(min: number): string {
  const a = Math.abs(min);
  return `UTC${min < 0 ? '−' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
