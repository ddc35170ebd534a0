import type { AsyncBuffer } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamInfo } from '../domain/stream.js';
import { AppError } from '../lib/errors.js';
import { readStreamChunks, readStreamInfo, readStreamWindow } from './parquet-stream-reader.js';
import { StreamParquetWriter } from './parquet-stream-writer.js';

const T0 = 1698765432123456789n;
const STEP = 10_000_000n;
const ROWS = 1_000_000;
const GROUP = 100_000;
const SPIKE_UP = 654_321;
const SPIKE_DOWN = 123_457;
const stream: StreamInfo = { name: 'gyroscope', kind: 'imu', sensor: 'gyroscope', channels: ['x', 'y', 'z'], unit: 'rad/s', nominalRateHz: 100 };

const tOf = (i: number): bigint => T0 + BigInt(i) * STEP;
const x = (i: number): number => Math.fround(Math.sin(i / 1000));
/** Flat but for one spike up and one down: an envelope must keep both. */
const y = (i: number): number => (i === SPIKE_UP ? 500 : i === SPIKE_DOWN ? -400 : Math.fround(0.25 * ((i % 7) - 3)));
const z = (i: number): number => (i >= 500_000 && i < 500_100 ? NaN : Math.fround(i / ROWS));

/** An AsyncBuffer over bytes in memory that counts what is fetched. */
function memoryFile(bytes: Uint8Array): AsyncBuffer & { fetched: number } {
  const file = {
    fetched: 0,
    byteLength: bytes.length,
    slice(start: number, end?: number): Promise<ArrayBuffer> {
      const part = bytes.slice(start, end);
      file.fetched += part.length;
      return Promise.resolve(part.buffer);
    },
  };
  return file;
}

async function writeStream(rows: number, rowGroupRows: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const writer = new StreamParquetWriter(stream, { write: (b) => Promise.resolve(void pieces.push(b)) }, { rowGroupRows });
  const CHUNK = 50_000;
  for (let s = 0; s < rows; s += CHUNK) {
    const n = Math.min(CHUNK, rows - s);
    const t = new BigInt64Array(n);
    const values = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    for (let k = 0; k < n; k++) {
      t[k] = tOf(s + k);
      (values[0] as Float32Array)[k] = x(s + k);
      (values[1] as Float32Array)[k] = y(s + k);
      (values[2] as Float32Array)[k] = z(s + k);
    }
    await writer.write({ length: n, t, values });
  }
  await writer.finish();
  return new Uint8Array(Buffer.concat(pieces));
}

