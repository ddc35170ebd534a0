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
    this.wCap = cap;
    return true;
  }

  /** IMU / other streams: magnitude of x, y, z (or the first channel) per window: n, Σm, Σm². */
  private imu(offs: Float64Array, values: Float32Array[], n: number): void {
    const wNs = this.windowNs;
    const three = this.magIdx.length === 3;
    const vx = values[this.magIdx[0]!];
    const vy = three ? values[this.magIdx[1]!] : undefined;
    const vz = three ? values[this.magIdx[2]!] : undefined;
    if (vx === undefined) return;
    let wN = this.wN;
    let wA = this.wA;
    let wB = this.wB;
    let count = this.wCount;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      if (o < 0) continue;
      let m: number;
      if (vy !== undefined && vz !== undefined) {
        const x = vx[i]!;
        const y = vy[i]!;
        const z = vz[i]!;
        m = Math.sqrt(x * x + y * y + z * z);
      } else m = vx[i]!;
      if (!Number.isFinite(m)) continue;
      const w = Math.floor(o / wNs);
      if (w >= this.wCap) {
        if (!this.ensure(w)) continue;
        wN = this.wN;
        wA = this.wA;
        wB = this.wB;
      }
      wN[w]!++;
      wA[w]! += m;
      wB[w]! += m * m;
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
        const mean = this.wA[w]! / k;
        activity[w] = Math.sqrt(Math.max(0, this.wB[w]! / k - mean * mean));
        level[w] = mean;
      } else {
        activity[w] = 0;
        level[w] = 0;
      }
    }
    return { windowS: this.windowNs / 1e9, count, n, activity, level };
  }
}
