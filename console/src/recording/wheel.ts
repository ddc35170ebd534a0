/**
 * Wheel and trackpad on the plot stack: a pinch (ctrl + wheel) or a vertical wheel zooms around the pointer, a
 * horizontal wheel or shift + wheel pans. The Viewport changes at once; plots follow at the next frame.
 */
import { pxToTime } from '../geometry/scale';
import type { Viewport } from './viewport';

/** Wheel deltas in pixels whatever the device reports (lines, pages). */
function px(e: WheelEvent, d: number): number {
  return e.deltaMode === 1 ? d * 16 : e.deltaMode === 2 ? d * 400 : d;
}

export function attachWheel(el: HTMLElement, viewport: Viewport, area: () => { left: number; width: number }): () => void {
  const on = (e: WheelEvent): void => {
    const { left, width } = area();
    if (width <= 0) return;
    const dx = px(e, e.deltaX);
    const dy = px(e, e.deltaY);
    const { fromS, toS } = viewport.state;
    e.preventDefault();
    if (!e.ctrlKey && (e.shiftKey || Math.abs(dx) > Math.abs(dy))) {
      viewport.panBy((e.shiftKey && dx === 0 ? dy : dx) / width);
      return;
    }
    const rect = el.getBoundingClientRect();
    const x = Math.min(width, Math.max(0, e.clientX - rect.left - left));
    const at = pxToTime({ fromS, toS, widthPx: width }, x);
    // A pinch reports small deltas; a wheel notch about 100 px: both a comfortable step.
    const factor = Math.exp(dy * (e.ctrlKey ? 0.01 : 0.0015));
    viewport.zoomAt(at, factor);
  };
  el.addEventListener('wheel', on, { passive: false });
  return () => el.removeEventListener('wheel', on);
}
