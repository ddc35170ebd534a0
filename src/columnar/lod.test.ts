import { describe, expect, it } from 'vitest';
import { regularChunk } from '../domain/chunk-times.js';
import { FrameClock } from '../domain/frame-clock.js';
import type { SampleChunk } from '../domain/stream.js';
import { LodBuilder, readLodHeader, readLodWindow, type LodSource } from './lod.js';

const T0 = 1_700_000_000_000_000_000n;

function source(bytes: Uint8Array): LodSource {
  return { byteLength: bytes.length, slice: (s, e) => Promise.resolve(bytes.slice(s, e).buffer) };
}

/** `seconds` of a 100 Hz two-channel signal: a slow sine, and a ramp; one spike at `spikeAt` s. */
function build(seconds: number, spikeAt: number, maxBuckets?: number): Uint8Array {
  const b = new LodBuilder(['a', 'b'], maxBuckets);
  const n = seconds * 100;
  for (let start = 0; start < n; start += 4096) {
    const len = Math.min(4096, n - start);
    const chunk: SampleChunk = { length: len, t: new BigInt64Array(len), values: [new Float32Array(len), new Float32Array(len)] };
    for (let i = 0; i < len; i++) {
      const k = start + i;
      chunk.t[i] = T0 + BigInt(k) * 10_000_000n;
      chunk.values[0]![i] = k === spikeAt * 100 ? 50 : Math.sin(k / 500);
      chunk.values[1]![i] = k / n;
    }
    b.push(chunk);
  }
  return b.finish()!;
}

describe('LOD summary', () => {
  it('answers a whole-day window in at most maxPoints, keeping the true extremes', async () => {
    const bytes = build(24 * 3600, 40_000);
    const src = source(bytes);
    const header = await readLodHeader(src);
    expect(header.channels).toEqual(['a', 'b']);
    expect(header.levels.length).toBeGreaterThan(2);
    for (let i = 1; i < header.levels.length; i++) expect(header.levels[i]!.widthNs).toBe(header.levels[i - 1]!.widthNs * 4);
    // 8.64 M samples summarised in far fewer bytes than the samples themselves (8.64 M × 12 bytes).
    expect(bytes.length).toBeLessThan(8_640_000);
    const w = await readLodWindow(src, header, T0, T0 + 86_400n * 1_000_000_000n, 1000);
    expect(w).not.toBeNull();
    expect(w!.t.length).toBeLessThanOrEqual(1000);
    expect(w!.t.length).toBeGreaterThan(240);
    expect(Math.max(...w!.channels.a!)).toBe(50);
    expect(Math.min(...w!.channels.a!)).toBeCloseTo(-1, 3);
    expect(Math.max(...w!.channels.b!)).toBeCloseTo(1, 3);
    for (let i = 1; i < w!.t.length; i++) expect(w!.t[i]! >= w!.t[i - 1]!).toBe(true);
  });

  it('gives way to the raw samples for short windows', async () => {
    const bytes = build(3600, 10);
    const src = source(bytes);
    const header = await readLodHeader(src);
    expect(await readLodWindow(src, header, T0, T0 + 5n * 1_000_000_000n, 1000)).toBeNull();
    const hour = await readLodWindow(src, header, T0, T0 + 3600n * 1_000_000_000n, 2000);
    expect(hour).not.toBeNull();
    expect(Math.max(...hour!.channels.a!)).toBe(50);
  });

  it('coarsens itself instead of growing past its bucket cap', async () => {
    const bytes = build(3600, 100, 1000);
    const header = await readLodHeader(source(bytes));
    expect(header.levels[0]!.count).toBeLessThanOrEqual(1000);
    const w = await readLodWindow(source(bytes), header, T0, T0 + 3600n * 1_000_000_000n, 400);
    expect(Math.max(...w!.channels.a!)).toBe(50);
  });

  it('has nothing to say about a stream without samples', () => {
    expect(new LodBuilder(['x']).finish()).toBeNull();
  });
  it('summarises a regular stream (clock + first frame) exactly as the same samples with explicit times', () => {
    const clock = new FrameClock(44_100, T0);
    const build = (regular: boolean): Uint8Array => {
      const b = new LodBuilder(['mono']);
      let first = 0;
      for (const n of [300, 65_536, 65_536, 10_000]) {
        const values = [Float32Array.from({ length: n }, (_, i) => Math.sin((first + i) / 40))];
        const t = new BigInt64Array(n);
        clock.fill(t, first, n);
        b.push(regular ? regularChunk(n, values, clock, first) : { length: n, t, values });
        first += n;
      }
      return b.finish()!;
    };
    const fromClock = build(true);
    expect(fromClock.length).toBeGreaterThan(100);
    expect(fromClock).toEqual(build(false));
  });
});
