import { describe, expect, it } from 'vitest';
import { windowTransform, windowTransformCss } from './window-transform';

/** Where a time lands in a window `w` wide px. */
const px = (t: number, w: { fromS: number; toS: number }, width: number): number => ((t - w.fromS) * width) / (w.toS - w.fromS);

describe('windowTransform', () => {
  it('carries every time drawn for one window to its place in another (pan and zoom)', () => {
    const drawn = { fromS: 100, toS: 200 };
    for (const shown of [{ fromS: 130, toS: 230 }, { fromS: 140, toS: 160 }, { fromS: 0, toS: 86_400 }, { fromS: 86_399.99, toS: 86_400 }]) {
      const { k, dx } = windowTransform(drawn, shown, 800);
      for (const t of [100, 137.25, 150, 199.999, 230]) {
        const want = px(t, shown, 800);
        expect(Math.abs(k * px(t, drawn, 800) + dx - want)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
      }
    }
  });

  it('is no transform for the same window, and never NaN for an empty one', () => {
    expect(windowTransformCss({ fromS: 1, toS: 2 }, { fromS: 1, toS: 2 }, 500)).toBe('');
    expect(windowTransform({ fromS: 1, toS: 1 }, { fromS: 0, toS: 2 }, 500)).toEqual({ k: 1, dx: 0 });
    expect(windowTransformCss({ fromS: 0, toS: 10 }, { fromS: 5, toS: 15 }, 100)).toBe('translateX(-50px) scaleX(1)');
  });
});
