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

/**
 * The method of the file header written plainly, point by point, as it reads: no weight tables, no
 * chunks, no fast paths; the filter's weights evaluated with Math.sin / Math.cos at every tap of every
 * grid point. The optimised implementation must give the same values (up to float rounding).
 */
function reference(block: StreamBlock, grid: GridSpec, gapFactor = 2.5): { values: Float64Array[]; missing: Uint8Array } {
  const { t, values, nominalRateHz: rate } = block;
  const n = t.length;
  const values64 = values.map(() => new Float64Array(grid.count).fill(NaN));
  const missing = new Uint8Array(grid.count).fill(1);
  const runs: [number, number][] = [];
  for (let a = 0; a < n; ) {
    let b = a;
    while (b + 1 < n && t[b + 1]! - t[b]! <= gapFactor / rate) b++;
    runs.push([a, b]);
    a = b + 1;
  }
  const intermediate = new Map<string, Float64Array>(); // per run and channel
  // Linear interpolation of channel ch of the run a..b at time x, t[a] ≤ x.
  const lerp = (ch: Float32Array, a: number, b: number, x: number): number => {
    let i = a;
    while (i < b && t[i + 1]! <= x) i++;
    if (i === b) return ch[b]!;
    const dt = t[i + 1]! - t[i]!;
    const w = dt > 0 ? (x - t[i]!) / dt : 0;
    return w === 0 ? ch[i]! : ch[i]! + (ch[i + 1]! - ch[i]!) * w;
  };
  for (let k = 0; k < grid.count; k++) {
    const g = grid.startS + k / grid.rateHz;
    const run = runs.find(([a, b]) => t[a]! <= g && g <= t[b]!);
    if (!run) continue;
    missing[k] = 0;
    const [a, b] = run;
    for (let c = 0; c < values.length; c++) {
      const ch = values[c]!;
      if (grid.rateHz >= rate || a === b) {
        values64[c]![k] = lerp(ch, a, b, g);
        continue;
      }
      // Intermediate samples at the nominal rate from the run's first sample, then the low-pass filter.
      const key = `${a}:${c}`;
      let x = intermediate.get(key);
      if (!x) {
        const m = Math.floor((t[b]! - t[a]!) * rate + 1e-9) + 1;
        x = Float64Array.from({ length: m }, (_, i) => lerp(ch, a, b, t[a]! + i / rate));
        intermediate.set(key, x);
      }
      const last = x.length - 1;
      const hw = Math.ceil((8 * rate) / grid.rateHz);
      const fc = (0.5 * 0.9 * grid.rateHz) / rate;
      const p = (g - t[a]!) * rate;
      const centre = Math.floor(p);
      const frac = p - centre;
      let acc = 0;
      let sum = 0;
      for (let q = 0; q < 2 * hw; q++) {
        const d = q - hw + 1 - frac;
        const xd = 2 * fc * d;
        const sinc = xd === 0 ? 1 : Math.sin(Math.PI * xd) / (Math.PI * xd);
        const u = (d + hw) / (2 * hw);
        const win = u <= 0 || u >= 1 ? 0 : 0.42 - 0.5 * Math.cos(2 * Math.PI * u) + 0.08 * Math.cos(4 * Math.PI * u);
        const mi = centre - hw + 1 + q;
        const v = mi < 0 ? 2 * x[0]! - x[Math.min(-mi, last)]! : mi > last ? 2 * x[last]! - x[Math.max(2 * last - mi, 0)]! : x[mi]!;
        acc += sinc * win * v;
        sum += sinc * win;
      }
      values64[c]![k] = acc / sum;
    }
  }
  return { values: values64, missing };
}

/**
 * A stream for the comparison: `nCh` channels of a few sines, an offset and noise (amplitude about
 * `amp`), times moved by up to ±jitter of an interval (0.3: a phone's clock; 1e-4: a clock that is nearly
 * regular, not within rounding), three gaps (one leaving a run shorter than the filter, and a
 * run of one sample), a repeated time, and NaN values in the long runs of the even channels.
 */
