import { bitsOf, NON_FINITE_BITS } from '../domain/sample-values.js';
import type { SampleChunk, StreamInfo } from '../domain/stream.js';
import { buildChecks, worstStatus, type StreamStats } from './quality-checks.js';
import { DEFAULT_THRESHOLDS, type QualityThresholds } from './quality-thresholds.js';
import type { QualityReport, StreamSummary } from './types.js';
import { WindowAccumulator } from './window-features.js';
import { TimeBase } from './time-base.js';

export { DEFAULT_THRESHOLDS, type QualityThresholds } from './quality-thresholds.js';
export { MAX_WINDOWS, WINDOW_S } from './window-features.js';

/** Gaps listed in the summary; `gapCount` stays exact beyond it. */
export const MAX_GAPS_LISTED = 1000;
/** Intervals looked at to estimate the period when the file declares no rate. */
const WARMUP = 1024;
/** Units whose sensors saturate at a range, so a plateau at the maximum means clipping. */
const CLIPPING_UNITS = new Set(['m/s^2', 'rad/s', 'uT', 'g']);

/**
 * One streaming pass over a stream's samples that yields everything later steps need: counts, timing,
 * gaps, quality checks and per-window features. Memory is O(windows + listed gaps), never O(samples).
 *
 * Time is handled as float64 nanosecond offsets from the stream's first sample, read from the int64 words
 * directly (no BigInt per sample); such offsets are exact for spans up to 2^53 ns ≈ 104 days.
 *
 * Definitions:
 * - interval dt = t[i] − t[i−1] in file order; dt = 0 is a duplicate, dt < 0 is backwards, and
 *   dt > max(gapPeriodFactor × period, gapMinS) is a gap. The period is the nominal one when the file
 *   declares a rate, else the median of the first 1,024 positive intervals.
 * - measured rate = 1 / mean(dt) over the ordinary intervals (not gaps, duplicates or backwards);
 *   jitter = standard deviation of those intervals, in ms.
 * - windows are indexed from the stream's first sample: window i covers [i·w, (i+1)·w). A sample whose time
 *   lies before the first sample (after a backwards jump) is left out of the features; one later than it
 *   goes into the window of its own time.
 * - missing and non-finite values: a NaN is missing (an empty cell), unless it is the non-finite marker of
 *   domain/sample-values.ts (the file wrote `Infinity`, `NaN`, `1e309`, …); ±Infinity (a reader that kept it) is
 *   non-finite too. Neither enters the channel statistics or the clipping judgement.
 * - IMU features use the vector magnitude of channels x, y, z when the stream has them, else the first
 *   channel; samples with a NaN in those channels are left out of the features.
 * - `lastNs` is the latest sample time and `durationS` the span from the first sample to it.
 * - clipping: full-scale streams (audio) count values with |x| ≥ 32767/32768 of full scale; IMU streams in
 *   m/s², rad/s or µT count runs of ≥ clipMinRun flat samples (consecutive values within 0.01 % of each
 *   other) at ≥ 99.9 % of the channel's maximum |value|, and only when the channel varies (std ≥ 5 % of the
 *   maximum), so a channel that is merely constant is not called clipped. Other streams are not judged.
 */
export class StreamAnalyzer {
  private readonly th: QualityThresholds;
  private readonly nCh: number;
  private readonly windows: WindowAccumulator;

  private samples = 0;
  private readonly time = new TimeBase();
  private get firstT(): bigint | null {
    return this.time.firstNs;
  }
  private prevOff = Number.NaN;
  private maxOff = Number.NEGATIVE_INFINITY;

  // interval statistics
  private period = Number.NaN;
  private gapThr = Number.POSITIVE_INFINITY;
  private warm: Float64Array | null = null;
  private warmPrev: Float64Array | null = null;
  private warmN = 0;
  private normalN = 0;
  private normalSum = 0;
  private jitS1 = 0;
  private jitS2 = 0;
  private dup = 0;
  private back = 0;
  private gapCount = 0;
  private gapTotalNs = 0;
  private longestGapNs = 0;
  private longestGapAtNs = 0;
  private readonly gaps: { startS: number; endS: number }[] = [];

