/** A canvas sized for the device's pixel ratio, its 2D context scaled so drawing is in CSS pixels. */
export function sizeCanvas(c: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (c.width !== w) c.width = w;
  if (c.height !== h) c.height = h;
  c.style.width = `${width}px`;
  c.style.height = `${height}px`;
  const ctx = c.getContext('2d');
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Calls `draw` at the next animation frame, once however often it is asked for before then. */
export function frameScheduler(draw: () => void): { schedule: () => void; cancel: () => void } {
  let raf = 0;
  return {
    schedule: () => {
      if (raf) return;
      raf = requestAnimationFrame(() => { raf = 0; draw(); });
    },
    cancel: () => { if (raf) cancelAnimationFrame(raf); raf = 0; },
  };
}
