/**
 * Decodes the column chunks our own writer writes (parquet-stream-writer.ts: REQUIRED columns, DATA_PAGE_V2,
 * SNAPPY or UNCOMPRESSED; `time` INT64 DELTA_BINARY_PACKED, channels FLOAT BYTE_STREAM_SPLIT) straight into
 * typed arrays. Anything else — another page type, encoding, codec, nullable columns, a delta wider than a
 * double holds exactly — answers `null`, and the caller reads that row group with hyparquet instead.
 *
 * Why not hyparquet alone: it decodes INT64 delta pages with one BigInt operation per value and byte-stream-split
 * pages through a DataView per value. Segmenting a 24 h, 100 Hz recording re-reads every stored stream, and that
 * read was the larger part of the step (bench/README.md, sensor-logger-24h: "segment"); these loops work on the
 * 32-bit words of the arrays instead. Their output equals hyparquet's for every file our writer writes, which
 * parquet-page-decode.test.ts checks value for value on awkward series (gaps, steps back, huge jumps).
 */
import { snappyUncompress } from 'hyparquet';

const TWO32 = 4294967296;
/** Deltas and bit widths beyond this are not exact in a double: such a chunk is left to hyparquet. */
const MAX_EXACT_BITS = 52;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Page types and encodings of the Parquet thrift definitions (parquet.thrift). */
const DATA_PAGE_V2 = 3;
const ENCODING_DELTA_BINARY_PACKED = 5;
const ENCODING_BYTE_STREAM_SPLIT = 9;

/** Why a chunk cannot take the fast path (never seen for files our writer wrote). */
class Unsupported extends Error {}

/** A reader over one buffer: thrift compact and ULEB128 varints, as Parquet uses them. */
class Bytes {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.b.length) throw new Unsupported('truncated');
    return this.b[this.pos++] as number;
  }

  /** An unsigned varint as a double; more than 52 bits is not exact, so it is refused. */
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const c = this.byte();
      v += (c & 0x7f) * scale;
      if ((c & 0x80) === 0) break;
      scale *= 128;
      if (i >= 7) throw new Unsupported('varint wider than 52 bits');
    }
    if (v > 2 ** MAX_EXACT_BITS) throw new Unsupported('varint wider than 52 bits');
    return v;
  }

  /** A zigzag varint as a double (exact below 2^51 in magnitude). */
  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** An unsigned varint of up to 64 bits, as a BigInt. */
  varBigInt(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const c = this.byte();
      v |= BigInt(c & 0x7f) << shift;
      if ((c & 0x80) === 0) return v;
      shift += 7n;
      if (shift > 63n) throw new Unsupported('varint wider than 64 bits');
    }
  }

  zigzagBigInt(): bigint {
    const z = this.varBigInt();
    return (z >> 1n) ^ -(z & 1n);
  }
}

/** The fields of a thrift compact struct we need, others skipped (field id → value; nested structs as maps). */
type Thrift = Map<number, number | boolean | Thrift>;

function readStruct(r: Bytes, depth = 0): Thrift {
  if (depth > 8) throw new Unsupported('thrift nesting');
  const out: Thrift = new Map();
  let id = 0;
  for (;;) {
    const head = r.byte();
    if (head === 0) return out;
    const type = head & 0x0f;
    const delta = head >> 4;
    id = delta === 0 ? r.zigzag() : id + delta;
    switch (type) {
      case 1: out.set(id, true); break; // BOOLEAN_TRUE
      case 2: out.set(id, false); break; // BOOLEAN_FALSE
      case 3: r.byte(); break; // i8
      case 4: case 5: out.set(id, r.zigzag()); break; // i16, i32
      case 6: r.zigzagBigInt(); break; // i64 (statistics only)
      case 7: r.pos += 8; break; // double
      case 8: r.pos += r.varint(); break; // binary (statistics values)
      case 12: out.set(id, readStruct(r, depth + 1)); break;
      default: throw new Unsupported(`thrift type ${type}`); // lists, sets, maps: not in the page headers we write
    }
  }
}

