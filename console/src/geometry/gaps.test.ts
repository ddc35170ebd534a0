import { describe, expect, it } from 'vitest';
import { expectedSpacing, insertGapBreaks, medianStep } from './gaps';

describe('expectedSpacing', () => {
  it('is the median step, robust to a gap', () => {
    expect(medianStep([0, 0.01, 0.02, 0.03, 5, 5.01])).toBeCloseTo(0.01, 12);
  });

  it('never goes below the nominal sample interval', () => {
    expect(expectedSpacing([0, 0.001, 0.002], 100)).toBeCloseTo(0.01, 12);
    expect(expectedSpacing([0, 0.05, 0.1], 100)).toBeCloseTo(0.05, 12);
    expect(expectedSpacing([], 50)).toBeCloseTo(0.02, 12);
    expect(expectedSpacing([1], null)).toBeNaN();
  });
});

describe('insertGapBreaks', () => {
  it('breaks the line where samples are missing', () => {
    const out = insertGapBreaks({ t: [0, 0.01, 0.02, 1.02, 1.03], channels: [[1, 2, 3, 4, 5], [6, 7, null, 9, 10]] }, 0.01);
    expect(out.t).toEqual([0, 0.01, 0.02, 0.52, 1.02, 1.03]);
    expect(out.channels).toEqual([[1, 2, 3, null, 4, 5], [6, 7, null, null, 9, 10]]);
  });

  it('leaves data without gaps as it is (jitter below k steps included)', () => {
    const data = { t: [0, 0.01, 0.035, 0.045], channels: [[1, 2, 3, 4]] };
    expect(insertGapBreaks(data, 0.01)).toBe(data);
  });

  it('treats a min/max envelope (points at half a bucket) without false gaps', () => {
    const t = [0, 0.5, 1, 1.5, 2, 2.5, 10, 10.5];
    const out = insertGapBreaks({ t, channels: [t.map(() => 1)] }, expectedSpacing(t, 100));
    expect(out.t).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 6.25, 10, 10.5]);
  });
});
