/**
 * Writes the dataset export's Parquet files: scalar columns, list<float32> sample windows (one per channel)
 * and Hugging Face Audio columns, a row group per call, into a byte sink.
 *
 * Layout:
 * - scalar: REQUIRED or OPTIONAL `BOOLEAN | INT32 | INT64 | FLOAT | DOUBLE | BYTE_ARRAY (UTF8)`.
 * - floatList: `<name>` REQUIRED group (LIST) → `list` REPEATED → `element` FLOAT REQUIRED (Arrow's
 *   `list<element: float not null>`, DuckDB's FLOAT[]); rows of any length, empty ones too.
 * - audio: `<name>` OPTIONAL group → `bytes` OPTIONAL BYTE_ARRAY, `path` OPTIONAL BYTE_ARRAY (UTF8): the
 *   `struct<bytes: binary, path: string>` Hugging Face `datasets` stores an Audio feature as.
 * An `ARROW:schema` footer entry gives Arrow readers the exact types and nullability (arrow-schema.ts).
 *
 * Encodings and codecs per column kind: dataset-float-column.ts (the samples, hand-encoded: the hot path)
 * and dataset-scalar-column.ts. The output is deterministic: the same calls give the same bytes.
 *
 * Memory is O(row group): the caller's data, the encoded scalar columns, the footer's metadata; the samples
 * are copied once, straight from the caller's Float32Array into the sink's ≤ 1 MiB pieces.
 */
import { open } from 'node:fs/promises';
import type { ColumnChunk, RowGroup, SchemaElement } from 'hyparquet';
import { AppError } from '../lib/errors.js';
import { arrowSchemaEntry, type ArrowField, type ArrowPrimitiveType } from './arrow-schema.js';
import { writeFloatListChunk } from './dataset-float-column.js';
import { SCALAR_PARQUET_TYPE, writeAudioChunks, writeScalarChunk, type AudioValue, type DatasetScalarType } from './dataset-scalar-column.js';
import { FileOutput, finishFile, rowGroupOf, startFile, type ByteSink } from './parquet-column-chunk.js';
import { ARROW_SCHEMA_KEY } from './stream-parquet-layout.js';

export type { ByteSink } from './parquet-column-chunk.js';
export type { DatasetScalarType } from './dataset-scalar-column.js';

export type DatasetColumn =
  | { name: string; kind: 'scalar'; type: DatasetScalarType; required: boolean }
  /** list<float32>, rows of any length (usually all equal). */
  | { name: string; kind: 'floatList' }
  /** Hugging Face Audio: struct<bytes: binary, path: string>, nullable. */
  | { name: string; kind: 'audio' };

export type DatasetColumnData =
  /** scalar: one value per row (bigint for int64; a safe-integer number is accepted too). */
  | (string | number | bigint | boolean | null)[]
  /** floatList: row r = values[offsets[r], offsets[r+1]). */
  | { values: Float32Array; offsets: Uint32Array }
  /** audio */
  | AudioValue[];

export interface DatasetParquetSummary {
  rows: number;
  /** Size of the whole file. */
  bytes: number;
  rowGroups: number;
}

export const DEFAULT_CREATED_BY = 'fieldsense version 0.1.0 (dataset-parquet-writer)';
const MAX_ROW_GROUP_ROWS = 2 ** 31 - 1;
const KINDS = new Set(['scalar', 'floatList', 'audio']);

const ARROW_TYPE: Record<DatasetScalarType, ArrowPrimitiveType> = {
  string: 'utf8',
  float64: 'float64',
  float32: 'float32',
  int64: 'int64',
  int32: 'int32',
  bool: 'bool',
};

const invalid = (message: string, details?: Record<string, unknown>): AppError => new AppError('validation_failed', message, details);

