/**
 * Column chunks of the dataset export's scalar columns (one value per row: strings, floats, ints, booleans)
 * and of its Hugging Face Audio column (struct<bytes: binary, path: string>, two leaf columns).
 *
 * Encodings: PLAIN, with a dictionary for strings when the chunk repeats them (≤ half as many distinct
 * values as values and a dictionary ≤ 1 MiB: ids, labels, splits); definition levels (RLE / bit-packed
 * hybrid) for optional columns; snappy, since these columns are small beside the samples and repetitive.
 * Statistics: min/max (strings by UTF-8 bytes, floats without NaN), null count, NaN count for floats.
 *
 * Every value is checked against the column's type: a wrong one is an AppError naming column and row.
 */
import type { ColumnChunk, Encoding, ParquetType } from 'hyparquet';
import { AppError } from '../lib/errors.js';
import { ColumnChunkWriter, SINK_PIECE_BYTES, type ChunkStatistics, type Codec, type FileOutput } from './parquet-column-chunk.js';
import { int64MinMax } from './parquet-encoding.js';
import { bitWidthOf, encodeHybrid } from './parquet-levels.js';

export type DatasetScalarType = 'string' | 'float64' | 'float32' | 'int64' | 'int32' | 'bool';

export const SCALAR_PARQUET_TYPE: Record<DatasetScalarType, ParquetType> = {
  string: 'BYTE_ARRAY',
  float64: 'DOUBLE',
  float32: 'FLOAT',
  int64: 'INT64',
  int32: 'INT32',
  bool: 'BOOLEAN',
};

const CODEC: Codec = 'SNAPPY';
/** Rows per page of fixed-width values: ≤ 1 MiB of int64/double. */
const FIXED_PAGE_ROWS = 131_072;
/** A string column gets a dictionary only if it has at most one distinct value per this many values. */
const DICTIONARY_MIN_REPEAT = 2;
const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function bad(column: string, row: number, expected: string, v: unknown): AppError {
  const got = v === undefined ? 'nothing' : typeof v;
  return new AppError('validation_failed', `Column "${column}", row ${row}: expected ${expected}, got ${got}.`, { column, row });
}

/** A leaf column of one row group: definition levels one per row, none for a REQUIRED top-level column. */
interface Leaf {
  path: string[];
  type: ParquetType;
  maxDef: number;
  defs: Uint8Array | undefined;
  rows: number;
}

/**
 * Pages of a leaf. `cut(fromRow, fromValue)` says where the page starts at `fromRow` ends (> fromRow); `body`
 * encodes the present values [fromValue, toValue).
 */
function writePages(
  chunk: ColumnChunkWriter,
  leaf: Leaf,
  encoding: Encoding,
  cut: (fromRow: number, fromValue: number) => number,
  body: (fromValue: number, toValue: number) => Uint8Array[],
): { nulls: number } {
  const { defs, maxDef, rows } = leaf;
  let value = 0;
  let nulls = 0;
  for (let from = 0; from < rows; ) {
    const to = Math.min(rows, Math.max(from + 1, cut(from, value)));
    let present = to - from;
    if (defs) for (let r = from; r < to; r++) if (defs[r] !== maxDef) present--;
    chunk.dataPage({
      rows: to - from,
      levels: to - from,
      nulls: to - from - present,
      encoding,
      def: defs ? defLevels(defs, from, to, maxDef) : undefined,
      body: body(value, value + present),
    });
    nulls += to - from - present;
    value += present;
    from = to;
  }
  return { nulls };
}

function defLevels(defs: Uint8Array, from: number, to: number, maxDef: number): Uint8Array {
  return encodeHybrid(defs.subarray(from, to), to - from, bitWidthOf(maxDef));
}

// ---- fixed-width values ---------------------------------------------------------------------------------

type Fixed = Float64Array | Float32Array | Int32Array | BigInt64Array;

