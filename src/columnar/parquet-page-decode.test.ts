import { parquetMetadata, parquetRead } from 'hyparquet';
import type { ColumnData } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { StreamInfo } from '../domain/stream.js';
import { Float32SplitEncoder, Int64DeltaEncoder } from './parquet-encoding.js';
import { decodeChunk, decodeFloatSplit, decodeInt64Delta } from './parquet-page-decode.js';
import { readStreamChunks } from './parquet-stream-reader.js';
import { StreamParquetWriter } from './parquet-stream-writer.js';
import { deltaBinaryUnpack } from './vendor/hyparquet/delta.js';

let seed = 11;
function rnd(): number {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
}

const T0 = 1698765432123456789n;
/** Time series that reach every branch of the decoder: regular, jittered, steps back, gaps, wrapping low words. */
const series: Record<string, () => BigInt64Array> = {
  one: () => BigInt64Array.of(T0),
  two: () => BigInt64Array.of(T0, T0 + 10_000_000n),
  'exactly regular (zero-width miniblocks)': () => BigInt64Array.from({ length: 1000 }, (_, i) => T0 + BigInt(i) * 10_000_000n),
  'jittered ±1 ms, 100 Hz': () => BigInt64Array.from({ length: 5000 }, (_, i) => T0 + BigInt(i) * 10_000_000n + BigInt(Math.floor(rnd() * 2_000_000))),
  'block and miniblock edges (31, 33, 129, 130 values)': () => BigInt64Array.from({ length: 130 }, (_, i) => T0 + BigInt(i * i)),
  'clock steps back and a 1-hour gap': () =>
    BigInt64Array.from({ length: 4000 }, (_, i) => T0 + BigInt(i) * 10_000_000n - (i % 97 === 0 ? 50_000_000n : 0n) + (i >= 2000 ? 3_600_000_000_000n : 0n)),
  'decreasing and negative': () => BigInt64Array.from({ length: 300 }, (_, i) => -T0 - BigInt(i) * 7_777_777n),
  'low word wraps': () => BigInt64Array.from({ length: 300 }, (_, i) => 0xffff_fff0n + BigInt(i) * 3n - 500n),
  'wide deltas, 33..51 bits': () => BigInt64Array.from({ length: 700 }, (_, i) => T0 + BigInt(i) * 2n ** 40n + BigInt(Math.floor(rnd() * 2 ** 50))),
};
for (const n of [31, 33, 129]) series[`${n} values`] = () => BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(i) * 9_999_937n + BigInt(i % 3));

/** The first index where two arrays differ, with both values (so that a failure prints one line, not a diff of millions). */
function firstDifference(a: ArrayLike<unknown>, b: ArrayLike<unknown> | undefined): { at: number; got?: unknown; want?: unknown } {
  if (b === undefined) return { at: -2 };
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return { at: i, got: a[i], want: b[i] };
  return { at: -1 };
}

