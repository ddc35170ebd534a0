/**
 * Dataset Parquet files read back by two independent readers, hyparquet and DuckDB, value by value: every
 * column kind, hostile strings, nulls, empty and varying lists, several row groups, a list column over
 * several pages; the file's layout (types, encodings, codecs, statistics); bad input refused.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type JS } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors.js';
import { DatasetParquetWriter, fileByteSink, type ByteSink, type DatasetColumn, type DatasetColumnData } from './dataset-parquet-writer.js';
import { writePlainFloatColumns } from './dataset-plain-floats.js';

class MemorySink implements ByteSink {
  readonly pieces: Uint8Array[] = [];
  write(bytes: Uint8Array): Promise<void> {
    this.pieces.push(bytes);
    return Promise.resolve();
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.pieces));
  }
}

const arrayBufferOf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** A small deterministic generator, so a failure names the same row every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const HOSTILE = [
  '=HYPERLINK("x")',
  'a,b,"c",d',
  `"quoted" and 'single'`,
  'line1\nline2\r\nline3',
  'naïve café 日本語 🎉 👩‍🔬 e\u0301',
  '\u200Fעברית\u200F',
  '',
  '\t+SUM(A1)',
  '@cmd|',
  `long ${'x'.repeat(3000)}`,
];

const COLUMNS: DatasetColumn[] = [
  { name: 'id', kind: 'scalar', type: 'string', required: true },
  { name: 'label', kind: 'scalar', type: 'string', required: false },
  { name: 'start_ns', kind: 'scalar', type: 'int64', required: true },
  { name: 'count', kind: 'scalar', type: 'int32', required: false },
  { name: 'score', kind: 'scalar', type: 'float64', required: false },
  { name: 'q', kind: 'scalar', type: 'float32', required: true },
  { name: 'ok', kind: 'scalar', type: 'bool', required: false },
  { name: 'acc', kind: 'floatList' },
  { name: 'short', kind: 'floatList' },
  { name: 'audio', kind: 'audio' },
];

interface Row {
  id: string;
  label: string | null;
  start_ns: bigint;
  count: number | null;
  score: number | null;
  q: number;
  ok: boolean | null;
  acc: number[];
  short: number[];
  audio: { bytes: Uint8Array; path: string | null } | null;
}

/** Rows of one row group; `acc` holds 100 values per row except for some empty and some longer rows. */
function makeRows(from: number, n: number, seed: number): Row[] {
  const rnd = lcg(seed);
  const specials = [NaN, -0, 0, Infinity, -Infinity, 1.5e308, 5e-324];
  return Array.from({ length: n }, (_, k): Row => {
    const i = from + k;
    const accLen = i % 97 === 5 ? 0 : i % 89 === 3 ? 250 : 100;
    return {
      id: `${HOSTILE[i % HOSTILE.length] as string}#${i}`,
      label: i % 7 === 3 ? null : (HOSTILE[i % 4] as string),
      start_ns: i === 0 ? -(2n ** 63n) : i === 1 ? 2n ** 63n - 1n : 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000_000n,
      count: i % 5 === 0 ? null : i % 11 === 1 ? -(2 ** 31) : i % 11 === 2 ? 2 ** 31 - 1 : i - 1000,
      score: i % 6 === 0 ? null : i % 13 < specials.length ? (specials[i % 13] as number) : rnd() * 200 - 100,
      q: Math.fround(i % 50 === 7 ? NaN : i % 50 === 8 ? -0 : rnd() * 20 - 10),
      ok: i % 9 === 0 ? null : rnd() < 0.5,
      acc: Array.from({ length: accLen }, (_, j) => Math.fround(i === 17 && j === 3 ? NaN : Math.sin((i * 50 + j) / 40) * 9.81 + rnd() * 0.01)),
      short: Array.from({ length: Math.floor(rnd() * 4) }, () => Math.fround(rnd() - 0.5)),
      audio: i % 8 === 2 ? null : { bytes: Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)), path: i % 3 === 0 ? null : `clips/${i}.wav` },
    };
  });
}

function listData(rows: readonly Row[], key: 'acc' | 'short'): { values: Float32Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) offsets[r + 1] = (offsets[r] as number) + (rows[r] as Row)[key].length;
  const values = new Float32Array(offsets[rows.length] as number);
  rows.forEach((r, k) => values.set(r[key], offsets[k]));
  return { values, offsets };
}

