import { describe, expect, it } from 'vitest';
import { maxPointsFor, pxToTime, timeToPx } from './scale';

describe('time scale', () => {
  it('maps the window onto the width and back', () => {
    const s = { fromS: 100, toS: 200, widthPx: 1000 };
    expect(timeToPx(s, 100)).toBe(0);
    expect(timeToPx(s, 150)).toBe(500);
    expect(timeToPx(s, 200)).toBe(1000);
    expect(pxToTime(s, 250)).toBe(125);
  });

  it('keeps sub-millisecond positions at the end of a 24-hour axis', () => {
    const s = { fromS: 86_399.9990, toS: 86_399.9995, widthPx: 500 };
    expect(pxToTime(s, 100)).toBeCloseTo(86_399.9991, 9);
    expect(timeToPx(s, 86_399.99925)).toBeCloseTo(250, 3);
  });

  it('answers 0 for an empty window instead of dividing by zero', () => {
    expect(timeToPx({ fromS: 5, toS: 5, widthPx: 100 }, 5)).toBe(0);
    expect(pxToTime({ fromS: 5, toS: 10, widthPx: 0 }, 3)).toBe(5);
  });
});

describe('maxPointsFor', () => {
  it('asks for one point per device pixel', () => {
    expect(maxPointsFor(800, 1)).toBe(800);
    expect(maxPointsFor(800, 2)).toBe(1600);
    expect(maxPointsFor(801, 1.5)).toBe(1202);
  });

  it('scales with a wider fetched window and stays within the API limits', () => {
    expect(maxPointsFor(1000, 2, 3)).toBe(6000);
    expect(maxPointsFor(100_000, 2, 3)).toBe(100_000);
    expect(maxPointsFor(0, 1)).toBe(2);
    expect(maxPointsFor(500, Number.NaN)).toBe(500);
  });
});
