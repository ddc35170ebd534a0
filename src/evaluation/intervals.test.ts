import { describe, expect, it } from 'vitest';
import { clipIntervals, labelsIn, normalizeIntervals, type LabeledInterval } from './intervals.js';

const iv = (label: string, startS: number, endS: number, confidence?: number): LabeledInterval =>
  confidence === undefined ? { label, startS, endS } : { label, startS, endS, confidence };

describe('normalizeIntervals', () => {
  it('sorts by start and merges overlapping intervals of one label, keeping the higher confidence', () => {
    const out = normalizeIntervals([iv('a', 5, 7, 0.4), iv('a', 1, 3, 0.2), iv('a', 2, 4, 0.9), iv('a', 3.5, 3.8)]);
    expect(out).toEqual([iv('a', 1, 4, 0.9), iv('a', 5, 7, 0.4)]);
  });

  it('keeps touching intervals apart (two events) and never merges different labels', () => {
    const out = normalizeIntervals([iv('a', 1, 2), iv('a', 2, 3), iv('b', 1.5, 2.5)]);
    expect(out).toEqual([iv('a', 1, 2), iv('b', 1.5, 2.5), iv('a', 2, 3)]);
  });

  it('keeps point events as events and drops exact duplicates of them', () => {
    const out = normalizeIntervals([iv('tap', 2, 2, 0.3), iv('tap', 1, 1), iv('tap', 2, 2, 0.8), iv('tap', 1.5, 3)]);
    expect(out).toEqual([iv('tap', 1, 1), iv('tap', 1.5, 3), iv('tap', 2, 2, 0.8)]);
  });

  it('does not touch its input and writes no undefined confidence', () => {
    const input = [iv('a', 2, 3), iv('a', 1, 2.5)];
    const out = normalizeIntervals(input);
    expect(input).toEqual([iv('a', 2, 3), iv('a', 1, 2.5)]);
    expect(Object.keys(out[0] ?? {})).toEqual(['label', 'startS', 'endS']);
  });

  it('rejects malformed intervals with a message naming them', () => {
    expect(() => normalizeIntervals([iv('a', 3, 2)], 'reference')).toThrow(/reference interval 0 \(a\) ends at 2 s, before it starts at 3 s/);
    expect(() => normalizeIntervals([iv('a', Number.NaN, 2)])).toThrow(/not a number/);
    expect(() => normalizeIntervals([iv('none', 0, 1)])).toThrow(/reserved|names unlabelled time/);
    expect(() => normalizeIntervals([iv('a', 0, 1, 1.5)])).toThrow(/outside \[0, 1\]/);
  });
});

describe('clipIntervals and labelsIn', () => {
  it('cuts intervals to the span and keeps point events inside it', () => {
    const out = clipIntervals([iv('a', -1, 1), iv('a', 2, 3), iv('a', 9, 12), iv('a', 11, 12), iv('t', 10, 10), iv('t', 10.5, 10.5)], { startS: 0, endS: 10 });
    expect(out).toEqual([iv('a', 0, 1), iv('a', 2, 3), iv('a', 9, 10), iv('t', 10, 10)]);
  });

  it('lists labels once, sorted', () => {
    expect(labelsIn([iv('b', 0, 1), iv('a', 0, 1)], [iv('b', 2, 3), iv('c', 0, 0)])).toEqual(['a', 'b', 'c']);
  });
});
