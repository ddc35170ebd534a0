import type { AsyncBuffer } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamInfo } from '../domain/stream.js';
import { openStreamWindow } from './parquet-stream-reader.js';
import { StreamParquetWriter } from './parquet-stream-writer.js';

const T0 = 1_700_000_000_000_000_000n;
const STEP = 62_500n; // 16 kHz
const ROWS = 200_000;
const GROUP = 20_000;
const stream: StreamInfo = { name: 'audio', kind: 'audio', sensor: 'audio', channels: ['left', 'right'], unit: 'pcm', nominalRateHz: 16000 };
const tOf = (i: number): bigint => T0 + BigInt(i) * STEP;
const left = (i: number): number => Math.fround(Math.sin(i / 50));
const right = (i: number): number => Math.fround(i / ROWS);

/** An AsyncBuffer over bytes in memory that counts its reads. */
function memoryFile(bytes: Uint8Array): AsyncBuffer & { reads: number } {
  const file = {
    reads: 0,
    byteLength: bytes.length,
    slice(start: number, end?: number): Promise<ArrayBuffer> {
      file.reads++;
      return Promise.resolve(bytes.slice(start, end).buffer);
    },
  };
  return file;
}

describe('openStreamWindow: a time window one row group at a time', () => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    const pieces: Uint8Array[] = [];
    const writer = new StreamParquetWriter(stream, { write: (b) => Promise.resolve(void pieces.push(b)) }, { rowGroupRows: GROUP });
    const t = BigInt64Array.from({ length: ROWS }, (_, i) => tOf(i));
    await writer.write({ length: ROWS, t, values: [Float32Array.from({ length: ROWS }, (_, i) => left(i)), Float32Array.from({ length: ROWS }, (_, i) => right(i))] });
    await writer.finish();
    bytes = new Uint8Array(Buffer.concat(pieces));
  });

  it('gives exactly the rows in [fromNs, toNs], their times relative to fromNs, and reads only the groups it overlaps', async () => {
    const file = memoryFile(bytes);
    const from = tOf(45_000) + 1n; // excludes row 45,000
    const to = tOf(70_000); // includes row 70,000
    const { stream: info, pieces } = await openStreamWindow(file, from, to);
    expect(info).toEqual(stream);
    const footerReads = file.reads;
    const rows: number[] = [];
    let groups = 0;
    for await (const p of pieces) {
      groups++;
      for (let k = 0; k < p.count; k++) {
        const i = Math.round((p.relNs[k]! + Number(from - T0)) / Number(STEP));
        expect(p.relNs[k]).toBe(Number(tOf(i) - from));
        expect([p.values[0]![p.index[k]!], p.values[1]![p.index[k]!]]).toEqual([left(i), right(i)]);
        rows.push(i);
      }
    }
    expect(rows).toEqual(Array.from({ length: 25_000 }, (_, k) => 45_001 + k));
    // Rows 45,001 … 70,000 lie in groups 2, 3 (rows 40,000 … 79,999): one read each.
    expect(groups).toBe(2);
    expect(file.reads - footerReads).toBe(2);
  });

  it('an empty or reversed window gives no pieces; the footer is read before any piece is asked for', async () => {
    const file = memoryFile(bytes);
    const before = await openStreamWindow(file, tOf(-1000), tOf(-1));
    const reads = file.reads;
    expect(reads).toBeGreaterThan(0);
    let n = 0;
    for await (const _ of before.pieces) n++;
    const reversed = await openStreamWindow(file, tOf(10), tOf(5));
    for await (const _ of reversed.pieces) n++;
    expect(n).toBe(0);
  });
});
