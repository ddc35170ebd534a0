import { useEffect, useReducer, useRef, type MutableRef } from 'preact/hooks';
import type { Viewport, ViewState } from '../recording/viewport';
import { windowTransformCss } from '../geometry/window-transform';

/** Lay the regions out again this long after the view stopped moving… */
const SETTLE_MS = 90;
/** …and at least this often while it keeps moving (a long drag of the overview box). */
const MAX_STALE_MS = 300;

/**
 * The window the annotation regions are laid out for. While the view pans or zooms, the regions' layer follows
 * by a CSS transform written straight to the DOM (no render: hundreds of regions re-rendered every frame cost
 * ~200 ms a frame in a software-rendered Chromium); the layer is laid out again once the view settles. The
 * transform stretches the label chips for the moment a zoom lasts, never their places.
 */
export function useSettledWindow(viewport: Viewport, layer: MutableRef<HTMLElement | null>, widthPx: number): ViewState {
  const drawn = useRef<ViewState>(viewport.state);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const width = useRef(widthPx);
  width.current = widthPx;

  useEffect(() => {
    let settle: ReturnType<typeof setTimeout> | undefined;
    let staleSince: number | null = null;
    const layOut = (): void => {
      settle = undefined;
      staleSince = null;
      drawn.current = viewport.state;
      rerender(0);
    };
    const off = viewport.subscribe((s, changed) => {
      if (!changed.has('fromS') && !changed.has('toS') && !changed.has('durationS')) return;
      if (layer.current) layer.current.style.transform = windowTransformCss(drawn.current, s, width.current);
      const now = performance.now();
      staleSince ??= now;
      if (settle !== undefined) clearTimeout(settle);
      settle = setTimeout(layOut, now - staleSince >= MAX_STALE_MS ? 0 : SETTLE_MS);
    });
    return () => {
      off();
      if (settle !== undefined) clearTimeout(settle);
    };
  }, [viewport, layer]);

  // A render lays out for `drawn`: the layer must then have no transform left from before.
  useEffect(() => {
    if (layer.current) layer.current.style.transform = windowTransformCss(drawn.current, viewport.state, width.current);
  });
  return drawn.current;
}
