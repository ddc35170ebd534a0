/**
 * One stream as a uPlot plot (channels overlaid), drawn for the shared Viewport: the x scale follows the view at
 * the next animation frame, with the data it holds (rescaled, never blanked), and the samples for the new view
 * arrive after (SamplesLoader). uPlot is created once per stream and only ever gets setScale / setData / setSize.
 * The mouse belongs to the annotation overlay above, so uPlot's own cursor, drag-zoom and selection are off.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Api } from '../api/client';
import { unwrap } from '../api/client';
import type { components } from '../api/schema';
import { tickStep, ticks } from '../geometry/ticks';
import { SamplesLoader, type HeldData } from './samples-loader';
import { PLOT_LEFT, PLOT_RIGHT, axisNumber, channelColor, plotAreaWidth, prettyUnit } from './plot-style';
import { markPlotDrawn } from './first-plot';
import type { Viewport } from './viewport';

type Stream = components['schemas']['Stream'];

export interface StreamPlotProps {
  api: Api;
  recordingId: string;
  stream: Stream;
  /** Duration of the stream's own recording (seconds). */
  durationS: number;
  viewport: Viewport;
  /** Width of the plot stack (CSS px). */
  width: number;
  /** Height of the canvas (CSS px). */
  height: number;
  /** Seconds added to this stream's times to put them on the viewport's axis (another, aligned recording). */
  shiftS?: number;
  title?: string;
  /** A waveform: each channel drawn as a filled band between its envelope's edges, y symmetric around 0. */
  waveform?: boolean;
}

const GRID = 'rgba(30, 40, 60, 0.08)';
const stepped = uPlot.paths.stepped?.({ align: 1 });
/** A waveform's y range is at least ±1 % of full scale (−40 dBFS), so a quiet stretch looks quiet, not loud. */
const WAVE_MIN_RANGE = 0.01;

/** uPlot's padded range, except that a flat signal gets a narrow band around its value (not 0 … 2·value). */
function flatSafeRange(min: number, max: number): uPlot.Range.MinMax {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max - min < 1e-9 * Math.max(1, Math.abs(max))) {
    const d = Math.max(0.5, Math.abs(max) * 0.02);
    return [min - d, max + d];
  }
  return uPlot.rangeNum(min, max, 0.1, true);
}

