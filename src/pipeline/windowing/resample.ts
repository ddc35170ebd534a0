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
 *
 * This is the export's hot path and is tuned by hand (see `SincFilter` and `LinearInterpolator`); it
 * computes the method above to float rounding, with two shortcuts whose effect is far below float32's
 * resolution: grid points whose phases (position past their centre sample) agree to 1e-9 of a sample
 * share their filter weights, and a run whose times are on its positions to 1e-8 of an interval is
 * copied rather than interpolated. resample.test.ts compares it with the method written plainly.
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
  const maxAbsTimeS = Math.max(Math.abs(startS), Math.abs(startS + count / rateHz), Math.abs(t[0]!), Math.abs(t[n - 1]!));
  const filter = downsample ? new SincFilter(nominalRateHz, rateHz, nCh, maxAbsTimeS) : null;
  const lerp = new LinearInterpolator(t, inValues);

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
    let kEnd = Math.min(count, Math.max(k, Math.floor((t1 - startS) * rateHz) + 1)); // exclusive
    while (kEnd > k && startS + (kEnd - 1) / rateHz > t1) kEnd--;
    while (kEnd < count && startS + kEnd / rateHz <= t1) kEnd++;
    if (kEnd > k) {
      missing.fill(0, k, kEnd);
      if (filter === null || b === a) {
        // Linear interpolation at the grid times between the run's samples.
        lerp.start(a, b, startS, rateHz, k, kEnd);
        lerp.planar(k, kEnd, out);
      } else {
        const m = Math.floor((t1 - t0) * nominalRateHz + 1e-9) + 1; // intermediate samples in the run
        lerp.start(a, b, t0, nominalRateHz, 0, m);
        filter.run(lerp, m, t0, startS, rateHz, k, kEnd, out);
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

/**
 * A run whose every position lies within this fraction of a sample interval of a recorded sample, one
 * sample per position, is copied rather than interpolated (interpolating would change a value by less
 * than 1e-8 of the step between two neighbouring samples, far below float32's resolution).
 */
const ON_GRID = 1e-8;
// A NaN still spreads as interpolation spreads it: a copied position next to a NaN sample is computed by
// interpolation (`fixNextToNaN`), since there the weight of the NaN neighbour, however small, decides.

/**
 * Linear interpolation between the samples a..b of one run at the positions origin + m / rate, for m
 * increasing across calls (the search for the neighbouring samples carries on from the last position).
 */
class LinearInterpolator {
  private i = 0;
  private b = 0;
  private origin = 0;
  private rate = 1;
  /** Whether the run's samples are its positions (see ON_GRID): position m is then sample m + copyOffset. */
  private copy = false;
  private copyOffset = 0;
  private a = 0;

  constructor(
    private readonly t: Float64Array,
    private readonly values: Float32Array[],
  ) {}

  /**
   * Starts the run a..b for positions origin + m / rate, m = from..to−1 (every one within [t[a], t[b]];
   * one past t[b] gives sample b).
   */
  start(a: number, b: number, origin: number, rate: number, from: number, to: number): void {
    const t = this.t;
    this.i = a;
    this.b = b;
    this.origin = origin;
    this.rate = rate;
    this.copy = false;
    this.a = a;
    // On the grid: the first sample at or after the first position (up to ON_GRID), then one per position.
    const tol = ON_GRID / rate;
    let s = a;
    while (s <= b && t[s]! < origin + from / rate - tol) s++;
    if (s + (to - from) - 1 > b) return;
    for (let m = from; m < to; m++) {
      if (!(Math.abs(t[s + m - from]! - (origin + m / rate)) <= tol)) return;
    }
    this.copy = true;
    this.copyOffset = s - from;
  }

  /** Positions from..to−1 into out[c][from..to−1] (float32, one array per channel). */
  planar(from: number, to: number, out: Float32Array[]): void {
    const nCh = this.values.length;
    if (this.copy) {
      for (let c = 0; c < nCh; c++) {
        const o = out[c]!;
        const src = this.values[c]!.subarray(from + this.copyOffset, to + this.copyOffset);
        o.set(src, from);
        if (this.nanNear(c, from, to, hasNaN(src))) this.fixNextToNaN(c, from, to, (m, v) => (o[m] = v));
      }
      return;
    }
    this.i = interpolatePlanar(this.t, this.values, this.i, this.b, this.origin, this.rate, from, to, out);
  }

  /**
   * Positions from..to−1 into dst with the channels interleaved: channel c of position m at
   * (at + m − from) · nCh + c.
   */
  interleaved(from: number, to: number, dst: Float64Array, at: number): void {
    if (this.copy) {
      const nCh = this.values.length;
      const off = this.copyOffset;
      for (let c = 0; c < nCh; c++) {
        const ch = this.values[c]!;
        let nan = false;
        for (let m = from, o = at * nCh + c; m < to; m++, o += nCh) {
          const v = ch[m + off]!;
          dst[o] = v;
          nan ||= Number.isNaN(v);
        }
        if (this.nanNear(c, from, to, nan)) this.fixNextToNaN(c, from, to, (m, v) => (dst[(at + m - from) * nCh + c] = v));
      }
      return;
    }
    this.i = interpolateInterleaved(this.t, this.values, this.i, this.b, this.origin, this.rate, from, to, dst, at);
  }

  /** Whether copied positions from..to−1 of channel c may sit next to a NaN sample (`nan`: one was copied). */
  private nanNear(c: number, from: number, to: number, nan: boolean): boolean {
    const ch = this.values[c]!;
    const before = from + this.copyOffset - 1;
    const after = to + this.copyOffset;
    return nan || (before >= this.a && Number.isNaN(ch[before]!)) || (after <= this.b && Number.isNaN(ch[after]!));
  }

  /**
   * After copying positions from..to−1 of channel c: the positions next to a NaN sample (rare), set to
   * what interpolation gives there (NaN when the NaN sample has any weight), through `put`.
   */
  private fixNextToNaN(c: number, from: number, to: number, put: (m: number, v: number) => void): void {
    const { t, a, b, origin, rate, copyOffset } = this;
    const ch = this.values[c]!;
    const s1 = Math.min(b, to + copyOffset);
    for (let s = Math.max(a, from + copyOffset - 1); s <= s1; s++) {
      if (!Number.isNaN(ch[s]!)) continue;
      for (const m of [s - copyOffset - 1, s - copyOffset + 1]) {
        if (m < from || m >= to) continue;
        // As `interpolateInterleaved` computes it, from the sample before (at most one interval before u).
        const u = origin + m / rate;
        const i = advance(t, Math.max(a, m + copyOffset - 1), b, u);
        const w = weightOfNext(t, i, b, u);
        const va = ch[i]!;
        put(m, w === 0 ? va : va + (ch[i + 1]! - va) * w);
      }
    }
  }
}

function hasNaN(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i]!)) return true;
  return false;
}

