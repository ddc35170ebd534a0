/**
 * Ruler ticks: a "nice" step (1, 2, 5 × 10ⁿ below a second; then 1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min;
 * 1, 2, 3, 6 h) chosen so labels stay at least `minPx` apart, and the multiples of it inside the window.
 */
export const NICE_STEPS_S: readonly number[] = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30,
  60, 120, 300, 600, 900, 1800,
  3600, 7200, 10_800, 21_600,
];

/** The smallest nice step whose ticks are at least `minPx` apart over `spanS` drawn across `widthPx`. */
export function tickStep(spanS: number, widthPx: number, minPx = 90): number {
  if (!(spanS > 0) || !(widthPx > 0)) return NICE_STEPS_S[NICE_STEPS_S.length - 1]!;
  const pxPerS = widthPx / spanS;
  for (const step of NICE_STEPS_S) if (step * pxPerS >= minPx) return step;
  return NICE_STEPS_S[NICE_STEPS_S.length - 1]!;
}

/**
 * The multiples of `step` in [fromS, toS]. Each is computed as k·step from an integer k (never by adding
 * steps up), so ticks sit on exact round times however far into the recording.
 */
export function ticks(fromS: number, toS: number, step: number, maxTicks = 1000): number[] {
  if (!(step > 0) || !(toS >= fromS)) return [];
  const out: number[] = [];
  const first = Math.ceil(fromS / step - 1e-9);
  for (let k = first; out.length < maxTicks; k++) {
    const t = Math.round(k * step * 1e6) / 1e6 + 0; // + 0: no −0 tick
    if (t > toS + 1e-9) break;
    out.push(t);
  }
  return out;
}

/** Decimals a label needs for a step (3 for 1 ms … 0 for a whole second or more). */
export function decimalsFor(step: number): number {
  if (step >= 1) return 0;
  if (step >= 0.1) return 1;
  if (step >= 0.01) return 2;
  return 3;
}
