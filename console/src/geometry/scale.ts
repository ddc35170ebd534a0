/**
 * Time ↔ pixel mapping of the recording view: one linear scale over [fromS, toS] drawn across `widthPx`
 * (CSS pixels). Times are seconds from the recording's start (float64), so sub-millisecond positions survive
 * a 24-hour axis.
 */
export interface TimeScale {
  fromS: number;
  toS: number;
  widthPx: number;
}

/** The pixel (from the plot's left edge) where `s` is drawn. */
export function timeToPx(scale: TimeScale, s: number): number {
  const span = scale.toS - scale.fromS;
  return span > 0 ? ((s - scale.fromS) / span) * scale.widthPx : 0;
}

/** The time under pixel `px` (from the plot's left edge). */
export function pxToTime(scale: TimeScale, px: number): number {
  return scale.widthPx > 0 ? scale.fromS + (px / scale.widthPx) * (scale.toS - scale.fromS) : scale.fromS;
}

/** The API's cap on points per channel (`maxPoints`). */
export const MAX_POINTS_LIMIT = 100_000;

/**
 * Points to ask for so a plot of `cssWidth` CSS pixels gets one point per device pixel: more would be drawn on
 * top of each other, fewer would blur the envelope. `spanFactor` scales it for a fetched window wider than the
 * visible one (a margin either side at the same density).
 */
export function maxPointsFor(cssWidth: number, devicePixelRatio: number, spanFactor = 1): number {
  const dpr = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  const n = Math.round(Math.max(0, cssWidth) * dpr * Math.max(1, spanFactor));
  return Math.min(MAX_POINTS_LIMIT, Math.max(2, n));
}
