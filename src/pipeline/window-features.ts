import type { StreamInfo } from '../domain/stream.js';
import type { WindowFeatures } from './types.js';

/** Feature window length per stream kind: 1 s for motion, 0.1 s for audio. */
export const WINDOW_S = { imu: 1, audio: 0.1, other: 1 } as const;
/** Windows kept per stream (bounds memory when a timestamp jumps years ahead): 23 days of 1 s windows. */
export const MAX_WINDOWS = 2_000_000;

/**
 * Per-window accumulators of one stream, fed with float64 ns offsets from the stream's first sample.
 * Window i covers [i·w, (i+1)·w); samples before the first one (offset < 0) are left out, and so are
 * samples with a NaN or infinite feature value.
 */
export class WindowAccumulator {
  private readonly isAudio: boolean;
  private readonly windowNs: number;
  private readonly nCh: number;
  private readonly magIdx: number[];
  private wCap = 0;
  private wCount = 0;
  private wN: Float64Array = new Float64Array(0);
  private wA: Float64Array = new Float64Array(0);
  private wB: Float64Array = new Float64Array(0);
  /** Motion: per-axis Σv and Σv² (x, y, z), so activity is the total per-axis std. */
  private wS: Float64Array[] = [new Float64Array(0), new Float64Array(0), new Float64Array(0)];
  private wQ: Float64Array[] = [new Float64Array(0), new Float64Array(0), new Float64Array(0)];
  /** True when samples fell beyond MAX_WINDOWS and were left out. */
  truncated = false;

  constructor(stream: StreamInfo) {
    this.isAudio = stream.kind === 'audio';
    this.windowNs = WINDOW_S[stream.kind] * 1e9;
    this.nCh = stream.channels.length;
    const lower = stream.channels.map((c) => c.toLowerCase());
    const xyz = ['x', 'y', 'z'].map((n) => lower.indexOf(n));
    this.magIdx = xyz.every((i) => i >= 0) ? xyz : [0];
  }

  push(offs: Float64Array, values: Float32Array[], n: number): void {
    if (this.isAudio) this.audio(offs, values, n);
    else this.imu(offs, values, n);
  }

  private ensure(w: number): boolean {
    if (w < this.wCap) return true;
    if (w >= MAX_WINDOWS) {
      this.truncated = true;
      return false;
    }
    const cap = Math.min(MAX_WINDOWS, Math.max(w + 1, this.wCap * 2, 1024));
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.wN = grow(this.wN);
    this.wA = grow(this.wA);
    this.wB = grow(this.wB);
    if (!this.isAudio) {
      this.wS = this.wS.map(grow);
      this.wQ = this.wQ.map(grow);
    }
    this.wCap = cap;
    return true;
  }

  /**
   * IMU / other streams, per window: n, Σ|v| (mean magnitude) and per-axis Σv, Σv². Activity is the total
   * per-axis standard deviation √(σx² + σy² + σz²): unlike the std of the magnitude, it also sees motion
   * across the gravity axis (a wrist swinging sideways), and it is the same whatever way the device is held.
   */
  private imu(offs: Float64Array, values: Float32Array[], n: number): void {
    const wNs = this.windowNs;
    const axes = this.magIdx.map((c) => values[c]).filter((v): v is Float32Array => v !== undefined);
    if (axes.length === 0) return;
    const three = axes.length === 3;
    const vx = axes[0]!;
    const vy = three ? axes[1]! : vx;
    const vz = three ? axes[2]! : vx;
    let count = this.wCount;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      if (o < 0) continue;
      const x = vx[i]!;
      const y = three ? vy[i]! : 0;
      const z = three ? vz[i]! : 0;
      const m = three ? Math.sqrt(x * x + y * y + z * z) : x;
      if (!Number.isFinite(m)) continue;
      const w = Math.floor(o / wNs);
      if (w >= this.wCap && !this.ensure(w)) continue;
      this.wN[w]!++;
      this.wA[w]! += m;
      this.wS[0]![w]! += x;
      this.wQ[0]![w]! += x * x;
      if (three) {
        this.wS[1]![w]! += y;
        this.wQ[1]![w]! += y * y;
        this.wS[2]![w]! += z;
        this.wQ[2]![w]! += z * z;
      }
      if (w >= count) count = w + 1;
    }
    this.wCount = count;
  }

  /** Audio: per window n, Σx² over channels, peak |x|. */
  private audio(offs: Float64Array, values: Float32Array[], n: number): void {
    const wNs = this.windowNs;
    // Accumulate a run of samples that fall in the same window in locals, then add it to the window.
    let i = 0;
    while (i < n) {
      const o = offs[i]!;
      if (o < 0) {
        i++;
        continue;
      }
      const w = Math.floor(o / wNs);
      if (w >= this.wCap && !this.ensure(w)) {
        i++;
        continue;
      }
      const lo = w * wNs;
      const hi = lo + wNs;
      let j = i + 1;
      while (j < n && offs[j]! >= lo && offs[j]! < hi) j++;
      let sq = 0;
      let peak = 0;
      for (const v of values) {
        for (let k = i; k < j; k++) {
          const x = v[k]!;
          sq += x * x;
          const a = x < 0 ? -x : x;
          if (a > peak) peak = a;
        }
      }
      this.wN[w]! += j - i;
      this.wA[w]! += sq;
      if (peak > this.wB[w]!) this.wB[w] = peak;
      if (w >= this.wCount) this.wCount = w + 1;
      i = j;
    }
  }

  /** The features of all windows so far (JSON-safe numbers). */
  features(): WindowFeatures {
    const count = this.wCount;
    const n: number[] = new Array<number>(count);
    const activity: number[] = new Array<number>(count);
    const level: number[] = new Array<number>(count);
    const ch = Math.max(1, this.nCh);
    for (let w = 0; w < count; w++) {
      const k = this.wN[w]!;
      n[w] = k;
      if (this.isAudio) {
        const ms = k > 0 ? this.wA[w]! / (k * ch) : 0;
        activity[w] = ms > 0 ? Math.max(-120, 10 * Math.log10(ms)) : -120;
        level[w] = this.wB[w]!;
      } else if (k > 0) {
        let variance = 0;
        for (let a = 0; a < 3; a++) {
          const mean = this.wS[a]![w]! / k;
          variance += Math.max(0, this.wQ[a]![w]! / k - mean * mean);
        }
        activity[w] = Math.sqrt(variance);
        level[w] = this.wA[w]! / k;
      } else {
        activity[w] = 0;
        level[w] = 0;
      }
    }
    return { windowS: this.windowNs / 1e9, count, n, activity, level };
  }
}