function messyStream(
  rate: number,
  durationS: number,
  nCh: number,
  opts: { jitter: number; t0: number; amp: number; seed: number },
): StreamBlock {
  const rnd = random(opts.seed);
  const n0 = Math.round(durationS * rate);
  const t: number[] = [];
  for (let i = 0; i < n0; i++) t.push(opts.t0 + (i + 2 * opts.jitter * (rnd() - 0.5)) / rate);
  const d = durationS;
  // Gaps: [0.30d, 0.32d), then a run of ~5 samples, then [.., 0.40d); a lone sample inside [0.68d, 0.72d).
  const inGap = (x: number): boolean => {
    const r = x - opts.t0;
    if (r >= 0.3 * d && r < 0.32 * d) return true;
    if (r >= 0.32 * d + 5.5 / rate && r < 0.4 * d) return true;
    if (r >= 0.68 * d && r < 0.72 * d && Math.abs(r - 0.7 * d) > 0.6 / rate) return true;
    return false;
  };
  const kept = t.filter((x) => !inGap(x));
  // A repeated time (two samples at the same instant) in the first run.
  kept.splice(20, 0, kept[20]!);
  const times = Float64Array.from(kept);
  const values = Array.from({ length: nCh }, (_, c) =>
    Float32Array.from(times, (x) => {
      const r = x - opts.t0;
      // A slow sine and two fast ones, at about 0.2 and 0.45 of the sample rate.
      const s =
        0.5 * Math.sin(2 * Math.PI * 1.3 * r + c) +
        0.3 * Math.sin(2 * Math.PI * (0.21 + 0.05 * c) * rate * r) +
        0.15 * Math.sin(2 * Math.PI * 0.45 * rate * r + 0.3 * c);
      return opts.amp * (0.4 + s + 0.1 * (rnd() - 0.5));
    }),
  );
  // NaN values in the long runs of the even channels (odd channels have none).
  for (let c = 0; c < nCh; c += 2) {
    for (const f of [0.15, 0.5, 0.62, 0.85]) values[c]![Math.floor(times.length * f) + 7 * c] = NaN;
  }
  return { t: times, values, nominalRateHz: rate };
}

describe('resampleToGrid against the method written plainly', () => {
  const pairs: [number, number][] = [
    [100, 50],
    [100, 32],
    [50, 50],
    [25, 50],
    [200, 50],
    [16000, 8000],
    [99.97, 50], // a measured rate: the grid points' phases never repeat
  ];
  for (const [rate, gridRate] of pairs) {
    for (const nCh of [1, 2, 3, 6]) {
      for (const [jitter, times] of [
        [0.3, 'jittered'],
        [0, 'regular'],
        [1e-4, 'nearly regular'],
      ] as const) {
        it(`${rate} → ${gridRate} Hz, ${nCh} channel(s), ${times} times`, () => {
          const durationS = rate >= 1000 ? 0.75 : 12;
          const t0 = jitter === 0.3 ? 86_400 * 3 + 0.123 : 0; // days into a recording, or its very start
          const amp = 7.5;
          const block = messyStream(rate, durationS, nCh, { jitter, t0, amp, seed: 11 + nCh });
          // The grid starts before the first sample, ends after the last, and is not aligned with them.
          const margin = 0.05 * durationS;
          const grid: GridSpec = { startS: t0 - margin + 0.0037, rateHz: gridRate, count: Math.floor((durationS + 2 * margin) * gridRate) };
          const got = resampleToGrid(block, grid);
          const want = reference(block, grid);
          expect(Array.from(got.missing)).toEqual(Array.from(want.missing));
          expect(got.missing.some((m) => m === 1) && got.missing.some((m) => m === 0)).toBe(true);
          let worst = 0;
          let compared = 0;
          for (let c = 0; c < nCh; c++) {
            for (let k = 0; k < grid.count; k++) {
              const a = got.values[c]![k]!;
              const b = want.values[c]![k]!;
              expect(Number.isNaN(a), `channel ${c}, point ${k}`).toBe(Number.isNaN(b));
              if (Number.isNaN(b)) continue;
              worst = Math.max(worst, Math.abs(a - b));
              compared++;
            }
          }
          expect(compared).toBeGreaterThan(0.5 * nCh * grid.count);
          expect(worst / amp).toBeLessThanOrEqual(1e-5);
        });
      }
    }
  }
});
