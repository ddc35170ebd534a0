import { describe, expect, it } from 'vitest';
import { antiAliasHalfWidthS, resampleToGrid, type GridSpec, type StreamBlock } from './resample.js';

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples of f at `rate` from t0 for durationS, each time moved by up to ±jitterS. */
function sampled(f: (t: number) => number, rate: number, t0: number, durationS: number, jitterS = 0, seed = 1): StreamBlock {
  const n = Math.round(durationS * rate);
  const rnd = random(seed);
  const t = new Float64Array(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = t0 + i / rate + (jitterS === 0 ? 0 : (2 * rnd() - 1) * jitterS);
    v[i] = f(t[i]!);
  }
  return { t, values: [v], nominalRateHz: rate };
}

/** The samples with times in [fromS, toS) removed. */
function withGap(b: StreamBlock, fromS: number, toS: number): StreamBlock {
  const keep: number[] = [];
  for (let i = 0; i < b.t.length; i++) if (b.t[i]! < fromS || b.t[i]! >= toS) keep.push(i);
  return {
    t: Float64Array.from(keep, (i) => b.t[i]!),
    values: b.values.map((ch) => Float32Array.from(keep, (i) => ch[i]!)),
    nominalRateHz: b.nominalRateHz,
  };
}

function gridTime(g: GridSpec, k: number): number {
  return g.startS + k / g.rateHz;
}

function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

/** Plain linear interpolation at the grid times, without any low-pass filter: what aliasing looks like. */
function naiveLinear(b: StreamBlock, g: GridSpec): Float32Array {
  const out = new Float32Array(g.count);
  let i = 0;
  for (let k = 0; k < g.count; k++) {
    const x = gridTime(g, k);
    while (i + 2 < b.t.length && b.t[i + 1]! <= x) i++;
    const w = (x - b.t[i]!) / (b.t[i + 1]! - b.t[i]!);
    out[k] = b.values[0]![i]! + (b.values[0]![i + 1]! - b.values[0]![i]!) * w;
  }
  return out;
}

const sine = (hz: number) => (t: number) => Math.sin(2 * Math.PI * hz * t);

describe('resampleToGrid: lowering the rate', () => {
  it('follows a 2 Hz sine sampled at 100 Hz with ±2 ms jitter onto 50 Hz', () => {
    const f = sine(2);
    const block = sampled(f, 100, 1000, 20, 0.002);
    // Grid well inside the block (a margin of the filter's half-width), not aligned with the samples.
    const grid: GridSpec = { startS: 1001.003, rateHz: 50, count: 800 };
    const r = resampleToGrid(block, grid);
    expect(r.missing.every((m) => m === 0)).toBe(true);
    let worst = 0;
    for (let k = 0; k < grid.count; k++) worst = Math.max(worst, Math.abs(r.values[0]![k]! - f(gridTime(grid, k))));
    expect(worst).toBeLessThan(1e-2);
    // The 2 Hz sine keeps its amplitude (the passband is flat).
    expect(rms(r.values[0]!)).toBeCloseTo(1 / Math.SQRT2, 2);
  });

  it('removes a 40 Hz sine (above the new Nyquist frequency of 25 Hz) instead of aliasing it to 10 Hz', () => {
    const f = sine(40);
    const block = sampled(f, 100, 0, 30);
    const grid: GridSpec = { startS: 2, rateHz: 50, count: 1300 };
    const inRms = rms(block.values[0]!);
    expect(inRms).toBeCloseTo(1 / Math.SQRT2, 2);
    const r = resampleToGrid(block, grid);
    expect(r.missing.every((m) => m === 0)).toBe(true);
    expect(rms(r.values[0]!)).toBeLessThan(0.1 * inRms);
    // Without the anti-alias filter the 40 Hz sine reappears at 50 − 40 = 10 Hz at full amplitude.
    const naive = naiveLinear(block, grid);
    expect(rms(naive)).toBeGreaterThan(0.9 * inRms);
    for (let k = 0; k < 50; k++) expect(naive[k]!).toBeCloseTo(-Math.sin(2 * Math.PI * 10 * gridTime(grid, k)), 4);
  });

  it('keeps channels apart and resamples each the same way', () => {
    const block = sampled(sine(2), 100, 0, 10);
    const ramp = Float32Array.from(block.t, (t) => 3 * t - 1);
    const both: StreamBlock = { ...block, values: [block.values[0]!, ramp] };
    const grid: GridSpec = { startS: 1, rateHz: 25, count: 200 };
    const r = resampleToGrid(both, grid);
    const single = resampleToGrid(block, grid);
    expect(Array.from(r.values[0]!)).toEqual(Array.from(single.values[0]!));
    // A linear ramp passes a unit-gain linear-phase filter unchanged.
    for (let k = 0; k < grid.count; k++) expect(r.values[1]![k]!).toBeCloseTo(3 * gridTime(grid, k) - 1, 3);
  });

  it('leaves a 1 s gap missing and does not pull the values at its edges toward zero', () => {
    const f = (t: number) => Math.sin(2 * Math.PI * 2 * t + 0.7);
    const block = withGap(sampled(f, 100, 0, 20), 10, 11); // last sample before 9.99, first after 11.00
    const grid: GridSpec = { startS: 0, rateHz: 50, count: 1000 };
    const r = resampleToGrid(block, grid);
    for (let k = 0; k < grid.count; k++) {
      const x = gridTime(grid, k);
      if (x > 9.99 + 1e-9 && x < 11 - 1e-9) {
        expect(r.missing[k], `t=${x}`).toBe(1);
        expect(r.values[0]![k]).toBeNaN();
      } else {
        expect(r.missing[k], `t=${x}`).toBe(0);
        expect(r.values[0]![k]).not.toBeNaN();
      }
    }
    // Every value from 3 input samples (30 ms) of the gap's edges outward is within 5 % of the amplitude.
    for (let k = 0; k < grid.count; k++) {
      const x = gridTime(grid, k);
      const nearEdge = (x >= 9.5 && x <= 9.99 - 0.03 + 1e-9) || (x >= 11.03 - 1e-9 && x <= 11.5);
      if (nearEdge) expect(Math.abs(r.values[0]![k]! - f(x)), `t=${x}`).toBeLessThan(0.05);
    }
    // And right at the edge samples themselves, the error stays small too.
    const at = (x: number) => r.values[0]![Math.round(x * 50)]!;
    expect(Math.abs(at(11) - f(11))).toBeLessThan(0.05);
    expect(Math.abs(at(9.98) - f(9.98))).toBeLessThan(0.05);
  });

  it('marks grid points before the first sample and after the last as missing', () => {
    const block = sampled(sine(2), 100, 10, 5); // samples 10.00 … 14.99
    const grid: GridSpec = { startS: 9, rateHz: 50, count: 400 }; // 9 … 16.98
    const r = resampleToGrid(block, grid);
    for (let k = 0; k < grid.count; k++) {
      const x = gridTime(grid, k);
      const inside = x >= 10 - 1e-9 && x <= 14.99 + 1e-9;
      expect(r.missing[k], `t=${x}`).toBe(inside ? 0 : 1);
      expect(Number.isNaN(r.values[0]![k]), `t=${x}`).toBe(!inside);
    }
  });

  it('gives the margin a block needs around the grid', () => {
    expect(antiAliasHalfWidthS(100, 50)).toBeCloseTo(0.16, 12);
    expect(antiAliasHalfWidthS(100, 100)).toBe(0);
    expect(antiAliasHalfWidthS(25, 50)).toBe(0);
  });
});

