import type { ReaderEvent, SampleChunk } from '../domain/stream.js';

/**
 * Sample collection for formats that store samples in blocks (Axivity CWA sectors, GENEActiv pages), each block
 * with its own timestamp. A block's samples are written into the chunk as soon as they are decoded, but their
 * times are filled only when the next block is seen: samples are spread evenly from this block's start to the
 * next block's start (as OpenMovement and GGIRread do), or at the block's own rate when the next block does not
 * follow on (the last block, a gap, a corrupt block in between). No BigInt arithmetic per sample: times are
 * assembled as two 32-bit halves and written through a Uint32 view of the BigInt64Array.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/** The epoch ns all block times are offsets from (a whole second near the first block). */
export class NsBase {
  readonly ns: bigint;
  private readonly hi: number;
  private readonly lo: number;

  constructor(epochSeconds: number) {
    this.ns = BigInt(epochSeconds) * 1_000_000_000n;
    this.hi = Number(BigInt.asIntN(64, this.ns) >> 32n);
    this.lo = Number(BigInt.asUintN(32, this.ns));
  }

  /** Exact int64 ns of a time `offsetNs` (an integer-valued double, |offset| < 2^53) after the base. */
  at(offsetNs: number): bigint {
    return this.ns + BigInt(offsetNs);
  }

  /**
   * Writes `n` times `base + round(startNs + k * stepNs)` (k = 0…n−1) at `row` of `t`.
   * `startNs` / `stepNs` are ns offsets from the base as doubles (exact well beyond a year of recording).
   */
  fill(t: BigInt64Array, row: number, n: number, startNs: number, stepNs: number): void {
    if (!LITTLE_ENDIAN) {
      for (let k = 0; k < n; k++) t[row + k] = this.ns + BigInt(Math.round(startNs + k * stepNs));
      return;
    }
    const w = new Uint32Array(t.buffer, t.byteOffset + row * 8, n * 2);
    const baseHi = this.hi;
    const baseLo = this.lo;
    for (let k = 0; k < n; k++) {
      const off = Math.round(startNs + k * stepNs);
      const offHi = Math.floor(off / TWO_32);
      let lo = baseLo + (off - offHi * TWO_32);
      let hi = baseHi + offHi;
      if (lo >= TWO_32) {
        lo -= TWO_32;
        hi += 1;
      }
      w[2 * k] = lo;
      w[2 * k + 1] = hi; // ToUint32 wraps a negative high word into two's complement
    }
  }
}

/**
 * Rows of one stream collected into chunks of at most `capacity` rows, with at most one block whose times are
 * still open (see the file comment).
 */
export class BlockSampleSink {
  values: Float32Array[] = [];
  t: BigInt64Array = new BigInt64Array(0);
  /** Rows written into the current chunk. */
  rows = 0;
  /** Rows emitted in earlier chunks. */
  emitted = 0;
  private pendingRow = -1;
  private pendingN = 0;
  private pendingStartNs = 0;
  private pendingStepNs = 0;

  constructor(
    readonly stream: string,
    private readonly channels: number,
    private readonly capacity: number,
    private readonly base: NsBase,
  ) {
    this.reset();
  }

  private reset(): void {
    this.values = Array.from({ length: this.channels }, () => new Float32Array(this.capacity));
    this.t = new BigInt64Array(this.capacity);
    this.rows = 0;
  }

  /** Rows of the open block (0 when none is open). */
  get open(): number {
    return this.pendingRow < 0 ? 0 : this.pendingN;
  }

  /** Start (ns from the base) of the open block. */
  get openStartNs(): number {
    return this.pendingStartNs;
  }

  /**
   * Closes the open block: its samples are spread up to `nextStartNs` when given, else at its own period.
   * The caller decides whether the next block follows on closely enough to be trusted.
   */
  settle(nextStartNs: number | null): void {
    if (this.pendingRow < 0) return;
    const n = this.pendingN;
    const step = nextStartNs === null ? this.pendingStepNs : (nextStartNs - this.pendingStartNs) / n;
    this.base.fill(this.t, this.pendingRow, n, this.pendingStartNs, step);
    this.pendingRow = -1;
  }

  /**
   * Makes room for `n` more rows: returns the chunk to emit first when the current one is too full.
   * The open block must have been settled.
   */
  reserve(n: number): ReaderEvent | null {
    if (this.rows + n <= this.capacity) return null;
    return this.flush();
  }

  /** Declares rows [rows, rows + n), just written into `values`, as the open block. */
  commit(n: number, startNs: number, periodNs: number): void {
    this.pendingRow = this.rows;
    this.pendingN = n;
    this.pendingStartNs = startNs;
    this.pendingStepNs = periodNs;
    this.rows += n;
  }

  /** Adds one row with its time known now (low-rate streams: one value per block). */
  point(startNs: number, value: number): ReaderEvent | null {
    const out = this.reserve(1);
    this.values[0]![this.rows] = value;
    this.base.fill(this.t, this.rows, 1, startNs, 0);
    this.rows++;
    return out;
  }

  /** Emits the rows collected so far (call after `settle`); null when there are none. */
  flush(): ReaderEvent | null {
    const n = this.rows;
    if (n === 0) return null;
    const full = n === this.capacity;
    const chunk: SampleChunk = {
      length: n,
      t: full ? this.t : this.t.slice(0, n),
      values: this.values.map((v) => (full ? v : v.slice(0, n))),
    };
    this.emitted += n;
    this.reset();
    return { type: 'chunk', stream: this.stream, chunk };
  }
}
