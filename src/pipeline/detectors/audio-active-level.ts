import { MIN_DBFS, powerDb } from './audio-levels.js';

const BIN_DB = 0.5;
const TOP_DB = 10;
/** ITU-T P.56's margin: the active level is the mean power of the frames above (active level − 15.9 dB). */
export const P56_MARGIN_DB = 15.9;

/**
 * Active level in the manner of ITU-T P.56 (method B), on short frames instead of P.56's smoothed envelope:
 * a histogram of frame levels (0.5 dB bins) with the power in each bin; the active level A is the mean power
 * of the frames louder than a threshold c, choosing c where A − c = 15.9 dB. Speech pauses and the room's
 * noise are left out, so it answers "how loud is the sound when there is sound" whatever the share of
 * silence. Fixed memory (the histogram).
 */
export class ActiveLevel {
  private readonly count: Float64Array;
  private readonly energy: Float64Array;
  private frames = 0;

  constructor() {
    const bins = Math.ceil((TOP_DB - MIN_DBFS) / BIN_DB) + 1;
    this.count = new Float64Array(bins);
    this.energy = new Float64Array(bins);
  }

  /** Adds one frame by its mean-square power (full scale = 1). */
  add(power: number): void {
    const db = powerDb(power);
    const b = Math.min(this.count.length - 1, Math.floor((Math.min(TOP_DB, db) - MIN_DBFS) / BIN_DB));
    this.count[b]!++;
    this.energy[b]! += power;
    this.frames++;
  }

  /**
   * The active level (dBFS) and the share of frames that are active; null when no frame is above digital
   * silence (−120 dBFS).
   */
  result(): { levelDb: number; activeShare: number } | null {
    let n = 0;
    let e = 0;
    let found: { levelDb: number; activeShare: number } | null = null;
    // From the loudest bin down: the threshold falls, the active level falls more slowly, until they are
    // P56_MARGIN_DB apart.
    for (let b = this.count.length - 1; b >= 1; b--) {
      n += this.count[b]!;
      e += this.energy[b]!;
      if (n === 0) continue;
      const a = powerDb(e / n);
      found = { levelDb: a, activeShare: n / this.frames };
      const threshold = MIN_DBFS + b * BIN_DB;
      if (a - threshold >= P56_MARGIN_DB) break;
    }
    return found;
  }
}
