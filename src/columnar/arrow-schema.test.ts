/**
 * The stored Parquet's units and clock as Arrow field metadata, read back by an independent Arrow reader:
 * parquet-wasm (arrow-rs's Parquet reader, which restores the schema from `ARROW:schema` as pyarrow does),
 * decoded with apache-arrow.
 */
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import type { StreamInfo } from '../domain/stream.js';
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