function bytesOf(v: Fixed): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('The Parquet encoders assume a little-endian platform.');
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function floatStatistics(v: Float64Array | Float32Array, nulls: number): ChunkStatistics {
  let min = Infinity;
  let max = -Infinity;
  let nans = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (x !== x) nans++;
    else {
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  const some = nans < v.length;
  // Parquet asks for a zero min written as -0 and a zero max as +0.
  return {
    ...(some ? { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max } : {}),
    null_count: BigInt(nulls),
    nan_count: BigInt(nans),
  };
}

function packBooleans(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(v.length / 8));
  for (let i = 0; i < v.length; i++) if (v[i]) out[i >>> 3] = (out[i >>> 3] as number) | (1 << (i & 7));
  return out;
}

// ---- byte arrays ----------------------------------------------------------------------------------------

/** UTF-16 code units compared in code point order (= UTF-8 byte order): surrogates sort above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}
const codePointRank = (c: number): number => (c < 0xd800 ? c : c < 0xe000 ? c + 0x2000 : c - 0x800);

function stringRange(values: readonly string[]): { min_value: string; max_value: string } | undefined {
  if (values.length === 0) return undefined;
  let min = values[0] as string;
  let max = min;
  for (const s of values) {
    if (compareCodePoints(s, min) < 0) min = s;
    if (compareCodePoints(s, max) > 0) max = s;
  }
  return { min_value: min, max_value: max };
}

/** PLAIN byte arrays: a 4-byte little-endian length, then the bytes, per value. */
function plainStrings(values: readonly string[], from: number, to: number): Uint8Array {
  let bound = 0;
  for (let i = from; i < to; i++) bound += 4 + 3 * (values[i] as string).length;
  const out = new Uint8Array(bound);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (let i = from; i < to; i++) {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so the bound always holds the value.
    const { written } = utf8.encodeInto(values[i] as string, out.subarray(at + 4));
    dv.setUint32(at, written, true);
    at += 4 + written;
  }
  return out.subarray(0, at);
}

