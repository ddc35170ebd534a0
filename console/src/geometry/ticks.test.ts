import { describe, expect, it } from 'vitest';
import { decimalsFor, tickStep, ticks } from './ticks';

describe('tickStep', () => {
  it('picks nice steps from a millisecond to six hours', () => {
    expect(tickStep(0.01, 1000, 90)).toBe(0.001);
    expect(tickStep(1, 1000, 90)).toBe(0.1);
    expect(tickStep(60, 1000, 90)).toBe(10);
    expect(tickStep(3600, 1000, 90)).toBe(600);
    expect(tickStep(86_400, 1000, 90)).toBe(10_800);
    expect(tickStep(10 * 86_400, 1000, 90)).toBe(21_600);
  });

  it('keeps labels at least minPx apart', () => {
    for (const span of [0.003, 0.7, 13, 400, 7000, 50_000]) {
      const step = tickStep(span, 1200, 80);
      if (step < 21_600) expect((step * 1200) / span).toBeGreaterThanOrEqual(80);
    }
  });
});

describe('ticks', () => {
  it('lists the multiples inside the window', () => {
    expect(ticks(0.95, 1.31, 0.1)).toEqual([1, 1.1, 1.2, 1.3]);
    expect(ticks(0, 30, 10)).toEqual([0, 10, 20, 30]);
  });

  it('lands on exact millisecond ticks at the end of a day', () => {
    expect(ticks(86_399.9975, 86_400, 0.001)).toEqual([86_399.998, 86_399.999, 86_400]);
  });

  it('gives nothing for a bad step or window', () => {
    expect(ticks(0, 10, 0)).toEqual([]);
    expect(ticks(10, 0, 1)).toEqual([]);
  });

  it('says how many decimals a label needs', () => {
    expect([0.001, 0.02, 0.5, 1, 3600].map(decimalsFor)).toEqual([3, 2, 1, 0, 0]);
  });
});
