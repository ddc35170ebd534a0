/**
 * One stream onto a common time grid, for the dataset export (issue 13). Pure and bounded by the block it
 * is given: the exporter reads a recording block by block (with a margin) and calls this per stream and
 * block; nothing is kept between calls.
 *
 * Method (the documented method of the export):
 * 1. Gaps. Two consecutive samples more than `gapFactor` (default 2.5) nominal sample intervals apart bound
 *    a gap. Grid points strictly inside a gap, before the first sample or after the last are `missing` and
 *    their values NaN. The samples between gaps form runs; each run is handled on its own, so nothing is
 *    ever interpolated or filtered across a gap.
 * 2. Lowering the rate (grid rate < nominal rate). Each run is first placed on a uniform intermediate grid
 *    at the stream's nominal rate, starting at the run's first sample, by linear interpolation between the
 *    recorded samples (this removes timing jitter). Each grid point is then a direct evaluation of a
 *    low-pass windowed-sinc FIR filter centred on the grid time over those intermediate samples: cutoff
 *    0.9 × half the grid rate (below the new Nyquist frequency, leaving room for the transition band),
 *    Blackman window, ceil(8 · nominalRate / gridRate) taps on each side (8 zero crossings of the sinc at
 *    the grid rate, as the audio resampler in ../detectors/audio-resample.ts uses), the weights normalised
 *    to unit gain at DC for every grid point. The filter is evaluated at the exact grid time rather than
 *    at a tabulated phase, so the grid need not be aligned with the samples. At a run's edges the filter
 *    reads past the run's ends; there the run is extended by point reflection about its end sample
 *    (x[−m] = 2·x[0] − x[m]), which keeps the level and slope at the edge, so values next to a gap are not
 *    pulled toward zero (as zero padding would) and no sample from across the gap is used.
 * 3. Raising the rate or keeping it (grid rate ≥ nominal rate): linear interpolation at each grid time
 *    between the neighbouring recorded samples; no filter.
 * A NaN value (a channel's missing value) spreads to the grid points that read it: the two neighbours in
 * linear interpolation, the filter's width when lowering the rate. It does not mark the point `missing`,
 * which describes the time axis only (gaps and the stream's extent), and is shared by all channels.
 */

/** The common grid: point k lies at `startS + k / rateHz` on the recording's axis. */
export interface GridSpec {
  startS: number;
  rateHz: number;
  count: number;
}

/** One block of one stream's samples, with absolute times. */
export interface StreamBlock {
  /** Sample times in seconds on the recording's axis (float64, non-decreasing; may have jitter and gaps). */
  t: Float64Array;
  /** One array per channel, same length as t. NaN = missing value. */
  values: Float32Array[];
  /** The stream's nominal rate (Hz), e.g. 100 for a watch accelerometer. */
  nominalRateHz: number;
}

/** The stream on the grid. */
export interface Resampled {
  /** One array per channel, grid.count long; NaN where the stream has no data (gaps, before/after its samples). */
  values: Float32Array[];
  /** Per grid point: 1 when it lies in a gap or outside the stream's samples, else 0. */
  missing: Uint8Array;
}

/** Default gap threshold, in nominal sample intervals. */
export const DEFAULT_GAP_FACTOR = 2.5;
/** Zero crossings of the sinc on each side of the centre, counted at the grid rate. */
const ZERO_CROSSINGS = 8;
/** Cutoff as a fraction of the grid's Nyquist frequency. */
const CUTOFF = 0.9;

/**
 * Resamples one block of a stream onto `grid` (see the file header for the method). Grid points outside
 * the block's samples come out missing, so the caller gives a block that covers the grid plus a margin of
 * at least the filter's half-width (`antiAliasHalfWidthS`) on each side when the rate is lowered, or the
 * values near the block's ends are computed as at a gap's edge.
 */
