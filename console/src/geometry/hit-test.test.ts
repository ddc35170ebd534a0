import { describe, expect, it } from 'vitest';
import { hitTest } from './hit-test';

// 100 px per second from t = 0.
const toPx = (t: number): number => t * 100;

describe('hit-testing annotation regions', () => {
  const wide = { key: 'w', startS: 1, endS: 3 };

  it('finds an edge within the tolerance, on either side of it', () => {
    expect(hitTest([wide], 96, toPx, 6)).toEqual({ kind: 'edge', key: 'w', edge: 'start' });
    expect(hitTest([wide], 105, toPx, 6)).toEqual({ kind: 'edge', key: 'w', edge: 'start' });
    expect(hitTest([wide], 305, toPx, 6)).toEqual({ kind: 'edge', key: 'w', edge: 'end' });
    expect(hitTest([wide], 93, toPx, 6)).toBeNull();
  });

  it('finds the body between the edges', () => {
    expect(hitTest([wide], 200, toPx, 6)).toEqual({ kind: 'body', key: 'w' });
    expect(hitTest([wide, { key: 'inner', startS: 1.5, endS: 2.5 }], 200, toPx, 6)).toEqual({ kind: 'body', key: 'inner' });
  });

  it('prefers the nearest edge when several are in reach', () => {
    const a = { key: 'a', startS: 1, endS: 2 };
    const b = { key: 'b', startS: 2.04, endS: 4 };
    expect(hitTest([a, b], 201, toPx, 6)).toEqual({ kind: 'edge', key: 'a', edge: 'end' });
    expect(hitTest([a, b], 203, toPx, 6)).toEqual({ kind: 'edge', key: 'b', edge: 'start' });
  });

  it('at a shared boundary takes the edge of the region on the pointer side', () => {
    const a = { key: 'a', startS: 1, endS: 2 };
    const b = { key: 'b', startS: 2, endS: 3 };
    for (const order of [[a, b], [b, a]]) {
      expect(hitTest(order, 199.5, toPx, 6)).toEqual({ kind: 'edge', key: 'a', edge: 'end' });
      expect(hitTest(order, 200.5, toPx, 6)).toEqual({ kind: 'edge', key: 'b', edge: 'start' });
    }
  });

  it('keeps both handles of a tiny region reachable, and its middle a body', () => {
    const tiny = { key: 't', startS: 1, endS: 1.06 }; // 6 px wide, tolerance 6 px
    expect(hitTest([tiny], 95, toPx, 6)).toEqual({ kind: 'edge', key: 't', edge: 'start' });
    expect(hitTest([tiny], 111, toPx, 6)).toEqual({ kind: 'edge', key: 't', edge: 'end' });
    expect(hitTest([tiny], 103, toPx, 6)).toEqual({ kind: 'body', key: 't' });
  });

  it('finds a point event around its line, and it beats a body under it', () => {
    const p = { key: 'p', startS: 2, endS: 2 };
    expect(hitTest([p], 204, toPx, 6)).toEqual({ kind: 'point', key: 'p' });
    expect(hitTest([wide, p], 203, toPx, 6)).toEqual({ kind: 'point', key: 'p' });
    expect(hitTest([p], 207, toPx, 6)).toBeNull();
  });
});
