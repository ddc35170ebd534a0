/** Level helpers shared by the audio detectors: dBFS conversions and a running percentile of frame levels. */

/** Levels are floored here: a frame of digital zeros is −120 dBFS, not −∞. */
export const MIN_DBFS = -120;
/** Highest level the histograms hold (a full-scale square wave is 0 dBFS; mixing can go a little above). */
const MAX_DBFS = 10;

/** 10·log10 of a mean-square power (full scale = 1), floored at MIN_DBFS. */
export function powerDb(meanSquare: number): number {
  return meanSquare > 1e-12 ? Math.max(MIN_DBFS, 10 * Math.log10(meanSquare)) : MIN_DBFS;
}

/** 20·log10 of an amplitude (full scale = 1), floored at MIN_DBFS. */
export function amplitudeDb(a: number): number {
  return a > 1e-6 ? Math.max(MIN_DBFS, 20 * Math.log10(a)) : MIN_DBFS;
}

export function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * A percentile of the last `capacity` levels (dB), from a histogram of `binDb`-wide bins over
 * [MIN_DBFS, MAX_DBFS] and a ring of the bins of the values it holds: O(1) to add, O(bins) to query,
 * fixed memory. The answer is the centre of the bin where the percentile falls.
 */
export class RollingPercentile {
  private readonly bins: Uint32Array;
  private readonly ring: Uint16Array;
  private head = 0;
  private count = 0;

  constructor(
    private readonly capacity: number,
    private readonly binDb = 0.5,
  ) {
    this.bins = new Uint32Array(Math.ceil((MAX_DBFS - MIN_DBFS) / binDb) + 1);
    this.ring = new Uint16Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  /** Adds a level; drops the oldest one when full. */
  add(db: number): void {
    const b = this.bin(db);
    if (this.count === this.ring.length) {
      const old = this.ring[this.head]!;
      this.bins[old]!--;
    } else this.count++;
    this.ring[this.head] = b;
    this.bins[b]!++;
    this.head = (this.head + 1) % this.ring.length;
  }

  /** Drops the oldest level (no-op when empty). */
  dropOldest(): void {
    if (this.count === 0) return;
    const oldest = (this.head - this.count + this.ring.length) % this.ring.length;
    this.bins[this.ring[oldest]!]!--;
    this.count--;
  }

  /** The q-quantile (0…1) of the levels held, NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.floor(q * (this.count - 1));
    let seen = 0;
    const bins = this.bins;
    for (let b = 0; b < bins.length; b++) {
      seen += bins[b]!;
      if (seen > rank) return MIN_DBFS + (b + 0.5) * this.binDb;
    }
    return MAX_DBFS;
  }

  clear(): void {
    this.bins.fill(0);
    this.count = 0;
    this.head = 0;
  }

  private bin(db: number): number {
    const x = Number.isFinite(db) ? db : MIN_DBFS;
    const b = Math.floor((Math.min(MAX_DBFS, Math.max(MIN_DBFS, x)) - MIN_DBFS) / this.binDb);
    return Math.min(this.bins.length - 1, b);
  }
}
