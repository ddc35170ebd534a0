/**
 * Writes one canonical stream (`StreamInfo` + `SampleChunk`s) as a Parquet file, incrementally, into a byte sink.
 *
 * Layout (stream-parquet-layout.ts): `time` INT64 TIMESTAMP(NANOS, UTC) then one FLOAT column per channel,
 * all REQUIRED; row groups of `rowGroupRows` rows; DATA_PAGE_V2 pages of at most 131,072 rows, snappy.
 * Encodings, chosen on 24 h of synthetic 100 Hz IMU data (8.64 M rows):
 * - time: DELTA_BINARY_PACKED. A regular clock costs ~0 bits per row, ±1 ms of jitter ~21 bits per row,
 *   where PLAIN + snappy keeps most of the 64.
 * - channels: BYTE_STREAM_SPLIT. Sign/exponent bytes compress well once split from the mantissas: with
 *   snappy, 25–50 % smaller than PLAIN (quantised sensor values, noisy floats, PCM), and mostly faster,
 *   since snappy finds more matches. Both are standard encodings (Arrow, DuckDB and polars document readers
 *   for them); only hyparquet's reading of these files is tested here.
 * Statistics (min/max; NaN count for floats) are written per column chunk, so a reader can skip row groups
 * by time from the footer alone.
 *
 * Memory is O(row group): the current group's columns, the encoded group (handed to the sink in ≤ 1 MiB
 * pieces, each awaited), the footer's per-group metadata. Never O(file).
 */
import { ByteWriter } from 'hyparquet-writer';
import { copyChunkTimes } from '../domain/chunk-times.js';
import type { SampleChunk, StreamInfo } from '../domain/stream.js';
import { Float32SplitEncoder, Int64DeltaEncoder, float32Stats, int64MinMax } from './parquet-encoding.js';
import { ARROW_SCHEMA_KEY, CLOCK_KEY, STREAM_INFO_KEY, TIME_COLUMN } from './stream-parquet-layout.js';
import { arrowSchemaEntry } from './arrow-schema.js';
import { writePageHeader } from './vendor/hyparquet-writer/datapage.js';
import { writeMetadata } from './vendor/hyparquet-writer/metadata.js';
import { snappyCompress } from './vendor/hyparquet-writer/snappy.js';

/** Where the file's bytes go (an S3 upload, a file, memory). The caller closes it after `finish()`. */
export interface ByteSink {
  /** Receives the next bytes of the file. The array is freshly allocated and belongs to the sink. */
  write(bytes: Uint8Array): Promise<void>;
}

export interface StreamParquetWriterOptions {
  /** Rows per row group (default 262,144, i.e. ~44 min at 100 Hz); the unit a reader skips or loads. */
  rowGroupRows?: number;
  /** Extra footer key-value metadata (e.g. recording id). `fieldsense.stream` is reserved. */
  kvMetadata?: Record<string, string>;
}

export interface StreamParquetSummary {
  rows: number;
  /** Size of the whole file. */
  bytes: number;
  rowGroups: number;
}

type FileMetaData = Parameters<typeof writeMetadata>[1];
type RowGroup = FileMetaData['row_groups'][number];
type ColumnChunk = RowGroup['columns'][number];
type Statistics = NonNullable<NonNullable<ColumnChunk['meta_data']>['statistics']>;
type Encoding = 'DELTA_BINARY_PACKED' | 'BYTE_STREAM_SPLIT';

export const DEFAULT_ROW_GROUP_ROWS = 262_144;
const MAX_ROW_GROUP_ROWS = 4_194_304;
/** Rows per data page: 512 KiB of floats, a few KiB of regular timestamps. */
const PAGE_ROWS = 131_072;
/** Largest piece handed to the sink at once. */
const SINK_PIECE_BYTES = 1 << 20;
const MAGIC = 0x31524150; // "PAR1" little-endian
const CREATED_BY = 'fieldsense version 0.1.0 (stream-parquet-writer on hyparquet-writer 0.17)';

