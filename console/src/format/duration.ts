import { formatRelative } from '../geometry/time-format';

/**
 * Durations as an annotator reads them in a table: h:mm:ss, hours not wrapped at 24 (a 30-hour recording reads
 * 30:00:00, not "1 day"), whole seconds (the queue is not the place for milliseconds).
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  return formatRelative(seconds, 0);
}

/** A share of a whole as a whole percentage, for "how much is labelled"; 0 when there is no whole. */
export function percentOf(part: number, whole: number | null | undefined): number {
  if (!whole || !Number.isFinite(whole) || whole <= 0 || !Number.isFinite(part) || part <= 0) return 0;
  return Math.min(100, (part / whole) * 100);
}

/** A percentage for display: "<1 %" rather than a misleading "0 %" when something is labelled. */
export function formatPercent(pct: number): string {
  if (pct <= 0) return '0 %';
  if (pct < 1) return '<1 %';
  if (pct > 99 && pct < 100) return '99 %';
  return `${Math.round(pct)} %`;
}

/** Bytes in the units people read (1 000-based, as file managers and S3 consoles show them). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