/** From sample i (t[i] ≤ u), the last sample at or before u, at most b. */
function advance(t: Float64Array, i: number, b: number, u: number): number {
  while (i < b && t[i + 1]! <= u) i++;
  return i;
}

/** The weight of sample i + 1 for position u in [t[i], t[i + 1]) (0 at sample b, or between equal times). */
function weightOfNext(t: Float64Array, i: number, b: number, u: number): number {
  if (i >= b) return 0;
  const ta = t[i]!;
  const dt = t[i + 1]! - ta;
  return dt > 0 ? (u - ta) / dt : 0;
}

/**
 * The loop of `LinearInterpolator.interleaved`, from sample i on (returns the sample reached); unrolled
 * for one and three channels. A plain function with its state passed in and returned, so that V8's
 * optimised code for the loop has type feedback for everything around it (code entered mid-loop, then
 * left through statements never run before, is thrown away on every call).
 */
function interpolateInterleaved(
  t: Float64Array,
  values: Float32Array[],
  i: number,
  b: number,
  origin: number,
  rate: number,
  from: number,
  to: number,
  dst: Float64Array,
  at: number,
): number {
  const nCh = values.length;
  const v0 = values[0]!;
  const v1 = nCh === 3 ? values[1]! : v0;
  const v2 = nCh === 3 ? values[2]! : v0;
  for (let m = from, o = at * nCh; m < to; m++, o += nCh) {
    const u = origin + m / rate;
    i = advance(t, i, b, u);
    const w = weightOfNext(t, i, b, u);
    if (nCh === 3) {
      const a0 = v0[i]!;
      const a1 = v1[i]!;
      const a2 = v2[i]!;
      if (w === 0) {
        dst[o] = a0;
        dst[o + 1] = a1;
        dst[o + 2] = a2;
      } else {
        dst[o] = a0 + (v0[i + 1]! - a0) * w;
        dst[o + 1] = a1 + (v1[i + 1]! - a1) * w;
        dst[o + 2] = a2 + (v2[i + 1]! - a2) * w;
      }
    } else if (nCh === 1) {
      const a0 = v0[i]!;
      dst[o] = w === 0 ? a0 : a0 + (v0[i + 1]! - a0) * w;
    } else {
      for (let c = 0; c < nCh; c++) {
        const ch = values[c]!;
        const va = ch[i]!;
        dst[o + c] = w === 0 ? va : va + (ch[i + 1]! - va) * w;
      }
    }
  }
  return i;
}