interface PageV2 {
  /** Bytes of the page after its header. */
  compressedSize: number;
  uncompressedSize: number;
  numValues: number;
  numNulls: number;
  encoding: number;
  levelsBytes: number;
  compressed: boolean;
}

function readPageHeader(r: Bytes): PageV2 {
  const h = readStruct(r);
  const v2 = h.get(8);
  if (h.get(1) !== DATA_PAGE_V2 || !(v2 instanceof Map)) throw new Unsupported('not a DATA_PAGE_V2 page');
  const num = (m: Thrift, id: number, fallback?: number): number => {
    const v = m.get(id) ?? fallback;
    if (typeof v !== 'number') throw new Unsupported(`page header field ${id}`);
    return v;
  };
  const compressed = v2.get(7);
  return {
    uncompressedSize: num(h, 2),
    compressedSize: num(h, 3),
    numValues: num(v2, 1),
    numNulls: num(v2, 2),
    encoding: num(v2, 4),
    levelsBytes: num(v2, 5, 0) + num(v2, 6, 0),
    compressed: compressed === undefined ? true : compressed === true,
  };
}

/**
 * DELTA_BINARY_PACKED INT64 values into `out` from `at`, without a BigInt per value: each value is kept as its
 * two 32-bit words (`hi` signed, `lo` unsigned) and deltas are added as doubles, exact while a delta and a
 * miniblock's bit width stay within 52 bits (wrapping modulo 2^64 as the encoding does).
 */
export function decodeInt64Delta(page: Uint8Array, count: number, out: BigInt64Array, at: number): void {
  const r = new Bytes(page);
  const blockSize = r.varint();
  const miniblocks = r.varint();
  const total = r.varint();
  if (total !== count || miniblocks === 0 || blockSize % miniblocks !== 0 || (blockSize / miniblocks) % 32 !== 0) throw new Unsupported('delta header');
  const perMiniblock = blockSize / miniblocks;
  const first = r.zigzagBigInt();
  const lo32 = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  const hi32 = new Int32Array(out.buffer, out.byteOffset, out.length * 2);
  if (!LITTLE_ENDIAN) throw new Unsupported('big-endian machine');
  let lo = Number(BigInt.asUintN(32, first));
  let hi = Number(BigInt.asIntN(32, first >> 32n));
  let k = at;
  const end = at + count;
  if (count === 0) return;
  lo32[2 * k] = lo;
  hi32[2 * k + 1] = hi;
  k++;
  const b = page;
  while (k < end) {
    const minDelta = r.zigzag();
    const widthsAt = r.pos;
    r.pos += miniblocks;
    if (r.pos > b.length) throw new Unsupported('truncated');
    for (let m = 0; m < miniblocks && k < end; m++) {
      const width = b[widthsAt + m] as number;
      if (width > MAX_EXACT_BITS) throw new Unsupported('miniblock wider than 52 bits');
      const start = r.pos;
      const bytes = (perMiniblock * width) / 8;
      if (start + bytes > b.length) throw new Unsupported('truncated');
      const n = Math.min(perMiniblock, end - k);
      if (width === 0) {
        for (let i = 0; i < n; i++) {
          lo += minDelta;
          if (lo >= TWO32 || lo < 0) {
            const carry = Math.floor(lo / TWO32);
            lo -= carry * TWO32;
            hi = (hi + carry) | 0;
          }
          lo32[2 * k] = lo;
          hi32[2 * k + 1] = hi;
          k++;
        }
      } else {
        const lowBits = width > 32 ? 32 : width;
        const lowMask = lowBits === 32 ? 0xffffffff : 2 ** lowBits - 1;
        const highMask = width > 32 ? 2 ** (width - 32) - 1 : 0;
        let bit = start * 8;
        for (let i = 0; i < n; i++) {
          let d = (word32(b, bit) & lowMask) >>> 0;
          if (highMask !== 0) d += (word32(b, bit + 32) & highMask) * TWO32;
          bit += width;
          lo += minDelta + d;
          if (lo >= TWO32 || lo < 0) {
            const carry = Math.floor(lo / TWO32);
            lo -= carry * TWO32;
            hi = (hi + carry) | 0;
          }
          lo32[2 * k] = lo;
          hi32[2 * k + 1] = hi;
          k++;
        }
      }
      r.pos = start + bytes;
    }
  }
}

