/**
 * A recording's start as its participant lived it: the wall clock of the recording's own time zone, with the
 * zone's abbreviation (CET / CEST, or GMT+2 where the locale has no name), never the annotator's zone.
 */
export type Clock = 'utc' | 'device-local' | 'device-local-unknown-zone' | 'relative';

export interface ZonedStart {
  /** "3 Dec 2026, 07:25" — or a sentence when there is no wall clock. */
  text: string;
  /** "CET", "GMT+2", "UTC"; empty when there is no wall clock. */
  zone: string;
  /** The full instant for a tooltip: ISO UTC plus the zone's name. */
  title: string;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    });
    cache.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the zone (an IANA name or, in newer engines, a fixed offset such as +02:00). */
export function isKnownZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function formatZonedStart(startTime: string | null | undefined, timezone: string | null | undefined, clock?: Clock | null): ZonedStart {
  if (clock === 'relative') return { text: 'no wall clock', zone: '', title: 'The file has no wall clock: times count from the start of the recording.' };
  // Not read yet, or never (rejected): nothing is known about its times.
  if (!startTime) return { text: '—', zone: '', title: 'Not known until the file has been read' };
  const ms = Date.parse(startTime);
  if (!Number.isFinite(ms)) return { text: '—', zone: '', title: startTime };
  // A device clock with no zone is stored as it was read, labelled UTC: show it as local time, not as UTC.
  if (clock === 'device-local-unknown-zone') {
    const { text } = parts(ms, 'UTC');
    return { text, zone: 'local', title: `${startTime} — the device's own clock; its time zone is not known` };
  }
  const zone = timezone && isKnownZone(timezone) ? timezone : 'UTC';
  const p = parts(ms, zone);
  return { text: p.text, zone: p.zone, title: `${new Date(ms).toISOString()} (${zone})` };
}

function parts(ms: number, timeZone: string): { text: string; zone: string } {
  let date = '';
  let time = '';
  let zone = '';
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type === 'day' || part.type === 'month' || part.type === 'year') date += (date ? ' ' : '') + part.value;
    else if (part.type === 'hour' || part.type === 'minute') time += (time ? ':' : '') + part.value;
    else if (part.type === 'timeZoneName') zone = part.value;
  }
  return { text: `${date}, ${time}`, zone };
}
