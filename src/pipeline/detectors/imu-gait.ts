/** The gait period search of the activity detector's analysis windows (pure, no state). */

/**
 * The gait period search of one window: normalised autocorrelation of the detrended x, y, z (summed). A
 * peak counts only when the autocorrelation dipped at least `minProminence` below it at a shorter lag: a
 * slow drift plus noise decays smoothly and has none.
 */
export function gaitPeriod(
  series: Float64Array[],
  len: number,
  minLag: number,
  maxLag: number,
  minProminence = 0,
): { lag: number; periodicity: number } | null {
  if (len < maxLag + 2) return null;
  const r = new Float64Array(maxLag + 2);
  const mid = (len - 1) / 2;
  let sxx = 0;
  for (let i = 0; i < len; i++) sxx += (i - mid) * (i - mid);
  for (const x of series) {
    let mean = 0;
    let sxy = 0;
    for (let i = 0; i < len; i++) {
      mean += x[i]!;
      sxy += (i - mid) * x[i]!;
    }
    mean /= len;
    const slope = sxy / sxx;
    for (let i = 0; i < len; i++) x[i]! -= mean + slope * (i - mid);
    for (let k = 0; k <= maxLag + 1; k++) {
      let s = 0;
      for (let i = 0; i + k < len; i++) s += x[i]! * x[i + k]!;
      r[k]! += s;
    }
  }
  const r0 = r[0]!;
  if (!(r0 > 0)) return null;
  for (let k = 0; k < r.length; k++) r[k]! /= r0;
  const low = new Float64Array(maxLag + 1);
  low[0] = r[0]!;
  for (let k = 1; k <= maxLag; k++) low[k] = Math.min(low[k - 1]!, r[k]!);
  const peak = (k: number): boolean => r[k]! >= r[k - 1]! && r[k]! >= r[k + 1]! && r[k]! - low[k]! >= minProminence;
  let best = -Infinity;
  for (let k = minLag; k <= maxLag; k++) if (peak(k) && r[k]! > best) best = r[k]!;
  if (best === -Infinity) return null;
  // The shortest lag nearly as good as the best: a multiple of the period scores about as well.
  for (let k = minLag; k <= maxLag; k++) {
    const a = r[k - 1]!;
    const b = r[k]!;
    const c = r[k + 1]!;
    if (peak(k) && b >= 0.9 * best) {
      const den = a - 2 * b + c;
      const shift = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
      return { lag: k + shift, periodicity: b };
    }
  }
  return null;
}
