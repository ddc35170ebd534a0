/**
 * Times of a chunk's rows, whichever form the chunk carries them in (one int64 per row, or a clock for a
 * regular chunk), read without a BigInt per row.
 */
import type { FrameClock } from './frame-clock.js';
import type { RegularTimes, SampleChunk } from './stream.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO32 = 4294967296;

/** A regular chunk: its `t` is only computed when something reads it. */
class RegularChunk implements SampleChunk {
  private times: BigInt64Array | null = null;
  readonly regular: RegularTimes;

  constructor(
    public length: number,
    public values: Float32Array[],
    clock: FrameClock,
    firstFrame: number,
  ) {
    this.regular = { clock, firstFrame };
  }

  get t(): BigInt64Array {
    if (this.times === null) {
      this.times = new BigInt64Array(this.length);
      this.regular.clock.fill(this.times, this.regular.firstFrame, this.length);
    }
    return this.times;
  }
}

/** A chunk of `length` evenly spaced rows: row i is frame `firstFrame + i` of `clock`. */
export function regularChunk(length: number, values: Float32Array[], clock: FrameClock, firstFrame: number): SampleChunk {
  return new RegularChunk(length, values, clock, firstFrame);
}

/** The int64 ns time of row i. */
export function chunkTimeAt(chunk: SampleChunk, i: number): bigint {
  const r = chunk.regular;
  return r === undefined ? chunk.t[i]! : r.clock.at(r.firstFrame + i);
}

/**
 * out[i] = t[i] − origin (ns, float64) for i < n (default: the whole chunk); exact while the offsets stay
 * below 2^53 ns (≈ 104 days). `out` must hold n values.
 */
export function chunkOffsets(chunk: SampleChunk, origin: bigint, out: Float64Array, n = chunk.length): void {
  const r = chunk.regular;
  if (r !== undefined) {
    r.clock.offsets(out, r.firstFrame, n, Number(r.clock.baseNs - origin));
    return;
  }
  const t = chunk.t;
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) out[i] = Number(t[i]! - origin);
    return;
  }
  const o = BigInt.asUintN(64, origin);
  const bl = Number(o & 0xffffffffn);
  const bh = Number(BigInt.asIntN(32, o >> 32n));
  const lo = new Uint32Array(t.buffer, t.byteOffset, n * 2);
  const hi = new Int32Array(t.buffer, t.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = (hi[2 * i + 1]! - bh) * TWO32 + (lo[2 * i]! - bl);
}

/** Copies the times of rows from … from + n − 1 into into[at …]. */
export function copyChunkTimes(chunk: SampleChunk, from: number, n: number, into: BigInt64Array, at: number): void {
  const r = chunk.regular;
  if (r !== undefined) r.clock.fill(into.subarray(at, at + n), r.firstFrame + from, n);
  else into.set(chunk.t.subarray(from, from + n), at);
}

/** `t + offset` for n times, without a BigInt per sample (an hour of audio is ~10⁸ of them). */
function shiftTimes(t: BigInt64Array, n: number, offset: bigint): BigInt64Array {
  const out = new BigInt64Array(n);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) out[i] = t[i]! + offset;
    return out;
  }
  const offLo = Number(BigInt.asUintN(32, offset));
  const offHi = Number(BigInt.asIntN(32, offset >> 32n));
  const src = new Uint32Array(t.buffer, t.byteOffset, n * 2);
  const srcHi = new Int32Array(t.buffer, t.byteOffset, n * 2);
  const dst = new Uint32Array(out.buffer);
  const dstHi = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]! + offLo;
    const carry = lo >= TWO32 ? 1 : 0;
    dst[2 * i] = lo - carry * TWO32;
    dstHi[2 * i + 1] = srcHi[2 * i + 1]! + offHi + carry;
  }
  return out;
}

/**
 * The chunk (with `values`, by default its own) and every time moved by `offset` ns (a member put on the recording's axis, a device-local clock
 * put on UTC): a regular chunk gets a shifted clock, an explicit one a shifted copy of its times.
 */
export function shiftChunk(chunk: SampleChunk, offset: bigint, values: Float32Array[] = chunk.values): SampleChunk {
  const n = chunk.length;
  const r = chunk.regular;
  if (r !== undefined) return regularChunk(n, values, offset === 0n ? r.clock : r.clock.withBase(r.clock.baseNs + offset), r.firstFrame);
  return { length: n, t: offset === 0n ? chunk.t : shiftTimes(chunk.t, n, offset), values };
}