describe('resampleToGrid: raising or keeping the rate', () => {
  it('interpolates a linear ramp exactly from 25 Hz to 50 Hz', () => {
    const ramp = (t: number) => 0.5 * t - 2;
    const block = sampled(ramp, 25, 100, 4, 0.004);
    const grid: GridSpec = { startS: 100.5, rateHz: 50, count: 150 };
    const r = resampleToGrid(block, grid);
    expect(r.missing.every((m) => m === 0)).toBe(true);
    for (let k = 0; k < grid.count; k++) expect(r.values[0]![k]!).toBeCloseTo(ramp(gridTime(grid, k)), 5);
    // Midway between two samples the value is their mean.
    const even = sampled(ramp, 25, 0, 2);
    const mid = resampleToGrid(even, { startS: 0, rateHz: 50, count: 99 });
    expect(mid.values[0]![1]).toBeCloseTo((even.values[0]![0]! + even.values[0]![1]!) / 2, 6);
  });

  it('keeps the samples at equal rates when the grid falls on them', () => {
    const block = sampled(sine(3), 100, 0, 2);
    const r = resampleToGrid(block, { startS: 0, rateHz: 100, count: 200 });
    expect(Array.from(r.values[0]!)).toEqual(Array.from(block.values[0]!));
  });

  it('leaves gaps and the ends missing when raising the rate', () => {
    const block = withGap(sampled((t) => t, 25, 0, 10), 4, 5); // 0 … 3.96, 5.00 … 9.96
    const grid: GridSpec = { startS: -1, rateHz: 100, count: 1200 };
    const r = resampleToGrid(block, grid);
    const at = (x: number) => Math.round((x + 1) * 100);
    expect(r.missing[at(-0.5)]).toBe(1);
    expect(r.missing[at(0)]).toBe(0);
    expect(r.missing[at(3.96)]).toBe(0);
    expect(r.missing[at(3.97)]).toBe(1);
    expect(r.missing[at(4.99)]).toBe(1);
    expect(r.missing[at(5)]).toBe(0);
    expect(r.values[0]![at(5)]).toBeCloseTo(5, 5);
    expect(r.missing[at(9.97)]).toBe(1);
    expect(r.values[0]![at(4.5)]).toBeNaN();
  });
});
