import { describe, expect, it } from 'vitest';
import { covers, pickHeld, windowToFetch } from './fetch-window';

describe('windowToFetch', () => {
  it('adds one span either side at the same density', () => {
    expect(windowToFetch({ fromS: 100, toS: 200 }, 1000, 800, 1)).toEqual({ fromS: 0, toS: 300, maxPoints: 2400 });
  });

  it('clamps the margin to the recording and keeps the density', () => {
    expect(windowToFetch({ fromS: 0, toS: 100 }, 150, 500, 2)).toEqual({ fromS: 0, toS: 150, maxPoints: 1500 });
    expect(windowToFetch({ fromS: 0, toS: 86_400 }, 86_400, 1000, 1)).toEqual({ fromS: 0, toS: 86_400, maxPoints: 1000 });
  });
});

describe('covers', () => {
  const held = { fromS: 0, toS: 300, maxPoints: 2400, reduced: true };

  it('draws a small pan from the margin', () => {
    expect(covers(held, { fromS: 150, toS: 250 }, 1000, 800, 1)).toBe(true);
  });

  it('refetches past the margin', () => {
    expect(covers(held, { fromS: 250, toS: 350 }, 1000, 800, 1)).toBe(false);
  });

  it('refetches an envelope zoomed in too far, but never raw samples', () => {
    expect(covers(held, { fromS: 140, toS: 160 }, 1000, 800, 1)).toBe(false);
    expect(covers({ ...held, reduced: false }, { fromS: 140, toS: 160 }, 1000, 800, 1)).toBe(true);
  });

  it('treats the recording end as covered when the window was clamped there', () => {
    expect(covers({ fromS: 0, toS: 150, maxPoints: 1500, reduced: true }, { fromS: 50, toS: 150 }, 150, 500, 2)).toBe(true);
  });

  it('picks the first held window that will do', () => {
    const a = { ...held, fromS: 500, toS: 800 };
    expect(pickHeld([a, held], { fromS: 150, toS: 250 }, 1000, 800, 1)).toBe(held);
    expect(pickHeld([a], { fromS: 150, toS: 250 }, 1000, 800, 1)).toBeUndefined();
  });
});