export function resampleToGrid(block: StreamBlock, grid: GridSpec, opts?: { gapFactor?: number }): Resampled {
  const { t, values: inValues, nominalRateHz } = block;
  const { startS, rateHz, count } = grid;
  if (!(nominalRateHz > 0)) throw new RangeError(`nominalRateHz must be positive, got ${nominalRateHz}`);
  if (!(rateHz > 0)) throw new RangeError(`grid rateHz must be positive, got ${rateHz}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`grid count must be a whole number ≥ 0, got ${count}`);
  const n = t.length;
  for (const ch of inValues) {
    if (ch.length !== n) throw new RangeError(`every channel must hold ${n} values (one per sample time), got ${ch.length}`);
  }
  const gapFactor = opts?.gapFactor ?? DEFAULT_GAP_FACTOR;
  const maxStep = gapFactor / nominalRateHz;
  const nCh = inValues.length;

  const out: Float32Array[] = [];
  for (let c = 0; c < nCh; c++) out.push(new Float32Array(count).fill(NaN));
  const missing = new Uint8Array(count).fill(1);
  if (n === 0 || count === 0) return { values: out, missing };

  const downsample = rateHz < nominalRateHz;
  const filter = downsample ? new SincFilter(nominalRateHz, rateHz) : null;
  let scratch = downsample ? new Float64Array(0) : null;

  // Runs of samples without a gap: [a, b] inclusive.
  let a = 0;
  while (a < n) {
    let b = a;
    while (b + 1 < n && t[b + 1]! - t[b]! <= maxStep) b++;
    // Grid points in [t[a], t[b]] belong to this run; those strictly between runs stay missing.
    const t0 = t[a]!;
    const t1 = t[b]!;
    let k = Math.max(0, Math.ceil((t0 - startS) * rateHz));
    // The grid time is computed as startS + k / rateHz everywhere; step k to agree with that exact value.
    while (k > 0 && startS + (k - 1) / rateHz >= t0) k--;
    while (k < count && startS + k / rateHz < t0) k++;
    let kEnd = k; // exclusive
    while (kEnd < count && startS + kEnd / rateHz <= t1) kEnd++;
    if (kEnd > k) {
      missing.fill(0, k, kEnd);
      if (filter === null || b === a) {
        interpolateRun(t, inValues, a, b, startS, rateHz, k, kEnd, out);
      } else {
        const m = Math.floor((t1 - t0) * nominalRateHz + 1e-9) + 1; // intermediate samples in the run
        if (scratch!.length < m * nCh) scratch = new Float64Array(Math.max(m * nCh, 2 * scratch!.length));
        toUniform(t, inValues, a, b, nominalRateHz, m, scratch!);
        filter.apply(scratch!, m, nCh, t0, startS, rateHz, k, kEnd, out);
      }
    }
    a = b + 1;
  }
  return { values: out, missing };
}

/**
 * Half-width, in seconds, of the anti-alias filter used when lowering `nominalRateHz` to `gridRateHz`
 * (0 when the rate is not lowered): the margin a block needs beyond the grid on each side for the values
 * at the grid's ends to be computed as in the middle of a recording.
 */
export function antiAliasHalfWidthS(nominalRateHz: number, gridRateHz: number): number {
  if (gridRateHz >= nominalRateHz) return 0;
  return halfWidthTaps(nominalRateHz, gridRateHz) / nominalRateHz;
}

function halfWidthTaps(nominalRateHz: number, gridRateHz: number): number {
  return Math.ceil((ZERO_CROSSINGS * nominalRateHz) / gridRateHz);
}

/** Linear interpolation of samples a..b at grid points k..kEnd−1 (all within [t[a], t[b]]). */
function interpolateRun(
  t: Float64Array,
  inValues: Float32Array[],
  a: number,
  b: number,
  startS: number,
  rateHz: number,
  k: number,
  kEnd: number,
  out: Float32Array[],
): void {
  const nCh = inValues.length;
  let i = a;
  for (let j = k; j < kEnd; j++) {
    const g = startS + j / rateHz;
    // Move i to the last sample with t[i] ≤ g (keeping i < b so that i + 1 exists when there is one).
    while (i < b && t[i + 1]! <= g) i++;
    if (i === b) {
      for (let c = 0; c < nCh; c++) out[c]![j] = inValues[c]![b]!;
      continue;
    }
    const ta = t[i]!;
    const dt = t[i + 1]! - ta;
    const w = dt > 0 ? (g - ta) / dt : 0;
    for (let c = 0; c < nCh; c++) {
      const ch = inValues[c]!;
      const va = ch[i]!;
      out[c]![j] = w === 0 ? va : va + (ch[i + 1]! - va) * w;
    }
  }
}

/**
 * Places samples a..b on the uniform grid t[a] + m / rate, m = 0..count−1, by linear interpolation;
 * dst[m · nCh + c] is channel c at intermediate sample m (channels interleaved, so the filter reads one
 * contiguous stretch for all channels).
 */
function toUniform(
  t: Float64Array,
  inValues: Float32Array[],
  a: number,
  b: number,
  rate: number,
  count: number,
  dst: Float64Array,
): void {
  const nCh = inValues.length;
  const t0 = t[a]!;
  let i = a;
  for (let m = 0; m < count; m++) {
    const u = t0 + m / rate;
    while (i < b && t[i + 1]! <= u) i++;
    const base = m * nCh;
    if (i === b) {
      for (let c = 0; c < nCh; c++) dst[base + c] = inValues[c]![b]!;
      continue;
    }
    const ta = t[i]!;
    const dt = t[i + 1]! - ta;
    const w = dt > 0 ? (u - ta) / dt : 0;
    for (let c = 0; c < nCh; c++) {
      const ch = inValues[c]!;
      const va = ch[i]!;
      dst[base + c] = w === 0 ? va : va + (ch[i + 1]! - va) * w;
    }
  }
}

/** The low-pass windowed-sinc filter evaluated at arbitrary positions over uniform samples. */
class SincFilter {
  /** Taps on each side of the centre, in intermediate (nominal-rate) samples. */
  private readonly hw: number;
  /** Cutoff in cycles per intermediate sample. */
  private readonly fc: number;
  /** Weights of the taps of the current grid point (reused). */
  private readonly w: Float64Array;
  /** Sums per channel of the current grid point (reused). */
  private acc: Float64Array = new Float64Array(0);

  constructor(
    private readonly inRate: number,
    outRate: number,
  ) {
    this.hw = halfWidthTaps(inRate, outRate);
    this.fc = (0.5 * CUTOFF * outRate) / inRate;
    this.w = new Float64Array(2 * this.hw);
  }

  /**
   * Grid points k..kEnd−1 from `count` interleaved intermediate samples whose sample 0 lies at `t0`; every
   * grid time lies in [t0, t0 + count / inRate) (the run's last recorded sample may fall up to one interval
   * after the last intermediate one).
   */
  apply(
    x: Float64Array,
    count: number,
    nCh: number,
    t0: number,
    startS: number,
    rateHz: number,
    k: number,
    kEnd: number,
    out: Float32Array[],
  ): void {
    const hw = this.hw;
    const taps = 2 * hw;
    const w = this.w;
    const twoFc = 2 * this.fc;
    if (this.acc.length < nCh) this.acc = new Float64Array(nCh);
    const acc = this.acc;
    const last = count - 1;
    // The weights depend only on the grid time's fraction of an intermediate interval; grids whose rate
    // divides the nominal rate repeat a few fractions, so the last weights are kept for the next point.
    let lastFrac = NaN;
    let sum = 0;
    for (let j = k; j < kEnd; j++) {
      const p = (startS + j / rateHz - t0) * this.inRate; // position in intermediate samples
      const centre = Math.floor(p);
      const first = centre - hw + 1;
      const frac = p - centre;
      // Weights for samples first..first+taps−1, at distance d = m − p from the grid time.
      if (!(Math.abs(frac - lastFrac) <= 1e-9)) {
        lastFrac = frac;
        sum = 0;
        for (let q = 0; q < taps; q++) {
          const d = q - hw + 1 - frac;
          const xd = twoFc * d;
          const sinc = xd === 0 ? 1 : Math.sin(Math.PI * xd) / (Math.PI * xd);
          const u = (d + hw) / (2 * hw);
          const win = u <= 0 || u >= 1 ? 0 : 0.42 - 0.5 * Math.cos(2 * Math.PI * u) + 0.08 * Math.cos(4 * Math.PI * u);
          const v = sinc * win;
          w[q] = v;
          sum += v;
        }
      }
      acc.fill(0, 0, nCh);
      if (first >= 0 && first + taps - 1 <= last) {
        // Interior: every tap is a real intermediate sample.
        for (let q = 0; q < taps; q++) {
          const wq = w[q]!;
          const base = (first + q) * nCh;
          for (let c = 0; c < nCh; c++) acc[c]! += wq * x[base + c]!;
        }
      } else {
        // Near a run edge: point reflection about the end sample, x[−m] = 2·x[0] − x[m] (and likewise at the
        // far end); for a run shorter than the filter the reflected index is clamped into the run.
        for (let q = 0; q < taps; q++) {
          const wq = w[q]!;
          const m = first + q;
          if (m < 0) {
            const r = Math.min(-m, last);
            for (let c = 0; c < nCh; c++) acc[c]! += wq * (2 * x[c]! - x[r * nCh + c]!);
          } else if (m > last) {
            const r = Math.max(2 * last - m, 0);
            const lb = last * nCh;
            for (let c = 0; c < nCh; c++) acc[c]! += wq * (2 * x[lb + c]! - x[r * nCh + c]!);
          } else {
            const base = m * nCh;
            for (let c = 0; c < nCh; c++) acc[c]! += wq * x[base + c]!;
          }
        }
      }
      const inv = 1 / sum;
      for (let c = 0; c < nCh; c++) out[c]![j] = acc[c]! * inv;
    }
  }
}
