import { describe, expect, it } from 'vitest';
import { frameGrid } from '../evaluation/frame-metrics.js';
import { disagreements, MAX_DISAGREEMENTS } from './annotation-agreement.service.js';

describe('disagreements between two frame label sequences', () => {
  const grid = frameGrid({ startS: 0, endS: 10 }, 0.5);

  it('merges neighbouring differing frames with the same pair, splits where the pair changes', () => {
    const a = [{ label: 'walk', startS: 0, endS: 4 }];
    const b = [{ label: 'walk', startS: 1, endS: 2 }, { label: 'run', startS: 2, endS: 3 }, { label: 'run', startS: 8, endS: 10 }];
    expect(disagreements(grid, 10, ['run', 'walk'], a, b).items).toEqual([
      { startS: 0, endS: 1, a: 'walk', b: null },
      { startS: 2, endS: 3, a: 'walk', b: 'run' },
      { startS: 3, endS: 4, a: 'walk', b: null },
      { startS: 8, endS: 10, a: null, b: 'run' },
    ]);
  });

  it('is empty for equal labellings, and cuts the last frame to the span', () => {
    const a = [{ label: 'x', startS: 0, endS: 9.8 }];
    expect(disagreements(grid, 9.8, ['x'], a, a)).toEqual({ items: [], truncated: false });
    const g = frameGrid({ startS: 0, endS: 9.8 }, 0.5);
    expect(disagreements(g, 9.8, ['x'], a, []).items).toEqual([{ startS: 0, endS: 9.8, a: 'x', b: null }]);
  });

  it(`lists at most ${MAX_DISAGREEMENTS}`, () => {
    const many = frameGrid({ startS: 0, endS: 2000 }, 0.5);
    const a = Array.from({ length: 600 }, (_, i) => ({ label: 'x', startS: i * 2, endS: i * 2 + 1 }));
    const out = disagreements(many, 2000, ['x'], a, []);
    expect(out.items).toHaveLength(MAX_DISAGREEMENTS);
    expect(out.truncated).toBe(true);
    expect(out.items.at(-1)).toEqual({ startS: 998, endS: 999, a: 'x', b: null });
  });
});