/** As `interpolateInterleaved`, into out[c][from..to−1] (float32, one array per channel). */
function interpolatePlanar(
  t: Float64Array,
  values: Float32Array[],
  i: number,
  b: number,
  origin: number,
  rate: number,
  from: number,
  to: number,
  out: Float32Array[],
): number {
  const nCh = values.length;
  const v0 = values[0]!;
  const v1 = nCh === 3 ? values[1]! : v0;
  const v2 = nCh === 3 ? values[2]! : v0;
  const o0 = out[0]!;
  const o1 = nCh === 3 ? out[1]! : o0;
  const o2 = nCh === 3 ? out[2]! : o0;
  for (let m = from; m < to; m++) {
    const u = origin + m / rate;
    i = advance(t, i, b, u);
    const w = weightOfNext(t, i, b, u);
    if (nCh === 3) {
      const a0 = v0[i]!;
      const a1 = v1[i]!;
      const a2 = v2[i]!;
      if (w === 0) {
        o0[m] = a0;
        o1[m] = a1;
        o2[m] = a2;
      } else {
        o0[m] = a0 + (v0[i + 1]! - a0) * w;
        o1[m] = a1 + (v1[i + 1]! - a1) * w;
        o2[m] = a2 + (v2[i + 1]! - a2) * w;
      }
    } else if (nCh === 1) {
      const a0 = v0[i]!;
      o0[m] = w === 0 ? a0 : a0 + (v0[i + 1]! - a0) * w;
    } else {
      for (let c = 0; c < nCh; c++) {
        const ch = values[c]!;
        const va = ch[i]!;
        out[c]![m] = w === 0 ? va : va + (ch[i + 1]! - va) * w;
      }
    }
  }
  return i;
}

/** Longest repeat of grid-point phases the weight table holds, and its largest size (in weights). */
const MAX_PERIOD = 1024;
const MAX_TABLE = 1 << 16;
/** Intermediate samples the filter's sliding buffer holds (per channel), at least. */
const BUFFER_SAMPLES = 4096;

/**
 * The smallest P for which P grid intervals span a whole number of intermediate samples (P · ratio is an
 * integer), so the grid points' phases repeat every P points; 1 when there is none within the table's
 * limits (an irrational-looking ratio, e.g. a measured rate), and the table is then a one-entry cache.
 */
function phasePeriod(ratio: number, taps: number): number {
  for (let p = 1; p <= MAX_PERIOD && 2 * p * taps <= MAX_TABLE; p++) {
    const v = p * ratio;
    if (Math.abs(v - Math.round(v)) <= 1e-9 * v) return p;
  }
  return 1;
}

