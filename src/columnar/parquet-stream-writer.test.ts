import { parquetMetadata, parquetRead, parquetReadObjects } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { regularChunk } from '../domain/chunk-times.js';
import { FrameClock } from '../domain/frame-clock.js';
import type { SampleChunk, StreamInfo } from '../domain/stream.js';
import { StreamParquetWriter, type ByteSink } from './parquet-stream-writer.js';

const T0 = 1698765432123456789n;
const STEP = 10_000_000n;
const ROWS = 1_000_000;
const stream: StreamInfo = {
  name: 'accelerometer',
  kind: 'imu',
  sensor: 'accelerometer',
  channels: ['x', 'y', 'z'],
  unit: 'm/s^2',
  nominalRateHz: 100,
};

/** Collects what the writer hands over, checking it never writes concurrently or in huge pieces. */
class MemorySink implements ByteSink {
  pieces: Uint8Array[] = [];
  inFlight = 0;
  maxInFlight = 0;
  async write(bytes: Uint8Array): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.pieces.push(bytes);
    this.inFlight--;
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.pieces)); // a copy: Buffer#slice would not copy
  }
}

function memoryFile(bytes: Uint8Array): AsyncBuffer {
  return { byteLength: bytes.length, slice: (start, end) => Promise.resolve(bytes.slice(start, end).buffer) };
}

const keepNs = { timestampFromNanoseconds: (ns: bigint) => ns };

/** One whole column through hyparquet's own reader (not ours), with times as bigint ns. */
async function readColumn(bytes: Uint8Array, column: string): Promise<unknown[]> {
  const out: unknown[] = [];
  await parquetRead({
    file: memoryFile(bytes),
    columns: [column],
    parsers: keepNs,
    onChunk: ({ columnData, rowStart }) => {
      for (let i = 0; i < columnData.length; i++) out[rowStart + i] = columnData[i];
    },
  });
  return out;
}

const x = (i: number): number => Math.fround(Math.sin(i / 100) * 9.81);
const y = (i: number): number => (i % 50_000 === 7 ? NaN : i % 50_000 === 8 ? -0 : Math.fround(i / 3));
const z = (i: number): number => Math.fround(9.81 + (i % 13) * 0.001);

/** Rows [start, start + n) of the synthetic stream. */
function chunk(start: number, n: number): SampleChunk {
  const t = new BigInt64Array(n);
  const values = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
  for (let k = 0; k < n; k++) {
    const i = start + k;
    t[k] = T0 + BigInt(i) * STEP;
    values[0][k] = x(i);
    values[1][k] = y(i);
    values[2][k] = z(i);
  }
  return { length: n, t, values: [...values] };
}

async function writeRows(rows: number, chunkRows: number, opts?: ConstructorParameters<typeof StreamParquetWriter>[2]) {
  const sink = new MemorySink();
  const writer = new StreamParquetWriter(stream, sink, opts);
  for (let s = 0; s < rows; s += chunkRows) await writer.write(chunk(s, Math.min(chunkRows, rows - s)));
  const summary = await writer.finish();
  return { sink, summary, bytes: sink.bytes() };
}

