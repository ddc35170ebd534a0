/**
 * The annotations drawn over the plot stack, and the mouse on them: drag on empty space to draw a region, click to
 * seek, drag an edge to resize (snapping to samples and to other edges), drag a body to move, click to select.
 * What the pointer is on comes from the pure hit-test, per lane, so a thin edge handle is as easy to grab as a
 * wide one. Wheel events are left alone: they bubble to the recording view, which zooms.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AnnotateProps } from './index';
import { hitTest, type Hit } from '../geometry/hit-test';
import { sampleGridOf, snapMove, snapTime, type SnapOptions } from '../geometry/snap';
import { bandWeight, bandsOf, comparing, thinOut, type Band } from './layout';
import { LabelPicker } from './label-picker';
import { Region } from './region';
import { useAnnotationStore } from './use-store';
import { useSettledWindow } from './settled-window';
import { useAnnotateKeys } from './keys';
import type { Item } from './types';
import './annotate.css';

/** Pixels within which an edge is grabbed and another edge pulls a dragged one. */
const TOL_PX = 6;
/** Movement below this is a click. */
const CLICK_PX = 3;
/** A point event's width for lane overlap, in pixels: its line and its label chip. */
const POINT_PX = 48;
const CAPTION_PX = 16;
/** At most this many regions drawn at once (DOM nodes cost frame time while panning). */
const MAX_REGIONS = 500;

type Drag =
  | { mode: 'create'; downX: number; moved: boolean; anchorS: number; curS: number; band: string }
  | { mode: 'edge'; downX: number; moved: boolean; key: string; edge: 'start' | 'end'; startS: number; endS: number }
  | { mode: 'move'; downX: number; moved: boolean; key: string; grabS: number; origStart: number; origEnd: number; startS: number; endS: number };

/** Where the bands are, for what is drawn on top of them (the label picker). */
export interface Geometry { bands: Band[]; bandTops: number[]; bandHs: number[] }