/**
 * The low-pass windowed-sinc filter evaluated at arbitrary positions over one run's intermediate samples.
 *
 * The hot path of the dataset export, tuned by hand. Measured on one core (warm, 1 h of a 3-channel
 * 100 Hz stream with jittered times onto 50 Hz): 44 ms with the plain loop (weights recomputed with
 * Math.sin/cos whenever the phase changed, the whole run's intermediate samples in one array), 14 ms
 * now, of which about 7 ms are the 17 M multiply-adds themselves (scalar floating-point throughput) and
 * 4.5 ms the interpolation onto the intermediate grid (`LinearInterpolator`). What changed:
 * - the intermediate samples are produced chunk by chunk into a small sliding buffer (channels
 *   interleaved) instead of for the whole run, so they stay in the CPU's cache and nothing large is
 *   allocated per call (allocating and first touching 10 MB took 5 ms);
 * - the weights of a phase are computed once and kept in a table of one slot per phase of the repeat
 *   (`phasePeriod`; 100 → 32 Hz has 8 phases and went from 225 to 17 ms), each slot checked against
 *   the point's own phase so it is never used for another; they are computed with angle-addition
 *   recurrences (no Math.sin/Math.cos per tap), which matters when phases never repeat (a measured
 *   rate: 230 → 62 ms);
 * - grid points with the same phase are summed together: two (j, j + period) over three channels at a
 *   time, each sample loaded once for both when their stretches overlap (`pairAt`, and inlined in
 *   `points` for three channels at twice the grid rate), or four for one or two channels (`quads`), so
 *   that several independent sums are in flight.
 * Every channel's sum runs over its taps in the same order on every path, so the values do not depend
 * on the path taken or on the other channels.
 */
class SincFilter {
  /** Taps on each side of the centre, in intermediate (nominal-rate) samples. */
  private readonly hw: number;
  private readonly taps: number;
  /** Twice the cutoff, in cycles per intermediate sample. */
  private readonly twoFc: number;
  /** Phases repeat every `period` grid points (1: no short repeat). */
  private readonly period: number;
  /**
   * Weights, one array of `taps` per slot; slot s holds the weights of phase tableFrac[s]
   * (separate arrays, looped over up to their length, let V8 drop the bounds checks on the weights).
   */
  private readonly table: Float64Array[];
  private readonly tableFrac: Float64Array;
  /** 1 / (sum of slot s's weights): the sums are scaled by it, for unit gain at DC. */
  private readonly tableInv: Float64Array;
  /** cos and sin of the per-tap steps of the sinc's angle (π · 2fc) and of the window's (π / hw). */
  private readonly cb: number;
  private readonly sb: number;
  private readonly cf: number;
  private readonly sf: number;
  /**
   * Two phases closer than this (in intermediate samples) share their weights: 1e-9, widened to the
   * rounding error of the positions themselves at large times (a few ulps of the time, in samples). Using
   * the weights of a phase δ away moves the point by δ samples: at most 2π · 0.45 · δ of the amplitude.
   */
  private readonly tolerance: number;
  /** Points of one phase computed together: four for one or two channels (`quads`), else two (`pairAt`). */
  private readonly group: number;
  /** First taps and phases of the points of a group being computed (`quads`). */
  private readonly firsts = new Int32Array(4);
  private readonly phase = new Float64Array(4);
  /** Grid points per chunk (a multiple of group · period) and the buffer's capacity in samples. */
  private readonly chunkPoints: number;
  private readonly capacity: number;
  /** The sliding buffer: intermediate samples bufLo..bufHi−1, channels interleaved. */
  private x: Float64Array = new Float64Array(0);
  private bufLo = 0;
  private bufHi = 0;

  constructor(
    private readonly inRate: number,
    outRate: number,
    private readonly nCh: number,
    maxAbsTimeS: number,
  ) {
    this.hw = halfWidthTaps(inRate, outRate);
    this.taps = 2 * this.hw;
    this.twoFc = (CUTOFF * outRate) / inRate;
    const ratio = inRate / outRate;
    this.period = phasePeriod(ratio, this.taps);
    this.table = Array.from({ length: 2 * this.period }, () => new Float64Array(this.taps));
    this.tableFrac = new Float64Array(2 * this.period).fill(NaN);
    this.tableInv = new Float64Array(2 * this.period);
    this.cb = Math.cos(Math.PI * this.twoFc);
    this.sb = Math.sin(Math.PI * this.twoFc);
    this.cf = Math.cos(Math.PI / this.hw);
    this.sf = Math.sin(Math.PI / this.hw);
    this.tolerance = 1e-9 + 8 * Number.EPSILON * maxAbsTimeS * inRate;
    // A chunk of G points reads at most (G − 1) · ratio + 1 samples past its first point's first tap, and
    // up to `taps` more before it at a run's far end (the reflection reads back from the end sample).
    this.group = nCh < 3 ? 4 : 2;
    const step = this.group * this.period;
    const fit = Math.floor((BUFFER_SAMPLES - 2 * this.taps - 4) / ratio);
    this.chunkPoints = Math.max(step, fit - (fit % step));
    this.capacity = Math.max(BUFFER_SAMPLES, Math.ceil(this.chunkPoints * ratio) + 2 * this.taps + 4);
  }

