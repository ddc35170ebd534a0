/**
 * The overview strip: the whole recording at once — a coarse envelope of its first motion stream, the pipeline's
 * segments as coloured bands (one lane per kind, with a legend), quality problems, and the visible window as a
 * box to drag (pan), resize by its edges, or click beside to jump there.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import { unwrap } from '../api/client';
import type { components } from '../api/schema';
import { maxPointsFor } from '../geometry/scale';
import { PLOT_LEFT, channelColor, plotAreaWidth } from './plot-style';
import { laneOrder, segmentColor } from './segment-colors';
import { afterFirstPlot } from './first-plot';
import { sizeCanvas } from './canvas';
import type { Viewport } from './viewport';

type Recording = components['schemas']['Recording'];
type Segment = components['schemas']['Segment'];
type Samples = components['schemas']['Samples'];

const ENVELOPE_H = 30;
const LANE_H = 5;
const MAX_LANES = 7;

export interface OverviewProps {
  api: Api;
  recording: Recording;
  viewport: Viewport;
  width: number;
}

export function Overview({ api, recording, viewport, width }: OverviewProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const strip = useRef<HTMLDivElement>(null);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [envelope, setEnvelope] = useState<Samples | null>(null);
  const d = viewport.state.durationS;
  const areaW = plotAreaWidth(width);
  const stream = recording.streams.find((s) => s.kind === 'imu') ?? recording.streams[0];

  useEffect(() => {
    let live = true;
    void afterFirstPlot()
      .then(() => (live ? api.GET('/v1/recordings/{recordingId}/segments', { params: { path: { recordingId: recording.id } } }) : null))
      .then((r) => { if (live && r?.data) setSegments(r.data.items); });
    return () => { live = false; };
  }, [api, recording.id]);

  // The envelope is fetched once, at one point per device pixel of the strip (a coarse view of 24 h is a few KB).
  const points = maxPointsFor(areaW, window.devicePixelRatio || 1);
  const bucket = Math.round(points / 200) * 200 || 200;
  useEffect(() => {
    if (!stream || areaW <= 0) return;
    const ctrl = new AbortController();
    void api.GET('/v1/recordings/{recordingId}/streams/{name}/samples', {
      params: { path: { recordingId: recording.id, name: stream.name }, query: { fromS: 0, toS: d, maxPoints: bucket } },
      signal: ctrl.signal,
    }).then((r) => { if (!ctrl.signal.aborted) setEnvelope(unwrap(r)); }).catch(() => undefined);
    return () => ctrl.abort();
  }, [api, recording.id, stream?.name, d, bucket]);

  const lanes = laneOrder(segments.map((s) => s.kind)).slice(0, MAX_LANES);
  const height = ENVELOPE_H + 2 + lanes.length * (LANE_H + 1);

  useEffect(() => {
    const c = canvas.current;
    if (!c || areaW <= 0) return;
    const ctx = sizeCanvas(c, areaW, height);
    if (!ctx) return;
    ctx.clearRect(0, 0, areaW, height);
    ctx.fillStyle = '#f3f5f9';
    ctx.fillRect(0, 0, areaW, ENVELOPE_H);
    const x = (s: number): number => (d > 0 ? (s / d) * areaW : 0);
    if (envelope && envelope.t.length > 1) {
      const chans = Object.values(envelope.channels);
      let lo = Infinity;
      let hi = -Infinity;
      for (const ch of chans) for (const v of ch) if (v !== null) { if (v < lo) lo = v; if (v > hi) hi = v; }
      if (hi > lo) {
        const y = (v: number): number => ENVELOPE_H - 2 - ((v - lo) / (hi - lo)) * (ENVELOPE_H - 4);
        chans.forEach((ch, k) => {
          ctx.strokeStyle = channelColor(k);
          ctx.globalAlpha = 0.55;
          ctx.lineWidth = 1;
          ctx.beginPath();
          let pen = false;
          for (let i = 0; i < ch.length; i++) {
            const v = ch[i];
            if (v === null || v === undefined) { pen = false; continue; }
            if (pen) ctx.lineTo(x(envelope.t[i]!), y(v));
            else ctx.moveTo(x(envelope.t[i]!), y(v));
            pen = true;
          }
          ctx.stroke();
        });
        ctx.globalAlpha = 1;
      }
    }
    lanes.forEach((kind, i) => {
      const top = ENVELOPE_H + 2 + i * (LANE_H + 1);
      ctx.fillStyle = '#eef0f4';
      ctx.fillRect(0, top, areaW, LANE_H);
      ctx.fillStyle = segmentColor(kind);
      for (const s of segments) if (s.kind === kind) ctx.fillRect(x(s.startS), top, Math.max(1, x(s.endS) - x(s.startS)), LANE_H);
    });
  }, [envelope, segments, areaW, height, d, lanes.join('|')]);

  // The window box follows the view by direct DOM writes (no re-render per frame).
  useEffect(() => {
    const place = (): void => {
      const b = box.current;
      if (!b || d <= 0) return;
      const { fromS, toS } = viewport.state;
      const left = (fromS / d) * areaW;
      const w = Math.max(4, ((toS - fromS) / d) * areaW);
      b.style.left = `${PLOT_LEFT + Math.min(left, areaW - w)}px`;
      b.style.width = `${w}px`;
    };
    place();
    return viewport.subscribe((_s, ch) => { if (ch.has('fromS') || ch.has('toS')) place(); });
  }, [viewport, areaW, d]);

  const onPointerDown = (e: PointerEvent): void => {
    const el = strip.current;
    if (!el || areaW <= 0 || e.button !== 0) return;
    const rect = el.getBoundingClientRect();
    const toS = (clientX: number): number => ((clientX - rect.left - PLOT_LEFT) / areaW) * d;
    const at = toS(e.clientX);
    const { fromS: f0, toS: t0 } = viewport.state;
    const edgePx = 6;
    const px = (s: number): number => rect.left + PLOT_LEFT + (s / d) * areaW;
    let mode: 'move' | 'start' | 'end';
    if (Math.abs(e.clientX - px(f0)) <= edgePx && t0 - f0 < d) mode = 'start';
    else if (Math.abs(e.clientX - px(t0)) <= edgePx && t0 - f0 < d) mode = 'end';
    else if (at >= f0 && at <= t0) mode = 'move';
    else {
      // A click beside the box jumps there (the window centred on it), then drags as the box.
      const span = t0 - f0;
      viewport.setWindow(at - span / 2, at + span / 2);
      mode = 'move';
    }
    const { fromS: a0, toS: b0 } = viewport.state;
    const grab = at;
    el.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent): void => {
      const now = toS(m.clientX);
      if (mode === 'move') viewport.setWindow(a0 + (now - grab), b0 + (now - grab));
      else if (mode === 'start') viewport.setWindow(Math.min(now, b0 - 0.01), b0);
      else viewport.setWindow(a0, Math.max(now, a0 + 0.01));
    };
    const up = (): void => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', up);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
    e.preventDefault();
  };

  const problems = (recording.quality?.checks ?? []).filter((c) => c.status !== 'ok');
  const status = recording.quality?.status ?? null;
  return (
    <div class="overview" data-testid="overview">
      <div class="overview-strip" ref={strip} onPointerDown={onPointerDown} style={{ height: `${height}px` }}
        aria-label="Overview of the whole recording: drag the box to move the view, drag its edges to resize, click to jump">
        <canvas ref={canvas} style={{ left: `${PLOT_LEFT}px` }} />
        <div class="overview-box" ref={box} />
      </div>
      <div class="overview-legend" style={{ paddingLeft: `${PLOT_LEFT}px` }}>
        {lanes.map((k) => <span class="seg-key" key={k}><i style={{ background: segmentColor(k) }} />{k}</span>)}
        {segments.length === 0 ? <span class="seg-none">no segments</span> : null}
        {status && status !== 'ok' ? (
          <span class={`quality-badge q-${status}`} title={problems.map((c) => `${c.name}${c.stream ? ` (${c.stream})` : ''}: ${c.message}`).join('\n')}>
            Quality {status}: {[...new Set(problems.map((c) => c.name.replace(/_/g, ' ')))].join(', ')}
          </span>
        ) : status === 'ok' ? <span class="quality-badge q-ok">Quality ok</span> : null}
      </div>
    </div>
  );
}