export class StreamParquetWriter {
  private readonly sink: ByteSink;
  private readonly schema: FileMetaData['schema'];
  private readonly kv: { key: string; value: string }[];
  private readonly channels: string[];
  private readonly groupRows: number;
  private readonly t: BigInt64Array;
  private readonly values: Float32Array[];
  private filled = 0;
  private rows = 0;
  private readonly rowGroups: RowGroup[] = [];
  /** The encoded bytes not yet handed to the sink; its `offset` is the file position. */
  private readonly out = new ByteWriter(1 << 20);
  private readonly timeEncoder = new Int64DeltaEncoder();
  private readonly floatEncoder = new Float32SplitEncoder();
  private state: 'open' | 'busy' | 'finished' | 'failed' = 'open';

  constructor(stream: StreamInfo, sink: ByteSink, opts: StreamParquetWriterOptions = {}) {
    const groupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
    if (!Number.isInteger(groupRows) || groupRows < 1 || groupRows > MAX_ROW_GROUP_ROWS) {
      throw new RangeError(`rowGroupRows must be an integer in [1, ${MAX_ROW_GROUP_ROWS}], got ${groupRows}`);
    }
    const names = new Set<string>();
    for (const c of stream.channels) {
      if (c === '' || c === TIME_COLUMN || names.has(c)) {
        throw new Error(`Stream "${stream.name}": channel name "${c}" is empty, reserved or repeated`);
      }
      names.add(c);
    }
    const extra = Object.entries(opts.kvMetadata ?? {});
    if (extra.some(([key]) => key === STREAM_INFO_KEY || key === ARROW_SCHEMA_KEY)) throw new Error(`kvMetadata keys "${STREAM_INFO_KEY}" and "${ARROW_SCHEMA_KEY}" are reserved`);

    this.sink = sink;
    this.channels = [...stream.channels];
    this.groupRows = groupRows;
    this.t = new BigInt64Array(groupRows);
    this.values = this.channels.map(() => new Float32Array(groupRows));
    this.schema = [
      { name: 'schema', num_children: 1 + this.channels.length },
      {
        name: TIME_COLUMN,
        type: 'INT64',
        repetition_type: 'REQUIRED',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' },
      },
      ...this.channels.map((name) => ({ name, type: 'FLOAT' as const, repetition_type: 'REQUIRED' as const })),
    ];
    // Units (and the clock) as Arrow field metadata, for pyarrow/pandas/polars users who never read our JSON.
    const clock = opts.kvMetadata?.[CLOCK_KEY];
    const arrow = arrowSchemaEntry([
      { name: TIME_COLUMN, type: 'timestamp-ns-utc', metadata: { unit: 'ns', ...(clock !== undefined ? { clock } : {}) } },
      ...this.channels.map((name) => ({
        name, type: 'float32' as const,
        metadata: { unit: stream.unit, sensor: stream.sensor, ...(stream.originalUnit !== undefined ? { original_unit: stream.originalUnit } : {}) },
      })),
    ]);
    this.kv = [
      { key: STREAM_INFO_KEY, value: JSON.stringify(stream) },
      ...extra.map(([key, value]) => ({ key, value })),
      { key: ARROW_SCHEMA_KEY, value: arrow },
    ];
    this.out.appendUint32(MAGIC);
  }

  /**
   * Appends the chunk's rows (values in `StreamInfo.channels` order). Resolves once any row group it
   * completed has been handed to the sink; do not call again before it settles.
   */
  async write(chunk: SampleChunk): Promise<void> {
    this.enter();
    try {
      const n = chunk.length;
      if (!Number.isInteger(n) || n < 0 || (chunk.regular === undefined && chunk.t.length < n)) {
        throw new RangeError(`Chunk length ${n} does not fit its ${chunk.t.length} timestamps`);
      }
      if (chunk.values.length !== this.channels.length || chunk.values.some((v) => v.length < n)) {
        throw new RangeError(`Chunk needs ${this.channels.length} channels of ≥ ${n} values`);
      }
      let at = 0;
      while (at < n) {
        const take = Math.min(n - at, this.groupRows - this.filled);
        copyChunkTimes(chunk, at, take, this.t, this.filled);
        for (let c = 0; c < this.values.length; c++) {
          (this.values[c] as Float32Array).set((chunk.values[c] as Float32Array).subarray(at, at + take), this.filled);
        }
        this.filled += take;
        at += take;
        if (this.filled === this.groupRows) {
          this.encodeGroup();
          await this.drain();
        }
      }
      this.state = 'open';
    } catch (e) {
      this.state = 'failed';
      throw e;
    }
  }