export function Overlay(props: AnnotateProps) {
  const { recording, study, viewport, plotLeft, plotWidth } = props;
  const store = useAnnotationStore(recording.id, viewport);
  const layer = useRef<HTMLDivElement>(null);
  // The window the regions are laid out for; between layouts the layer follows the view by a transform.
  const vs = useSettledWindow(viewport, layer, plotWidth);
  useAnnotateKeys(store, props);
  const area = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState(0);
  const [drag, setDrag] = useState<Drag | null>(null);
  const dragRef = useRef<Drag | null>(null);

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const span = Math.max(1e-9, vs.toS - vs.fromS);
  const pxPerS = plotWidth > 0 ? plotWidth / span : 1;
  const toPx = (t: number): number => (t - vs.fromS) * pxPerS;
  const toS = (x: number): number => vs.fromS + x / pxPerS;
  const grid = useMemo(() => sampleGridOf(recording.streams), [recording.streams]);

  const names = useMemo(() => new Map([...store.items.values()].filter((i) => i.annotatorId && i.annotatorName).map((i) => [i.annotatorId!, i.annotatorName!])), [store.version]);
  // Lanes are recomputed when the zoom changes by more than a factor of two, not on every frame of a pan.
  const zoomStep = Math.round(Math.log2(span));
  const bands = useMemo(() => bandsOf([...store.items.values()], store, POINT_PX / pxPerS, names),
    [store.version, zoomStep, store.showRejected, store.threshold, store.compareA, store.compareB]);

  const caption = bands.length > 1 ? CAPTION_PX : 0;
  const weights = bands.map(bandWeight);
  const total = weights.reduce((x, y) => x + y, 0) || 1;
  const bandTops: number[] = [];
  const bandHs: number[] = [];
  let acc = 0;
  for (const w of weights) { bandTops.push(acc); bandHs.push((height * w) / total); acc += (height * w) / total; }
  const laneH = (bi: number): number => ((bandHs[bi] ?? height) - caption) / Math.max(1, bands[bi]?.lanes.count ?? 1);

  /** The band and lane under a y position, and the regions in that lane. */
  const regionsAt = (y: number): { band: Band | undefined; items: Item[] } => {
    let bi = bandTops.findIndex((top, i) => y >= top && y < top + bandHs[i]!);
    if (bi < 0) bi = y < 0 ? 0 : bands.length - 1;
    const band = bands[bi];
    if (!band) return { band, items: [] };
    const lane = Math.min(band.lanes.count - 1, Math.max(0, Math.floor((y - bandTops[bi]! - caption) / Math.max(1, laneH(bi)))));
    return { band, items: band.items.filter((it) => band.lanes.lane.get(it.key) === lane) };
  };

  const snapOpts = (exceptKey: string | null): SnapOptions => {
    const edges: number[] = [];
    for (const it of store.items.values()) {
      if (it.key === exceptKey || it.endS < vs.fromS || it.startS > vs.toS) continue;
      edges.push(it.startS, it.endS);
    }
    return { grid, edges, tolS: TOL_PX / pxPerS, minS: 0, maxS: vs.durationS };
  };

  const local = (e: PointerEvent): { x: number; y: number } => {
    const r = area.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const hitAt = (x: number, y: number): { hit: Hit | null; band: Band | undefined } => {
    const { band, items } = regionsAt(y);
    return { hit: hitTest(items, x, toPx, TOL_PX), band };
  };

  const onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0 || !area.current) return;
    const { x, y } = local(e);
    const { hit, band } = hitAt(x, y);
    area.current.setPointerCapture(e.pointerId);
    const it = hit ? store.items.get(hit.key) : undefined;
    let d: Drag;
    // Shift+drag always draws, even over other annotations (overlapping labels).
    if (e.shiftKey) d = { mode: 'create', downX: x, moved: false, anchorS: toS(x), curS: toS(x), band: band?.id ?? 'all' };
    else if (hit && it && hit.kind === 'edge') d = { mode: 'edge', downX: x, moved: false, key: it.key, edge: hit.edge, startS: it.startS, endS: it.endS };
    else if (hit && it) d = { mode: 'move', downX: x, moved: false, key: it.key, grabS: toS(x), origStart: it.startS, origEnd: it.endS, startS: it.startS, endS: it.endS };
    else d = { mode: 'create', downX: x, moved: false, anchorS: toS(x), curS: toS(x), band: band?.id ?? 'all' };
    dragRef.current = d;
    if (e.pointerType === 'mouse') e.preventDefault();
  };

  const onPointerMove = (e: PointerEvent): void => {
    if (!area.current) return;
    const { x, y } = local(e);
    const d = dragRef.current;
    if (!d) {
      const { hit } = hitAt(x, y);
      area.current.style.cursor = !hit ? 'crosshair' : hit.kind === 'edge' ? 'ew-resize' : 'grab';
      return;
    }
    if (!d.moved && Math.abs(x - d.downX) < CLICK_PX) return;
    const t = toS(x);
    let next: Drag;
    if (d.mode === 'create') {
      const o = snapOpts(null);
      next = { ...d, moved: true, anchorS: d.moved ? d.anchorS : snapTime(d.anchorS, o).t, curS: snapTime(t, o).t };
    } else if (d.mode === 'edge') {
      const s = snapTime(t, snapOpts(d.key)).t;
      next = { ...d, moved: true, startS: d.edge === 'start' ? s : d.startS, endS: d.edge === 'end' ? s : d.endS };
      // Keep the edge being dragged while it crosses the other one.
      if (next.startS > next.endS) next = { ...next, edge: d.edge === 'start' ? 'end' : 'start', startS: next.endS, endS: next.startS };
    } else {
      const m = snapMove(d.origStart + (t - d.grabS), d.origEnd + (t - d.grabS), snapOpts(d.key));
      next = { ...d, moved: true, ...m };
    }
    dragRef.current = next;
    setDrag(next);
  };

  const onPointerUp = (e: PointerEvent): void => {
    const d = dragRef.current;
    dragRef.current = null;
    setDrag(null);
    if (!d || !area.current) return;
    if (area.current.hasPointerCapture(e.pointerId)) area.current.releasePointerCapture(e.pointerId);
    if (d.mode === 'create') {
      if (!d.moved) { store.select(null); viewport.setCursor(toS(d.downX)); return; }
      const startS = Math.min(d.anchorS, d.curS);
      const endS = Math.max(d.anchorS, d.curS);
      if (endS <= startS) return;
      const adjudicated = d.band === 'adjudicated';
      if (store.currentLabel) store.create(startS, endS, store.currentLabel, adjudicated);
      else store.setDraft({ startS, endS, adjudicated });
      return;
    }
    if (!d.moved) { store.select(d.key); return; }
    store.select(d.key);
    store.change(d.key, { startS: d.startS, endS: d.endS });
  };

  const onPointerCancel = (): void => { dragRef.current = null; setDrag(null); };

  const preview = drag && drag.mode !== 'create' && drag.moved ? drag : null;
  const geo: Geometry = { bands, bandTops, bandHs };
  let regions: { it: Item; band: number }[] = [];
  bands.forEach((b, bi) => {
    for (const it of b.items) if (it.endS >= vs.fromS - span * 0.05 && it.startS <= vs.toS + span * 0.05) regions.push({ it, band: bi });
  });
  regions = thinOut(regions, pxPerS, MAX_REGIONS, store.selected);
  // One list in time order: tabbing goes through the regions as they come in time, whatever their band.
  regions.sort((p, q) => p.it.startS - q.it.startS || p.it.endS - q.it.endS || p.band - q.band);

  const adjBand = bands.findIndex((b) => b.id === 'adjudicated');
  const draftBand = store.draft?.adjudicated && adjBand >= 0 ? adjBand : -1;
  const creating = drag?.mode === 'create' && drag.moved ? drag : null;

  return (
    <div class="annotate-overlay" data-testid="annotation-overlay" data-comparing={comparing(store) ? 'true' : undefined}>
      <div ref={area} class="ann-area" style={{ left: `${plotLeft}px`, width: `${Math.max(0, plotWidth)}px` }}
        onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerCancel}>
        {bands.length > 1 ? bands.map((b, bi) => (
          <div key={b.id} class={`ann-band ann-band-${b.id}`} style={{ top: `${bandTops[bi]}px`, height: `${bandHs[bi]}px` }}>
            <span class="ann-band-title">{b.title}{b.items.length === 0 ? ' — none' : ''}</span>
          </div>
        )) : null}
        <div ref={layer} class="ann-regions">
        {regions.map(({ it, band }) => {
          const b = bands[band]!;
          const lane = b.lanes.lane.get(it.key) ?? 0;
          const shown = preview && preview.key === it.key ? { ...it, startS: preview.startS, endS: preview.endS } : it;
          return (
            <Region key={it.key} item={shown} labels={study.labels} selected={store.selected === it.key}
              x0={toPx(shown.startS)} x1={toPx(shown.endS)} width={plotWidth}
              top={bandTops[band]! + caption + lane * laneH(band)} height={laneH(band)}
              onFocus={() => store.select(it.key)} />
          );
        })}
        </div>
        {creating ? <div class="ann-draft" style={draftStyle(toPx(Math.min(creating.anchorS, creating.curS)), toPx(Math.max(creating.anchorS, creating.curS)), 0, height)} /> : null}
        {store.draft ? (
          <>
            <div class="ann-draft" style={draftStyle(toPx(store.draft.startS), toPx(store.draft.endS), draftBand >= 0 ? bandTops[draftBand]! : 0, draftBand >= 0 ? bandHs[draftBand]! : height)} />
            <LabelPicker store={store} labels={study.labels} x={Math.min(Math.max(0, toPx(store.draft.startS)), Math.max(0, plotWidth - 220))} geo={geo} />
          </>
        ) : null}
      </div>
    </div>
  );
}

function draftStyle(x0: number, x1: number, top: number, height: number): Record<string, string> {
  return { left: `${x0}px`, width: `${Math.max(1, x1 - x0)}px`, top: `${top}px`, height: `${height}px` };
}