export function StreamPlot(p: StreamPlotProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const loader = useRef<SamplesLoader | null>(null);
  const shift = useRef(p.shiftS ?? 0);
  const width = useRef(p.width);
  const [problem, setProblem] = useState<string | null>(null);
  const [empty, setEmpty] = useState(false);
  const { api, recordingId, stream, durationS, viewport } = p;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const dpr = (): number => window.devicePixelRatio || 1;
    const view = (): { fromS: number; toS: number } => ({ fromS: viewport.state.fromS - shift.current, toS: viewport.state.toS - shift.current });
    let drawPending = false;
    let retry: ReturnType<typeof setTimeout> | null = null;

    const opts: uPlot.Options = {
      width: Math.max(1, width.current),
      height: p.height,
      padding: [6, PLOT_RIGHT, 2, 0],
      legend: { show: false },
      cursor: { show: false, x: false, y: false, drag: { x: false, y: false, setScale: false }, points: { show: false } },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: false, auto: false, range: (): uPlot.Range.MinMax => [viewport.state.fromS, viewport.state.toS] },
        y: p.waveform
          ? { auto: true, range: (_u, min, max): uPlot.Range.MinMax => { const m = Math.max(Math.abs(min), Math.abs(max), WAVE_MIN_RANGE); return [-m * 1.05, m * 1.05]; } }
          : { auto: true, range: (_u, min, max): uPlot.Range.MinMax => flatSafeRange(min, max) },
      },
      axes: [
        {
          size: 0,
          gap: 0,
          ticks: { show: false },
          border: { show: false },
          // Vertical grid lines at the ruler's ticks, so plots and ruler read together.
          splits: (u) => {
            const min = u.scales.x?.min ?? 0;
            const max = u.scales.x?.max ?? 1;
            return ticks(min, max, tickStep(max - min, plotAreaWidth(width.current)));
          },
          values: (_u, splits) => splits.map(() => ''),
          grid: { stroke: GRID, width: 1 },
        },
        {
          size: PLOT_LEFT,
          gap: 3,
          // Labels every ~22 px, so even a short plot shows its scale.
          space: 22,
          font: '11px system-ui, sans-serif',
          stroke: '#5b6475',
          ticks: { size: 3, stroke: GRID, width: 1 },
          grid: { stroke: GRID, width: 1 },
          values: (_u, splits, _axis, _space, incr) => splits.map((v) => axisNumber(v, incr)),
        },
      ],
      series: [
        {},
        ...(p.waveform
          // Each bucket's edges held flat across it (stepped), as a waveform overview is drawn: a straight line
          // from one bucket's peak to the next would draw loudness that is not there.
          ? stream.channels.flatMap((c, i) => [
            { label: `${c} max`, stroke: channelColor(i), width: 1, spanGaps: false, points: { show: false }, paths: stepped },
            { label: `${c} min`, stroke: channelColor(i), width: 1, spanGaps: false, points: { show: false }, paths: stepped },
          ])
          : stream.channels.map((c, i) => ({ label: c, stroke: channelColor(i), width: 1, spanGaps: false, points: { show: false } }))),
      ],
      ...(p.waveform ? { bands: stream.channels.map((_c, i) => ({ series: [2 * i + 1, 2 * i + 2] as [number, number], fill: `${channelColor(i)}99` })) } : {}),
      hooks: {
        draw: [() => {
          if (!drawPending) return;
          drawPending = false;
          markPlotDrawn();
        }],
      },
    };
    const empties: uPlot.AlignedData = [[], ...opts.series.slice(1).map(() => [] as (number | null)[])];
    const u = new uPlot(opts, empties, el);
    plot.current = u;

    const draw = (h: HeldData): void => {
      const s = shift.current;
      const t = s === 0 ? h.t : h.t.map((x) => x + s);
      drawPending = h.t.length > 0;
      setEmpty(h.t.length === 0);
      u.batch(() => {
        u.setData([t, ...h.values] as uPlot.AlignedData, true);
        u.setScale('x', { min: viewport.state.fromS, max: viewport.state.toS });
      });
    };
    const ld = new SamplesLoader(
      async (w, signal) => unwrap(await api.GET('/v1/recordings/{recordingId}/streams/{name}/samples', {
        params: { path: { recordingId, name: stream.name }, query: { fromS: w.fromS, toS: w.toS, maxPoints: w.maxPoints } },
        signal,
      })),
      stream.channels,
      durationS,
      stream.sampleRateHz ?? null,
      (h) => { setProblem(null); draw(h); },
      (e) => {
        setProblem(`Samples could not be loaded (${e instanceof Error ? e.message : String(e)}); retrying.`);
        retry = setTimeout(() => ld.request(view(), plotAreaWidth(width.current), dpr(), true), 3000);
      },
      p.waveform === true,
    );
    loader.current = ld;
    ld.request(view(), plotAreaWidth(width.current), dpr(), true);

    let raf = 0;
    const unsub = viewport.subscribe((_s, changed) => {
      if (!changed.has('fromS') && !changed.has('toS')) return;
      if (raf) return;
      raf = requestAnimationFrame(() => {
        raf = 0;
        const { fromS, toS } = viewport.state;
        u.setScale('x', { min: fromS, max: toS });
        ld.request(view(), plotAreaWidth(width.current), dpr());
      });
    });
    return () => {
      unsub();
      if (raf) cancelAnimationFrame(raf);
      if (retry) clearTimeout(retry);
      ld.close();
      u.destroy();
      plot.current = null;
      loader.current = null;
    };
    // The plot is made once per stream; size and shift changes go through setSize / setData below.
  }, [api, recordingId, stream.name, durationS, viewport]);

  useEffect(() => {
    width.current = p.width;
    const u = plot.current;
    if (!u || p.width <= 0) return;
    u.setSize({ width: p.width, height: p.height });
    loader.current?.request({ fromS: viewport.state.fromS - shift.current, toS: viewport.state.toS - shift.current }, plotAreaWidth(p.width), window.devicePixelRatio || 1);
  }, [p.width, p.height, viewport]);

  useEffect(() => {
    const s = p.shiftS ?? 0;
    if (s === shift.current) return;
    shift.current = s;
    const u = plot.current;
    const ld = loader.current;
    const h = ld?.current;
    if (u && h) {
      u.setData([h.t.map((x) => x + s), ...h.values] as uPlot.AlignedData, true);
      u.setScale('x', { min: viewport.state.fromS, max: viewport.state.toS });
    }
    ld?.request({ fromS: viewport.state.fromS - s, toS: viewport.state.toS - s }, plotAreaWidth(width.current), window.devicePixelRatio || 1);
  }, [p.shiftS, viewport]);

  const rate = stream.sampleRateHz ? `${Number(stream.sampleRateHz.toPrecision(4))} Hz` : 'irregular';
  return (
    <div class="plot" data-testid={`plot-${stream.name}`}>
      <div class="plot-head" style={{ paddingLeft: `${PLOT_LEFT}px` }}>
        <span class="plot-name">{p.title ?? stream.name}</span>
        <span class="plot-unit">{prettyUnit(stream.unit)}</span>
        <span class="plot-legend">
          {stream.channels.map((c, i) => <span class="plot-chan" key={c}><i style={{ background: channelColor(i) }} />{c}</span>)}
        </span>
        <span class="plot-rate">{rate}</span>
        {problem ? <span class="plot-problem" role="alert">{problem}</span> : empty ? <span class="plot-note">no samples here</span> : null}
      </div>
      <div class="plot-canvas" ref={host} style={{ height: `${p.height}px` }} />
    </div>
  );
}
