/**
 * The export benchmark's anchor: the same float32 values as a dataset file's list columns, written as plain
 * REQUIRED FLOAT columns (`c0`, `c1`, …), one row per row of the dataset and no windowing. Pages, encoding
 * and codec are the list column's (dataset-float-column.ts), so the ratio of the two times is the cost of
 * the windows (their levels and the caller's gathering), not of a codec.
 */
import type { ColumnChunk, RowGroup, SchemaElement } from 'hyparquet';
import { AppError } from '../lib/errors.js';
import { arrowSchemaEntry } from './arrow-schema.js';
import { writeFloatChunk } from './dataset-float-column.js';
import { DEFAULT_CREATED_BY } from './dataset-parquet-writer.js';
import { FileOutput, finishFile, rowGroupOf, startFile, type ByteSink } from './parquet-column-chunk.js';
import { ARROW_SCHEMA_KEY } from './stream-parquet-layout.js';

export const PLAIN_FLOAT_ROW_GROUP_ROWS = 65_536;
const MAX_COLUMNS = 100_000;

/**
 * Writes `columns` FLOAT columns of `rows` rows. `fill(col, out, fromRow)` fills `out` with rows
 * [fromRow, fromRow + out.length) of column `col`; it is called once per column per row group, with a fresh
 * array each time.
 */
export async function writePlainFloatColumns(
  sink: ByteSink,
  columns: number,
  rows: number,
  fill: (col: number, out: Float32Array, fromRow: number) => void,
  rowGroupRows: number = PLAIN_FLOAT_ROW_GROUP_ROWS,
): Promise<{ bytes: number }> {
  if (!Number.isInteger(columns) || columns < 1 || columns > MAX_COLUMNS) {
    throw new AppError('validation_failed', `columns must be an integer in [1, ${MAX_COLUMNS}], got ${columns}.`);
  }
  if (!Number.isSafeInteger(rows) || rows < 0) throw new AppError('validation_failed', `rows must be a non-negative integer, got ${rows}.`);
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1 || rowGroupRows > 2 ** 31 - 1) {
    throw new AppError('validation_failed', `rowGroupRows must be an integer in [1, 2^31 - 1], got ${rowGroupRows}.`);
  }
  const names = Array.from({ length: columns }, (_, c) => `c${c}`);
  const schema: SchemaElement[] = [
    { name: 'schema', num_children: columns },
    ...names.map((name) => ({ name, type: 'FLOAT' as const, repetition_type: 'REQUIRED' as const })),
  ];
  const out = new FileOutput(sink);
  startFile(out);
  const rowGroups: RowGroup[] = [];
  for (let from = 0; from < rows; from += rowGroupRows) {
    const n = Math.min(rowGroupRows, rows - from);
    const start = out.offset;
    const chunks: ColumnChunk[] = [];
    for (let c = 0; c < columns; c++) {
      // Fresh per column: the queued pages are views into it until they are flushed.
      const values = new Float32Array(n);
      fill(c, values, from);
      chunks.push(writeFloatChunk(out, names[c] as string, values));
      await out.flush(false);
    }
    await out.flush(true);
    rowGroups.push(rowGroupOf(chunks, n, start, out.offset));
  }
  const arrow = arrowSchemaEntry(names.map((name) => ({ name, type: 'float32' as const })));
  await finishFile(out, { schema, rows, rowGroups, kv: [{ key: ARROW_SCHEMA_KEY, value: arrow }], createdBy: DEFAULT_CREATED_BY });
  return { bytes: out.offset };
}