describe('readStreamWindow / readStreamInfo over 1 M rows in 10 row groups', () => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = await writeStream(ROWS, GROUP);
  });

  it('reads the stream description and time span from the footer', async () => {
    const file = memoryFile(bytes);
    expect(await readStreamInfo(file)).toEqual({ stream, rows: ROWS, firstNs: tOf(0), lastNs: tOf(ROWS - 1) });
    expect(file.fetched).toBeLessThanOrEqual(64 * 1024);
  });

  it('returns exactly the rows of a sub-range (bounds inclusive), reading only the row groups it overlaps', async () => {
    const file = memoryFile(bytes);
    const from = tOf(300_000) + 1n; // just after row 300,000: excludes it
    const to = tOf(400_000); // row 400,000 exactly: included
    const w = await readStreamWindow(file, { fromNs: from, toNs: to, maxPoints: 200_000 });
    expect(w.reduced).toBe(false);
    expect(w.totalRowsInRange).toBe(100_000);
    expect(w.t.length).toBe(100_000);
    expect(w.t[0]).toBe(tOf(300_001));
    expect(w.t[w.t.length - 1]).toBe(tOf(400_000));
    for (const [name, f] of [['x', x], ['y', y], ['z', z]] as const) {
      const v = w.channels[name] as Float32Array;
      expect(v.length).toBe(100_000);
      expect([v[0], v[50_000], v[99_999]]).toEqual([f(300_001), f(350_001), f(400_000)]);
    }
    // rows 300,001..400,000 live in groups 3 and 4 (of 10): the other eight are never fetched
    expect(file.fetched).toBeLessThan(bytes.length * 0.3);
  });

  it('reduces a long range to a min/max envelope of at most maxPoints per channel, keeping the extremes', async () => {
    const file = memoryFile(bytes);
    const w = await readStreamWindow(file, { maxPoints: 1000 });
    expect(w.reduced).toBe(true);
    expect(w.totalRowsInRange).toBe(ROWS);
    expect(w.t.length).toBeLessThanOrEqual(1000);
    expect(w.t.length).toBeGreaterThan(900);
    for (const v of Object.values(w.channels)) expect(v.length).toBe(w.t.length);
    for (let i = 1; i < w.t.length; i++) expect((w.t[i] as bigint) >= (w.t[i - 1] as bigint)).toBe(true);
    expect(w.t[0]).toBe(tOf(0));
    expect(w.t[w.t.length - 1]).toBe(tOf(ROWS - 1));

    const ys = Array.from(w.channels.y ?? []);
    expect(Math.max(...ys)).toBe(500);
    expect(Math.min(...ys)).toBe(-400);
    // the spike sits within one bucket (1 M rows / 500 buckets) of its true time
    const at = w.t[ys.indexOf(500)] as bigint;
    expect(at >= tOf(SPIKE_UP - 2000) && at <= tOf(SPIKE_UP + 2000)).toBe(true);
    // z has 100 NaN rows inside one bucket: min/max skip them
    expect(Array.from(w.channels.z ?? []).some((v) => Number.isNaN(v))).toBe(false);
    expect(Math.min(...Array.from(w.channels.x ?? []))).toBe(Math.fround(-1));
  });

  it('handles windows wider than 2^53 ns (BigInt comparisons, times within ~1 µs)', async () => {
    const w = await readStreamWindow(memoryFile(bytes), { fromNs: -(2n ** 62n), toNs: 2n ** 62n, maxPoints: 1000 });
    // all rows fall in one of the 500 buckets (each ~2^54 ns wide)
    expect(w).toMatchObject({ reduced: true, totalRowsInRange: ROWS });
    expect(Array.from(w.channels.y ?? []).sort((a, b) => a - b)).toEqual([-400, 500]);
    const first = w.t[0] as bigint;
    expect(first - tOf(0) <= 1024n && tOf(0) - first <= 1024n).toBe(true);
  });

  it('keeps each channel’s min/max in the order they occurred', async () => {
    // 2 buckets over rows 0..6283: rows 0..3141 and 3142..6283; x = sin(i/1000) rises then falls in the
    // first, falls then rises in the second
    const w = await readStreamWindow(memoryFile(bytes), { fromNs: tOf(0), toNs: tOf(6283), maxPoints: 4 });
    expect(w.reduced).toBe(true);
    expect(Array.from(w.t)).toEqual([tOf(0), tOf(3141), tOf(3142), tOf(6283)]);
    const extremes = (a: number, b: number): number[] => {
      let lo = a;
      let hi = a;
      for (let i = a; i <= b; i++) {
        if (x(i) < x(lo)) lo = i;
        if (x(i) > x(hi)) hi = i;
      }
      return lo <= hi ? [x(lo), x(hi)] : [x(hi), x(lo)];
    };
    expect(Array.from(w.channels.x ?? [])).toEqual([...extremes(0, 3141), ...extremes(3142, 6283)]);
    expect(extremes(0, 3141)[1]).toBeGreaterThan(0.9999); // the rise to sin's max comes after the min
  });

  it('returns the samples themselves when the range holds at most maxPoints, even if its row groups hold more', async () => {
    const w = await readStreamWindow(memoryFile(bytes), { fromNs: tOf(150_000), toNs: tOf(150_499), maxPoints: 1000 });
    expect(w.reduced).toBe(false);
    expect(w.totalRowsInRange).toBe(500);
    expect(Array.from(w.t.subarray(0, 2))).toEqual([tOf(150_000), tOf(150_001)]);
  });

  it('returns nothing for a window between or outside the samples', async () => {
    const between = await readStreamWindow(memoryFile(bytes), { fromNs: tOf(10) + 1n, toNs: tOf(11) - 1n, maxPoints: 10 });
    expect(between).toEqual({ t: new BigInt64Array(0), channels: { x: new Float32Array(0), y: new Float32Array(0), z: new Float32Array(0) }, reduced: false, totalRowsInRange: 0 });
    const file = memoryFile(bytes);
    const after = await readStreamWindow(file, { fromNs: tOf(ROWS), maxPoints: 10 });
    expect(after.totalRowsInRange).toBe(0);
    expect(file.fetched).toBeLessThanOrEqual(64 * 1024); // footer only
  });

  it('rejects cleanly when a row group read fails, including one read ahead', async () => {
    let reads = 0;
    const flaky: AsyncBuffer = {
      byteLength: bytes.length,
      slice: async (start, end) => {
        reads++;
        await new Promise((resolve) => setTimeout(resolve, reads === 2 ? 20 : 1)); // group 0 arrives after group 1 failed
        if (reads === 3) throw new Error('S3 said no');
        return bytes.slice(start, end).buffer;
      },
    };
    await expect(readStreamWindow(flaky, { maxPoints: 100 })).rejects.toThrow('S3 said no');
  });

  it('refuses maxPoints < 2 and reversed windows', async () => {
    await expect(readStreamWindow(memoryFile(bytes), { maxPoints: 1 })).rejects.toBeInstanceOf(AppError);
    await expect(readStreamWindow(memoryFile(bytes), { fromNs: 2n, toNs: 1n, maxPoints: 10 })).rejects.toThrow(/after it ends/);
  });
});

