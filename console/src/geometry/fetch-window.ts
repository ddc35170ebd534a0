/**
 * Which samples window a plot fetches for a view, and whether one it already holds will do. A plot fetches the
 * visible window plus one window's span either side (clamped to the recording), so small pans are drawn from
 * what it holds; the points asked for keep one point per device pixel over the whole fetched span.
 */
import { maxPointsFor } from './scale';

export interface TimeWindow {
  fromS: number;
  toS: number;
}

export interface FetchWindow extends TimeWindow {
  maxPoints: number;
}

/** A window a plot holds: what was asked for and whether the answer was reduced to an envelope. */
export interface HeldWindow extends FetchWindow {
  reduced: boolean;
}

/** The window to fetch for `view`: one span of margin either side, within [0, durationS]. */
export function windowToFetch(view: TimeWindow, durationS: number, cssWidth: number, devicePixelRatio: number): FetchWindow {
  const span = Math.max(0, view.toS - view.fromS);
  const fromS = Math.max(0, view.fromS - span);
  const toS = Math.min(durationS, view.toS + span);
  const factor = span > 0 ? (toS - fromS) / span : 1;
  return { fromS, toS, maxPoints: maxPointsFor(cssWidth, devicePixelRatio, factor) };
}

/**
 * True when `held` draws `view` as well as a fresh fetch would: it spans the view and, if it is an envelope,
 * is at least `minDensity` as dense (points per second) as the view needs. Raw samples are every sample there
 * is, so any zoom inside them needs nothing new.
 */
export function covers(held: HeldWindow, view: TimeWindow, durationS: number, cssWidth: number, devicePixelRatio: number, minDensity = 0.7): boolean {
  const eps = 1e-9 * Math.max(1, durationS);
  if (held.fromS > Math.max(0, view.fromS) + eps || held.toS < Math.min(durationS, view.toS) - eps) return false;
  if (!held.reduced) return true;
  const span = view.toS - view.fromS;
  if (span <= 0) return true;
  const need = maxPointsFor(cssWidth, devicePixelRatio) / span;
  const have = held.maxPoints / Math.max(1e-12, held.toS - held.fromS);
  // Far denser than needed (held while zoomed in, now zoomed out within it) is fine to draw: at most 100k points.
  return have >= need * minDensity;
}

/** The held window (most recent first) that draws `view`, or undefined. */
export function pickHeld<W extends HeldWindow>(held: readonly W[], view: TimeWindow, durationS: number, cssWidth: number, devicePixelRatio: number): W | undefined {
  return held.find((h) => covers(h, view, durationS, cssWidth, devicePixelRatio));
}
