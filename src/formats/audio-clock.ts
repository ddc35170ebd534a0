/**
 * Sample times of a regular audio stream: frame i is at `base + round(i * 1e9 / rate)` ns. Filling a
 * BigInt64Array per 64 Ki frames is the hottest loop of an audio reader after the sample conversion, so it
 * uses no BigInt per sample: times are carried as two 32-bit halves in doubles (exact) and stored through a
 * Uint32 view of the BigInt64Array, stepping by the per-frame difference (constant for rates that divide
 * 1e9, else read from a table of one second's steps).
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
    private readonly rate: number,
    private readonly baseNs: bigint = 0n,
  ) {
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
}

/** Unix epoch ns of an ISO 8601 / RFC 3339 time, or null when it does not parse or is not a plausible recording date. */
export function epochNsFromIso(text: string): bigint | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(ms)) return null;
  let offsetMin = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMin = (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const year = Number(y);
  // MP4 writers put 1904-01-01 or 1970-01-01 when they have no clock; nothing before 1990 is a real recording.
  if (year < 1990 || year > 2200) return null;
  const fracNs = frac === undefined ? 0n : BigInt(frac.padEnd(9, '0'));
  return BigInt(ms - offsetMin * 60_000) * 1_000_000n + fracNs;
}
