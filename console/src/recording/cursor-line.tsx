/**
 * The play cursor: one vertical line across every plot at Viewport.cursorS, moved by direct DOM writes when the
 * cursor or the view changes (the player sets the cursor every animation frame; no re-render per frame).
 * `data-cursor-s` always holds the cursor's seconds, even while it is outside the visible window.
 */
import { useEffect, useRef } from 'preact/hooks';
import { PLOT_LEFT } from './plot-style';
import type { Viewport } from './viewport';

export function CursorLine({ viewport, plotWidth }: { viewport: Viewport; plotWidth: number }) {
  const line = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const place = (): void => {
      const el = line.current;
      if (!el) return;
      const { cursorS, fromS, toS } = viewport.state;
      if (cursorS === null) {
        el.style.display = 'none';
        el.removeAttribute('data-cursor-s');
        return;
      }
      el.setAttribute('data-cursor-s', String(cursorS));
      const inside = cursorS >= fromS && cursorS <= toS && toS > fromS;
      el.style.display = inside ? '' : 'none';
      if (inside) el.style.transform = `translateX(${PLOT_LEFT + ((cursorS - fromS) / (toS - fromS)) * plotWidth}px)`;
    };
    place();
    return viewport.subscribe((_s, ch) => { if (ch.has('cursorS') || ch.has('fromS') || ch.has('toS')) place(); });
  }, [viewport, plotWidth]);
  return <div class="cursor-line" data-testid="cursor" ref={line} style={{ display: 'none' }} />;
}
