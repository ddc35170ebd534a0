/**
 * Clock offset between two recordings of the same participant that overlap in time (a phone and a watch
 * worn together), estimated from their signals: normalised cross-correlation of the motion activity series
 * (1 s windows, from each stream's summary), with sub-window refinement by a parabola through the peak.
 * Pure; raw data is never rewritten: the offset is stored as metadata beside the recordings.
 */
import type { StreamSummary } from './types.js';

export const ALIGNMENT = { method: 'activity-xcorr', version: '1.0.0' } as const;

export interface ActivitySeries {
  /** Unix ns of window 0's start. */
  startNs: bigint;
  windowS: number;
  /** Activity per window; NaN where the stream had no samples. */
  values: Float64Array;
}

export interface AlignmentOptions {
  /** Largest clock offset searched, seconds. */
  maxLagS: number;
  /** Fewest overlapping windows a lag needs to count. */
  minOverlapWindows: number;
}

export const DEFAULT_ALIGNMENT_OPTIONS: AlignmentOptions = { maxLagS: 300, minOverlapWindows: 120 };

export interface AlignmentEstimate {
  /** Add this to `b`'s times to put them on `a`'s clock. */
  offsetS: number;
  /** Normalised cross-correlation at the peak, in [-1, 1]. */
  peak: number;
  /** In [0, 1]: high when the peak is strong and stands clear of the next best lag. */
  confidence: number;
  /** Seconds of overlap the estimate rests on. */
  overlapS: number;
}

/** The motion activity series of a stream (only streams whose windows measure motion). */
export function activitySeries(summary: StreamSummary): ActivitySeries | null {
  if (summary.stream.kind !== 'imu' || summary.firstNs === null || summary.windows.count < 2) return null;
  const w = summary.windows;
  const values = new Float64Array(w.count);
  for (let i = 0; i < w.count; i++) values[i] = (w.n[i] ?? 0) > 0 ? (w.activity[i] ?? NaN) : NaN;
  return { startNs: BigInt(summary.firstNs), windowS: w.windowS, values };
}

/**
 * Finds the lag of `b` against `a` that best lines up their activity. Both series must have the same window
 * length. Returns null when they never overlap by `minOverlapWindows` within ±maxLagS, or when either is flat.
 */
export function estimateOffset(a: ActivitySeries, b: ActivitySeries, opts: AlignmentOptions = DEFAULT_ALIGNMENT_OPTIONS): AlignmentEstimate | null {
  if (Math.abs(a.windowS - b.windowS) > 1e-9) throw new Error('activity series must share their window length');
  const w = a.windowS;
  // Window j of b sits at a-window index (j + base) when clocks agree.
  const baseS = Number(b.startNs - a.startNs) / 1e9;
  const base = Math.round(baseS / w);
  const residualS = baseS - base * w;
  const maxLag = Math.ceil(opts.maxLagS / w);
  const scores: { lag: number; r: number; n: number }[] = [];
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const r = correlationAt(a.values, b.values, base + lag, opts.minOverlapWindows);
    if (r) scores.push({ lag, ...r });
  }
  if (scores.length === 0) return null;
  let best = scores[0]!;
  for (const s of scores) if (s.r > best.r) best = s;
  if (!Number.isFinite(best.r) || best.r <= 0) return null;
  // Sub-window refinement: vertex of the parabola through the peak and its neighbours.
  const at = (lag: number): number | undefined => scores.find((s) => s.lag === lag)?.r;
  const l = at(best.lag - 1);
  const r = at(best.lag + 1);
  let frac = 0;
  if (l !== undefined && r !== undefined) {
    const denom = l - 2 * best.r + r;
    if (denom < 0) frac = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / denom));
  }
  // The best other peak outside the main lobe (walk down from the peak while the correlation keeps
  // falling): how clearly this lag wins over the next candidate offset.
  const bi = scores.indexOf(best);
  let lo = bi;
  while (lo > 0 && scores[lo - 1]!.lag === scores[lo]!.lag - 1 && scores[lo - 1]!.r <= scores[lo]!.r) lo--;
  let hi = bi;
  while (hi < scores.length - 1 && scores[hi + 1]!.lag === scores[hi]!.lag + 1 && scores[hi + 1]!.r <= scores[hi]!.r) hi++;
  let second = -1;
  for (let k = 0; k < scores.length; k++) if ((k < lo || k > hi) && scores[k]!.r > second) second = scores[k]!.r;
  const clear = second <= 0 ? 1 : Math.max(0, Math.min(1, (best.r - second) / 0.3));
  // a's window i and b's window j show the same moment when a.start + i·w = b.start + j·w + offset, and the
  // best shift s = i − j = base + lag (+ frac) gives offset = s·w − (b.start − a.start).
  const offsetS = (best.lag + frac) * w - residualS;
  return { offsetS, peak: best.r, confidence: Math.max(0, best.r) * clear, overlapS: best.n * w };
}

/** Pearson correlation of a[j + shift] and b[j] over the windows where both have values. */
function correlationAt(a: Float64Array, b: Float64Array, shift: number, minN: number): { r: number; n: number } | null {
  const j0 = Math.max(0, -shift);
  const j1 = Math.min(b.length, a.length - shift);
  if (j1 - j0 < minN) return null;
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let j = j0; j < j1; j++) {
    const x = a[j + shift]!;
    const y = b[j]!;
    if (x !== x || y !== y) continue;
    n++;
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  if (n < minN) return null;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  if (va <= 1e-12 || vb <= 1e-12) return null;
  return { r: (sab - (sa * sb) / n) / Math.sqrt(va * vb), n };
}
