import { describe, expect, it } from 'vitest';
import { regularChunk } from '../domain/chunk-times.js';
import { FrameClock } from '../domain/frame-clock.js';
import type { SampleChunk } from '../domain/stream.js';
import { LodBuilder, readLodHeader, readLodWindow, summariseRows, type LodSource, type RangeSummary } from './lod.js';
import { seededRandom as rng } from '../lib/random.js';

const T0 = 1_700_000_000_000_000_000n;

function source(bytes: Uint8Array): LodSource {
  return { byteLength: bytes.length, slice: (s, e) => Promise.resolve(bytes.slice(s, e).buffer) };
}

const STEP_NS = 10_000_000n;

/** Sample k of the 100 Hz two-channel signal of `build`. */
function sample(k: number, n: number, spikeAt: number): [number, number] {
  return [k === spikeAt * 100 ? 50 : Math.fround(Math.sin(k / 500)), Math.fround(k / n)];
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
      chunk.t[i] = T0 + BigInt(k) * STEP_NS;
      [chunk.values[0]![i], chunk.values[1]![i]] = sample(k, n, spikeAt);
    }
    b.push(chunk);
  }
  return b.finish()!;
}

/** The samples of `build(seconds, spikeAt)` in [fromNs, toNs], summarised by brute force. */
function rawOf(seconds: number, spikeAt: number): (fromNs: bigint, toNs: bigint) => Promise<RangeSummary> {
  const n = seconds * 100;
  return (fromNs, toNs) => {
    const lo = Math.max(0, Number((fromNs - T0 + STEP_NS - 1n) / STEP_NS));
    const hi = Math.min(n - 1, Number((toNs - T0) / STEP_NS));
    const t: bigint[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (let k = lo; k <= hi; k++) {
      t.push(T0 + BigInt(k) * STEP_NS);
      const [x, y] = sample(k, n, spikeAt);
      a.push(x);
      b.push(y);
    }
    return Promise.resolve(summariseRows(t, [a, b], fromNs, toNs));
  };
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
    const w = await readLodWindow(src, header, T0, T0 + 86_400n * 1_000_000_000n, 1000, rawOf(24 * 3600, 40_000));
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
    expect(await readLodWindow(src, header, T0, T0 + 5n * 1_000_000_000n, 1000, rawOf(3600, 10))).toBeNull();
    const hour = await readLodWindow(src, header, T0, T0 + 3600n * 1_000_000_000n, 2000, rawOf(3600, 10));
    expect(hour).not.toBeNull();
    expect(Math.max(...hour!.channels.a!)).toBe(50);
  });

  it('coarsens itself instead of growing past its bucket cap', async () => {
    const bytes = build(3600, 100, 1000);
    const header = await readLodHeader(source(bytes));
    expect(header.levels[0]!.count).toBeLessThanOrEqual(1000);
    const w = await readLodWindow(source(bytes), header, T0, T0 + 3600n * 1_000_000_000n, 400, rawOf(3600, 100));
    expect(Math.max(...w!.channels.a!)).toBe(50);
  });

  it('gives an envelope within the window, in time order, at most maxPoints long, with the window\'s true extremes', async () => {
    const seconds = 2 * 3600;
    const spikeAt = 4321;
    const n = seconds * 100;
    const src = source(build(seconds, spikeAt));
    const header = await readLodHeader(src);
    const raw = rawOf(seconds, spikeAt);
    const random = rng(9);
    let fromOverview = 0;
    for (let i = 0; i < 300; i++) {
      // Windows from a few seconds to the whole recording, at any ns, sometimes running past either end.
      const lenNs = BigInt(Math.floor(Math.exp(Math.log(5e9) + random() * Math.log((seconds * 1.2e9) / 5e9))));
      const fromNs = T0 - 60_000_000_000n + BigInt(Math.floor(random() * (seconds + 60) * 1e9));
      const toNs = fromNs + lenNs;
      const maxPoints = 2 + Math.floor(random() * 3000);
      const w = await readLodWindow(src, header, fromNs, toNs, maxPoints, raw);
      if (w === null) continue;
      fromOverview++;
      const c = `case ${i}: [${fromNs}, ${toNs}] maxPoints ${maxPoints}`;
      expect(w.t.length, c).toBeLessThanOrEqual(maxPoints);
      const outside = w.t.findIndex((t, p) => t < fromNs || t > toNs || (p > 0 && t < w.t[p - 1]!));
      expect(outside, c).toBe(-1);
      // The truth by brute force over the sample indices in the window.
      const lo = Math.max(0, Number((fromNs - T0 + STEP_NS - 1n) / STEP_NS));
      const hi = Math.min(n - 1, Number((toNs - T0) / STEP_NS));
      const truth = [[Infinity, -Infinity], [Infinity, -Infinity]];
      for (let k = lo; k <= hi; k++) {
        sample(k, n, spikeAt).forEach((v, ch) => {
          truth[ch]![0] = Math.min(truth[ch]![0]!, v);
          truth[ch]![1] = Math.max(truth[ch]![1]!, v);
        });
      }
      for (const [k, name] of ['a', 'b'].entries()) {
        const v = w.channels[name]!;
        expect(v.length, c).toBe(w.t.length);
        if (hi < lo) continue;
        expect([Math.min(...v), Math.max(...v)], c).toEqual(truth[k]);
      }
    }
    expect(fromOverview).toBeGreaterThan(100);
    expect(n).toBe(720_000);
  });

  it('reads the samples at the window\'s ends only when they could hold its extremes', async () => {
    const seconds = 2 * 3600;
    const spikeAt = 4321;
    const src = source(build(seconds, spikeAt));
    const header = await readLodHeader(src);
    const calls: bigint[][] = [];
    const counting = rawOf(seconds, spikeAt);
    const raw = (a: bigint, b: bigint): Promise<RangeSummary> => {
      calls.push([a, b]);
      return counting(a, b);
    };
    const spikeNs = T0 + BigInt(spikeAt * 100) * STEP_NS;
    expect((spikeNs - T0) % BigInt(header.levels[0]!.widthNs)).not.toBe(0n); // inside a finest bucket, not at its start
    // The spike is the window's first sample: only the samples can say it is in the window.
    const starts = await readLodWindow(src, header, spikeNs, spikeNs + 600n * 1_000_000_000n, 1000, raw);
    expect(Math.max(...starts!.channels.a!)).toBe(50);
    expect(starts!.t[0]).toBe(spikeNs);
    expect(calls.length).toBeGreaterThan(0);
    // One sample later it is not, and the window's max is the sine's.
    const after = await readLodWindow(src, header, spikeNs + 1n, spikeNs + 600n * 1_000_000_000n, 1000, raw);
    expect(Math.max(...after!.channels.a!)).toBeLessThan(1.0001);
    // At most the two ends are read (here both: channel b is a ramp, so its min and max are at the ends).
    calls.length = 0;
    const middle = await readLodWindow(src, header, T0 + 100_000_000_000n + 3n, T0 + 7000_000_000_000n + 5n, 1000, raw);
    expect(middle).not.toBeNull();
    expect(calls.length).toBeLessThanOrEqual(2);
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