describe('StreamParquetWriter: 1 M rows, 3 channels', () => {
  let bytes: Uint8Array;
  let sink: MemorySink;
  let summary: Awaited<ReturnType<StreamParquetWriter['finish']>>;
  let metadata: FileMetaData;

  beforeAll(async () => {
    ({ bytes, sink, summary } = await writeRows(ROWS, 65_536, { kvMetadata: { 'fieldsense.recording': 'rec_123' } }));
    metadata = parquetMetadata(bytes.slice().buffer, { parsers: keepNs });
  });

  it('writes several row groups, sequentially, in bounded pieces', () => {
    expect(summary).toEqual({ rows: ROWS, bytes: bytes.length, rowGroups: 4 });
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([262_144, 262_144, 262_144, 213_568]);
    expect(sink.maxInFlight).toBe(1);
    expect(Math.max(...sink.pieces.map((p) => p.length))).toBeLessThanOrEqual(1 << 20);
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('PAR1');
    expect(Buffer.from(bytes.subarray(-4)).toString()).toBe('PAR1');
  });

  it('declares time as TIMESTAMP(NANOS, UTC) and the channels as FLOAT, all required', () => {
    expect(metadata.schema.slice(1)).toEqual([
      { name: 'time', type: 'INT64', repetition_type: 'REQUIRED', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } },
      { name: 'x', type: 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'y', type: 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'z', type: 'FLOAT', repetition_type: 'REQUIRED' },
    ]);
    const kv = Object.fromEntries((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    expect(JSON.parse(kv['fieldsense.stream'] ?? 'null')).toEqual(stream);
    expect(kv['fieldsense.recording']).toBe('rec_123');
  });

  it('uses DELTA_BINARY_PACKED for time, BYTE_STREAM_SPLIT for channels, snappy, and per-group time statistics', () => {
    let row = 0;
    for (const g of metadata.row_groups) {
      const [time, ...channels] = g.columns.map((c) => c.meta_data);
      expect(time?.encodings).toEqual(['DELTA_BINARY_PACKED']);
      expect(time?.codec).toBe('SNAPPY');
      expect(time?.statistics?.min_value).toBe(T0 + BigInt(row) * STEP);
      row += Number(g.num_rows);
      expect(time?.statistics?.max_value).toBe(T0 + BigInt(row - 1) * STEP);
      for (const c of channels) expect(c?.encodings).toEqual(['BYTE_STREAM_SPLIT']);
    }
    const y0 = metadata.row_groups[0]?.columns[2]?.meta_data?.statistics;
    expect(y0?.min_value).toBe(-0); // 0 and -0 in the group, NaN left out
    expect(y0?.max_value).toBe(Math.fround(262_143 / 3));
  });

  it('reads back with hyparquet: exact ns times and float32 values', async () => {
    const times = await readColumn(bytes, 'time');
    expect(times.length).toBe(ROWS);
    let bad = -1;
    for (let i = 0; i < ROWS && bad < 0; i++) if (times[i] !== T0 + BigInt(i) * STEP) bad = i;
    expect(bad).toBe(-1);
    expect(times[ROWS - 1]).toBe(1698765432123456789n + 999_999n * 10_000_000n);
    for (const [name, f] of [['x', x], ['y', y], ['z', z]] as const) {
      const values = await readColumn(bytes, name);
      expect(values.length).toBe(ROWS);
      for (let i = 0; i < ROWS && bad < 0; i++) if (!Object.is(values[i], f(i))) bad = i;
      expect(bad, `${name}[${bad}]`).toBe(-1);
    }
  });

  it('reads back as objects across a row-group boundary', async () => {
    const rows = await parquetReadObjects({
      file: memoryFile(bytes),
      rowStart: 262_140,
      rowEnd: 262_150,
      parsers: keepNs,
    });
    expect(rows).toEqual(Array.from({ length: 10 }, (_, k) => {
      const i = 262_140 + k;
      return { time: T0 + BigInt(i) * STEP, x: x(i), y: y(i), z: z(i) };
    }));
  });
});

describe('StreamParquetWriter: edge cases', () => {
  it('writes a valid file with the schema and no row group when there are no rows', async () => {
    const { bytes, summary } = await writeRows(0, 1);
    expect(summary).toEqual({ rows: 0, bytes: bytes.length, rowGroups: 0 });
    const metadata = parquetMetadata(bytes.slice().buffer);
    expect(metadata.num_rows).toBe(0n);
    expect(metadata.schema.map((e) => e.name)).toEqual(['schema', 'time', 'x', 'y', 'z']);
    expect(await parquetReadObjects({ file: memoryFile(bytes) })).toEqual([]);
  });

  it('splits and merges chunks of any size into row groups of rowGroupRows', async () => {
    const sink = new MemorySink();
    const writer = new StreamParquetWriter(stream, sink, { rowGroupRows: 1000 });
    const sizes = [2500, 7, 0, 493, 1, 1999];
    let start = 0;
    for (const n of sizes) {
      await writer.write(chunk(start, n));
      start += n;
    }
    expect(await writer.finish()).toMatchObject({ rows: 5000, rowGroups: 5 });
    const times = await readColumn(sink.bytes(), 'time');
    expect(times).toEqual(Array.from({ length: 5000 }, (_, i) => T0 + BigInt(i) * STEP));
  });

  it('writes the same file from regular chunks (clock + first frame) as from their explicit times', async () => {
    const clock = new FrameClock(44_100, T0);
    const write = async (regular: boolean): Promise<Uint8Array> => {
      const sink = new MemorySink();
      const writer = new StreamParquetWriter({ ...stream, channels: ['x'], nominalRateHz: 44_100 }, sink, { rowGroupRows: 1000 });
      let first = 0;
      for (const n of [700, 1, 1299, 2000]) {
        const values = [Float32Array.from({ length: n }, (_, i) => x(first + i))];
        const t = new BigInt64Array(n);
        clock.fill(t, first, n);
        await writer.write(regular ? regularChunk(n, values, clock, first) : { length: n, t, values });
        first += n;
      }
      await writer.finish();
      return sink.bytes();
    };
    const fromClock = await write(true);
    expect(fromClock).toEqual(await write(false));
    const times = await readColumn(fromClock, 'time');
    expect(times[4000 - 1]).toBe(clock.at(3999));
    expect(times[44_100 % 4000]).toBe(clock.at(44_100 % 4000));
  });

  it('only reads the first `length` values of a chunk', async () => {
    const sink = new MemorySink();
    const writer = new StreamParquetWriter(stream, sink);
    const c = chunk(0, 10);
    await writer.write({ ...c, length: 4 });
    await writer.finish();
    expect(await parquetReadObjects({ file: memoryFile(sink.bytes()), columns: ['x'] })).toEqual([0, 1, 2, 3].map((i) => ({ x: x(i) })));
  });

  it('refuses bad channels, bad chunks, reserved metadata and calls after finish', async () => {
    const sink = new MemorySink();
    expect(() => new StreamParquetWriter({ ...stream, channels: ['x', 'time'] }, sink)).toThrow(/reserved/);
    expect(() => new StreamParquetWriter({ ...stream, channels: ['x', 'x'] }, sink)).toThrow(/repeated/);
    expect(() => new StreamParquetWriter(stream, sink, { kvMetadata: { 'fieldsense.stream': '{}' } })).toThrow(/reserved/);
    expect(() => new StreamParquetWriter(stream, sink, { rowGroupRows: 0 })).toThrow(RangeError);

    const w1 = new StreamParquetWriter(stream, sink);
    await expect(w1.write({ ...chunk(0, 5), values: [new Float32Array(5)] })).rejects.toThrow(/3 channels/);
    await expect(w1.write(chunk(0, 5))).rejects.toThrow(/failed/);

    const w2 = new StreamParquetWriter(stream, sink);
    await w2.finish();
    await expect(w2.write(chunk(0, 5))).rejects.toThrow(/finished/);
  });

  it('fails, and stays failed, when the sink fails', async () => {
    const writer = new StreamParquetWriter(stream, { write: () => Promise.reject(new Error('disk full')) }, { rowGroupRows: 10 });
    await expect(writer.write(chunk(0, 25))).rejects.toThrow('disk full');
    await expect(writer.finish()).rejects.toThrow(/failed/);
  });
});