function columnData(rows: readonly Row[]): Record<string, DatasetColumnData> {
  return {
    id: rows.map((r) => r.id),
    label: rows.map((r) => r.label),
    start_ns: rows.map((r) => r.start_ns),
    count: rows.map((r) => r.count),
    score: rows.map((r) => r.score),
    q: rows.map((r) => r.q),
    ok: rows.map((r) => r.ok),
    acc: listData(rows, 'acc'),
    short: listData(rows, 'short'),
    audio: rows.map((r) => r.audio),
  };
}

/** Row groups: one of 3,000 rows (its `acc` > 262,144 values: several pages), one of 1 row, one of 257. */
const GROUPS: [from: number, n: number][] = [
  [0, 3000],
  [3000, 1],
  [3001, 257],
];
const KV = { 'fieldsense.export': '{"version":1}', huggingface: '{"info":{"features":{}}}' };

async function writeDataset(sink: ByteSink): Promise<{ rows: Row[]; summary: Awaited<ReturnType<DatasetParquetWriter['finish']>> }> {
  const w = new DatasetParquetWriter(sink, COLUMNS, { kvMetadata: KV });
  const rows: Row[] = [];
  for (const [from, n] of GROUPS) {
    const group = makeRows(from, n, from + 1);
    rows.push(...group);
    await w.writeRowGroup(n, columnData(group));
  }
  await w.writeRowGroup(0, columnData([]));
  return { rows, summary: await w.finish() };
}

function firstMismatch(got: readonly unknown[], want: readonly Row[]): { row: number; got: unknown; want: unknown } | undefined {
  for (let i = 0; i < want.length; i++) {
    try {
      expect(got[i]).toEqual(want[i]);
    } catch {
      return { row: i, got: got[i], want: want[i] };
    }
  }
  return undefined;
}