  /**
   * Grid points k..kEnd−1 of a run of `count` intermediate samples whose sample 0 lies at `t0`, produced by
   * `lerp` (already started on the run); every grid time lies in [t0, t0 + count / inRate) (the run's last
   * recorded sample may fall up to one interval after the last intermediate one).
   */
  run(
    lerp: LinearInterpolator,
    count: number,
    t0: number,
    startS: number,
    rateHz: number,
    k: number,
    kEnd: number,
    out: Float32Array[],
  ): void {
    const { hw, taps, inRate } = this;
    const last = count - 1;
    const need = Math.min(count, this.capacity) * this.nCh;
    if (this.x.length < need) this.x = new Float64Array(Math.max(need, 2 * this.x.length));
    this.bufLo = 0;
    this.bufHi = 0;
    const firstTap = (j: number) => Math.floor((startS + j / rateHz - t0) * inRate) - hw + 1;
    for (let j = k; j < kEnd; j += this.chunkPoints) {
      const j1 = Math.min(kEnd, j + this.chunkPoints);
      // Samples the chunk reads: its taps, and at the run's ends the samples the reflection reads.
      const lo = Math.max(0, Math.min(firstTap(j), last - taps));
      const hi = Math.min(count, firstTap(j1 - 1) + taps);
      this.slide(lerp, lo, hi);
      this.points(count, t0, startS, rateHz, j, j1, out);
    }
  }

  /** Makes the buffer hold samples lo..hi−1 (lo and hi never decrease within a run). */
  private slide(lerp: LinearInterpolator, lo: number, hi: number): void {
    const nCh = this.nCh;
    if (lo > this.bufHi) {
      this.bufLo = lo;
      this.bufHi = lo;
    } else if (lo > this.bufLo) {
      this.x.copyWithin(0, (lo - this.bufLo) * nCh, (this.bufHi - this.bufLo) * nCh);
      this.bufLo = lo;
    }
    if (hi > this.bufHi) {
      lerp.interleaved(this.bufHi, hi, this.x, this.bufHi - this.bufLo);
      this.bufHi = hi;
    }
  }

