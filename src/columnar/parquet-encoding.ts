/**
 * Fast Parquet value encoders and statistics for the two column types of a stream file: INT64 timestamps
 * (DELTA_BINARY_PACKED) and FLOAT channels (BYTE_STREAM_SPLIT).
 *
 * Why not hyparquet-writer's own encoders: they go value by value through BigInt arithmetic (INT64 delta
 * packing, the TIMESTAMP conversion that boxes every value into a BigInt array, the int64 range check and the
 * statistics), and BYTE_STREAM_SPLIT appends one byte at a time through a DataView. Profiled on 8.64 M rows
 * that is ~60 % of the write time and the GC pressure behind the RSS peak. These encoders work on the typed
 * arrays' 32-bit words instead. Their output is byte-identical to hyparquet-writer's `deltaBinaryPack` and
 * `writeByteStreamSplit` (checked in parquet-encoding.test.ts); pages, footer and snappy still come from
 * hyparquet-writer, whose internal modules are vendored in vendor/hyparquet-writer/ (see its README.md).
 */
import { ByteWriter } from 'hyparquet-writer';
import { deltaBinaryPack } from './vendor/hyparquet-writer/delta.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** DELTA_BINARY_PACKED block layout, the same as hyparquet-writer's (and parquet-mr's) defaults. */
const BLOCK_SIZE = 128;
const MINIBLOCKS = 4;
const MINIBLOCK_VALUES = BLOCK_SIZE / MINIBLOCKS;
const TWO_POW_32 = 4_294_967_296;
/**
 * Largest |difference of high words| between consecutive values for which deltas, and deltas minus the
 * block's minimum delta, stay below 2^53 and so are exact as doubles (a delta then is below 2^51 ns ≈ 26 days).
 * Larger jumps (garbage clocks) fall back to hyparquet-writer's BigInt encoder.
 */
const MAX_FAST_HIGH_DIFF = 2 ** 19 - 2;
/** Worst-case bytes of one block: min delta varint, 4 widths, 4 miniblocks of 32 values × 64 bits. */
const MAX_BLOCK_BYTES = 10 + MINIBLOCKS + MINIBLOCKS * MINIBLOCK_VALUES * 8;
/** Worst-case bytes of the page header: 2 one-byte varints, a count varint and an int64 zigzag varint. */
const MAX_HEADER_BYTES = 2 + 10 + 10;

function assertLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error('The Parquet encoders assume a little-endian platform.');
}

function bitWidth(value: number): number {
  if (value === 0) return 0;
  if (value < TWO_POW_32) return 32 - Math.clz32(value);
  return 64 - Math.clz32(Math.floor(value / TWO_POW_32));
}

function writeVarUint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v % 0x80) + 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/** Zigzag varint of an exactly represented integer (|value| < 2^52 here). */
function writeZigZagNumber(out: Uint8Array, at: number, value: number): number {
  return writeVarUint(out, at, value < 0 ? -value * 2 - 1 : value * 2);
}

