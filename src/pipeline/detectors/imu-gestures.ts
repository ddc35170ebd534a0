import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import { accelKind, clamp01, PeriodEstimator, round, TimeBase, toGFactor, withOverrides, xyzIndices, type DetectorOptions } from './imu-common.js';
import type { DetectedEvent, DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

export { imuWristRaiseDetector, WRIST_RAISE_DEFAULTS, type WristRaiseParams } from './imu-wrist-raise.js';

/** Tap parameters; a study overrides them with detector options `tap.<name>`. */
export const TAP_DEFAULTS = Object.freeze({
  /** Baseline (gravity and slow motion) per axis: an EMA with this time constant, held still during an impulse. */
  baselineTauS: 0.25,
  /** A tap's peak of |a − baseline| exceeds median + k × 1.4826 × MAD of that signal around it, and minPeakG. */
  k: 8,
  minPeakG: 0.5,
  /** Its width at half its peak is at most this (s): sharper than a step or a swing. */
  maxWidthS: 0.06,
  /** An excursion longer than this is motion, not an impulse: the baseline follows it again. */
  maxExcursionS: 0.3,
  /** Noise is measured per block of this length, over the two blocks before a tap, its own and the next. */
  noiseBlockS: 1,
  /**
   * Rhythm: an impulse with more than `maxOthers` other impulses of at least half its peak within ±rhythmS
   * (outside ±0.1 s of it) is a footfall of a gait, not a tap (a double- or triple-tap has one or two).
   */
  rhythmS: 1.5,
  maxOthers: 2,
  /** No second tap within this time of a tap's peak. */
  refractoryS: 0.15,
  /** Two taps whose peaks are at most this far apart make a double-tap. */
  doubleMaxGapS: 0.5,
  /** Streams sampled slower than this cannot resolve a tap and get no tap events. */
  minRateHz: 25,
});
export type TapParams = typeof TAP_DEFAULTS;

interface Candidate {
  block: number;
  startOff: number;
  endOff: number;
  peakOff: number;
  peakG: number;
  widthS: number;
}

const MAX_BLOCK_SAMPLES = 1024;
/** Peaks of |a − baseline| are kept per 50 ms bin for the rhythm test, over the last RING bins. */
const BIN_NS = 50e6;
const RING = 256;

/** The k-th smallest value (0-based) by quickselect, reordering `v` in place: O(n) per block, not a sort. */
export function select(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (hi > lo) {
    const pivot = v[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i++] = v[j]!;
        v[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return v[k]!;
}

class TapDetector implements StreamDetector {
  readonly name = 'tap-impulse';
  readonly version = '1.0.0';
  private readonly time = new TimeBase();
  private readonly period: PeriodEstimator;
  private readonly idx: [number, number, number];
  private readonly scale: number;
  private readonly base = new Float64Array(3);
  private started = false;
  private prevOff = Number.NaN;
  private alphaDt = Number.NaN;
  private alpha = 0;
  // the current excursion above half the minimum peak
  private inExc = false;
  private excStart = 0;
  private excLen = 0;
  private excT = new Float64Array(64);
  private excH = new Float64Array(64);
  private excLong = false;
  // noise blocks: |a − baseline| samples of the current block; then median + k·σ per block
  private block = -1;
  private blockVals = new Float64Array(MAX_BLOCK_SAMPLES);
  private blockN = 0;
  private readonly levels = new Map<number, number>();
  private readonly binMax = new Float64Array(RING);
  private readonly binId = new Float64Array(RING).fill(-1);
  /** Excursions start above half the threshold the last blocks imply (so taps during walking stand out). */
  private half: number;
  private readonly pending: Candidate[] = [];
  private readonly taps: (Candidate & { threshold: number })[] = [];

  constructor(stream: StreamInfo, private readonly p: TapParams) {
    this.idx = xyzIndices(stream)!;
    this.scale = toGFactor(stream.unit)!;
    this.period = new PeriodEstimator(stream.nominalRateHz);
    this.half = p.minPeakG / 2;
  }

  push(chunk: SampleChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    const offs = this.time.offsets(chunk);
    if (!this.period.known) this.period.observe(offs, n);
    const vx = chunk.values[this.idx[0]]!;
    const vy = chunk.values[this.idx[1]]!;
    const vz = chunk.values[this.idx[2]]!;
    const k = this.scale;
    const blockNs = this.p.noiseBlockS * 1e9;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      const x = vx[i]! * k;
      const y = vy[i]! * k;
      const z = vz[i]! * k;
      if (x !== x || y !== y || z !== z || (this.started && !(o > this.prevOff))) continue;
      if (!this.started) {
        this.base[0] = x;
        this.base[1] = y;
        this.base[2] = z;
        this.started = true;
        this.prevOff = o;
      }
      const dt = o - this.prevOff;
      this.prevOff = o;
      const b = Math.floor(o / blockNs);
      if (b > this.block) this.nextBlock(b);
      const half = this.half;
      const dx = x - this.base[0]!;
      const dy = y - this.base[1]!;
      const dz = z - this.base[2]!;
      const h = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (this.blockN < MAX_BLOCK_SAMPLES) this.blockVals[this.blockN++] = h;
      const bin = Math.floor(o / BIN_NS);
      const slot = bin % RING;
      if (this.binId[slot] !== bin) {
        this.binId[slot] = bin;
        this.binMax[slot] = h;
      } else if (h > this.binMax[slot]!) this.binMax[slot] = h;
      if (h > half) {
        if (!this.inExc) {
          this.inExc = true;
          this.excStart = o;
          this.excLen = 0;
          this.excLong = false;
        }
        if (this.excLen < this.excT.length) {
          this.excT[this.excLen] = o;
          this.excH[this.excLen++] = h;
        } else this.excLong = true;
        if (o - this.excStart > this.p.maxExcursionS * 1e9) this.excLong = true;
        if (!this.excLong) continue; // baseline held during an impulse
      } else if (this.inExc) this.endExcursion();
      // The baseline follows slowly (EMA with the actual interval, so irregular rates are fine).
      if (dt !== this.alphaDt) {
        this.alphaDt = dt;
        this.alpha = dt > 0 ? 1 - Math.exp(-dt / (this.p.baselineTauS * 1e9)) : 0;
      }
      const a = this.alpha;
      this.base[0]! += a * dx;
      this.base[1]! += a * dy;
      this.base[2]! += a * dz;
    }
  }

  private endExcursion(): void {
    this.inExc = false;
    const len = this.excLen;
    if (this.excLong || len === 0) return;
    let peak = 0;
    let at = 0;
    for (let j = 0; j < len; j++) {
      if (this.excH[j]! > peak) {
        peak = this.excH[j]!;
        at = j;
      }
    }
    if (peak < this.p.minPeakG) return;
    let first = at;
    let last = at;
    while (first > 0 && this.excH[first - 1]! >= peak / 2) first--;
    while (last + 1 < len && this.excH[last + 1]! >= peak / 2) last++;
    const periodNs = this.period.known ? this.period.ns : 0;
    const widthS = (this.excT[last]! - this.excT[first]! + periodNs) / 1e9;
    if (widthS > this.p.maxWidthS) return;
    const block = Math.floor(this.excT[at]! / (this.p.noiseBlockS * 1e9));
    this.pending.push({ block, startOff: this.excT[first]!, endOff: this.excT[last]! + periodNs, peakOff: this.excT[at]!, peakG: peak, widthS });
  }

  /** Closes the current noise block and confirms the candidates whose noise context is complete. */
  private nextBlock(b: number): void {
    if (this.block >= 0 && this.blockN > 0) this.levels.set(this.block, this.blockLevel());
    let level = 0;
    for (let k = b - 2; k < b; k++) level = Math.max(level, this.levels.get(k) ?? 0);
    this.half = Math.max(this.p.minPeakG, level) / 2;
    this.block = b;
    this.blockN = 0;
    this.confirm(b - 1 - Math.ceil(this.p.rhythmS / this.p.noiseBlockS));
  }

  /** Median + k × 1.4826 × MAD of the block's values. */
  private blockLevel(): number {
    const v = this.blockVals.subarray(0, this.blockN);
    const med = select(v, v.length >> 1);
    for (let j = 0; j < v.length; j++) v[j] = Math.abs(v[j]! - med);
    return med + this.p.k * 1.4826 * select(v, v.length >> 1);
  }

  private confirm(upTo: number): void {
    const p = this.p;
    while (this.pending.length > 0 && this.pending[0]!.block <= upTo) {
      const c = this.pending.shift()!;
      let level = 0;
      for (let b = c.block - 2; b <= c.block + 1; b++) level = Math.max(level, this.levels.get(b) ?? 0);
      const threshold = Math.max(p.minPeakG, level);
      const last = this.taps[this.taps.length - 1];
      if (c.peakG <= threshold || (last !== undefined && c.peakOff - last.peakOff < p.refractoryS * 1e9)) continue;
      if (this.others(c) <= p.maxOthers) this.taps.push({ ...c, threshold });
    }
    for (const b of this.levels.keys()) if (b < upTo - 3) this.levels.delete(b);
  }

  /** Impulses (runs of 50 ms bins) of at least half the candidate's peak within ±rhythmS, outside ±0.1 s. */
  private others(c: Candidate): number {
    const center = Math.floor(c.peakOff / BIN_NS);
    const reach = Math.min(Math.round((this.p.rhythmS * 1e9) / BIN_NS), RING / 2 - 1);
    const near = Math.round(100e6 / BIN_NS);
    let count = 0;
    let inRun = false;
    for (let bin = center - reach; bin <= center + reach; bin++) {
      const slot = ((bin % RING) + RING) % RING;
      const high = Math.abs(bin - center) > near && this.binId[slot] === bin && this.binMax[slot]! >= c.peakG / 2;
      if (high && !inRun) count++;
      inRun = high;
    }
    return count;
  }

  finish(): DetectorOutput {
    if (this.inExc) this.endExcursion();
    if (this.block >= 0 && this.blockN > 0) this.levels.set(this.block, this.blockLevel());
    this.confirm(Number.POSITIVE_INFINITY);
    this.period.settle();
    const events: DetectedEvent[] = [];
    if (this.period.known && this.period.ns > 1e9 / this.p.minRateHz) return { events };
    const tap = (t: (typeof this.taps)[number]): DetectedEvent => ({
      label: 'tap', startNs: this.time.ns(t.startOff), endNs: this.time.ns(t.endOff),
      confidence: round(clamp01(0.5 + 0.25 * Math.log2(t.peakG / t.threshold)), 3),
      attributes: { peakG: round(t.peakG, 3), thresholdG: round(t.threshold, 3), widthMs: round(t.widthS * 1000, 1) },
    });
    for (let i = 0; i < this.taps.length; i++) {
      const t = this.taps[i]!;
      const first = tap(t);
      events.push(first);
      const t2 = this.taps[i + 1];
      if (t2 !== undefined && t2.peakOff - t.peakOff <= this.p.doubleMaxGapS * 1e9) {
        const second = tap(t2);
        events.push(second, {
          label: 'double-tap', startNs: first.startNs, endNs: second.endNs, confidence: Math.min(first.confidence, second.confidence),
          attributes: { gapMs: round((t2.peakOff - t.peakOff) / 1e6, 1) },
        });
        i++;
      }
    }
    return { events };
  }
}

/**
 * `tap` events (sharp wrist impulses) and `double-tap` events (two taps whose peaks are ≤ `doubleMaxGapS`
 * apart; its two taps are reported as `tap` too) on a 3-axis acceleration, with or without gravity. The
 * signal is |a − baseline| (a per-axis EMA high-pass held during impulses); a tap peaks above
 * max(minPeakG, median + k·1.4826·MAD of the signal in the surrounding seconds), with a width at half its
 * peak ≤ maxWidthS, and no tap within refractoryS of the previous one. Confidence grows with peak/threshold.
 * Declines the OS's gravity stream and streams declared slower than minRateHz.
 */
export const imuTapDetector: DetectorFactory = (stream: StreamInfo, options?: DetectorOptions) => {
  const kind = accelKind(stream);
  if (kind === null || kind === 'gravity') return null;
  const p = withOverrides(TAP_DEFAULTS, options, 'tap');
  if (stream.nominalRateHz !== null && stream.nominalRateHz < p.minRateHz) return null;
  return new TapDetector(stream, p);
};