  /** Grid points j0..j1−1, whose samples are in the buffer; (j0 − k) is a multiple of `group` · period. */
  private points(count: number, t0: number, startS: number, rateHz: number, j0: number, j1: number, out: Float32Array[]): void {
    const { hw, taps, tableFrac, period, tolerance, inRate, bufLo } = this;
    const lastFirst = count - taps; // the last first tap with every tap inside the run
    let j = j0;
    if (this.group === 4) j = this.quads(count, t0, startS, rateHz, j0, j1, out);
    const nCh = this.nCh;
    const o0 = out[0]!;
    const o1 = out[nCh === 3 ? 1 : 0]!;
    const o2 = out[nCh === 3 ? 2 : 0]!;
    // Points j and j + period share their phase (s = (j − k) mod period): computed together. The slot is
    // 2s for a phase up to ½ and 2s + 1 above, so that phases on either side of a sample (0 + ε and
    // 1 − ε, as j / rateHz rounds either way) do not evict each other.
    for (; j + 2 * period <= j1; j += 2 * period) {
      for (let s = 0; s < period; s++) {
        const ja = j + s;
        const jb = ja + period;
        const pa = (startS + ja / rateHz - t0) * inRate; // position in intermediate samples
        const pb = (startS + jb / rateHz - t0) * inRate;
        const ca = Math.floor(pa);
        const cb = Math.floor(pb);
        const fa = pa - ca;
        const fb = pb - cb;
        const firstA = ca - hw + 1;
        const firstB = cb - hw + 1;
        const slotA = 2 * s + (fa > 0.5 ? 1 : 0);
        const slotB = 2 * s + (fb > 0.5 ? 1 : 0);
        if (!(Math.abs(fa - tableFrac[slotA]!) <= tolerance)) this.fillWeights(fa, slotA);
        if (slotB === slotA && Math.abs(fb - tableFrac[slotA]!) <= tolerance && firstA >= 0 && firstB <= lastFirst) {
          const wts = this.table[slotA]!;
          const inv = this.tableInv[slotA]!;
          if (nCh === 3 && firstB - firstA === 2) {
            // The export's case (a 3-axis sensor at twice the grid rate), here rather than in `pairAt`
            // because the call cost a tenth of the time: as `pairAt` with D = 2, the two previous weights
            // kept in locals instead of loaded again.
            const x = this.x;
            let i = (firstA - bufLo) * 3;
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let b0 = 0;
            let b1 = 0;
            let b2 = 0;
            let w2 = wts[0]!; // the weight two taps back
            let w1 = wts[1]!;
            a0 += w2 * x[i]!;
            a1 += w2 * x[i + 1]!;
            a2 += w2 * x[i + 2]!;
            a0 += w1 * x[i + 3]!;
            a1 += w1 * x[i + 4]!;
            a2 += w1 * x[i + 5]!;
            i += 6;
            for (let q = 2; q < wts.length; q++, i += 3) {
              const wq = wts[q]!;
              const x0 = x[i]!;
              const x1 = x[i + 1]!;
              const x2 = x[i + 2]!;
              a0 += wq * x0;
              a1 += wq * x1;
              a2 += wq * x2;
              b0 += w2 * x0;
              b1 += w2 * x1;
              b2 += w2 * x2;
              w2 = w1;
              w1 = wq;
            }
            b0 += w2 * x[i]!;
            b1 += w2 * x[i + 1]!;
            b2 += w2 * x[i + 2]!;
            b0 += w1 * x[i + 3]!;
            b1 += w1 * x[i + 4]!;
            b2 += w1 * x[i + 5]!;
            o0[ja] = a0 * inv;
            o1[ja] = a1 * inv;
            o2[ja] = a2 * inv;
            o0[jb] = b0 * inv;
            o1[jb] = b1 * inv;
            o2[jb] = b2 * inv;
          } else {
            this.pairAt(wts, inv, firstA - bufLo, firstB - bufLo, out, ja, jb);
          }
        } else {
          this.pointAt(count, slotA, firstA, fa, out, ja);
          this.pointAt(count, slotB, firstB, fb, out, jb);
        }
      }
    }
    for (let s = 0; j < j1; j++, s = s + 1 === period ? 0 : s + 1) {
      const p = (startS + j / rateHz - t0) * inRate;
      const centre = Math.floor(p);
      const frac = p - centre;
      this.pointAt(count, 2 * s + (frac > 0.5 ? 1 : 0), centre - hw + 1, frac, out, j);
    }
  }

  /**
   * For one or two channels: points j, j + period, j + 2·period and j + 3·period (same phase) computed
   * together, channel by channel, four independent sums in flight instead of one or two (with few
   * channels the chain of additions, not the loads, bounds the time).
   * Returns the first point not done (the rest of the chunk is left to `points`).
   */
  private quads(count: number, t0: number, startS: number, rateHz: number, j0: number, j1: number, out: Float32Array[]): number {
    const { hw, taps, tableFrac, period, tolerance, inRate, bufLo } = this;
    const lastFirst = count - taps;
    const phase = this.phase;
    let j = j0;
    for (; j + 4 * period <= j1; j += 4 * period) {
      for (let s = 0; s < period; s++) {
        const firsts = this.firsts;
        let ok = true;
        let slot0 = 0;
        for (let g = 0; g < 4; g++) {
          const jg = j + s + g * period;
          const p = (startS + jg / rateHz - t0) * inRate;
          const centre = Math.floor(p);
          const frac = p - centre;
          const slot = 2 * s + (frac > 0.5 ? 1 : 0);
          if (g === 0) {
            slot0 = slot;
            if (!(Math.abs(frac - tableFrac[slot]!) <= tolerance)) this.fillWeights(frac, slot);
          } else if (slot !== slot0 || !(Math.abs(frac - tableFrac[slot]!) <= tolerance)) {
            ok = false;
          }
          firsts[g] = centre - hw + 1;
          phase[g] = frac;
          if (firsts[g]! < 0 || firsts[g]! > lastFirst) ok = false;
        }
        if (ok) {
          const wts = this.table[slot0]!;
          const inv = this.tableInv[slot0]!;
          const { x, nCh } = this;
          for (let c = 0; c < nCh; c++) {
            const o = out[c]!;
            let i0 = (firsts[0]! - bufLo) * nCh + c;
            let i1 = (firsts[1]! - bufLo) * nCh + c;
            let i2 = (firsts[2]! - bufLo) * nCh + c;
            let i3 = (firsts[3]! - bufLo) * nCh + c;
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let a3 = 0;
            for (let q = 0; q < wts.length; q++, i0 += nCh, i1 += nCh, i2 += nCh, i3 += nCh) {
              const wq = wts[q]!;
              a0 += wq * x[i0]!;
              a1 += wq * x[i1]!;
              a2 += wq * x[i2]!;
              a3 += wq * x[i3]!;
            }
            o[j + s] = a0 * inv;
            o[j + s + period] = a1 * inv;
            o[j + s + 2 * period] = a2 * inv;
            o[j + s + 3 * period] = a3 * inv;
          }
        } else {
          for (let g = 0; g < 4; g++) {
            const frac = phase[g]!;
            this.pointAt(count, 2 * s + (frac > 0.5 ? 1 : 0), firsts[g]!, frac, out, j + s + g * period);
          }
        }
      }
    }
    return j;
  }

