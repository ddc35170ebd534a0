import { describe, expect, it } from 'vitest';
import type { SampleChunk } from '../../domain/stream.js';
import { BoutTracker, type Bout } from './audio-bouts.js';
import { AudioInput } from './audio-input.js';

function chunk(t: bigint[], ...channels: number[][]): SampleChunk {
  return { length: t.length, t: BigInt64Array.from(t), values: channels.map((c) => Float32Array.from(c)) };
}

describe('AudioInput', () => {
  it('mixes channels to mono and hands on regular chunks whole, continuing from the last one', () => {
    const input = new AudioInput(2, 1000);
    const pieces: [number[], number, boolean][] = [];
    const sink = (m: Float32Array, n: number, start: number, broken: boolean): void => {
      pieces.push([Array.from(m.subarray(0, n)), start, broken]);
    };
    const t0 = 5_000_000_000n;
    input.push(chunk([t0, t0 + 1_000_000n], [1, 0.5], [0, -0.5]), sink);
    input.push(chunk([t0 + 2_000_000n, t0 + 3_000_000n], [0.2, 0.2], [0.2, 0.2]), sink);
    expect(pieces).toEqual([
      [[0.5, 0], 0, true],
      [[0.20000000298023224, 0.20000000298023224], 2_000_000, false],
    ]);
    expect(input.nsString(2_000_000)).toBe('5002000000');
  });

  it('splits a chunk at a gap and at a backwards timestamp', () => {
    const input = new AudioInput(1, 1000);
    const pieces: [number, number, boolean][] = [];
    const ms = (x: number): bigint => BigInt(x) * 1_000_000n;
    input.push(chunk([ms(0), ms(1), ms(2), ms(10), ms(11), ms(5), ms(6)], [0, 1, 2, 3, 4, 5, 6]), (_m, n, start, broken) => {
      pieces.push([n, start / 1e6, broken]);
    });
    expect(pieces).toEqual([
      [3, 0, true],
      [2, 10, true],
      [2, 5, true],
    ]);
  });

  it('estimates the rate from the first chunk when the stream declares none', () => {
    const input = new AudioInput(1, null);
    input.push(chunk([0n, 125_000n, 250_000n], [0, 0, 0]), () => undefined);
    expect(input.rateHz).toBeCloseTo(8000, 6);
  });
});

describe('BoutTracker', () => {
  it('merges active frames across short gaps, drops short bouts and pads within the run', () => {
    const bouts: Bout[] = [];
    const t = new BoutTracker({ mergeGapS: 0.1, minDurationS: 0.2, padS: 0.05 }, 1, 1, (b) => bouts.push(b));
    // 10 ms frames: active 0.10–0.30, gap 0.08, active 0.38–0.50, long gap, active 1.00–1.10 (too short), 1.50–1.80.
    const active = (s: number): boolean => (s >= 0.1 && s < 0.3) || (s >= 0.38 && s < 0.5) || (s >= 1 && s < 1.1) || s >= 1.5;
    for (let k = 0; k < 180; k++) {
      const s = k / 100;
      t.frame(s * 1e9, (s + 0.01) * 1e9, active(s + 1e-9), [1], [s]);
    }
    t.endRun();
    const r = (x: number): number => Math.round(x / 1e6) / 1e3;
    expect(bouts.map((b) => [r(b.startNs), r(b.endNs), r(b.coreStartNs), r(b.coreEndNs), b.frames, b.active])).toEqual([
      [0.05, 0.55, 0.1, 0.5, 40, 32],
      [1.45, 1.8, 1.5, 1.8, 30, 30],
    ]);
    expect(bouts[0]!.sums[0]).toBe(40);
    expect(bouts[1]!.maxes[0]).toBeCloseTo(1.79, 9);
  });
});

describe('AudioInput long gaps', () => {
  it('sees a gap of 2^32 ns plus one period, which the low 32 bits alone would hide', () => {
    const input = new AudioInput(1, 1000);
    const starts: number[] = [];
    const t = [0n, 1_000_000n, 2_000_000n, 2_000_000n + 2n ** 32n + 1_000_000n];
    input.push(chunk(t, [0, 0, 0, 0]), (_m, _n, start) => starts.push(start));
    expect(starts).toEqual([0, 2_000_000 + 2 ** 32 + 1_000_000]);
  });
});