describe('readStreamWindow: small and empty files', () => {
  it('reads a file with no rows', async () => {
    const file = memoryFile(await writeStream(0, 1000));
    expect(await readStreamInfo(file)).toEqual({ stream, rows: 0, firstNs: null, lastNs: null });
    const w = await readStreamWindow(file, { maxPoints: 100 });
    expect(w).toMatchObject({ reduced: false, totalRowsInRange: 0 });
    expect(w.t.length).toBe(0);
    expect(Object.keys(w.channels)).toEqual(['x', 'y', 'z']);
  });

  it('gives one point for a bucket holding a single sample', async () => {
    const file = memoryFile(await writeStream(6, 1000));
    // rows 0..5 in a 9-step window split in 2 buckets of 4.5 steps: rows 0..4, then row 5 alone
    const w = await readStreamWindow(file, { fromNs: tOf(0), toNs: tOf(9), maxPoints: 5 });
    expect(w.reduced).toBe(true);
    expect(w.totalRowsInRange).toBe(6);
    expect(Array.from(w.t)).toEqual([tOf(0), tOf(4), tOf(5)]);
    expect(Array.from(w.channels.y ?? [])).toEqual([y(0), y(4), y(5)]);
    expect(await readStreamWindow(file, { maxPoints: 6 })).toMatchObject({ reduced: false, totalRowsInRange: 6 });
  });
});

describe('readStreamChunks', () => {
  it('hands back every row, in order, one chunk per row group, each its own arrays (NaN kept)', async () => {
    const rows = 650_000;
    const chunks = [];
    for await (const c of readStreamChunks(memoryFile(await writeStream(rows, GROUP)))) chunks.push(c);
    expect(chunks.map((c) => c.length)).toEqual([100_000, 100_000, 100_000, 100_000, 100_000, 100_000, 50_000]);
    let i = 0;
    let nan = 0;
    for (const c of chunks) {
      for (let k = 0; k < c.length; k++, i++) {
        if (c.t[k] !== tOf(i) || c.values[0]![k] !== x(i) || c.values[1]![k] !== y(i)) throw new Error(`row ${i} differs`);
        const zv = c.values[2]![k]!;
        if (Number.isNaN(zv)) nan++;
        else if (zv !== z(i)) throw new Error(`row ${i} z differs`);
      }
    }
    expect(i).toBe(rows);
    expect(nan).toBe(100);
    // Chunks are not views of one reused buffer: the first is intact after the last was read.
    expect(chunks[0]!.t[0]).toBe(T0);
    expect(chunks[0]!.values[0]!.buffer).not.toBe(chunks[1]!.values[0]!.buffer);
  });
});