function plainBytes(values: readonly Uint8Array[], from: number, to: number): Uint8Array {
  let size = 0;
  for (let i = from; i < to; i++) size += 4 + (values[i] as Uint8Array).length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (let i = from; i < to; i++) {
    const b = values[i] as Uint8Array;
    dv.setUint32(at, b.length, true);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/** Where a page of byte arrays starting at `fromRow` ends: ≤ 1 MiB of (estimated) value bytes, ≥ 1 row. */
function byteCut(leaf: Leaf, size: (value: number) => number): (fromRow: number, fromValue: number) => number {
  return (fromRow, fromValue) => {
    let bytes = 0;
    let value = fromValue;
    let r = fromRow;
    while (r < leaf.rows) {
      if (leaf.defs && leaf.defs[r] !== leaf.maxDef) {
        r++;
        continue;
      }
      const s = 4 + size(value);
      if (r > fromRow && bytes + s > SINK_PIECE_BYTES) break;
      bytes += s;
      value++;
      r++;
    }
    return r;
  };
}

/** Dictionary ids of the values, or undefined when the chunk does not repeat its strings enough. */
function dictionaryOf(values: readonly string[]): { dict: string[]; ids: Uint32Array } | undefined {
  const index = new Map<string, number>();
  const dict: string[] = [];
  const ids = new Uint32Array(values.length);
  const maxEntries = Math.floor(values.length / DICTIONARY_MIN_REPEAT);
  let bytes = 0;
  for (let i = 0; i < values.length; i++) {
    const s = values[i] as string;
    let id = index.get(s);
    if (id === undefined) {
      id = dict.length;
      bytes += 4 + 3 * s.length;
      if (id >= maxEntries || bytes > SINK_PIECE_BYTES) return undefined;
      index.set(s, id);
      dict.push(s);
    }
    ids[i] = id;
  }
  return { dict, ids };
}

/** A string leaf: dictionary-encoded when it repeats, PLAIN otherwise. */
function writeStringLeaf(out: FileOutput, leaf: Leaf, values: readonly string[]): ColumnChunk {
  const chunk = new ColumnChunkWriter(out, 'BYTE_ARRAY', leaf.path, CODEC);
  // A chunk of nulls only has no value to make a dictionary of.
  const d = values.length > 0 ? dictionaryOf(values) : undefined;
  const range = stringRange(d ? d.dict : values);
  let nulls: number;
  if (d) {
    chunk.dictionaryPage(plainStrings(d.dict, 0, d.dict.length), d.dict.length);
    const width = Math.max(1, bitWidthOf(d.dict.length - 1));
    ({ nulls } = writePages(chunk, leaf, 'RLE_DICTIONARY', (from) => from + FIXED_PAGE_ROWS, (a, b) => [
      Uint8Array.of(width),
      encodeHybrid(d.ids.subarray(a, b), b - a, width),
    ]));
  } else {
    ({ nulls } = writePages(chunk, leaf, 'PLAIN', byteCut(leaf, (v) => 3 * (values[v] as string).length), (a, b) => [plainStrings(values, a, b)]));
  }
  return chunk.finish(leaf.rows, { ...range, null_count: BigInt(nulls) });
}

// ---- columns --------------------------------------------------------------------------------------------

/** Queues the chunk of a scalar column; `data` holds one value per row (null for a missing one). */
export function writeScalarChunk(
  out: FileOutput,
  column: { name: string; type: DatasetScalarType; required: boolean },
  data: readonly unknown[],
  rows: number,
): ColumnChunk {
  const { name, type, required } = column;
  const defs = required ? undefined : new Uint8Array(rows);
  let present = 0;
  for (let r = 0; r < rows; r++) {
    const v = data[r];
    if (v === null || v === undefined) {
      if (required) throw bad(name, r, `a ${type} (the column is required)`, v);
      continue;
    }
    if (defs) defs[r] = 1;
    present++;
  }
  const leaf: Leaf = { path: [name], type: SCALAR_PARQUET_TYPE[type], maxDef: required ? 0 : 1, defs, rows };
  const nonNull = (check: (v: unknown, r: number) => void): unknown[] => {
    const vs: unknown[] = new Array(present);
    let i = 0;
    for (let r = 0; r < rows; r++) {
      const v = data[r];
      if (v === null || v === undefined) continue;
      check(v, r);
      vs[i++] = v;
    }
    return vs;
  };
  const nullable = required ? '' : ' or null';
  switch (type) {
    case 'string': {
      const vs = nonNull((v, r) => {
        if (typeof v !== 'string') throw bad(name, r, `a string${nullable}`, v);
        if (LONE_SURROGATE.test(v)) {
          throw new AppError('validation_failed', `Column "${name}", row ${r}: the text holds a lone UTF-16 surrogate, which UTF-8 cannot store.`, { column: name, row: r });
        }
      }) as string[];
      return writeStringLeaf(out, leaf, vs);
    }
    case 'bool': {
      const vs = nonNull((v, r) => {
        if (typeof v !== 'boolean') throw bad(name, r, `a boolean${nullable}`, v);
      });
      const bits = Uint8Array.from(vs, (v) => (v ? 1 : 0));
      const chunk = new ColumnChunkWriter(out, 'BOOLEAN', leaf.path, CODEC);
      const { nulls } = writePages(chunk, leaf, 'PLAIN', (from) => from + FIXED_PAGE_ROWS, (a, b) => [packBooleans(bits.subarray(a, b))]);
      const stats: ChunkStatistics = { null_count: BigInt(nulls), ...(bits.length > 0 ? { min_value: !bits.includes(0), max_value: bits.includes(1) } : {}) };
      return chunk.finish(rows, stats);
    }
    case 'float64':
    case 'float32': {
      const vs = nonNull((v, r) => {
        if (typeof v !== 'number') throw bad(name, r, `a number${nullable}`, v);
      }) as number[];
      const typed = type === 'float64' ? Float64Array.from(vs) : Float32Array.from(vs);
      return writeFixed(out, leaf, typed, (nulls) => floatStatistics(typed, nulls));
    }
    case 'int32': {
      const vs = nonNull((v, r) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw bad(name, r, `a 32-bit integer${nullable}`, v);
      }) as number[];
      const typed = Int32Array.from(vs);
      return writeFixed(out, leaf, typed, (nulls) => {
        let min = Infinity;
        let max = -Infinity;
        for (const x of typed) {
          if (x < min) min = x;
          if (x > max) max = x;
        }
        return { null_count: BigInt(nulls), ...(typed.length > 0 ? { min_value: min, max_value: max } : {}) };
      });
    }
    case 'int64': {
      const typed = new BigInt64Array(present);
      let i = 0;
      nonNull((v, r) => {
        if (typeof v === 'bigint' && v >= MIN_INT64 && v <= MAX_INT64) typed[i++] = v;
        else if (typeof v === 'number' && Number.isSafeInteger(v)) typed[i++] = BigInt(v);
        else throw bad(name, r, `a 64-bit integer (bigint, or a safe integer number)${nullable}`, v);
      });
      return writeFixed(out, leaf, typed, (nulls) => {
        const range = int64MinMax(typed);
        return { null_count: BigInt(nulls), ...(range ? { min_value: range.min, max_value: range.max } : {}) };
      });
    }
  }
}

function writeFixed(out: FileOutput, leaf: Leaf, typed: Fixed, stats: (nulls: number) => ChunkStatistics): ColumnChunk {
  const chunk = new ColumnChunkWriter(out, leaf.type, leaf.path, CODEC);
  const { nulls } = writePages(chunk, leaf, 'PLAIN', (from) => from + FIXED_PAGE_ROWS, (a, b) => [bytesOf(typed.subarray(a, b))]);
  return chunk.finish(leaf.rows, stats(nulls));
}

export type AudioValue = { bytes: Uint8Array; path: string | null } | null;

/** Queues the two chunks of an Audio column (`name.bytes`, `name.path`); a null row is a null struct. */
export function writeAudioChunks(out: FileOutput, name: string, data: readonly unknown[], rows: number): ColumnChunk[] {
  // Max definition level 2: 0 = null struct, 1 = struct with a null field, 2 = a value.
  const bytesDefs = new Uint8Array(rows);
  const pathDefs = new Uint8Array(rows);
  const bytes: Uint8Array[] = [];
  const paths: string[] = [];
  for (let r = 0; r < rows; r++) {
    const v = data[r];
    if (v === null) continue;
    if (typeof v !== 'object' || !(v as { bytes?: unknown }).bytes || !((v as { bytes: unknown }).bytes instanceof Uint8Array)) {
      throw bad(name, r, 'an audio value { bytes: Uint8Array, path: string | null } or null', v);
    }
    const a = v as { bytes: Uint8Array; path?: unknown };
    bytesDefs[r] = 2;
    bytes.push(a.bytes);
    pathDefs[r] = 1;
    if (a.path === null || a.path === undefined) continue;
    if (typeof a.path !== 'string') throw bad(name, r, 'an audio path string or null', a.path);
    if (LONE_SURROGATE.test(a.path)) throw new AppError('validation_failed', `Column "${name}", row ${r}: the audio path holds a lone UTF-16 surrogate.`, { column: name, row: r });
    pathDefs[r] = 2;
    paths.push(a.path);
  }
  const bytesLeaf: Leaf = { path: [name, 'bytes'], type: 'BYTE_ARRAY', maxDef: 2, defs: bytesDefs, rows };
  const chunk = new ColumnChunkWriter(out, 'BYTE_ARRAY', bytesLeaf.path, CODEC);
  const { nulls } = writePages(chunk, bytesLeaf, 'PLAIN', byteCut(bytesLeaf, (v) => (bytes[v] as Uint8Array).length), (a, b) => [plainBytes(bytes, a, b)]);
  // Audio bytes get no min/max: a 16-byte prefix of a WAV header tells a reader nothing.
  const bytesChunk = chunk.finish(rows, { null_count: BigInt(nulls) });
  const pathChunk = writeStringLeaf(out, { path: [name, 'path'], type: 'BYTE_ARRAY', maxDef: 2, defs: pathDefs, rows }, paths);
  return [bytesChunk, pathChunk];
}