  /**
   * Two grid points whose taps all lie inside the run, with the same weights `wts`: first taps at buffer
   * samples ra (point ja) and rb > ra (point jb). When the two stretches overlap (D = rb − ra < taps),
   * each sample is loaded once for both: point ja takes it with weight q, point jb with weight q − D (the
   * 3-channel D = 2 case is inlined in `points`).
   * Three channels at a time, then one at a time. Every channel's sum runs over its taps in the same
   * order as in `interiorAt`, whatever the channel count and path, so the values are the same as point
   * by point and a channel's values do not depend on the other channels.
   */
  private pairAt(wts: Float64Array, inv: number, ra: number, rb: number, out: Float32Array[], ja: number, jb: number): void {
    const { x, nCh } = this;
    const taps = wts.length;
    const d = rb - ra;
    if (d >= taps) {
      this.interiorAt(wts, inv, ra, out, ja);
      this.interiorAt(wts, inv, rb, out, jb);
      return;
    }
    let c = 0;
    for (; c + 3 <= nCh; c += 3) {
      let i = ra * nCh + c;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let q = 0;
      for (; q < d; q++, i += nCh) {
        const wq = wts[q]!;
        a0 += wq * x[i]!;
        a1 += wq * x[i + 1]!;
        a2 += wq * x[i + 2]!;
      }
      for (; q < taps; q++, i += nCh) {
        const wq = wts[q]!;
        const wd = wts[q - d]!;
        const x0 = x[i]!;
        const x1 = x[i + 1]!;
        const x2 = x[i + 2]!;
        a0 += wq * x0;
        a1 += wq * x1;
        a2 += wq * x2;
        b0 += wd * x0;
        b1 += wd * x1;
        b2 += wd * x2;
      }
      for (let r = taps - d; r < taps; r++, i += nCh) {
        const wd = wts[r]!;
        b0 += wd * x[i]!;
        b1 += wd * x[i + 1]!;
        b2 += wd * x[i + 2]!;
      }
      out[c]![ja] = a0 * inv;
      out[c + 1]![ja] = a1 * inv;
      out[c + 2]![ja] = a2 * inv;
      out[c]![jb] = b0 * inv;
      out[c + 1]![jb] = b1 * inv;
      out[c + 2]![jb] = b2 * inv;
    }
    for (; c < nCh; c++) {
      let i = ra * nCh + c;
      let a0 = 0;
      let b0 = 0;
      let q = 0;
      for (; q < d; q++, i += nCh) a0 += wts[q]! * x[i]!;
      for (; q < taps; q++, i += nCh) {
        const xi = x[i]!;
        a0 += wts[q]! * xi;
        b0 += wts[q - d]! * xi;
      }
      for (let r = taps - d; r < taps; r++, i += nCh) b0 += wts[r]! * x[i]!;
      out[c]![ja] = a0 * inv;
      out[c]![jb] = b0 * inv;
    }
  }