function writeZigZagBigInt(out: Uint8Array, at: number, value: bigint): number {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  while (v >= 0x80n) {
    out[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[at++] = Number(v);
  return at;
}

/**
 * DELTA_BINARY_PACKED encoder for INT64 values. Keeps its scratch buffers between calls, so one instance
 * serves a whole file; the array `encode` returns is only valid until the next call.
 */
export class Int64DeltaEncoder {
  private deltas = new Float64Array(0);
  private out = new Uint8Array(0);
  /** One miniblock: 32 values of at most 64 bits = 64 words. */
  private readonly words = new Uint32Array(64);
  private readonly wordBytes = new Uint8Array(this.words.buffer);

  constructor() {
    assertLittleEndian();
  }

  encode(values: BigInt64Array): Uint8Array {
    const n = values.length;
    const deltaCount = Math.max(0, n - 1);
    const maxBytes = MAX_HEADER_BYTES + Math.ceil(deltaCount / BLOCK_SIZE) * MAX_BLOCK_BYTES;
    if (this.out.length < maxBytes) this.out = new Uint8Array(maxBytes);
    if (this.deltas.length < deltaCount) this.deltas = new Float64Array(deltaCount);
    const out = this.out;
    const d = this.deltas;

    let p = writeVarUint(out, 0, BLOCK_SIZE);
    p = writeVarUint(out, p, MINIBLOCKS);
    p = writeVarUint(out, p, n);
    const first = values[0];
    if (first === undefined) {
      out[p++] = 0;
      return out.subarray(0, p);
    }
    p = writeZigZagBigInt(out, p, first);

    // Word views: value i is lo[2i] (unsigned) + hi[2i+1] (signed) × 2^32 on a little-endian platform.
    const lo = new Uint32Array(values.buffer, values.byteOffset, n * 2);
    const hi = new Int32Array(values.buffer, values.byteOffset, n * 2);
    for (let i = 1; i < n; i++) {
      const dh = (hi[2 * i + 1] as number) - (hi[2 * i - 1] as number);
      if (dh > MAX_FAST_HIGH_DIFF || dh < -MAX_FAST_HIGH_DIFF) return this.encodeWithBigInts(values);
      d[i - 1] = dh * TWO_POW_32 + ((lo[2 * i] as number) - (lo[2 * i - 2] as number));
    }

    for (let start = 0; start < deltaCount; start += BLOCK_SIZE) {
      const end = Math.min(start + BLOCK_SIZE, deltaCount);
      let min = d[start] as number;
      for (let i = start + 1; i < end; i++) {
        const v = d[i] as number;
        if (v < min) min = v;
      }
      p = writeZigZagNumber(out, p, min);
      const widthsAt = p;
      p += MINIBLOCKS;
      for (let mb = 0; mb < MINIBLOCKS; mb++) {
        const mbStart = start + mb * MINIBLOCK_VALUES;
        const mbEnd = Math.min(mbStart + MINIBLOCK_VALUES, end);
        let maxAdjusted = 0;
        for (let i = mbStart; i < mbEnd; i++) {
          const a = (d[i] as number) - min;
          if (a > maxAdjusted) maxAdjusted = a;
        }
        // Miniblocks past the last value have width 0 and no body.
        const width = bitWidth(maxAdjusted);
        out[widthsAt + mb] = width;
        if (width === 0) continue;
        this.packMiniblock(d, mbStart, mbEnd, min, width);
        out.set(this.wordBytes.subarray(0, width * 4), p);
        p += width * 4;
      }
    }
    return out.subarray(0, p);
  }

  /** Packs (d[i] - min) for i in [start, end), zero-padded to 32 values, LSB first, into `words`. */
  private packMiniblock(d: Float64Array, start: number, end: number, min: number, width: number): void {
    const words = this.words;
    words.fill(0, 0, width + 1);
    let bit = 0;
    if (width <= 32) {
      for (let i = start; i < end; i++, bit += width) {
        const v = ((d[i] as number) - min) >>> 0;
        const w = bit >>> 5;
        const off = bit & 31;
        words[w] = (words[w] as number) | (v << off);
        if (off + width > 32) words[w + 1] = (words[w + 1] as number) | (v >>> (32 - off));
      }
      return;
    }
    // 33..53 bits: the low 32 bits, then the high (width - 32) bits, as one LSB-first field.
    const highWidth = width - 32;
    for (let i = start; i < end; i++, bit += width) {
      const a = (d[i] as number) - min;
      const high = Math.floor(a / TWO_POW_32);
      const low = (a - high * TWO_POW_32) >>> 0;
      let w = bit >>> 5;
      let off = bit & 31;
      words[w] = (words[w] as number) | (low << off);
      if (off > 0) words[w + 1] = (words[w + 1] as number) | (low >>> (32 - off));
      w = (bit + 32) >>> 5;
      off = (bit + 32) & 31;
      words[w] = (words[w] as number) | (high << off);
      if (off + highWidth > 32) words[w + 1] = (words[w + 1] as number) | (high >>> (32 - off));
    }
  }

  private encodeWithBigInts(values: BigInt64Array): Uint8Array {
    const writer = new ByteWriter(values.length * 8 + 64);
    deltaBinaryPack(writer, values, 'INT64');
    return writer.getBytes();
  }
}

/**
 * BYTE_STREAM_SPLIT encoder for FLOAT values: byte k of value i goes to `out[k * n + i]`. The returned
 * array is only valid until the next call.
 */
export class Float32SplitEncoder {
  private out = new Uint8Array(0);

  constructor() {
    assertLittleEndian();
  }

  encode(values: Float32Array): Uint8Array {
    const n = values.length;
    if (this.out.length < n * 4) this.out = new Uint8Array(n * 4);
    const out = this.out;
    // A Float32Array's byteOffset is a multiple of 4, so the word view is always valid.
    const words = new Uint32Array(values.buffer, values.byteOffset, n);
    const n2 = n * 2;
    const n3 = n * 3;
    for (let i = 0; i < n; i++) {
      const v = words[i] as number;
      out[i] = v;
      out[n + i] = v >>> 8;
      out[n2 + i] = v >>> 16;
      out[n3 + i] = v >>> 24;
    }
    return out.subarray(0, n * 4);
  }
}

/** Min and max of int64 values (undefined when empty), compared on 32-bit words to avoid BigInt reads. */
export function int64MinMax(values: BigInt64Array): { min: bigint; max: bigint } | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  assertLittleEndian();
  const lo = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const hi = new Int32Array(values.buffer, values.byteOffset, n * 2);
  let minI = 0;
  let maxI = 0;
  let minH = hi[1] as number;
  let minL = lo[0] as number;
  let maxH = minH;
  let maxL = minL;
  for (let i = 1; i < n; i++) {
    const h = hi[2 * i + 1] as number;
    const l = lo[2 * i] as number;
    if (h < minH || (h === minH && l < minL)) {
      minH = h;
      minL = l;
      minI = i;
    }
    if (h > maxH || (h === maxH && l > maxL)) {
      maxH = h;
      maxL = l;
      maxI = i;
    }
  }
  return { min: values[minI] as bigint, max: values[maxI] as bigint };
}

/**
 * Statistics of float values as Parquet wants them: NaN is left out of min/max (and counted), a zero min
 * is written as -0 and a zero max as +0; min/max are absent when every value is NaN.
 */
export function float32Stats(values: Float32Array): { min: number | undefined; max: number | undefined; nanCount: number } {
  let min = Infinity;
  let max = -Infinity;
  let nanCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== v) {
      nanCount++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (nanCount === values.length) return { min: undefined, max: undefined, nanCount };
  return { min: min === 0 ? -0 : min, max: max === 0 ? 0 : max, nanCount };
}
