import type { AsyncBuffer } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamInfo } from '../domain/stream.js';
import { BLOCK_BYTES, ReadCache } from './read-cache.js';
import { openStreamWindow, readStreamWindow } from './parquet-stream-reader.js';
import { StreamParquetWriter } from './parquet-stream-writer.js';

/** An AsyncBuffer over bytes in memory that counts its reads and the bytes they returned. */
function memoryFile(bytes: Uint8Array): AsyncBuffer & { reads: number; bytesRead: number } {
  const file = {
    reads: 0,
    bytesRead: 0,
    byteLength: bytes.length,
    slice(start: number, end?: number): Promise<ArrayBuffer> {
      file.reads++;
      const out = bytes.slice(start, end);
      file.bytesRead += out.byteLength;
      return Promise.resolve(out.buffer);
    },
  };
  return file;
}

/** Deterministic bytes that differ at every offset modulo 251. */
function patterned(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) % 251);
}

describe('ReadCache.memo', () => {
  it('makes a value once, shares it with concurrent callers, and keeps the bytes held within its bound', async () => {
    const cache = new ReadCache(1000);
    let made = 0;
    const make = async (): Promise<{ value: number; bytes: number }> => {
      made++;
      await new Promise((r) => setTimeout(r, 5));
      return { value: 42, bytes: 300 };
    };
    expect(await Promise.all([cache.memo('a', make), cache.memo('a', make), cache.memo('a', make)])).toEqual([42, 42, 42]);
    expect(await cache.memo('a', make)).toBe(42);
    expect(made).toBe(1);
    for (const id of ['b', 'c', 'd', 'e']) await cache.memo(id, make);
    // Five values of 300 bytes in 1,000: the least recently used went.
    expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
    expect(cache.stats().entries).toBe(3);
    made = 0;
    await cache.memo('a', make);
    expect(made).toBe(1);
  });

  it('hands back a value larger than the whole cache without keeping it, and keeps nothing at 0 bytes', async () => {
    const cache = new ReadCache(100);
    let made = 0;
    const big = (): Promise<{ value: string; bytes: number }> => Promise.resolve({ value: `v${++made}`, bytes: 101 });
    expect(await cache.memo('x', big)).toBe('v1');
    expect(await cache.memo('x', big)).toBe('v2');
    const none = new ReadCache(0);
    await none.memo('y', () => Promise.resolve({ value: 1, bytes: 1 }));
    expect(none.stats().entries).toBe(0);
  });

  it('does not keep a failed make: the next caller tries again', async () => {
    const cache = new ReadCache(1000);
    await expect(cache.memo('f', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(await cache.memo('f', () => Promise.resolve({ value: 'ok', bytes: 1 }))).toBe('ok');
  });
});

describe('ReadCache.blocks', () => {
  const size = 5 * BLOCK_BYTES + 1234;
  const bytes = patterned(size);

  it('answers every range with exactly the source bytes, across block edges and at the end', async () => {
    const src = memoryFile(bytes);
    const cached = new ReadCache(64 * BLOCK_BYTES).blocks(src, 'lod@1');
    const ranges: [number, number | undefined][] = [
      [0, 10], [BLOCK_BYTES - 3, BLOCK_BYTES + 3], [BLOCK_BYTES, 2 * BLOCK_BYTES], [3, 4 * BLOCK_BYTES + 17],
      [size - 5, size], [size - 5, undefined], [size - 1, size + 100], [7, 7], [2 * BLOCK_BYTES + 1, 2 * BLOCK_BYTES + 2],
    ];
    for (const [a, z] of ranges) {
      expect(new Uint8Array(await cached.slice(a, z))).toEqual(bytes.slice(a, Math.min(size, z ?? size)));
    }
    expect(cached.byteLength).toBe(size);
  });

  it('reads each block from the source once, the missing blocks of one range in one read', async () => {
    const src = memoryFile(bytes);
    const cached = new ReadCache(64 * BLOCK_BYTES).blocks(src, 'lod@1');
    await cached.slice(10, 3 * BLOCK_BYTES + 10);
    expect(src.reads).toBe(1);
    expect(src.bytesRead).toBe(4 * BLOCK_BYTES);
    const before = src.reads;
    for (let i = 0; i < 50; i++) await cached.slice(i * 997, i * 997 + 5000);
    expect(src.reads).toBe(before);
  });

  it('files another version of the object apart: its bytes are read again', async () => {
    const cache = new ReadCache(64 * BLOCK_BYTES);
    const v1 = memoryFile(bytes);
    const changed = bytes.slice();
    changed[100] = 255;
    const v2 = memoryFile(changed);
    expect(new Uint8Array(await cache.blocks(v1, 'lod@1').slice(100, 101))[0]).toBe(bytes[100]);
    expect(new Uint8Array(await cache.blocks(v2, 'lod@2').slice(100, 101))[0]).toBe(255);
    expect(v2.reads).toBe(1);
  });
});

describe('Parquet reads through a ReadCache', () => {
  const T0 = 1_700_000_000_000_000_000n;
  const STEP = 10_000_000n; // 100 Hz
  const ROWS = 100_000;
  const GROUP = 10_000;
  const stream: StreamInfo = { name: 'acc', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', nominalRateHz: 100 };
  let file: Uint8Array;
  beforeAll(async () => {
    const pieces: Uint8Array[] = [];
    const writer = new StreamParquetWriter(stream, { write: (b) => Promise.resolve(void pieces.push(b)) }, { rowGroupRows: GROUP });
    const t = BigInt64Array.from({ length: ROWS }, (_, i) => T0 + BigInt(i) * STEP);
    const ch = (k: number): Float32Array => Float32Array.from({ length: ROWS }, (_, i) => Math.sin(i / (20 + k)) * (k + 1));
    await writer.write({ length: ROWS, t, values: [ch(0), ch(1), ch(2)] });
    await writer.finish();
    file = new Uint8Array(Buffer.concat(pieces));
  });

  it('gives the same samples as an uncached read, and a repeated window reads nothing from the store', async () => {
    const cache = new ReadCache(64 * 1024 * 1024);
    const src = memoryFile(file);
    const window = { fromNs: T0 + 12_345n * STEP, toNs: T0 + 23_456n * STEP, maxPoints: 50_000 };
    const plain = await readStreamWindow(memoryFile(file), window);
    const first = await readStreamWindow(cache.source(src, 'acc.parquet@1'), window);
    expect(first.t).toEqual(plain.t);
    expect(first.channels).toEqual(plain.channels);
    expect(first.totalRowsInRange).toBe(23_456 - 12_345 + 1);
    const reads = src.reads;
    expect(reads).toBeGreaterThan(0);
    const again = await readStreamWindow(cache.source(memoryFile(file), 'acc.parquet@1'), window);
    const shifted = await readStreamWindow(cache.source(src, 'acc.parquet@1'), { ...window, fromNs: window.fromNs + 100n * STEP, toNs: window.toNs + 100n * STEP });
    expect(again.channels).toEqual(plain.channels);
    expect(shifted.totalRowsInRange).toBe(23_456 - 12_345 + 1);
    expect(src.reads).toBe(reads);
  });

  it('streams an audio-style window from cached groups without the cache\'s arrays being written to', async () => {
    const cache = new ReadCache(64 * 1024 * 1024);
    const fromNs = T0 + 5_000n * STEP;
    const toNs = T0 + 35_000n * STEP;
    const collect = async (): Promise<number[]> => {
      const { pieces } = await openStreamWindow(cache.source(memoryFile(file), 'acc.parquet@1'), fromNs, toNs);
      const xs: number[] = [];
      for await (const p of pieces) for (let i = 0; i < p.count; i++) xs.push(p.values[0]![p.index[i]!]!);
      return xs;
    };
    const a = await collect();
    const b = await collect();
    expect(a).toHaveLength(30_001);
    expect(b).toEqual(a);
    expect(a[0]).toBe(Math.fround(Math.sin(5_000 / 20)));
  });
});
