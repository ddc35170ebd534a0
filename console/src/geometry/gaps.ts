/**
 * Gaps are gaps: where two consecutive points lie further apart than `k` times the expected spacing, a null
 * point is put between them, so a plot drawn without spanning gaps (uPlot `spanGaps: false`) breaks the line
 * there instead of drawing a straight segment over missing data.
 */

/** Times and channel values as uPlot draws them (one x array, one array per channel). */
export interface SeriesData {
  t: number[];
  channels: (number | null)[][];
}

/** Median of the positive steps between consecutive times (robust to the gaps themselves), or NaN. */
export function medianStep(t: ArrayLike<number>): number {
  const steps: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const d = t[i]! - t[i - 1]!;
    if (d > 0) steps.push(d);
  }
  if (steps.length === 0) return Number.NaN;
  steps.sort((a, b) => a - b);
  const m = steps.length >> 1;
  return steps.length % 2 ? steps[m]! : (steps[m - 1]! + steps[m]!) / 2;
}

/**
 * The spacing to expect between points: the data's median step, and never less than the stream's nominal
 * sample interval (a min/max envelope's points alternate at half its bucket width, which the median gives).
 */
export function expectedSpacing(t: ArrayLike<number>, sampleRateHz: number | null | undefined): number {
  const median = medianStep(t);
  const nominal = sampleRateHz && sampleRateHz > 0 ? 1 / sampleRateHz : 0;
  if (!Number.isFinite(median)) return nominal > 0 ? nominal : Number.NaN;
  return Math.max(median, nominal);
}

/** Inserts a null point wherever consecutive times differ by more than `k × spacing` (spacing > 0). */
export function insertGapBreaks(data: SeriesData, spacing: number, k = 3): SeriesData {
  const { t, channels } = data;
  if (!(spacing > 0) || t.length < 2) return data;
  const limit = k * spacing;
  let breaks = 0;
  for (let i = 1; i < t.length; i++) if (t[i]! - t[i - 1]! > limit) breaks++;
  if (breaks === 0) return data;
  const n = t.length + breaks;
  const outT = new Array<number>(n);
  const outC = channels.map(() => new Array<number | null>(n));
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    if (i > 0 && t[i]! - t[i - 1]! > limit) {
      outT[j] = (t[i - 1]! + t[i]!) / 2;
      for (const c of outC) c[j] = null;
      j++;
    }
    outT[j] = t[i]!;
    for (let c = 0; c < channels.length; c++) outC[c]![j] = channels[c]![i] ?? null;
    j++;
  }
  return { t: outT, channels: outC };
}