describe('DatasetParquetWriter', () => {
  let bytes: Uint8Array;
  let rows: Row[];
  let dir: string;
  let file: string;
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;

  async function query(sql: string): Promise<Record<string, JS>[]> {
    if (!connection) throw new Error('no DuckDB connection');
    return (await connection.runAndReadAll(sql)).getRowObjectsJS();
  }

  beforeAll(async () => {
    const sink = new MemorySink();
    const out = await writeDataset(sink);
    rows = out.rows;
    bytes = sink.bytes();
    expect(out.summary).toEqual({ rows: 3258, bytes: bytes.length, rowGroups: 3 });
    dir = await mkdtemp(join(tmpdir(), 'fieldsense-dataset-'));
    file = join(dir, 'dataset.parquet');
    await writeFile(file, bytes);
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  afterAll(async () => {
    connection?.closeSync();
    instance?.closeSync();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('hands the sink pieces of at most 1 MiB, and writes the same bytes for the same input', async () => {
    const again = new MemorySink();
    await writeDataset(again);
    expect(Buffer.from(again.bytes()).equals(Buffer.from(bytes))).toBe(true);
    expect(Math.max(...again.pieces.map((p) => p.length))).toBeLessThanOrEqual(1 << 20);
    expect(again.pieces.length).toBeGreaterThan(1);
  });

  it('reads back value for value with hyparquet', async () => {
    const got = await parquetReadObjects({ file: arrayBufferOf(bytes), utf8: false });
    expect(got).toHaveLength(rows.length);
    expect(firstMismatch(got, rows)).toBeUndefined();
  });

  it('reads back value for value with DuckDB, lists as FLOAT[], int64 as BIGINT, audio as STRUCT(bytes BLOB, path VARCHAR)', async () => {
    const described = await query(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    expect(described.map((c) => [c['column_name'], c['column_type']])).toEqual([
      ['id', 'VARCHAR'],
      ['label', 'VARCHAR'],
      ['start_ns', 'BIGINT'],
      ['count', 'INTEGER'],
      ['score', 'DOUBLE'],
      ['q', 'FLOAT'],
      ['ok', 'BOOLEAN'],
      ['acc', 'FLOAT[]'],
      ['short', 'FLOAT[]'],
      ['audio', 'STRUCT(bytes BLOB, path VARCHAR)'],
    ]);
    const got = await query(`SELECT * EXCLUDE (file_row_number) FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`);
    expect(got).toHaveLength(rows.length);
    // DuckDB hands BLOBs over as its own byte arrays: compare their bytes.
    const normalised = got.map((r) => {
      const a = r['audio'] as { bytes: Uint8Array; path: string | null } | null;
      return { ...r, audio: a && { bytes: new Uint8Array(a.bytes), path: a.path } };
    });
    expect(firstMismatch(normalised, rows)).toBeUndefined();
    expect(await query(`SELECT count(*) AS n, sum(len(acc)) AS values, count(*) FILTER (WHERE len(acc) = 0) AS empty FROM read_parquet('${file}')`)).toEqual([
      { n: 3258n, values: BigInt(rows.reduce((s, r) => s + r.acc.length, 0)), empty: BigInt(rows.filter((r) => r.acc.length === 0).length) },
    ]);
  });

  it('lays out lists PLAIN and uncompressed over several pages, scalars with snappy, repeated strings with a dictionary', () => {
    const meta = parquetMetadata(arrayBufferOf(bytes));
    expect(meta.schema.map((s) => [s.name, s.type, s.repetition_type, s.converted_type])).toEqual([
      ['schema', undefined, undefined, undefined],
      ['id', 'BYTE_ARRAY', 'REQUIRED', 'UTF8'],
      ['label', 'BYTE_ARRAY', 'OPTIONAL', 'UTF8'],
      ['start_ns', 'INT64', 'REQUIRED', undefined],
      ['count', 'INT32', 'OPTIONAL', undefined],
      ['score', 'DOUBLE', 'OPTIONAL', undefined],
      ['q', 'FLOAT', 'REQUIRED', undefined],
      ['ok', 'BOOLEAN', 'OPTIONAL', undefined],
      ['acc', undefined, 'REQUIRED', 'LIST'],
      ['list', undefined, 'REPEATED', undefined],
      ['element', 'FLOAT', 'REQUIRED', undefined],
      ['short', undefined, 'REQUIRED', 'LIST'],
      ['list', undefined, 'REPEATED', undefined],
      ['element', 'FLOAT', 'REQUIRED', undefined],
      ['audio', undefined, 'OPTIONAL', undefined],
      ['bytes', 'BYTE_ARRAY', 'OPTIONAL', undefined],
      ['path', 'BYTE_ARRAY', 'OPTIONAL', 'UTF8'],
    ]);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([3000, 1, 257]);
    const chunk = (g: number, path: string): NonNullable<(typeof meta.row_groups)[number]['columns'][number]['meta_data']> => {
      const c = meta.row_groups[g]?.columns.find((x) => x.meta_data?.path_in_schema.join('.') === path)?.meta_data;
      if (!c) throw new Error(`no chunk ${path} in group ${g}`);
      return c;
    };
    const acc = chunk(0, 'acc.list.element');
    const accValues = rows.slice(0, 3000).reduce((s, r) => s + r.acc.length, 0);
    const accEmpty = rows.slice(0, 3000).filter((r) => r.acc.length === 0).length;
    expect(accValues + accEmpty).toBeGreaterThan(262_144);
    expect(acc).toMatchObject({ codec: 'UNCOMPRESSED', encodings: ['PLAIN', 'RLE'], num_values: BigInt(accValues + accEmpty) });
    expect(acc.encoding_stats).toEqual([{ page_type: 'DATA_PAGE_V2', encoding: 'PLAIN', count: 2 }]);
    const finite = rows.slice(0, 3000).flatMap((r) => r.acc).filter((v) => !Number.isNaN(v));
    const min = finite.reduce((a, b) => Math.min(a, b), Infinity);
    const max = finite.reduce((a, b) => Math.max(a, b), -Infinity);
    expect(acc.statistics).toMatchObject({ min_value: min, max_value: max, null_count: BigInt(accEmpty) });
    expect(chunk(0, 'label')).toMatchObject({ codec: 'SNAPPY', encodings: ['PLAIN', 'RLE', 'RLE_DICTIONARY'] });
    expect(chunk(0, 'label').encoding_stats?.map((s) => s.page_type)).toEqual(['DICTIONARY_PAGE', 'DATA_PAGE_V2']);
    expect(chunk(0, 'id')).toMatchObject({ codec: 'SNAPPY', encodings: ['PLAIN'] });
    expect(chunk(0, 'start_ns').statistics).toMatchObject({ min_value: -(2n ** 63n), max_value: 2n ** 63n - 1n, null_count: 0n });
    expect(chunk(0, 'count').statistics).toMatchObject({ min_value: -(2 ** 31), max_value: 2 ** 31 - 1, null_count: 600n });
    expect(meta.key_value_metadata?.map((kv) => kv.key)).toEqual(['fieldsense.export', 'huggingface', 'ARROW:schema']);
    expect(meta.created_by).toMatch(/^fieldsense /);
  });

  it('gives strings byte-ordered min/max (cut to 16 bytes, the max rounded up) that DuckDB filters with as a full scan would', async () => {
    const wanted = rows.filter((r) => Buffer.compare(Buffer.from(r.id), Buffer.from('naïve')) >= 0).length;
    expect(await query(`SELECT count(*) AS n FROM read_parquet('${file}') WHERE id >= 'naïve'`)).toEqual([{ n: BigInt(wanted) }]);
    const stats = await query(`SELECT row_group_id AS g, stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${file}') WHERE path_in_schema = 'label' ORDER BY g`);
    for (const [g, [from, n]] of GROUPS.entries()) {
      const labels = rows.slice(from, from + n).flatMap((r) => (r.label === null ? [] : [Buffer.from(r.label)]));
      labels.sort((a, b) => Buffer.compare(a, b));
      const [min, max] = [labels[0] as Buffer, labels[labels.length - 1] as Buffer];
      const lo = Buffer.from(stats[g]?.['lo'] as string);
      const hi = Buffer.from(stats[g]?.['hi'] as string);
      expect(lo.equals(min.subarray(0, 16)), `group ${g} min`).toBe(true);
      expect(Buffer.compare(hi, max) >= 0 && hi.length <= 16, `group ${g} max`).toBe(true);
    }
  });

  it('writes the same file through fileByteSink', async () => {
    const path = join(dir, 'via-file-sink.parquet');
    const sink = fileByteSink(path);
    await writeDataset(sink);
    await sink.close();
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('fileByteSink reports a file it cannot create on the first write and on close', async () => {
    const sink = fileByteSink(join(dir, 'no-such-dir', 'x.parquet'));
    await expect(sink.write(Uint8Array.of(1))).rejects.toThrow(/ENOENT/);
    await expect(sink.close()).rejects.toThrow(/ENOENT/);
  });

  it('writes a list column of only empty rows, and one long row past a page', async () => {
    const sink = new MemorySink();
    const w = new DatasetParquetWriter(sink, [{ name: 'x', kind: 'floatList' }]);
    await w.writeRowGroup(3, { x: { values: new Float32Array(0), offsets: new Uint32Array(4) } });
    const long = Float32Array.from({ length: 300_000 }, (_, i) => i);
    await w.writeRowGroup(2, { x: { values: long, offsets: Uint32Array.of(0, 300_000, 300_000) } });
    await w.finish();
    const got = await parquetReadObjects({ file: arrayBufferOf(sink.bytes()) });
    expect(got.map((r) => (r['x'] as number[]).length)).toEqual([0, 0, 0, 300_000, 0]);
    expect((got[3]?.['x'] as number[])[299_999]).toBe(299_999);
    const meta = parquetMetadata(arrayBufferOf(sink.bytes()));
    expect(meta.row_groups[0]?.columns[0]?.meta_data?.statistics).toMatchObject({ null_count: 3n, min_value: undefined, max_value: undefined });
  });
});

describe('DatasetParquetWriter refuses bad input with AppErrors that name the column', () => {
  const scalar = (type: 'string' | 'int32' | 'int64' | 'bool' | 'float64', required = true): DatasetColumn[] => [{ name: 'v', kind: 'scalar', type, required }];
  async function failure(columns: DatasetColumn[], rowsCount: number, data: Record<string, unknown>): Promise<AppError> {
    const w = new DatasetParquetWriter(new MemorySink(), columns);
    const e: unknown = await w.writeRowGroup(rowsCount, data as Record<string, DatasetColumnData>).then(() => undefined, (x: unknown) => x);
    if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
    expect(e.code).toBe('validation_failed');
    // A failed writer stays failed: nothing more can be appended to a half-written file.
    await expect(w.finish()).rejects.toThrow(/failed/);
    return e;
  }

  it.each([
    ['a null in a required column', scalar('string'), 2, { v: ['a', null] }, /Column "v", row 1: expected a string \(the column is required\)/],
    ['a number in a string column', scalar('string', false), 1, { v: [3] }, /Column "v", row 0: expected a string or null, got number/],
    ['a lone surrogate', scalar('string'), 1, { v: ['ok\uD800'] }, /row 0: the text holds a lone UTF-16 surrogate/],
    ['an int32 out of range', scalar('int32'), 2, { v: [1, 2 ** 31] }, /row 1: expected a 32-bit integer/],
    ['a fraction in an int64 column', scalar('int64'), 1, { v: [1.5] }, /row 0: expected a 64-bit integer/],
    ['an int64 past 2^63', scalar('int64'), 1, { v: [2n ** 63n] }, /row 0: expected a 64-bit integer/],
    ['a string in a bool column', scalar('bool'), 1, { v: ['true'] }, /row 0: expected a boolean, got string/],
    ['too few values', scalar('float64'), 3, { v: [1, 2] }, /Column "v": 2 values for 3 rows/],
    ['a missing column', scalar('float64'), 1, {}, /without data for column "v"/],
    ['an unknown column', scalar('float64'), 1, { v: [1], w: [2] }, /Data for "w", which is not a column/],
    ['offsets of the wrong length', [{ name: 'l', kind: 'floatList' as const }], 2, { l: { values: new Float32Array(4), offsets: Uint32Array.of(0, 2) } }, /3 offsets|2 offsets for 2 rows/],
    ['offsets going backwards', [{ name: 'l', kind: 'floatList' as const }], 2, { l: { values: new Float32Array(4), offsets: Uint32Array.of(0, 3, 2) } }, /row 1: offsets go backwards/],
    ['an offset past the values', [{ name: 'l', kind: 'floatList' as const }], 1, { l: { values: new Float32Array(4), offsets: Uint32Array.of(0, 5) } }, /last offset 5 is past the 4 values/],
    ['a number array for a list', [{ name: 'l', kind: 'floatList' as const }], 1, { l: { values: [1], offsets: [0, 1] } }, /Column "l": list data is/],
    ['audio without bytes', [{ name: 'a', kind: 'audio' as const }], 1, { a: [{ path: 'x.wav' }] }, /Column "a", row 0: expected an audio value/],
  ])('%s', async (_name, columns, n, data, message) => {
    expect((await failure(columns, n, data)).message).toMatch(message);
  });

  it('refuses repeated column names, an unknown type and a reserved footer key', () => {
    expect(() => new DatasetParquetWriter(new MemorySink(), [{ name: 'a', kind: 'floatList' }, { name: 'a', kind: 'audio' }])).toThrow(AppError);
    expect(() => new DatasetParquetWriter(new MemorySink(), [{ name: 'a', kind: 'scalar', type: 'date' as never, required: true }])).toThrow(/type "date"/);
    expect(() => new DatasetParquetWriter(new MemorySink(), [{ name: 'a', kind: 'floatList' }], { kvMetadata: { 'ARROW:schema': 'x' } })).toThrow(/reserved/);
  });

  it('refuses a second call before the first settled', async () => {
    const w = new DatasetParquetWriter(new MemorySink(), [{ name: 'v', kind: 'scalar', type: 'int32', required: true }]);
    const first = w.writeRowGroup(1, { v: [1] });
    await expect(w.writeRowGroup(1, { v: [2] })).rejects.toThrow(/busy/);
    await first;
  });
});

describe('writePlainFloatColumns', () => {
  it('writes columns × rows floats in row groups, readable by hyparquet, with the list column pages and codec', async () => {
    const sink = new MemorySink();
    const value = (col: number, row: number): number => Math.fround(col * 1000 + row / 8);
    const fills: [number, number, number][] = [];
    const { bytes } = await writePlainFloatColumns(sink, 3, 70_000, (col, out, fromRow) => {
      fills.push([col, out.length, fromRow]);
      for (let i = 0; i < out.length; i++) out[i] = value(col, fromRow + i);
    }, 65_536);
    const file = sink.bytes();
    expect(bytes).toBe(file.length);
    expect(fills).toEqual([[0, 65_536, 0], [1, 65_536, 0], [2, 65_536, 0], [0, 4_464, 65_536], [1, 4_464, 65_536], [2, 4_464, 65_536]]);
    const got = await parquetReadObjects({ file: arrayBufferOf(file), rowStart: 65_530, rowEnd: 65_540 });
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => ({ c0: value(0, 65_530 + i), c1: value(1, 65_530 + i), c2: value(2, 65_530 + i) })));
    const meta = parquetMetadata(arrayBufferOf(file));
    expect(Number(meta.num_rows)).toBe(70_000);
    expect(meta.row_groups[0]?.columns[2]?.meta_data).toMatchObject({
      type: 'FLOAT',
      codec: 'UNCOMPRESSED',
      encodings: ['PLAIN'],
      encoding_stats: [{ page_type: 'DATA_PAGE_V2', encoding: 'PLAIN', count: 1 }],
      statistics: { min_value: 2000, max_value: value(2, 65_535), null_count: 0n },
    });
  });

  it('refuses a column count of zero', async () => {
    await expect(writePlainFloatColumns(new MemorySink(), 0, 10, () => undefined)).rejects.toThrow(AppError);
  });
});