  // per-channel statistics
  private readonly nan: Float64Array;
  private readonly nonFinite: Float64Array;
  private readonly chN: Float64Array;
  private readonly chShift: Float64Array;
  private readonly chS1: Float64Array;
  private readonly chS2: Float64Array;
  private readonly clipMax: Float64Array;
  private readonly clipRun: Float64Array;
  private readonly clipPrev: Float64Array;
  private readonly clipped: Float64Array;
  private readonly clipMode: 'none' | 'fullscale' | 'plateau';

  constructor(
    private readonly stream: StreamInfo,
    opts?: Partial<QualityThresholds>,
  ) {
    this.th = { ...DEFAULT_THRESHOLDS, ...opts };
    this.nCh = stream.channels.length;
    this.windows = new WindowAccumulator(stream);
    const z = (): Float64Array => new Float64Array(this.nCh);
    this.nan = z();
    this.nonFinite = z();
    this.chN = z();
    this.chShift = z().fill(Number.NaN);
    this.chS1 = z();
    this.chS2 = z();
    this.clipMax = z();
    this.clipRun = z();
    this.clipPrev = z();
    this.clipped = z();
    if (stream.fullScale !== undefined && stream.fullScale > 0) this.clipMode = 'fullscale';
    else if (stream.kind === 'imu' && CLIPPING_UNITS.has(stream.unit)) this.clipMode = 'plateau';
    else this.clipMode = 'none';
    if (stream.nominalRateHz !== null && stream.nominalRateHz > 0) this.setPeriod(1e9 / stream.nominalRateHz);
    else {
      this.warm = new Float64Array(WARMUP);
      this.warmPrev = new Float64Array(WARMUP);
    }
  }

  /** Adds one chunk of samples (in file order). */
  push(chunk: SampleChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    const offs = this.offsets(chunk);
    this.timing(offs, n);
    for (let c = 0; c < this.nCh; c++) {
      const v = chunk.values[c];
      if (v !== undefined) this.channel(c, v, n);
    }
    this.windows.push(offs, chunk.values, n);
    this.samples += n;
  }

  /** Float64 ns offsets of the chunk's samples from the stream's first sample. */
  private offsets(chunk: SampleChunk): Float64Array {
    return this.time.offsets(chunk);
  }

  private setPeriod(periodNs: number): void {
    this.period = periodNs;
    const byPeriod = Number.isFinite(periodNs) ? this.th.gapPeriodFactor * periodNs : 0;
    this.gapThr = Math.max(byPeriod, this.th.gapMinS * 1e9);
  }

  private endWarmup(): void {
    const warm = this.warm;
    const prev = this.warmPrev;
    if (warm === null || prev === null) return;
    const positive = Array.from(warm.subarray(0, this.warmN)).filter((d) => d > 0).sort((a, b) => a - b);
    this.setPeriod(positive.length > 0 ? (positive[Math.floor(positive.length / 2)] ?? Number.NaN) : Number.NaN);
    this.warm = null;
    this.warmPrev = null;
    for (let i = 0; i < this.warmN; i++) this.interval(warm[i]!, prev[i]!);
  }

  /** Classifies one interval (the slow path; `timing` inlines the common case). */
  private interval(dt: number, prevOff: number): void {
    if (dt > this.gapThr) this.gap(dt, prevOff);
    else if (dt > 0) {
      const d = dt - this.period;
      this.normalN++;
      this.normalSum += dt;
      this.jitS1 += d;
      this.jitS2 += d * d;
    } else if (dt === 0) this.dup++;
    else if (dt < 0) this.back++;
  }

