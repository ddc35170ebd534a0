import { describe, expect, it } from 'vitest';
import { estimateOffset, type ActivitySeries } from './align.js';
import { gaussian } from './signals.test-support.js';

const T0 = 1_700_000_000_000_000_000n;

/** An hour of 1 s activity with bouts of random length and strength (a day of wear in miniature). */
function activity(seed: number, seconds: number): Float64Array {
  const g = gaussian(seed);
  const v = new Float64Array(seconds);
  let level = 0;
  for (let i = 0; i < seconds; i++) {
    if (i % 17 === 0) level = Math.max(0, g() * 1.5);
    v[i] = level + 0.05 * Math.abs(g());
  }
  return v;
}

/** What a second device sees: the same activity on a clock `offsetS` behind, plus its own noise and scale. */
function seenBy(a: Float64Array, offsetS: number, startShiftS: number, seed: number): ActivitySeries {
  const g = gaussian(seed);
  const n = a.length - 200;
  const values = new Float64Array(n);
  // b's window j starts at b-clock T0 + startShift + j; on a's clock that is startShift + j + offset.
  for (let j = 0; j < n; j++) {
    const t = startShiftS + j + offsetS;
    const i0 = Math.floor(t);
    const f = t - i0;
    const x = (a[i0] ?? 0) * (1 - f) + (a[i0 + 1] ?? 0) * f;
    values[j] = 0.6 * x + 0.1 * Math.abs(g());
  }
  return { startNs: T0 + BigInt(Math.round(startShiftS * 1e9)), windowS: 1, values };
}

describe('estimateOffset', () => {
  const a = activity(3, 3600);
  const A: ActivitySeries = { startNs: T0, windowS: 1, values: a };

  it('finds a clock offset of a few seconds, to a fraction of a window', () => {
    for (const offset of [7.4, -12.25, 0.3]) {
      const est = estimateOffset(A, seenBy(a, offset, 60, 9))!;
      expect(est.offsetS).toBeCloseTo(offset, 0);
      expect(Math.abs(est.offsetS - offset)).toBeLessThan(0.35);
      expect(est.confidence).toBeGreaterThan(0.5);
      expect(est.overlapS).toBeGreaterThan(3000);
    }
  });

  it('has little confidence in unrelated recordings', () => {
    const est = estimateOffset(A, { startNs: T0 + 60_000_000_000n, windowS: 1, values: activity(77, 3400) });
    expect(est === null || est.confidence < 0.3).toBe(true);
  });

  it('gives nothing for recordings that do not overlap', () => {
    const far: ActivitySeries = { startNs: T0 + 7200n * 1_000_000_000n, windowS: 1, values: a };
    expect(estimateOffset(A, far)).toBeNull();
  });
});
