/**
 * The CSS transform that carries what was drawn for one time window onto another, so a layer of many DOM nodes can
 * follow a pan or zoom at once (compositing only) and be laid out again once the view has settled.
 * A time t drawn at x0 = (t - a.fromS) · W / spanA must appear at x1 = (t - b.fromS) · W / spanB: x1 = k · x0 + dx.
 */
export interface TimeWindow { fromS: number; toS: number }

export function windowTransform(drawn: TimeWindow, shown: TimeWindow, widthPx: number): { k: number; dx: number } {
  const spanA = drawn.toS - drawn.fromS;
  const spanB = shown.toS - shown.fromS;
  if (!(spanA > 0) || !(spanB > 0) || !(widthPx > 0)) return { k: 1, dx: 0 };
  return { k: spanA / spanB, dx: ((drawn.fromS - shown.fromS) * widthPx) / spanB };
}

/** The transform as a CSS value, or '' for none (same window). */
export function windowTransformCss(drawn: TimeWindow, shown: TimeWindow, widthPx: number): string {
  const { k, dx } = windowTransform(drawn, shown, widthPx);
  if (k === 1 && dx === 0) return '';
  return `translateX(${dx}px) scaleX(${k})`;
}