  private gap(dt: number, prevOff: number): void {
    this.gapCount++;
    this.gapTotalNs += dt;
    if (dt > this.longestGapNs) {
      this.longestGapNs = dt;
      this.longestGapAtNs = prevOff;
    }
    if (this.gaps.length < MAX_GAPS_LISTED) this.gaps.push({ startS: prevOff / 1e9, endS: (prevOff + dt) / 1e9 });
  }

  private timing(offs: Float64Array, n: number): void {
    let prev = this.prevOff;
    let maxOff = this.maxOff;
    let i = 0;
    if (Number.isNaN(prev)) {
      prev = offs[0]!;
      maxOff = Math.max(maxOff, prev);
      i = 1;
    }
    for (; i < n && this.warm !== null; i++) {
      const o = offs[i]!;
      this.warm[this.warmN] = o - prev;
      this.warmPrev![this.warmN] = prev;
      this.warmN++;
      if (o > maxOff) maxOff = o;
      prev = o;
      if (this.warmN === WARMUP) this.endWarmup();
    }
    const gapThr = this.gapThr;
    const period = this.period;
    let normalN = 0;
    let normalSum = 0;
    let s1 = 0;
    let s2 = 0;
    for (; i < n; i++) {
      const o = offs[i]!;
      const dt = o - prev;
      if (dt > 0 && dt <= gapThr) {
        const d = dt - period;
        normalN++;
        normalSum += dt;
        s1 += d;
        s2 += d * d;
      } else this.interval(dt, prev);
      if (o > maxOff) maxOff = o;
      prev = o;
    }
    this.normalN += normalN;
    this.normalSum += normalSum;
    this.jitS1 += s1;
    this.jitS2 += s2;
    this.prevOff = prev;
    this.maxOff = maxOff;
  }