  /** One grid point whose taps all lie inside the run, first tap at buffer sample r, weights `wts`. */
  private interiorAt(wts: Float64Array, inv: number, r: number, out: Float32Array[], j: number): void {
    const { x, nCh } = this;
    let c = 0;
    for (; c + 3 <= nCh; c += 3) {
      let i = r * nCh + c;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let q = 0; q < wts.length; q++, i += nCh) {
        const wq = wts[q]!;
        a0 += wq * x[i]!;
        a1 += wq * x[i + 1]!;
        a2 += wq * x[i + 2]!;
      }
      out[c]![j] = a0 * inv;
      out[c + 1]![j] = a1 * inv;
      out[c + 2]![j] = a2 * inv;
    }
    for (; c < nCh; c++) {
      let i = r * nCh + c;
      let a0 = 0;
      for (let q = 0; q < wts.length; q++, i += nCh) a0 += wts[q]! * x[i]!;
      out[c]![j] = a0 * inv;
    }
  }

  /** One grid point with first tap at sample `first` (of the run) and phase `frac`, using (refilling if need be) slot `slot`. */
  private pointAt(count: number, slot: number, first: number, frac: number, out: Float32Array[], j: number): void {
    const { taps, tableFrac, tolerance, x, nCh, bufLo } = this;
    if (!(Math.abs(frac - tableFrac[slot]!) <= tolerance)) this.fillWeights(frac, slot);
    const wts = this.table[slot]!;
    const inv = this.tableInv[slot]!;
    const last = count - 1;
    if (first >= 0 && first + taps - 1 <= last) {
      this.interiorAt(wts, inv, first - bufLo, out, j);
      return;
    }
    // Near a run edge: point reflection about the end sample, x[−m] = 2·x[0] − x[m] (and likewise at the far
    // end); for a run shorter than the filter the reflected index is clamped into the run. The buffer holds
    // every sample read here (see `run`), sample m at buffer position m − bufLo.
    for (let c = 0; c < nCh; c++) {
      const at = (m: number) => x[(m - bufLo) * nCh + c]!;
      const x0 = at(0);
      const xl = at(last);
      let s = 0;
      for (let q = 0; q < taps; q++) {
        const m = first + q;
        const v = m < 0 ? 2 * x0 - at(Math.min(-m, last)) : m > last ? 2 * xl - at(Math.max(2 * last - m, 0)) : at(m);
        s += wts[q]! * v;
      }
      out[c]![j] = s * inv;
    }
  }

  /**
   * The weights of the taps for a grid point at `frac` past its centre sample into slot `slot`, and the
   * inverse of their sum (unit gain at DC): sinc(2fc·d) · Blackman((d + hw) / 2hw) at d = q − hw + 1 − frac.
   * The sines of the sinc and the cosine of the window advance by fixed angles from tap to tap, so they
   * come from angle-addition recurrences; the two taps next to the centre (|d| < 1, where the sinc divides
   * by a small number) are evaluated directly.
   */
  private fillWeights(frac: number, slot: number): void {
    const { hw, taps, twoFc, cb, sb, cf, sf } = this;
    const wts = this.table[slot]!;
    this.tableFrac[slot] = frac;
    const d0 = 1 - hw - frac;
    const b = Math.PI * twoFc; // sinc angle step per tap
    let sa = Math.sin(b * d0);
    let ca = Math.cos(b * d0);
    const f = Math.PI / hw; // window angle (2π·u) step per tap
    let st = Math.sin(f * (1 - frac));
    let ct = Math.cos(f * (1 - frac));
    let sum = 0;
    for (let q = 0; q < taps; q++) {
      const d = q - hw + 1 - frac;
      const xd = twoFc * d;
      let sinc: number;
      if (d > -1 && d < 1) sinc = xd === 0 ? 1 : Math.sin(Math.PI * xd) / (Math.PI * xd);
      else sinc = sa / (Math.PI * xd);
      // Blackman at u = (d + hw) / 2hw, zero outside (0, 1): u ≤ 0 ⟺ d ≤ −hw, u ≥ 1 ⟺ d ≥ hw.
      const win = d <= -hw || d >= hw ? 0 : 0.42 - 0.5 * ct + 0.08 * (2 * ct * ct - 1);
      const v = sinc * win;
      wts[q] = v;
      sum += v;
      const sa1 = sa * cb + ca * sb;
      ca = ca * cb - sa * sb;
      sa = sa1;
      const st1 = st * cf + ct * sf;
      ct = ct * cf - st * sf;
      st = st1;
    }
    this.tableInv[slot] = 1 / sum;
  }
}
