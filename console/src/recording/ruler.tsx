/**
 * The time ruler over the plots: relative time from the recording's start (h:mm:ss.mmm), and under it the wall
 * clock in the recording's own time zone when it has one. Drawn on a canvas at the next animation frame after
 * the view moves (no re-render per frame); tick choice and labels are geometry/ticks and geometry/time-format.
 */
import { useEffect, useRef } from 'preact/hooks';
import { decimalsFor, tickStep, ticks } from '../geometry/ticks';
import { formatAbsolute, formatRelative, zoneName } from '../geometry/time-format';
import { timeToPx } from '../geometry/scale';
import { PLOT_LEFT, plotAreaWidth } from './plot-style';
import { frameScheduler, sizeCanvas } from './canvas';
import type { Viewport } from './viewport';

export interface RulerProps {
  viewport: Viewport;
  width: number;
  /** Unix ms of position 0, or null for a recording without a wall clock. */
  startMs: number | null;
  timeZone: string;
  /** Caption of the wall-clock row instead of the zone's name (a device clock of unknown zone). */
  clockCaption?: string;
}

export function Ruler({ viewport, width, startMs, timeZone, clockCaption }: RulerProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const height = startMs === null ? 22 : 36;

  useEffect(() => {
    const c = canvas.current;
    if (!c || width <= 0) return;
    const draw = (): void => {
      const ctx = sizeCanvas(c, width, height);
      if (!ctx) return;
      const { fromS, toS } = viewport.state;
      const areaW = plotAreaWidth(width);
      const step = tickStep(toS - fromS, areaW, startMs === null ? 86 : 96);
      const dec = decimalsFor(step);
      ctx.clearRect(0, 0, width, height);
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      ctx.fillStyle = '#8a93a6';
      ctx.fillText('rel.', 4, 4);
      if (startMs !== null) ctx.fillText(clockCaption ?? zoneName(startMs + fromS * 1000, timeZone), 4, 19);
      ctx.save();
      ctx.beginPath();
      ctx.rect(PLOT_LEFT - 2, 0, width - PLOT_LEFT + 2, height);
      ctx.clip();
      for (const t of ticks(fromS, toS, step)) {
        const x = Math.round(PLOT_LEFT + timeToPx({ fromS, toS, widthPx: areaW }, t)) + 0.5;
        ctx.fillStyle = '#c3c9d5';
        ctx.fillRect(x - 0.5, height - 5, 1, 5);
        ctx.fillStyle = '#263042';
        ctx.fillText(formatRelative(t, dec), x + 3, 4);
        if (startMs !== null) {
          ctx.fillStyle = '#5b6475';
          ctx.fillText(formatAbsolute(startMs, t, timeZone, dec, false), x + 3, 19);
        }
      }
      ctx.restore();
      c.setAttribute('aria-label', `Shown: ${formatRelative(fromS)} to ${formatRelative(toS)} from the start`);
    };
    const f = frameScheduler(draw);
    draw();
    const unsub = viewport.subscribe((_s, changed) => { if (changed.has('fromS') || changed.has('toS')) f.schedule(); });
    return () => { unsub(); f.cancel(); };
  }, [viewport, width, height, startMs, timeZone, clockCaption]);

  return (
    <div class="ruler" data-testid="ruler">
      <canvas ref={canvas} role="img" />
    </div>
  );
}