  private channel(c: number, v: Float32Array, n: number): void {
    let nan = 0;
    let cnt = 0;
    const shift0 = this.chShift[c]!;
    let shift = shift0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x !== x) {
        nan++;
        continue;
      }
      if (shift !== shift) shift = x;
      const d = x - shift;
      cnt++;
      s1 += d;
      s2 += d * d;
    }
    if (nan > 0 || !(s2 < Number.POSITIVE_INFINITY)) {
      // Rare: NaNs to tell apart (missing or the non-finite marker), or ±Infinity among the values.
      this.channelSlow(c, v, n, shift0);
      return;
    }
    this.chN[c]! += cnt;
    this.chShift[c] = shift;
    this.chS1[c]! += s1;
    this.chS2[c]! += s2;
    this.clip(c, v, n);
  }

  /** `channel` for a chunk with NaN or infinite values: each is counted as missing or non-finite. */
  private channelSlow(c: number, v: Float32Array, n: number, shift0: number): void {
    const bits = bitsOf(v);
    let nan = 0;
    let nonFinite = 0;
    let cnt = 0;
    let shift = shift0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x !== x) {
        if (bits[i] === NON_FINITE_BITS) nonFinite++;
        else nan++;
        continue;
      }
      if (x - x !== 0) {
        nonFinite++;
        continue;
      }
      if (shift !== shift) shift = x;
      const d = x - shift;
      cnt++;
      s1 += d;
      s2 += d * d;
    }
    this.nan[c]! += nan;
    this.nonFinite[c]! += nonFinite;
    this.chN[c]! += cnt;
    this.chShift[c] = shift;
    this.chS1[c]! += s1;
    this.chS2[c]! += s2;
    this.clip(c, v, n);
  }

  private clip(c: number, v: Float32Array, n: number): void {
    if (this.clipMode === 'fullscale') {
      const lvl = this.th.clipFullScaleLevel * (this.stream.fullScale ?? 1);
      let k = 0;
      for (let i = 0; i < n; i++) if (Math.abs(v[i]!) >= lvl) k++;
      this.clipped[c]! += k;
    } else if (this.clipMode === 'plateau') {
      const rel = this.th.clipRelativeLevel;
      const minRun = this.th.clipMinRun;
      const flat = this.th.clipFlatTolerance;
      let max = this.clipMax[c]!;
      let run = this.clipRun[c]!;
      let prev = this.clipPrev[c]!;
      let clipped = this.clipped[c]!;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(v[i]!);
        if (a > 0 && a >= rel * max && a !== Number.POSITIVE_INFINITY) {
          if (a > max) {
            // A clearly higher level: the runs counted so far were not at the true maximum.
            if (a * rel > max) {
              clipped = 0;
              run = 0;
            }
            max = a;
          }
          // A saturated sensor repeats (nearly) the same value; a smooth peak moves between samples.
          if (run > 0 && Math.abs(a - prev) > flat * max) run = 0;
          run++;
          if (run >= minRun) clipped += run === minRun ? minRun : 1;
        } else run = 0;
        prev = a;
      }
      this.clipMax[c] = max;
      this.clipRun[c] = run;
      this.clipPrev[c] = prev;
      this.clipped[c] = clipped;
    }
  }

  /** Ends the pass and returns the summary with its quality checks. */
  finish(): StreamSummary {
    if (this.warm !== null) this.endWarmup();
    const first = this.firstT;
    const has = first !== null && this.samples > 0;
    const maxOff = has ? this.maxOff : 0;
    const durationS = maxOff / 1e9;
    const measuredRateHz = this.normalN > 0 && this.normalSum > 0 ? (this.normalN * 1e9) / this.normalSum : null;
    const jitterMs =
      this.normalN > 1
        ? Math.sqrt(Math.max(0, this.jitS2 / this.normalN - (this.jitS1 / this.normalN) ** 2)) / 1e6
        : null;
    const stats: StreamStats = {
      stream: this.stream,
      samples: this.samples,
      durationS,
      measuredRateHz,
      periodS: Number.isFinite(this.period) ? this.period / 1e9 : null,
      jitterMs,
      gapCount: this.gapCount,
      gapTotalS: this.gapTotalNs / 1e9,
      longestGapS: this.longestGapNs / 1e9,
      longestGapAtS: this.longestGapAtNs / 1e9,
      gapThresholdS: this.gapThr / 1e9,
      duplicates: this.dup,
      backwards: this.back,
      nanPerChannel: Array.from(this.nan),
      nonFinitePerChannel: Array.from(this.nonFinite),
      clipping: this.clipSummary(),
      windowsTruncated: this.windows.truncated,
    };
    return {
      stream: this.stream,
      samples: this.samples,
      firstNs: has ? first.toString() : null,
      lastNs: has ? (first + BigInt(Math.round(maxOff))).toString() : null,
      durationS,
      measuredRateHz,
      gaps: this.gaps.slice(),
      gapCount: this.gapCount,
      windows: this.windows.features(),
      checks: buildChecks(stats, this.th),
    };
  }

  private clipSummary(): StreamStats['clipping'] {
    if (this.clipMode === 'none') return null;
    const perChannel = Array.from(this.clipped, (k, c) => {
      if (this.clipMode !== 'plateau' || k === 0) return k;
      const cnt = this.chN[c]!;
      const mean = this.chS1[c]! / cnt;
      const std = Math.sqrt(Math.max(0, this.chS2[c]! / cnt - mean * mean));
      return std >= this.th.clipMinSpread * this.clipMax[c]! ? k : 0;
    });
    return { perChannel, level: this.clipMode === 'fullscale' ? 'full scale' : 'channel maximum', max: Array.from(this.clipMax) };
  }
}

/** Combines the streams' checks into one report whose status is the worst of them. */
export function qualityReport(summaries: StreamSummary[]): QualityReport {
  if (summaries.length === 0) {
    return {
      status: 'bad',
      checks: [{ name: 'streams', status: 'bad', value: 0, message: 'The recording has no streams, so there is nothing to check.' }],
    };
  }
  const checks = summaries.flatMap((s) => s.checks);
  return { status: worstStatus(checks.map((c) => c.status)), checks };
}
