/**
 * "3 days ago": how long since something happened, in the largest unit that is at least one, as a coordinator
 * reads a participant's last upload. `now` is passed in so the function stays pure.
 */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return '—';
  const ageS = (now - then) / 1000;
  // A clock a little ahead of ours is still "just now", not "in 3 seconds".
  if (ageS < 60) return 'just now';
  for (const [unit, size] of UNITS) {
    if (ageS >= size) return rtf.format(-Math.floor(ageS / size), unit);
  }
  return 'just now';
}

/** Whole days since an instant (floor), or null without one. */
export function daysSince(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const then = Date.parse(iso);
  return Number.isFinite(then) ? Math.max(0, Math.floor((now - then) / 86_400_000)) : null;
}
