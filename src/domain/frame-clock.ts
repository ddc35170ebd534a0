/**
 * The clock of a regular stream: frame i is at `base + round(i * 1e9 / rate)` ns. Readers of evenly spaced
 * samples (audio) hand this clock on with their chunks instead of a time per sample (see `regularChunk`),
 * and consumers derive the times they need from it. Times are computed without a BigInt per sample:
 * carried as two 32-bit halves in doubles (exact) and stored through a Uint32 view of a BigInt64Array,
 * stepping by the per-frame difference (constant for rates that divide 1e9, else read from a table of
 * one second's steps).
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;
/** Above this rate a one-second step table (Int32, 4 bytes per frame) is not worth its memory. */
const MAX_TABLE_RATE = 1_000_000;

export class FrameClock {
  /** ns between frames when it is an integer, else 0. */
  private readonly step: number;
  /** steps[r] = t(r + 1) − t(r) within one second, when `step` is 0 and the rate is tabulated. */
  private readonly steps: Int32Array | null;

  /**
   * @param rate frames per second (a positive integer).
   * @param baseNs the time of frame 0: 0 for relative time, Unix epoch ns when the file has a wall clock.
   */
  constructor(
    readonly rate: number,
    readonly baseNs: bigint = 0n,
    /** A clock of the same rate whose step table is shared (see `withBase`). */
    same?: FrameClock,
  ) {
    if (same !== undefined && same.rate === rate) {
      this.step = same.step;
      this.steps = same.steps;
      return;
    }
    const period = 1e9 / rate;
    this.step = Number.isInteger(period) ? period : 0;
    if (this.step === 0 && rate <= MAX_TABLE_RATE) {
      const steps = new Int32Array(rate);
      let prev = 0;
      for (let r = 1; r <= rate; r++) {
        const next = r === rate ? 1e9 : Math.round((r * 1e9) / rate);
        steps[r - 1] = next - prev;
        prev = next;
      }
      this.steps = steps;
    } else {
      this.steps = null;
    }
  }

  /** The same clock with frame 0 at `baseNs` (a recording shifted onto another's time axis). */
  withBase(baseNs: bigint): FrameClock {
    return baseNs === this.baseNs ? this : new FrameClock(this.rate, baseNs, this);
  }

  /** Time of frame `i` relative to frame 0, in ns, as a double; exact for any realistic length (< 2^53 ns ≈ 104 days). */
  relNs(i: number): number {
    const sec = Math.floor(i / this.rate);
    const rem = i - sec * this.rate;
    return sec * 1e9 + Math.round((rem * 1e9) / this.rate);
  }

  /** Absolute time of frame `i` (base included). */
  at(i: number): bigint {
    return this.baseNs + BigInt(this.relNs(i));
  }

  /** Writes the times of frames first … first + n − 1 into t[0 … n − 1]. */
  fill(t: BigInt64Array, first: number, n: number): void {
    if (n === 0) return;
    const start = this.at(first);
    if (!LITTLE_ENDIAN || start < 0n || (this.step === 0 && this.steps === null)) {
      for (let k = 0; k < n; k++) t[k] = this.at(first + k);
      return;
    }
    const w = new Uint32Array(t.buffer, t.byteOffset, n * 2);
    let lo = Number(start & 0xffffffffn);
    let hi = Number(start >> 32n);
    const step = this.step;
    if (step !== 0) {
      for (let k = 0; k < n; k++) {
        w[2 * k] = lo;
        w[2 * k + 1] = hi;
        lo += step;
        if (lo >= TWO_32) {
          lo -= TWO_32;
          hi++;
        }
      }
      return;
    }
    const steps = this.steps!;
    const rate = this.rate;
    let rem = first % rate;
    for (let k = 0; k < n; k++) {
      w[2 * k] = lo;
      w[2 * k + 1] = hi;
      lo += steps[rem]!;
      if (lo >= TWO_32) {
        lo -= TWO_32;
        hi++;
      }
      if (++rem === rate) rem = 0;
    }
  }

  /**
   * Writes `deltaNs + relNs(first + k)` into out[k] for k < n: the frames' times as float64 ns offsets from
   * a chosen origin, `deltaNs` being `baseNs − origin` as a number. Exact while the offsets stay below 2^53.
   */
  offsets(out: Float64Array, first: number, n: number, deltaNs: number): void {
    if (n === 0) return;
    let rel = this.relNs(first);
    const step = this.step;
    if (step !== 0) {
      for (let k = 0; k < n; k++) out[k] = deltaNs + rel + k * step;
      return;
    }
    const steps = this.steps;
    if (steps === null) {
      for (let k = 0; k < n; k++) out[k] = deltaNs + this.relNs(first + k);
      return;
    }
    const rate = this.rate;
    let rem = first % rate;
    for (let k = 0; k < n; k++) {
      out[k] = deltaNs + rel;
      rel += steps[rem]!;
      if (++rem === rate) rem = 0;
    }
  }
}