function parquetSchema(columns: readonly DatasetColumn[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'schema', num_children: columns.length }];
  for (const c of columns) {
    if (c.kind === 'scalar') {
      const text = c.type === 'string' ? { converted_type: 'UTF8' as const, logical_type: { type: 'STRING' as const } } : {};
      out.push({ name: c.name, type: SCALAR_PARQUET_TYPE[c.type], repetition_type: c.required ? 'REQUIRED' : 'OPTIONAL', ...text });
    } else if (c.kind === 'floatList') {
      out.push({ name: c.name, repetition_type: 'REQUIRED', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      out.push({ name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' });
    } else {
      out.push({ name: c.name, repetition_type: 'OPTIONAL', num_children: 2 });
      out.push({ name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' });
      out.push({ name: 'path', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8', logical_type: { type: 'STRING' } });
    }
  }
  return out;
}

function arrowField(c: DatasetColumn): ArrowField {
  if (c.kind === 'scalar') return { name: c.name, type: ARROW_TYPE[c.type], nullable: !c.required };
  if (c.kind === 'floatList') return { name: c.name, type: { list: { name: 'element', type: 'float32' } } };
  return {
    name: c.name,
    nullable: true,
    type: { struct: [{ name: 'bytes', type: 'binary', nullable: true }, { name: 'path', type: 'utf8', nullable: true }] },
  };
}

function checkColumns(columns: readonly DatasetColumn[]): void {
  if (columns.length === 0) throw invalid('A dataset file needs at least one column.');
  const seen = new Set<string>();
  for (const c of columns) {
    if (typeof c.name !== 'string' || c.name === '' || seen.has(c.name)) {
      throw invalid(`Column name "${String(c.name)}" is empty or given twice: every column needs its own name.`, { column: c.name });
    }
    seen.add(c.name);
    if (!KINDS.has(c.kind)) throw invalid(`Column "${c.name}": kind "${String(c.kind)}" is none of scalar, floatList, audio.`, { column: c.name });
    if (c.kind === 'scalar' && !(c.type in SCALAR_PARQUET_TYPE)) {
      throw invalid(`Column "${c.name}": type "${String(c.type)}" is none of ${Object.keys(SCALAR_PARQUET_TYPE).join(', ')}.`, { column: c.name });
    }
  }
}

/** Checks a list column's arrays against the row count; returns them. */
function listData(name: string, data: unknown, rows: number): { values: Float32Array; offsets: Uint32Array } {
  const d = data as { values?: unknown; offsets?: unknown } | null;
  if (!d || !(d.values instanceof Float32Array) || !(d.offsets instanceof Uint32Array)) {
    throw invalid(`Column "${name}": list data is { values: Float32Array, offsets: Uint32Array }.`, { column: name });
  }
  const { values, offsets } = d;
  if (offsets.length !== rows + 1) {
    throw invalid(`Column "${name}": ${offsets.length} offsets for ${rows} rows; a list column needs rows + 1.`, { column: name });
  }
  for (let r = 0; r < rows; r++) {
    if ((offsets[r + 1] as number) < (offsets[r] as number)) {
      throw invalid(`Column "${name}", row ${r}: offsets go backwards (${offsets[r]} then ${offsets[r + 1]}).`, { column: name, row: r });
    }
  }
  if ((offsets[rows] as number) > values.length) {
    throw invalid(`Column "${name}": the last offset ${offsets[rows]} is past the ${values.length} values.`, { column: name });
  }
  return { values, offsets };
}

export class DatasetParquetWriter {
  private readonly columns: readonly DatasetColumn[];
  private readonly out: FileOutput;
  private readonly schema: SchemaElement[];
  private readonly kv: { key: string; value: string }[];
  private readonly createdBy: string;
  private readonly rowGroups: RowGroup[] = [];
  private rows = 0;
  private state: 'open' | 'busy' | 'finished' | 'failed' = 'open';

  constructor(sink: ByteSink, columns: readonly DatasetColumn[], opts: { kvMetadata?: Record<string, string>; createdBy?: string } = {}) {
    checkColumns(columns);
    const kv = opts.kvMetadata ?? {};
    if (ARROW_SCHEMA_KEY in kv) throw invalid(`kvMetadata key "${ARROW_SCHEMA_KEY}" is reserved: the writer sets it.`);
    this.columns = columns.map((c) => ({ ...c }));
    this.out = new FileOutput(sink);
    this.schema = parquetSchema(this.columns);
    // As pyarrow does, the file's key-value metadata is the Arrow schema's metadata too.
    this.kv = [
      ...Object.entries(kv).map(([key, value]) => ({ key, value })),
      { key: ARROW_SCHEMA_KEY, value: arrowSchemaEntry(this.columns.map(arrowField), kv) },
    ];
    this.createdBy = opts.createdBy ?? DEFAULT_CREATED_BY;
    startFile(this.out);
  }

  /**
   * Writes one row group of `rows` rows; `data` holds every column by name. Resolves once the group is with
   * the sink; `data` must not change before then, and the next call must wait for it. `rows` 0 writes nothing.
   */
  async writeRowGroup(rows: number, data: Readonly<Record<string, DatasetColumnData>>): Promise<void> {
    this.enter();
    try {
      if (!Number.isInteger(rows) || rows < 0 || rows > MAX_ROW_GROUP_ROWS) {
        throw invalid(`A row group holds 0 to ${MAX_ROW_GROUP_ROWS} rows, not ${rows}.`);
      }
      for (const key of Object.keys(data)) {
        if (!this.columns.some((c) => c.name === key)) throw invalid(`Data for "${key}", which is not a column of this file.`, { column: key });
      }
      if (rows > 0) await this.encodeGroup(rows, data);
      this.state = 'open';
    } catch (e) {
      this.state = 'failed';
      throw e;
    }
  }

  /** Writes the footer. The writer cannot be used afterwards; the caller closes the sink. */
  async finish(): Promise<DatasetParquetSummary> {
    this.enter();
    try {
      await finishFile(this.out, { schema: this.schema, rows: this.rows, rowGroups: this.rowGroups, kv: this.kv, createdBy: this.createdBy });
      this.state = 'finished';
      return { rows: this.rows, bytes: this.out.offset, rowGroups: this.rowGroups.length };
    } catch (e) {
      this.state = 'failed';
      throw e;
    }
  }

  private enter(): void {
    if (this.state !== 'open') {
      throw new Error(`DatasetParquetWriter is ${this.state}: calls must be sequential and end with finish()`);
    }
    this.state = 'busy';
  }

  private async encodeGroup(rows: number, data: Readonly<Record<string, DatasetColumnData>>): Promise<void> {
    // The shapes first; values are checked as their column is encoded. Either failure leaves the writer failed.
    const checked = this.columns.map((c) => {
      const d = data[c.name];
      if (d === undefined) throw invalid(`Row group without data for column "${c.name}".`, { column: c.name });
      if (c.kind === 'floatList') return listData(c.name, d, rows);
      if (!Array.isArray(d) || d.length !== rows) {
        throw invalid(`Column "${c.name}": ${Array.isArray(d) ? `${d.length} values` : 'no array'} for ${rows} rows.`, { column: c.name });
      }
      return d;
    });
    const start = this.out.offset;
    const chunks: ColumnChunk[] = [];
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i] as DatasetColumn;
      const d = checked[i];
      if (c.kind === 'floatList') {
        const { values, offsets } = d as { values: Float32Array; offsets: Uint32Array };
        chunks.push(writeFloatListChunk(this.out, c.name, values, offsets, rows));
      } else if (c.kind === 'scalar') {
        chunks.push(writeScalarChunk(this.out, c, d as unknown[], rows));
      } else {
        chunks.push(...writeAudioChunks(this.out, c.name, d as unknown[], rows));
      }
      await this.out.flush(false);
    }
    // The queue may still hold views into the caller's arrays: copy them out before returning.
    await this.out.flush(true);
    this.rowGroups.push(rowGroupOf(chunks, rows, start, this.out.offset));
    this.rows += rows;
  }
}

/**
 * A ByteSink writing a local file: created (or truncated) on open, each write appended after the last and
 * awaited. `close()` when done, also after a failure.
 */
export function fileByteSink(path: string): ByteSink & { close(): Promise<void> } {
  const opened = open(path, 'w');
  // A failed open surfaces from the first write or close, not as an unhandled rejection.
  opened.catch(() => undefined);
  return {
    async write(bytes: Uint8Array): Promise<void> {
      const h = await opened;
      let at = 0;
      while (at < bytes.length) {
        const { bytesWritten } = await h.write(bytes, at, bytes.length - at);
        at += bytesWritten;
      }
    },
    async close(): Promise<void> {
      const h = await opened;
      await h.close();
    },
  };
}
