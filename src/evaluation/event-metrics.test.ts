import { describe, expect, it } from 'vitest';
import { bestF1, eventLabelMetrics, latencyStats, matchEvents, operatingPoints, recallAtFalseAlarmRate } from './event-metrics.js';
import type { LabeledInterval } from './intervals.js';

const iv = (startS: number, endS: number, confidence?: number): LabeledInterval =>
  confidence === undefined ? { label: 'x', startS, endS } : { label: 'x', startS, endS, confidence };

describe('event matching', () => {
  it('scores the hand example: one hit within 0.5 s, one miss, one false alarm in one hour', () => {
    const m = eventLabelMetrics([iv(10, 12), iv(30, 31)], [iv(10.3, 12.5), iv(50, 51)], 1);
    expect(m).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5, falseAlarmsPerHour: 1 });
    expect(m.latency?.n).toBe(1);
    expect(m.latency?.meanS).toBeCloseTo(0.3, 12);
  });

  it('counts an onset exactly at the tolerance as a hit, and one just past it as a miss', () => {
    expect(matchEvents([iv(1.2, 2)], [iv(1.7, 2)], { onsetS: 0.5, offsetFraction: null })).toHaveLength(1);
    expect(matchEvents([iv(1.2, 2)], [iv(1.7001, 2)], { onsetS: 0.5, offsetFraction: null })).toHaveLength(0);
  });

  it('pairs one to one: two predictions near one reference give one hit and one false alarm', () => {
    const m = eventLabelMetrics([iv(5, 6)], [iv(5.1, 6), iv(5.2, 6)], 2);
    expect(m).toMatchObject({ tp: 1, fp: 1, fn: 0, falseAlarmsPerHour: 0.5 });
    expect(m.latency?.meanS).toBeCloseTo(0.1, 12);
  });

  it('checks offsets like sed_eval when asked: within max(onset tolerance, fraction × reference duration)', () => {
    const ref = [iv(0, 10)];
    const tol = { onsetS: 0.5, offsetFraction: 0.2 };
    expect(matchEvents(ref, [iv(0.1, 8.1)], tol)).toHaveLength(1); // |Δoffset| 1.9 ≤ 2
    expect(matchEvents(ref, [iv(0.1, 7.9)], tol)).toHaveLength(0); // 2.1 > 2
    expect(matchEvents([iv(0, 1)], [iv(0, 1.4)], tol)).toHaveLength(1); // 0.4 ≤ max(0.5, 0.2)
    expect(matchEvents(ref, [iv(0.1, 7.9)], { onsetS: 0.5, offsetFraction: null })).toHaveLength(1);
  });

  it('finds the maximum matching where greedy-by-distance does not', () => {
    const ref = [iv(0, 1), iv(0.8, 2)];
    const pred = [iv(0.4, 1), iv(-0.45, 1)];
    const tol = { onsetS: 0.5, offsetFraction: null };
    expect(matchEvents(ref, pred, tol, 'greedy')).toEqual([{ ref: 0, pred: 0, latencyS: 0.4 }]);
    const opt = matchEvents(ref, pred, tol, 'optimal');
    expect(opt.map((m) => [m.ref, m.pred])).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('prefers the closest pairs when the count is the same', () => {
    const m = matchEvents([iv(0, 1), iv(1, 2)], [iv(1.05, 2), iv(0.1, 1)]);
    expect(m.map((x) => [x.ref, x.pred])).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('gives F1 = 1 for identical events (point events too) and 0 for disjoint ones', () => {
    const a = [iv(1, 2), iv(3, 3), iv(10, 12)];
    expect(eventLabelMetrics(a, a, 1)).toMatchObject({ precision: 1, recall: 1, f1: 1, falseAlarmsPerHour: 0 });
    expect(eventLabelMetrics(a, [iv(20, 21), iv(30, 30)], 1)).toMatchObject({ tp: 0, precision: 0, recall: 0, f1: 0, falseAlarmsPerHour: 2, latency: null });
    expect(eventLabelMetrics([], [], 0)).toMatchObject({ precision: null, recall: null, f1: null, falseAlarmsPerHour: null });
  });

  it('rejects a negative tolerance or an offset fraction above 1', () => {
    expect(() => matchEvents([], [], { onsetS: -1, offsetFraction: null })).toThrow(/onset tolerance/);
    expect(() => matchEvents([], [], { onsetS: 0.5, offsetFraction: 2 })).toThrow(/offset tolerance/);
  });
});

describe('latency', () => {
  it('reports mean, median and p90 with linear interpolation', () => {
    const s = latencyStats([0.3, 0.1, 1.0, 0.4, 0.2]);
    expect(s).not.toBeNull();
    expect(s?.meanS).toBeCloseTo(0.4, 12);
    expect(s?.medianS).toBeCloseTo(0.3, 12);
    expect(s?.p90S).toBeCloseTo(0.76, 12);
    expect(s).toMatchObject({ n: 5, minS: 0.1, maxS: 1.0 });
    expect(latencyStats([])).toBeNull();
  });
});

describe('confidence sweep', () => {
  // Four reference events; hits at confidences 0.9, 0.8, 0.6, false alarms at 0.7 and 0.3, over one hour.
  const ref = [iv(0, 1), iv(10, 11), iv(20, 21), iv(30, 31)];
  const pred = [iv(0.1, 1, 0.9), iv(10.1, 11, 0.8), iv(50, 51, 0.7), iv(20.2, 21, 0.6), iv(60, 61, 0.3)];
  const points = operatingPoints(ref, pred, 1);

  it('lists one operating point per distinct confidence, highest first', () => {
    expect(points.map((p) => [p.threshold, p.predictions, p.tp, p.fp, p.fn])).toEqual([
      [0.9, 1, 1, 0, 3],
      [0.8, 2, 2, 0, 2],
      [0.7, 3, 2, 1, 2],
      [0.6, 4, 3, 1, 1],
      [0.3, 5, 3, 2, 1],
    ]);
    expect(points[3]).toMatchObject({ precision: 0.75, recall: 0.75, f1: 0.75, falseAlarmsPerHour: 1 });
  });

  it('finds the best-F1 threshold and the recall at a false-alarm budget', () => {
    expect(bestF1(points)?.threshold).toBe(0.6);
    expect(recallAtFalseAlarmRate(points, 0)).toMatchObject({ threshold: 0.8, recall: 0.5 });
    expect(recallAtFalseAlarmRate(points, 1)).toMatchObject({ threshold: 0.6, recall: 0.75 });
    expect(recallAtFalseAlarmRate(operatingPoints(ref, [iv(50, 51, 0.9)], 1), 0)).toBeNull();
  });

  it('caps the number of thresholds and always keeps the one that keeps every prediction', () => {
    const many = Array.from({ length: 500 }, (_, k) => iv(k * 2, k * 2 + 1, (k + 1) / 500));
    const pts = operatingPoints(many, many, 1, undefined, 'optimal', 20);
    expect(pts.length).toBeLessThanOrEqual(20);
    expect(pts[pts.length - 1]).toMatchObject({ threshold: 1 / 500, predictions: 500, recall: 1 });
    expect(pts.every((p, i) => i === 0 || p.threshold < (pts[i - 1]?.threshold ?? 2))).toBe(true);
  });

  it('treats predictions without confidence as 1 (one operating point)', () => {
    expect(operatingPoints(ref, [iv(0, 1)], 1).map((p) => p.threshold)).toEqual([1]);
    expect(operatingPoints(ref, [], 1)).toEqual([]);
  });
});
