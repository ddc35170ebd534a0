/**
 * The stored Parquet's units and clock as Arrow field metadata, and a dataset file's nested types, read back
 * by an independent Arrow reader: parquet-wasm (arrow-rs's Parquet reader, which restores the schema from
 * `ARROW:schema` as pyarrow does), decoded with apache-arrow.
 */
import { tableFromIPC, type Field } from 'apache-arrow';
import { parquetMetadata } from 'hyparquet';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import type { StreamInfo } from '../domain/stream.js';
import { DatasetParquetWriter } from './dataset-parquet-writer.js';
import { StreamParquetWriter } from './parquet-stream-writer.js';

async function write(stream: StreamInfo, kv: Record<string, string>, rows: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const w = new StreamParquetWriter(stream, { write: (b) => { parts.push(b); return Promise.resolve(); } }, { kvMetadata: kv, rowGroupRows: 1000 });
  const t = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) t[i] = 1_700_000_000_000_000_000n + BigInt(i) * 10_000_000n;
  await w.write({ length: rows, t, values: stream.channels.map((_, c) => Float32Array.from({ length: rows }, (_, i) => c + i / 1000)) });
  await w.finish();
  return new Uint8Array(Buffer.concat(parts));
}

describe('ARROW:schema in the stream Parquet files', () => {
  it('gives each column its unit, the sensor and the original unit, and the time column its clock', async () => {
    const stream: StreamInfo = { name: 'gyroscope', kind: 'imu', sensor: 'gyroscope', channels: ['x', 'y', 'z'], unit: 'rad/s', originalUnit: 'deg/s', nominalRateHz: 100 };
    const table = tableFromIPC(readParquet(await write(stream, { 'fieldsense.clock': 'device-local' }, 2500)).intoIPCStream());
    const fields = Object.fromEntries(table.schema.fields.map((f) => [f.name, { type: String(f.type), nullable: f.nullable, metadata: Object.fromEntries(f.metadata) }]));
    expect(fields).toEqual({
      time: { type: 'Timestamp<NANOSECOND, UTC>', nullable: false, metadata: { unit: 'ns', clock: 'device-local' } },
      x: { type: 'Float32', nullable: false, metadata: { unit: 'rad/s', sensor: 'gyroscope', original_unit: 'deg/s' } },
      y: { type: 'Float32', nullable: false, metadata: { unit: 'rad/s', sensor: 'gyroscope', original_unit: 'deg/s' } },
      z: { type: 'Float32', nullable: false, metadata: { unit: 'rad/s', sensor: 'gyroscope', original_unit: 'deg/s' } },
    });
    expect(table.numRows).toBe(2500);
    expect(table.getChild('z')!.get(2499)).toBeCloseTo(2 + 2.499, 5);
    expect(table.getChild('time')!.get(1)).toBe(1_700_000_000_010);
  });

  it('a relative stream without a clock key and a channel without an original unit', async () => {
    const stream: StreamInfo = { name: 'audio', kind: 'audio', sensor: 'audio', channels: ['left', 'right'], unit: 'pcm', nominalRateHz: 16000 };
    const table = tableFromIPC(readParquet(await write(stream, {}, 10)).intoIPCStream());
    expect(Object.fromEntries(table.schema.fields[0]!.metadata)).toEqual({ unit: 'ns' });
    expect(Object.fromEntries(table.schema.fields[2]!.metadata)).toEqual({ unit: 'pcm', sensor: 'audio' });
  });
});

describe('ARROW:schema in the dataset Parquet files', () => {
  it('gives every column kind its Arrow type and nullability, lists and structs with their children', async () => {
    const parts: Uint8Array[] = [];
    const w = new DatasetParquetWriter({ write: (b) => { parts.push(b); return Promise.resolve(); } }, [
      { name: 's', kind: 'scalar', type: 'string', required: true },
      { name: 'd', kind: 'scalar', type: 'float64', required: false },
      { name: 'f', kind: 'scalar', type: 'float32', required: true },
      { name: 'i64', kind: 'scalar', type: 'int64', required: false },
      { name: 'i32', kind: 'scalar', type: 'int32', required: true },
      { name: 'b', kind: 'scalar', type: 'bool', required: false },
      { name: 'acc_x', kind: 'floatList' },
      { name: 'audio', kind: 'audio' },
    ], { kvMetadata: { huggingface: '{"info":{}}' } });
    await w.writeRowGroup(2, {
      s: ['a', 'b'], d: [1.5, null], f: [0.25, -1], i64: [null, 7n], i32: [3, -4], b: [true, null],
      acc_x: { values: Float32Array.of(1, 2, 3), offsets: Uint32Array.of(0, 3, 3) },
      audio: [{ bytes: Uint8Array.of(82, 73), path: 'a.wav' }, null],
    });
    await w.finish();
    const file = new Uint8Array(Buffer.concat(parts));
    const table = tableFromIPC(readParquet(file).intoIPCStream());
    const describe = (f: Field): unknown => ({
      name: f.name,
      type: f.type.toString(),
      nullable: f.nullable,
      ...((f.type.children as Field[] | null | undefined)?.length ? { children: (f.type.children as Field[]).map(describe) } : {}),
    });
    const expected = [
      { name: 's', type: 'Utf8', nullable: false },
      { name: 'd', type: 'Float64', nullable: true },
      { name: 'f', type: 'Float32', nullable: false },
      { name: 'i64', type: 'Int64', nullable: true },
      { name: 'i32', type: 'Int32', nullable: false },
      { name: 'b', type: 'Bool', nullable: true },
      { name: 'acc_x', type: 'List<Float32>', nullable: false, children: [{ name: 'element', type: 'Float32', nullable: false }] },
      {
        name: 'audio', type: 'Struct<{bytes:Binary, path:Utf8}>', nullable: true,
        children: [{ name: 'bytes', type: 'Binary', nullable: true }, { name: 'path', type: 'Utf8', nullable: true }],
      },
    ];
    expect(table.schema.fields.map(describe)).toEqual(expected);
    expect(table.schema.metadata.get('huggingface')).toBe('{"info":{}}');
    // The footer entry itself, decoded by apache-arrow as an IPC stream of just the schema message (then
    // end-of-stream), so the types above are the entry's and not what the reader would infer without it.
    const meta = parquetMetadata(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
    const entry = meta.key_value_metadata?.find((kv) => kv.key === 'ARROW:schema')?.value ?? '';
    const stored = tableFromIPC(new Uint8Array(Buffer.concat([Buffer.from(entry, 'base64'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])])));
    expect(stored.schema.fields.map(describe)).toEqual(expected);
    expect(stored.schema.metadata.get('huggingface')).toBe('{"info":{}}');
    expect(table.toArray().map((r) => r.toJSON())).toMatchObject([
      { s: 'a', d: 1.5, f: 0.25, i64: null, i32: 3, b: true },
      { s: 'b', d: null, f: -1, i64: 7n, i32: -4, b: null, audio: null },
    ]);
    expect([...(table.getChild('acc_x')?.get(0) as { toArray(): Float32Array }).toArray()]).toEqual([1, 2, 3]);
    expect([...(table.getChild('audio')?.get(0) as { bytes: Uint8Array }).bytes]).toEqual([82, 73]);
  });
});