/** hyparquet's decoder (BigInt per value): the reference. */
function reference(bytes: Uint8Array, count: number): BigInt64Array {
  const out = new BigInt64Array(count);
  deltaBinaryUnpack({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, count, out);
  return out;
}

describe('decodeInt64Delta', () => {
  for (const [name, make] of Object.entries(series)) {
    it(`gives hyparquet's values: ${name}`, () => {
      const values = make();
      const bytes = new Int64DeltaEncoder().encode(values).slice();
      const out = new BigInt64Array(values.length + 3);
      decodeInt64Delta(bytes, values.length, out, 2);
      expect(firstDifference(out.subarray(2, 2 + values.length), reference(bytes, values.length))).toEqual({ at: -1 });
      expect(firstDifference(out.subarray(2, 2 + values.length), values)).toEqual({ at: -1 });
      expect([out[0], out[1], out[values.length + 2]]).toEqual([0n, 0n, 0n]);
    });
  }

  it('refuses deltas wider than a double holds exactly, so that hyparquet reads them', () => {
    const values = BigInt64Array.of(0n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, 5n);
    const bytes = new Int64DeltaEncoder().encode(values).slice();
    expect(() => decodeInt64Delta(bytes, values.length, new BigInt64Array(values.length), 0)).toThrow(/52 bits/);
  });
});

describe('decodeFloatSplit', () => {
  it('gives back every float bit for bit, NaN payloads and -0 included', () => {
    const values = new Float32Array(10_001);
    for (let i = 0; i < values.length; i++) values[i] = Math.fround((rnd() - 0.5) * 10 ** ((i % 20) - 10));
    const bits = new Uint32Array(values.buffer);
    bits[5] = 0x7fc00001;
    bits[6] = 0xffa00000;
    values[7] = -0;
    const page = new Float32SplitEncoder().encode(values).slice();
    const out = new Float32Array(values.length + 1);
    decodeFloatSplit(page, values.length, out, 1);
    expect(Buffer.from(out.buffer, 4, values.length * 4).equals(Buffer.from(values.buffer))).toBe(true);
  });
});

const stream: StreamInfo = { name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', unit: 'm/s^2', channels: ['x', 'y', 'z'], nominalRateHz: 100 };

/** A stream file our writer wrote, with an awkward time axis and NaNs. */
async function writeFile(times: BigInt64Array, rowGroupRows: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const writer = new StreamParquetWriter(stream, { write: (b) => Promise.resolve(void pieces.push(b)) }, { rowGroupRows });
  const n = times.length;
  const values = [0, 1, 2].map((c) => Float32Array.from({ length: n }, (_, i) => (i % 1013 === c ? NaN : Math.fround(Math.sin(i / 50 + c) * 9.81))));
  await writer.write({ length: n, t: times, values });
  await writer.finish();
  return new Uint8Array(Buffer.concat(pieces));
}

describe('stream files read through our page decoders', () => {
  const rows = 300_000;
  const times = BigInt64Array.from({ length: rows }, (_, i) => T0 + BigInt(i) * 10_000_000n + BigInt((i * 7919) % 2_000_000) + (i > 150_000 ? 86_400_000_000_000n : 0n) - (i % 5000 === 0 ? 30_000_000n : 0n));

  it('decodes every chunk our writer wrote itself (the fast path is taken) and equals hyparquet', async () => {
    const bytes = await writeFile(times, 65_536);
    const whole = bytes.slice().buffer;
    const meta = parquetMetadata(whole);
    let decoded = 0;
    for (const [g, rg] of meta.row_groups.entries()) {
      const rowStart = meta.row_groups.slice(0, g).reduce((s, r) => s + Number(r.num_rows), 0);
      const n = Number(rg.num_rows);
      const expected = new Map<string, ColumnData['columnData']>();
      await parquetRead({
        file: whole,
        metadata: { ...meta, schema: meta.schema.map((e) => (e.name === 'time' ? { ...e, logical_type: undefined } : e)) },
        rowStart,
        rowEnd: rowStart + n,
        onChunk: ({ columnName, columnData }) => void expected.set(columnName, columnData),
      });
      for (const c of rg.columns) {
        const m = c.meta_data;
        if (m === undefined) throw new Error('no column metadata');
        const name = m.path_in_schema[0] as string;
        const start = Number(m.data_page_offset);
        const out = m.type === 'INT64' ? new BigInt64Array(n) : new Float32Array(n);
        const ok = decodeChunk(bytes.subarray(start, start + Number(m.total_compressed_size)), { type: m.type as 'INT64' | 'FLOAT', codec: m.codec, rows: n }, out);
        expect(ok, `${name} in group ${g}`).toBe(true);
        expect(firstDifference(out, expected.get(name)), `${name} in group ${g}`).toEqual({ at: -1 });
        decoded++;
      }
    }
    expect(decoded).toBe(meta.row_groups.length * 4);
  });

  it('readStreamChunks gives every sample, also when a group needs hyparquet (deltas beyond 52 bits)', async () => {
    const wild = times.slice(0, 70_000);
    wild[66_000] = 2n ** 62n;
    const bytes = await writeFile(wild, 65_536);
    const file = { byteLength: bytes.length, slice: (s: number, e?: number): ArrayBuffer => bytes.slice(s, e).buffer };
    const got: bigint[] = [];
    let nan = 0;
    for await (const chunk of readStreamChunks(file)) {
      got.push(...chunk.t);
      nan += (chunk.values[0] as Float32Array).filter((v) => Number.isNaN(v)).length;
    }
    expect(firstDifference(BigInt64Array.from(got), wild)).toEqual({ at: -1 });
    expect(nan).toBe(Math.floor((70_000 - 1) / 1013) + 1);
  });
});
