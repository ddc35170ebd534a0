import { Buffer } from 'node:buffer';
import type { ReaderEvent, SampleChunk } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';

/**
 * Sample collection for formats that store samples in blocks (Axivity CWA sectors, GENEActiv pages), each block
 * with its own timestamp. A block's samples are written into the chunk as soon as they are decoded, but their
 * times are filled only when the next block is seen: samples are spread evenly from this block's start to the
 * next block's start (as OpenMovement and GGIRread do), or at the block's own rate when the next block does not
 * follow on (the last block, a gap, a corrupt block in between). No BigInt arithmetic per sample: times are
 * assembled as two 32-bit halves and written through a Uint32 view of the BigInt64Array, which assumes a
 * little-endian machine (every platform Node ships for but s390x; the block decoders refuse big-endian ones).
 */

const TWO_32 = 4294967296;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
   * Writes `n` times `base + round(startNs + k * stepNs)` (k = 0…n−1) at `row` of the BigInt64Array whose
   * memory `w` views as 32-bit words. `startNs` / `stepNs` are ns offsets from the base as doubles (exact well
   * beyond a year of recording).
   */
  fill(w: Uint32Array, row: number, n: number, startNs: number, stepNs: number): void {
    // Split the block's first time into whole 2^32 ns words once; per sample only a carry check remains.
    const first = Math.floor(startNs);
    const firstHi = Math.floor(first / TWO_32);
    const firstLo = this.lo + (first - firstHi * TWO_32);
    const hi0 = this.hi + firstHi;
    const frac = startNs - first;
    for (let k = 0, i = 2 * row; k < n; k++, i += 2) {
      let lo = firstLo + Math.round(frac + k * stepNs);
      let hi = hi0;
      if (lo >= TWO_32 || lo < 0) {
        const carry = Math.floor(lo / TWO_32);
        lo -= carry * TWO_32;
        hi += carry;
      }
      w[i] = lo;
      w[i + 1] = hi; // ToUint32 wraps a negative high word into two's complement
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
  /** `t`'s memory as 32-bit words (little-endian: low word first). */
  private tw: Uint32Array = new Uint32Array(0);
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
    if (!LITTLE_ENDIAN) throw new AppError('format_unsupported_variant', 'This reader needs a little-endian machine; this one is big-endian.');
    this.reset();
  }

  /**
   * One uninitialised allocation per chunk for its times and channels: zero-filling ~1.3 MB per chunk (and the
   * page faults of fresh zeroed memory) cost more than decoding it. Every row handed out is written first: a
   * full chunk's rows all are, and a partial chunk is copied out (`flush`), so no stale bytes are reachable.
   */
  private reset(): void {
    const cap = this.capacity;
    const mem = Buffer.allocUnsafeSlow(cap * (8 + 4 * this.channels));
    this.t = new BigInt64Array(mem.buffer, mem.byteOffset, cap);
    this.tw = new Uint32Array(mem.buffer, mem.byteOffset, cap * 2);
    this.values = Array.from({ length: this.channels }, (_, c) => new Float32Array(mem.buffer, mem.byteOffset + cap * (8 + 4 * c), cap));
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
    this.base.fill(this.tw, this.pendingRow, n, this.pendingStartNs, step);
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
    this.base.fill(this.tw, this.rows, 1, startNs, 0);
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
