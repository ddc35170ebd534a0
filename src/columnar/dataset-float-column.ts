/**
 * Column chunks of float32 samples as the dataset export writes them: a list<float32> column (one window of
 * a channel per row), and the same values as a plain REQUIRED FLOAT column (the benchmark's anchor). Both use
 * one choice of pages and encoding, so comparing them measures the list's levels and nothing else.
 *
 * The choice, measured on 1 MiB pages of 50 Hz IMU windows (Node 20, one core, vendored snappy):
 * - values PLAIN, UNCOMPRESSED: the page body is the Float32Array's own bytes, copied once into the sink's
 *   piece. BYTE_STREAM_SPLIT + snappy makes overlapping IMU windows ~35 % of PLAIN's size but runs at
 *   ~140–170 MiB/s, PLAIN + snappy ~53 % at ~140 MiB/s; the export's budget (≥ 100,000 windows/s of
 *   6 × 100 floats) is 230 MiB/s of floats for the whole export, so neither fits. Without snappy,
 *   BYTE_STREAM_SPLIT only adds a transform (~1.2 GB/s) for no size gain.
 * - DATA_PAGE_V2 pages of ≤ 262,144 level entries (1 MiB of values): levels outside the (absent)
 *   compression, so readers find them without decompressing.
 * - statistics: min, max (NaN left out, as Parquet asks), NaN count, null count (empty lists): ~1.4 ns a
 *   value, ~70 ms for 24 h of 6-axis 2 s windows, the largest part of this file's own time.
 * Whole file, 86,400 windows of 6 × 100 floats + 8 scalars into memory: ~0.2 s CPU (~400,000 windows/s);
 * hyparquet-writer's ParquetWriter (Dremel levels per value, snappy) ~16.6 s CPU on the same rows.
 */
import type { ColumnChunk } from 'hyparquet';
import { ColumnChunkWriter, type ChunkStatistics, type Codec, type FileOutput } from './parquet-column-chunk.js';
import { float32Stats } from './parquet-encoding.js';
import { listLevels } from './parquet-levels.js';

/** Level entries per data page: 1 MiB of float32 values. */
export const FLOAT_PAGE_VALUES = 262_144;
export const FLOAT_CODEC: Codec = 'UNCOMPRESSED';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(values: Float32Array): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('The Parquet float encoding assumes a little-endian platform.');
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * min/max (NaN left out, a zero min as -0 and a zero max as +0), NaN count, null count. Math.min/max run at
 * ~1.4 ns a value where float32Stats' compare-and-count loop takes ~3.5 (V8, 8.64 M noisy floats); as they
 * let NaN through, a chunk whose min comes out NaN is counted again by float32Stats.
 */
function floatStatistics(values: Float32Array, nulls: number): ChunkStatistics {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  let nanCount = 0;
  if (min !== min) {
    const exact = float32Stats(values);
    min = exact.min ?? NaN;
    max = exact.max ?? NaN;
    nanCount = exact.nanCount;
  }
  const some = values.length > nanCount;
  return {
    ...(some ? { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max } : {}),
    null_count: BigInt(nulls),
    nan_count: BigInt(nanCount),
  };
}

/**
 * Queues the chunk of a REQUIRED list of REQUIRED FLOAT (`name.list.element`) for rows [0, rows): row r is
 * `values[offsets[r], offsets[r + 1])`. The pages are views into `values`: keep it unchanged until flushed.
 */
export function writeFloatListChunk(out: FileOutput, name: string, values: Float32Array, offsets: Uint32Array, rows: number): ColumnChunk {
  const chunk = new ColumnChunkWriter(out, 'FLOAT', [name, 'list', 'element'], FLOAT_CODEC);
  let levels = 0;
  let empty = 0;
  let from = 0;
  while (from < rows) {
    // Rows up to FLOAT_PAGE_VALUES level entries, at least one row.
    let to = from;
    let pageLevels = 0;
    while (to < rows) {
      const len = Math.max(1, (offsets[to + 1] as number) - (offsets[to] as number));
      if (to > from && pageLevels + len > FLOAT_PAGE_VALUES) break;
      pageLevels += len;
      to++;
    }
    const l = listLevels(offsets, from, to);
    chunk.dataPage({
      rows: to - from,
      levels: l.levels,
      nulls: l.empty,
      encoding: 'PLAIN',
      rep: l.rep,
      def: l.def,
      body: [bytesOf(values.subarray(offsets[from], offsets[to]))],
    });
    levels += l.levels;
    empty += l.empty;
    from = to;
  }
  const all = values.subarray(offsets[0], offsets[rows]);
  return chunk.finish(levels, floatStatistics(all, empty));
}

/** Queues the chunk of a REQUIRED FLOAT column; the pages are views into `values`: keep it unchanged until flushed. */
export function writeFloatChunk(out: FileOutput, name: string, values: Float32Array): ColumnChunk {
  const chunk = new ColumnChunkWriter(out, 'FLOAT', [name], FLOAT_CODEC);
  for (let from = 0; from < values.length; from += FLOAT_PAGE_VALUES) {
    const page = values.subarray(from, Math.min(values.length, from + FLOAT_PAGE_VALUES));
    chunk.dataPage({ rows: page.length, levels: page.length, nulls: 0, encoding: 'PLAIN', body: [bytesOf(page)] });
  }
  return chunk.finish(values.length, floatStatistics(values, 0));
}