  /** Writes the last row group and the footer. The writer cannot be used afterwards. */
  async finish(): Promise<StreamParquetSummary> {
    this.enter();
    try {
      if (this.filled > 0) this.encodeGroup();
      writeMetadata(this.out, {
        version: 2,
        schema: this.schema,
        num_rows: BigInt(this.rows),
        row_groups: this.rowGroups,
        key_value_metadata: this.kv,
        created_by: CREATED_BY,
        metadata_length: 0, // not serialised: the length is the 4 bytes written below
      });
      this.out.appendUint32(MAGIC);
      await this.drain();
      this.state = 'finished';
      return { rows: this.rows, bytes: this.out.offset, rowGroups: this.rowGroups.length };
    } catch (e) {
      this.state = 'failed';
      throw e;
    }
  }

  private enter(): void {
    if (this.state !== 'open') {
      throw new Error(`StreamParquetWriter is ${this.state}: calls must be sequential and end with finish()`);
    }
    this.state = 'busy';
  }

  /** Encodes the buffered rows as one row group into `out`. */
  private encodeGroup(): void {
    const n = this.filled;
    const start = this.out.offset;
    const t = this.t.subarray(0, n);
    const range = int64MinMax(t);
    const columns: ColumnChunk[] = [
      this.writeColumn(TIME_COLUMN, 'INT64', 'DELTA_BINARY_PACKED', n, (s, e) => this.timeEncoder.encode(t.subarray(s, e)), {
        min_value: range?.min,
        max_value: range?.max,
        null_count: 0n,
      }),
    ];
    for (let c = 0; c < this.channels.length; c++) {
      const v = (this.values[c] as Float32Array).subarray(0, n);
      const stats = float32Stats(v);
      const statistics: Statistics & { nan_count: bigint } = {
        min_value: stats.min,
        max_value: stats.max,
        null_count: 0n,
        nan_count: BigInt(stats.nanCount),
      };
      columns.push(
        this.writeColumn(this.channels[c] as string, 'FLOAT', 'BYTE_STREAM_SPLIT', n, (s, e) => this.floatEncoder.encode(v.subarray(s, e)), statistics),
      );
    }
    let uncompressed = 0n;
    for (const col of columns) uncompressed += col.meta_data?.total_uncompressed_size ?? 0n;
    this.rowGroups.push({
      columns,
      total_byte_size: uncompressed,
      num_rows: BigInt(n),
      file_offset: BigInt(start),
      total_compressed_size: BigInt(this.out.offset - start),
    });
    this.rows += n;
    this.filled = 0;
  }

  private writeColumn(
    name: string,
    type: 'INT64' | 'FLOAT',
    encoding: Encoding,
    n: number,
    encodePage: (start: number, end: number) => Uint8Array,
    statistics: Statistics,
  ): ColumnChunk {
    const out = this.out;
    const start = out.offset;
    let uncompressed = 0;
    let pages = 0;
    for (let s = 0; s < n; s += PAGE_ROWS) {
      const e = Math.min(n, s + PAGE_ROWS);
      const raw = encodePage(s, e);
      const packed = snappyCompress(raw);
      const headerStart = out.offset;
      writePageHeader(out, {
        type: 'DATA_PAGE_V2',
        uncompressed_page_size: raw.length,
        compressed_page_size: packed.length,
        data_page_header_v2: {
          num_values: e - s,
          num_nulls: 0,
          num_rows: e - s,
          encoding,
          definition_levels_byte_length: 0,
          repetition_levels_byte_length: 0,
          is_compressed: true,
        },
      });
      uncompressed += out.offset - headerStart + raw.length;
      out.appendBytes(packed);
      pages++;
    }
    return {
      file_offset: BigInt(start),
      meta_data: {
        type,
        encodings: [encoding],
        path_in_schema: [name],
        codec: 'SNAPPY',
        num_values: BigInt(n),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(out.offset - start),
        data_page_offset: BigInt(start),
        statistics,
        encoding_stats: [{ page_type: 'DATA_PAGE_V2', encoding, count: pages }],
      },
    };
  }

  /** Hands everything encoded so far to the sink, piece by piece, waiting for each. */
  private async drain(): Promise<void> {
    const bytes = this.out.getBytes();
    for (let p = 0; p < bytes.length; p += SINK_PIECE_BYTES) {
      await this.sink.write(bytes.slice(p, Math.min(p + SINK_PIECE_BYTES, bytes.length)));
    }
    this.out.index = 0;
  }
}
