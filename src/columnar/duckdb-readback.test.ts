/**
 * Reads files written by `StreamParquetWriter` back with DuckDB (`@duckdb/node-api`), the check behind the
 * promise that ML engineers can open them directly. Everything is compared with what the test wrote.
 *
 * What DuckDB 1.5.6 does with our layout (pinned below, so that a change on either side shows up here):
 * - `time`, INT64 TIMESTAMP(NANOS, isAdjustedToUTC=true), is typed TIMESTAMP WITH TIME ZONE, which holds
 *   microseconds: the last three digits of every ns timestamp are dropped (truncated) on read. DuckDB has no
 *   ns-precision instant type; it reads TIMESTAMP(NANOS, isAdjustedToUTC=false) as TIMESTAMP_NS, which is exact.
 *   Neither `CAST` nor `read_parquet(schema=...)` gets the ns back, since they apply after the µs read.
 * - With the default `can_have_nan=false`, DuckDB trusts the float min/max statistics, which by the Parquet
 *   rules leave NaN out. So a range filter that NaN satisfies in DuckDB's ordering (NaN is above every
 *   number) skips NaN rows in row groups that have min/max. `can_have_nan=true` turns that off.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type JS } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleChunk, StreamInfo } from '../domain/stream.js';
import { StreamParquetWriter, type ByteSink, type StreamParquetWriterOptions } from './parquet-stream-writer.js';
import { ARROW_SCHEMA_KEY, STREAM_INFO_KEY } from './stream-parquet-layout.js';

const T0 = 1698765432123456789n;
const STEP = 10_000_000n;
const ROWS = 12_345;
const GROUP_ROWS = 1000;

const stream: StreamInfo = {
  name: 'accelerometer',
  kind: 'imu',
  sensor: 'accelerometer',
  // Not alphabetical, so that the order read back is the file's and not a sorted one.
  channels: ['z', 'x', 'y'],
  unit: 'm/s^2',
  nominalRateHz: 100,
};

/** A few ns of jitter, and ~0.4 ms on every 97th row, so the delta blocks get different bit widths. */
const jitter = (i: number): bigint => BigInt(((i * 7919) % 13) - 6) + (i % 97 === 41 ? 400_123n : 0n);
const timeAt = (i: number): bigint => T0 + BigInt(i) * STEP + jitter(i);

type Channel = (i: number) => number;

/** Channel values in `stream.channels` order: a wave with a row group that is all NaN, a wave, a ramp with NaN and -0. */
const channelAt: readonly Channel[] = [
  (i: number): number => (i >= 5000 && i < 6000 ? NaN : Math.fround(9.81 + Math.sin(i / 50) * 0.5)),
  (i: number): number => Math.fround(Math.sin(i / 100) * 9.81),
  (i: number): number => (i % 1234 === 7 ? NaN : i % 1234 === 8 ? -0 : Math.fround(-i / 3)),
];

interface Written {
  t: BigInt64Array;
  values: Float32Array[];
}

class MemorySink implements ByteSink {
  private readonly pieces: Uint8Array[] = [];
  write(bytes: Uint8Array): Promise<void> {
    this.pieces.push(bytes);
    return Promise.resolve();
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.pieces);
  }
}

/** Writes rows [0, rows) of the synthetic stream in chunks of `chunkRows`; returns the file and what went in. */
async function writeStream(
  info: StreamInfo,
  rows: number,
  chunkRows: number,
  opts: StreamParquetWriterOptions,
  channels: readonly Channel[] = channelAt,
): Promise<{ bytes: Uint8Array; written: Written }> {
  if (channels.length !== info.channels.length) throw new Error('one generator per channel');
  const written: Written = { t: new BigInt64Array(rows), values: info.channels.map(() => new Float32Array(rows)) };
  for (let i = 0; i < rows; i++) {
    written.t[i] = timeAt(i);
    written.values.forEach((v, c) => {
      v[i] = (channels[c] as Channel)(i);
    });
  }
  const sink = new MemorySink();
  const writer = new StreamParquetWriter(info, sink, opts);
  for (let s = 0; s < rows; s += chunkRows) {
    const e = Math.min(rows, s + chunkRows);
    const chunk: SampleChunk = { length: e - s, t: written.t.slice(s, e), values: written.values.map((v) => v.slice(s, e)) };
    await writer.write(chunk);
  }
  await writer.finish();
  return { bytes: sink.bytes(), written };
}

/** `v - (v mod 1000)`: a ns timestamp as DuckDB's µs TIMESTAMP WITH TIME ZONE keeps it (for times after 1970). */
const toMicros = (ns: bigint): bigint => ns - (ns % 1000n);