/** The 32 bits starting at bit `bit` of `b`, least significant first (bytes past the end read as 0). */
function word32(b: Uint8Array, bit: number): number {
  const p = bit >>> 3;
  const s = bit & 7;
  const w = ((b[p] as number) | ((b[p + 1] ?? 0) << 8) | ((b[p + 2] ?? 0) << 16) | ((b[p + 3] ?? 0) << 24)) >>> 0;
  return s === 0 ? w : ((w >>> s) | ((b[p + 4] ?? 0) << (32 - s))) >>> 0;
}

/** BYTE_STREAM_SPLIT FLOAT values (four byte streams of `count` bytes each) into `out` from `at`. */
export function decodeFloatSplit(page: Uint8Array, count: number, out: Float32Array, at: number): void {
  if (page.length < 4 * count) throw new Unsupported('truncated');
  if (!LITTLE_ENDIAN) throw new Unsupported('big-endian machine');
  const words = new Uint32Array(out.buffer, out.byteOffset + at * 4, count);
  const s1 = count;
  const s2 = 2 * count;
  const s3 = 3 * count;
  for (let i = 0; i < count; i++) {
    words[i] = ((page[i] as number) | ((page[s1 + i] as number) << 8) | ((page[s2 + i] as number) << 16) | ((page[s3 + i] as number) << 24)) >>> 0;
  }
}

/** What a column chunk holds and where its pages start, from the footer. */
export interface ChunkInfo {
  type: 'INT64' | 'FLOAT';
  codec: string;
  rows: number;
}

/**
 * One column chunk's pages (its bytes, from its first page to its end) into `out`; false when it is not a
 * chunk of the kind our writer writes (the caller then reads it with hyparquet).
 */
export function decodeChunk(bytes: Uint8Array, info: ChunkInfo, out: BigInt64Array | Float32Array): boolean {
  if (info.codec !== 'SNAPPY' && info.codec !== 'UNCOMPRESSED') return false;
  if (out.length < info.rows) return false;
  try {
    const r = new Bytes(bytes);
    let row = 0;
    let scratch = new Uint8Array(0);
    while (row < info.rows) {
      const h = readPageHeader(r);
      if (h.numNulls !== 0 || h.levelsBytes !== 0 || h.numValues > info.rows - row || r.pos + h.compressedSize > bytes.length) return false;
      const body = bytes.subarray(r.pos, r.pos + h.compressedSize);
      r.pos += h.compressedSize;
      let data = body;
      if (h.compressed && info.codec === 'SNAPPY') {
        if (scratch.length < h.uncompressedSize) scratch = new Uint8Array(h.uncompressedSize);
        data = scratch.subarray(0, h.uncompressedSize);
        snappyUncompress(body, data);
      }
      if (info.type === 'INT64' && h.encoding === ENCODING_DELTA_BINARY_PACKED && out instanceof BigInt64Array) decodeInt64Delta(data, h.numValues, out, row);
      else if (info.type === 'FLOAT' && h.encoding === ENCODING_BYTE_STREAM_SPLIT && out instanceof Float32Array) decodeFloatSplit(data, h.numValues, out, row);
      else return false;
      row += h.numValues;
    }
    return true;
  } catch (err) {
    if (err instanceof Unsupported) return false;
    throw err;
  }
}
