import { describe, expect, it } from 'vitest';
import { cohenKappa, frameConfusion, frameGrid, frameLabelMetrics, frameRange, frameRanges, intersectFrames, prf } from './frame-metrics.js';
import type { LabeledInterval } from './intervals.js';

const iv = (label: string, startS: number, endS: number): LabeledInterval => ({ label, startS, endS });

describe('frame grid', () => {
  it('counts frames whose centre lies in the span (a last partial frame counts when half of it is inside)', () => {
    expect(frameGrid({ startS: 0, endS: 1 }).n).toBe(100);
    expect(frameGrid({ startS: 0, endS: 5.868 }).n).toBe(587);
    expect(frameGrid({ startS: 0, endS: 5.864 }).n).toBe(586);
    expect(frameGrid({ startS: 0, endS: 0 }).n).toBe(0);
    expect(() => frameGrid({ startS: 0, endS: 1 }, 0)).toThrow(/positive/);
    expect(() => frameGrid({ startS: 2, endS: 1 })).toThrow(/forward/);
  });

  it('maps an interval to the frames whose centres it covers, half-open and robust to float noise', () => {
    const g = frameGrid({ startS: 0, endS: 10 }, 0.01);
    expect(frameRange(g, 0.13, 0.51)).toEqual([13, 51]);
    expect(frameRange(g, 0.1 + 0.2, 0.7)).toEqual([30, 70]);
    // A boundary exactly on a centre: the start takes that frame, the end does not.
    expect(frameRange(g, 0.005, 0.015)).toEqual([0, 1]);
    expect(frameRange(g, -5, 0.02)).toEqual([0, 2]);
    expect(frameRange(g, 9.99, 20)).toEqual([999, 1000]);
    expect(frameRange(g, 3, 3)).toEqual([300, 300]);
  });

  it('unions ranges and intersects them by sweeping boundaries', () => {
    const g = frameGrid({ startS: 0, endS: 10 }, 0.1);
    expect(frameRanges(g, [iv('a', 2, 3), iv('a', 0, 1), iv('a', 0.5, 1.5), iv('a', 3, 4), iv('a', 5, 5)])).toEqual([0, 15, 20, 40]);
    expect(intersectFrames([0, 15, 20, 40], [10, 25, 30, 31, 39, 50])).toBe(5 + 5 + 1 + 1);
  });
});

describe('frame scores', () => {
  it('scores the hand example: ref 10–12 s and 30–31 s, prediction 10.3–12.5 s and 50–51 s in one hour', () => {
    const g = frameGrid({ startS: 0, endS: 3600 });
    const m = frameLabelMetrics(g, [iv('x', 10, 12), iv('x', 30, 31)], [iv('x', 10.3, 12.5), iv('x', 50, 51)]);
    expect(m).toMatchObject({ tp: 170, fp: 150, fn: 130, tn: 360_000 - 450 });
    expect(m.precision).toBeCloseTo(170 / 320, 12);
    expect(m.recall).toBeCloseTo(170 / 300, 12);
    expect(m.f1).toBeCloseTo(340 / 620, 12);
  });

  it('gives F1 = 1 and kappa = 1 for identical labellings, F1 = 0 for disjoint ones', () => {
    const g = frameGrid({ startS: 0, endS: 10 });
    const a = [iv('x', 1, 2), iv('x', 4, 6.5)];
    expect(frameLabelMetrics(g, a, a)).toMatchObject({ precision: 1, recall: 1, f1: 1, kappa: 1 });
    const d = frameLabelMetrics(g, a, [iv('x', 2, 4), iv('x', 7, 9)]);
    expect(d).toMatchObject({ tp: 0, precision: 0, recall: 0, f1: 0 });
    expect(d.kappa).toBeLessThan(0);
  });

  it('says null where a ratio is 0/0', () => {
    expect(prf(0, 0, 0)).toEqual({ precision: null, recall: null, f1: null });
    expect(prf(0, 0, 3)).toEqual({ precision: null, recall: 0, f1: 0 });
    expect(prf(0, 2, 0)).toEqual({ precision: 0, recall: null, f1: 0 });
  });
});

describe("Cohen's kappa", () => {
  it('matches the textbook 2×2 case: po 0.7, pe 0.5 → 0.4', () => {
    expect(cohenKappa([[20, 5], [10, 15]])).toBeCloseTo(0.4, 12);
  });

  it('matches a 3-class hand computation', () => {
    // n = 100, po = 0.78, rows 40/30/30, cols 35/35/30 → pe = 0.14 + 0.105 + 0.09 = 0.335.
    const k = cohenKappa([[30, 5, 5], [3, 25, 2], [2, 5, 23]]);
    expect(k).toBeCloseTo((0.78 - 0.335) / (1 - 0.335), 12);
  });

  it('is null when undefined (no frames, or one class throughout on both sides)', () => {
    expect(cohenKappa([[0, 0], [0, 0]])).toBeNull();
    expect(cohenKappa([[0, 0], [0, 50]])).toBeNull();
  });
});

describe('frame confusion', () => {
  it('counts reference × predicted class per frame, labels plus none, by sweeping boundaries', () => {
    const g = frameGrid({ startS: 0, endS: 10 }, 1);
    const ref = [iv('walk', 0, 4), iv('run', 4, 6)];
    const pred = [iv('walk', 0, 3), iv('run', 3, 7)];
    const c = frameConfusion(g, ref, pred, ['walk', 'run']);
    expect(c.classes).toEqual(['walk', 'run', 'none']);
    expect(c.counts).toEqual([
      [3, 1, 0],
      [0, 2, 0],
      [0, 1, 3],
    ]);
    expect(c.overlapFrames).toEqual({ reference: 0, prediction: 0 });
    expect(cohenKappa(c.counts)).toBeCloseTo((0.8 - (0.4 * 0.3 + 0.2 * 0.4 + 0.4 * 0.3)) / (1 - 0.32), 12);
  });

  it('gives overlapping labels to the first listed and counts those frames; unknown labels are none', () => {
    const g = frameGrid({ startS: 0, endS: 10 }, 1);
    const c = frameConfusion(g, [iv('a', 0, 5), iv('b', 3, 8), iv('zzz', 8, 10)], [iv('b', 0, 10)], ['a', 'b']);
    expect(c.counts).toEqual([
      [0, 5, 0],
      [0, 3, 0],
      [0, 2, 0],
    ]);
    expect(c.overlapFrames).toEqual({ reference: 2, prediction: 0 });
  });
});