function bigintOf(v: JS | undefined): bigint {
  if (typeof v !== 'bigint') throw new TypeError(`expected a bigint, got ${typeof v}`);
  return v;
}
function numberOf(v: JS | undefined): number {
  if (typeof v !== 'number') throw new TypeError(`expected a number, got ${typeof v}`);
  return v;
}
function stringOf(v: JS | undefined): string {
  if (typeof v !== 'string') throw new TypeError(`expected a string, got ${typeof v}`);
  return v;
}

/** Sum, min and max of the non-NaN values, as doubles; the NaN count. */
function summarize(values: Float32Array): { sum: number; absSum: number; min: number; max: number; nans: number } {
  let sum = 0;
  let absSum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nans = 0;
  for (const v of values) {
    if (Number.isNaN(v)) {
      nans++;
      continue;
    }
    sum += v;
    absSum += Math.abs(v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { sum, absSum, min, max, nans };
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

describe('StreamParquetWriter files read back with DuckDB', () => {
  let dir: string;
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  let file: string;
  let written: Written;

  async function query(sql: string): Promise<Record<string, JS>[]> {
    if (!connection) throw new Error('no DuckDB connection');
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS();
  }
  async function one(sql: string): Promise<Record<string, JS>> {
    const rows = await query(sql);
    expect(rows).toHaveLength(1);
    return rows[0] as Record<string, JS>;
  }
  async function save(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }
  const scan = (path: string, options = ''): string => `read_parquet(${quoteString(path)}${options})`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldsense-duckdb-'));
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    // Chunks of 777 rows: row groups are filled from several chunks and chunks span row groups.
    const out = await writeStream(stream, ROWS, 777, { rowGroupRows: GROUP_ROWS, kvMetadata: { 'fieldsense.recording': 'rec_42' } });
    written = out.written;
    file = await save('stream.parquet', out.bytes);
  });

  afterAll(async () => {
    connection?.closeSync();
    instance?.closeSync();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sees the channels in order, as FLOAT, after a TIMESTAMP WITH TIME ZONE time column', async () => {
    const columns = await query(`DESCRIBE SELECT * FROM ${scan(file)}`);
    expect(columns.map((c) => [c['column_name'], c['column_type']])).toEqual([
      ['time', 'TIMESTAMP WITH TIME ZONE'],
      ['z', 'FLOAT'],
      ['x', 'FLOAT'],
      ['y', 'FLOAT'],
    ]);
    const schema = await query(`SELECT name, logical_type FROM parquet_schema(${quoteString(file)}) WHERE name = 'time'`);
    expect(schema[0]?.['logical_type']).toMatch(/isAdjustedToUTC=1.*NANOS=NanoSeconds/);
  });

  it('reads every row group with the encodings and codec the writer chose', async () => {
    const file_ = await one(`SELECT num_rows, num_row_groups, created_by FROM parquet_file_metadata(${quoteString(file)})`);
    const groups = Math.ceil(ROWS / GROUP_ROWS);
    expect(file_).toMatchObject({ num_rows: BigInt(ROWS), num_row_groups: BigInt(groups) });
    expect(stringOf(file_['created_by'])).toMatch(/^fieldsense /);

    const meta = await query(
      `SELECT row_group_id AS g, any_value(row_group_num_rows) AS n,
              list(encodings ORDER BY column_id) AS encodings, list(DISTINCT compression) AS codecs
       FROM parquet_metadata(${quoteString(file)}) GROUP BY g ORDER BY g`,
    );
    expect(meta).toHaveLength(groups);
    expect(meta.map((g) => Number(bigintOf(g['n'])))).toEqual(
      Array.from({ length: groups }, (_, g) => Math.min(GROUP_ROWS, ROWS - g * GROUP_ROWS)),
    );
    for (const g of meta) {
      expect(g['encodings']).toEqual(['DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT', 'BYTE_STREAM_SPLIT', 'BYTE_STREAM_SPLIT']);
      expect(g['codecs']).toEqual(['SNAPPY']);
    }
    expect(await one(`SELECT count(*) AS n FROM ${scan(file)}`)).toEqual({ n: BigInt(ROWS) });
  });

  it('keeps the time of every row to the microsecond, but drops the nanoseconds', async () => {
    const rows = await query(`SELECT epoch_ns(time) AS ns FROM ${scan(file, ', file_row_number = true')} ORDER BY file_row_number`);
    expect(rows).toHaveLength(ROWS);
    let firstBad = -1;
    let exact = 0;
    for (let i = 0; i < ROWS; i++) {
      const ns = bigintOf(rows[i]?.['ns']);
      const t = written.t[i] as bigint;
      if (ns === t) exact++;
      if (firstBad < 0 && ns !== toMicros(t)) firstBad = i;
    }
    expect(firstBad, `row ${firstBad}`).toBe(-1);
    // No timestamp written is a whole µs (T0 ends in 789 ns, jitter ±6 ns), so none survives exactly.
    expect(exact).toBe(0);
    expect(bigintOf(rows[0]?.['ns'])).toBe(1698765432123456000n);
  });

  it('gives min/max time as the written extremes truncated to µs, and filters by time like a full scan', async () => {
    let min = written.t[0] as bigint;
    let max = min;
    for (const t of written.t) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    expect(await one(`SELECT epoch_ns(min(time)) AS lo, epoch_ns(max(time)) AS hi FROM ${scan(file)}`)).toEqual({
      lo: toMicros(min),
      hi: toMicros(max),
    });

    // A bound inside row group 4: the row-group statistics (ns in the footer) must prune consistently.
    const boundUs = toMicros(timeAt(4321)) / 1000n;
    const expected = Array.from(written.t).filter((t) => toMicros(t) / 1000n >= boundUs).length;
    const pruned = await one(`SELECT count(*) AS n FROM ${scan(file)} WHERE time >= make_timestamptz(${boundUs})`);
    expect(pruned).toEqual({ n: BigInt(expected) });
    expect(expected).toBe(ROWS - 4321);
  });

  it('reads every float bit for bit, -0 and NaN included', async () => {
    const names = stream.channels.map(quoteIdent).join(', ');
    const reader = await (connection as DuckDBConnection).runAndReadAll(
      `SELECT ${names} FROM ${scan(file, ', file_row_number = true')} ORDER BY file_row_number`,
    );
    const columns = reader.getColumnsJS();
    expect(columns).toHaveLength(stream.channels.length);
    columns.forEach((column, c) => {
      const expectedValues = written.values[c] as Float32Array;
      expect(column).toHaveLength(ROWS);
      let firstBad = -1;
      for (let i = 0; i < ROWS && firstBad < 0; i++) if (!Object.is(column[i], expectedValues[i])) firstBad = i;
      expect(firstBad, `${stream.channels[c]}[${firstBad}]`).toBe(-1);
    });
  });

  it('aggregates each channel like the float32 arrays: sum, min, max and NaN positions', async () => {
    for (const [c, name] of stream.channels.entries()) {
      const values = written.values[c] as Float32Array;
      const want = summarize(values);
      const col = quoteIdent(name);
      const got = await one(
        `SELECT sum(${col}::DOUBLE) FILTER (WHERE NOT isnan(${col})) AS sum,
                min(${col}) FILTER (WHERE NOT isnan(${col})) AS min,
                max(${col}) FILTER (WHERE NOT isnan(${col})) AS max,
                count(*) FILTER (WHERE isnan(${col})) AS nans,
                list(file_row_number ORDER BY file_row_number) FILTER (WHERE isnan(${col})) AS nan_rows
         FROM ${scan(file, ', file_row_number = true')}`,
      );
      // The order of additions differs (DuckDB sums in parallel), so allow for rounding.
      expect(Math.abs(numberOf(got['sum']) - want.sum), name).toBeLessThanOrEqual(want.absSum * 1e-12);
      expect(got['min'], name).toBe(want.min);
      expect(got['max'], name).toBe(want.max);
      expect(got['nans'], name).toBe(BigInt(want.nans));
      const nanRows = Array.from(values.keys()).filter((i) => Number.isNaN(values[i]));
      expect(got['nan_rows'] ?? [], name).toEqual(nanRows.map(BigInt));
    }
    // The data exercises what it should: NaN in a mixed group, a group that is all NaN, and -0.
    expect(summarize(written.values[2] as Float32Array).nans).toBe(Math.ceil((ROWS - 7) / 1234));
    expect(summarize(written.values[0] as Float32Array).nans).toBe(1000);
    expect(Object.is((written.values[2] as Float32Array)[8], -0)).toBe(true);
  });

  it('skips NaN rows in range filters unless can_have_nan is set (float min/max leave NaN out)', async () => {
    const nansY = summarize(written.values[2] as Float32Array).nans;
    const count = async (options: string, where: string): Promise<bigint> =>
      bigintOf((await one(`SELECT count(*) AS n FROM ${scan(file, options)} WHERE ${where}`))['n']);
    // y's NaN rows sit in groups whose statistics say max ≤ 0, so the groups are skipped for `y > 1e30`.
    expect(await count('', 'y > 1e30')).toBe(0n);
    expect(await count(', can_have_nan = true', 'y > 1e30')).toBe(BigInt(nansY));
    // z's all-NaN group has no min/max at all, so it is scanned either way.
    expect(await count('', 'z > 1e30')).toBe(1000n);
    expect(await count(', can_have_nan = true', 'z > 1e30')).toBe(1000n);
    // isnan() is not pushed into the scan.
    expect(await count('', 'isnan(y)')).toBe(BigInt(nansY));
  });

  it('exposes the fieldsense.stream key-value metadata', async () => {
    const kv = await query(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${quoteString(file)}) ORDER BY key`);
    expect(kv.map((e) => e['key'])).toEqual([ARROW_SCHEMA_KEY, 'fieldsense.recording', STREAM_INFO_KEY]);
    expect(kv[1]?.['value']).toBe('rec_42');
    expect(JSON.parse(stringOf(kv[2]?.['value']))).toEqual(stream);
  });

  it('reads a zero-row file: schema, metadata and count 0', async () => {
    const empty = await save('empty.parquet', (await writeStream(stream, 0, 1, {})).bytes);
    const columns = await query(`DESCRIBE SELECT * FROM ${scan(empty)}`);
    expect(columns.map((c) => c['column_name'])).toEqual(['time', ...stream.channels]);
    expect(columns.map((c) => c['column_type'])).toEqual(['TIMESTAMP WITH TIME ZONE', 'FLOAT', 'FLOAT', 'FLOAT']);
    expect(await one(`SELECT count(*) AS n, min(time) AS lo, sum(x) AS s FROM ${scan(empty)}`)).toEqual({ n: 0n, lo: null, s: null });
    expect(await one(`SELECT num_rows, num_row_groups FROM parquet_file_metadata(${quoteString(empty)})`)).toEqual({
      num_rows: 0n,
      num_row_groups: 0n,
    });
    const kv = await query(`SELECT decode(value) AS value FROM parquet_kv_metadata(${quoteString(empty)}) WHERE decode(key) = '${STREAM_INFO_KEY}'`);
    expect(JSON.parse(stringOf(kv[0]?.['value']))).toEqual(stream);
  });

  it('reads column chunks of several DATA_PAGE_V2 pages (131,072 rows a page)', async () => {
    // One row group of 300,000 rows: pages of 131,072 + 131,072 + 37,856 rows per column.
    const rows = 300_000;
    const audio: StreamInfo = { name: 'audio', kind: 'audio', sensor: 'audio', channels: ['pcm'], unit: 'pcm', nominalRateHz: 16_000, fullScale: 1 };
    const wave: Channel = (i) => Math.fround(Math.sin(i * 0.0725) * 0.8);
    const out = await writeStream(audio, rows, 65_536, { rowGroupRows: rows }, [wave]);
    const path = await save('pages.parquet', out.bytes);
    const pages = await one(
      `SELECT count(*) AS groups, sum(num_values) AS n FROM parquet_metadata(${quoteString(path)}) WHERE path_in_schema = 'pcm'`,
    );
    expect(pages).toEqual({ groups: 1n, n: BigInt(rows) });

    const reader = await (connection as DuckDBConnection).runAndReadAll(
      `SELECT epoch_ns(time) AS ns, pcm FROM ${scan(path, ', file_row_number = true')} ORDER BY file_row_number`,
    );
    const [ns, pcm] = reader.getColumnsJS();
    expect(ns).toHaveLength(rows);
    expect(pcm).toHaveLength(rows);
    const t = out.written.t;
    const values = out.written.values[0] as Float32Array;
    let firstBad = -1;
    for (let i = 0; i < rows && firstBad < 0; i++) {
      if (ns?.[i] !== toMicros(t[i] as bigint) || !Object.is(pcm?.[i], values[i])) firstBad = i;
    }
    expect(firstBad, `row ${firstBad}`).toBe(-1);
    const want = summarize(values);
    const agg = await one(`SELECT sum(pcm::DOUBLE) AS s, min(pcm) AS lo, max(pcm) AS hi FROM ${scan(path)}`);
    expect(agg).toMatchObject({ lo: want.min, hi: want.max });
    expect(Math.abs(numberOf(agg['s']) - want.sum)).toBeLessThanOrEqual(want.absSum * 1e-12);
  });
});
