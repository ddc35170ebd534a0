import { describe, expect, it } from 'vitest';
import { chunkOffsets, chunkTimeAt, copyChunkTimes, regularChunk } from './chunk-times.js';
import { FrameClock } from './frame-clock.js';
import type { SampleChunk } from './stream.js';

/** Exact times by the clock's definition, in BigInt: base + round(i · 1e9 / rate). */
function expected(base: bigint, rate: number, first: number, n: number): bigint[] {
  return Array.from({ length: n }, (_, k) => {
    const i = BigInt(first + k);
    const r = BigInt(rate);
    const num = i * 1_000_000_000n;
    return base + num / r + (2n * (num % r) >= r ? 1n : 0n);
  });
}

const EPOCH = 1_714_557_600_123_456_789n;

describe('FrameClock', () => {
  it('fills exact times for rates that divide 1e9 and rates that do not, across second and 32-bit boundaries', () => {
    for (const rate of [16_000, 44_100, 48_000, 22_050, 7]) {
      for (const base of [0n, EPOCH, 4_294_967_000n]) {
        const clock = new FrameClock(rate, base);
        const first = rate * 3 - 5;
        const t = new BigInt64Array(2 * rate + 11);
        clock.fill(t, first, t.length);
        expect(Array.from(t), `rate ${rate}, base ${base}`).toEqual(expected(base, rate, first, t.length));
        expect(clock.at(first + 17)).toBe(expected(base, rate, first + 17, 1)[0]);
      }
    }
  });

  it('gives float64 offsets from an origin equal to the int64 times minus that origin', () => {
    for (const rate of [16_000, 44_100]) {
      const clock = new FrameClock(rate, EPOCH);
      const origin = EPOCH + 250_000n;
      const first = rate + 3;
      const out = new Float64Array(rate);
      clock.offsets(out, first, out.length, Number(clock.baseNs - origin));
      expect(Array.from(out)).toEqual(expected(EPOCH, rate, first, out.length).map((t) => Number(t - origin)));
    }
  });

  it('withBase moves frame 0 and keeps the rate (sharing its step table)', () => {
    const clock = new FrameClock(44_100, 0n);
    const moved = clock.withBase(EPOCH);
    expect(moved.rate).toBe(44_100);
    expect(moved.at(44_101)).toBe(EPOCH + clock.at(44_101));
    expect(clock.withBase(0n)).toBe(clock);
  });
});

describe('chunk times in both forms', () => {
  const clock = new FrameClock(44_100, EPOCH);
  const values = [Float32Array.from({ length: 1000 }, (_, i) => i / 1000)];
  const regular = regularChunk(1000, values, clock, 88_190);
  const explicit: SampleChunk = { length: 1000, t: BigInt64Array.from(expected(EPOCH, 44_100, 88_190, 1000)), values };

  it('a regular chunk computes the same t as its clock, only when read', () => {
    expect(regular.regular).toEqual({ clock, firstFrame: 88_190 });
    expect(Array.from(regular.t)).toEqual(Array.from(explicit.t));
    expect(regular.t).toBe(regular.t);
  });

  it('chunkTimeAt, chunkOffsets and copyChunkTimes agree between the forms', () => {
    for (const i of [0, 1, 499, 999]) expect(chunkTimeAt(regular, i)).toBe(explicit.t[i]);
    const origin = EPOCH - 3_000_000_000n;
    const a = new Float64Array(1000);
    const b = new Float64Array(1000);
    chunkOffsets(regularChunk(1000, values, clock, 88_190), origin, a);
    chunkOffsets(explicit, origin, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[999]).toBe(Number(explicit.t[999]! - origin));
    const into = new BigInt64Array(20);
    copyChunkTimes(regularChunk(1000, values, clock, 88_190), 990, 10, into, 5);
    expect(Array.from(into.subarray(5, 15))).toEqual(Array.from(explicit.t.subarray(990, 1000)));
    expect(into[4]).toBe(0n);
    expect(into[15]).toBe(0n);
  });

  it('explicit times before the origin and across the 32-bit word boundary give exact negative and large offsets', () => {
    const t = BigInt64Array.from([-5n, 0n, 4_294_967_295n, 4_294_967_296n, EPOCH]);
    const out = new Float64Array(5);
    chunkOffsets({ length: 5, t, values: [new Float32Array(5)] }, 0n, out);
    expect(Array.from(out)).toEqual([-5, 0, 4_294_967_295, 4_294_967_296, Number(EPOCH)]);
  });
});
