/**
 * Snapping of annotation edges while they are dragged: to another annotation's edge when one is within a few
 * pixels (so neighbouring labels meet without a sliver of background between them), else to the sample times of
 * the stream being labelled (a label that starts between two samples claims a precision the data does not have).
 */

/** The sample times of a stream: originS + k × stepS. */
export interface SampleGrid { originS: number; stepS: number }

/**
 * The grid of the first IMU stream (the one labels are usually drawn against); without one, of the first stream
 * with a rate (an audio-only recording snaps to its samples); null when no stream has a rate.
 */
export function sampleGridOf(streams: readonly { kind: string; sampleRateHz: number | null; startS?: number }[]): SampleGrid | null {
  const rated = streams.filter((s) => s.sampleRateHz !== null && s.sampleRateHz > 0 && Number.isFinite(s.sampleRateHz));
  const s = rated.find((x) => x.kind === 'imu') ?? rated[0];
  return s ? { originS: s.startS ?? 0, stepS: 1 / s.sampleRateHz! } : null;
}

/** The sample time nearest to `t`. */
export function snapToGrid(t: number, grid: SampleGrid): number {
  const k = Math.round((t - grid.originS) / grid.stepS);
  return grid.originS + k * grid.stepS;
}

/** The edge nearest to `t` within `tolS`, or null. */
export function nearestEdge(t: number, edges: readonly number[], tolS: number): number | null {
  let best: number | null = null;
  let bestD = tolS;
  for (const e of edges) {
    const d = Math.abs(e - t);
    if (d <= bestD) { best = e; bestD = d; }
  }
  return best;
}

export interface SnapOptions {
  grid?: SampleGrid | null;
  /** Other annotations' edges (never the dragged one's own). */
  edges?: readonly number[];
  /** How far an edge pulls, in seconds (the pixel tolerance at the current zoom). */
  tolS: number;
  /** The recording's extent; a snapped time never leaves it. */
  minS?: number;
  maxS?: number;
}

export interface Snapped { t: number; to: 'edge' | 'sample' | 'none' }

/** Snaps a dragged time: to a nearby edge first, else to the sample grid; clamped to [minS, maxS]. */
export function snapTime(t: number, o: SnapOptions): Snapped {
  const clamp = (v: number): number => Math.min(o.maxS ?? Infinity, Math.max(o.minS ?? -Infinity, v));
  const edge = o.edges ? nearestEdge(t, o.edges, o.tolS) : null;
  if (edge !== null) return { t: clamp(edge), to: 'edge' };
  if (o.grid) return { t: clamp(snapToGrid(t, o.grid)), to: 'sample' };
  return { t: clamp(t), to: 'none' };
}

/**
 * Snaps a region moved as a whole (its length kept): whichever of its two edges lands closer to a snap target
 * decides the shift.
 */
export function snapMove(startS: number, endS: number, o: SnapOptions): { startS: number; endS: number } {
  const len = endS - startS;
  const a = snapTime(startS, { ...o, minS: undefined, maxS: undefined });
  const b = snapTime(endS, { ...o, minS: undefined, maxS: undefined });
  const rank = (s: Snapped): number => (s.to === 'edge' ? 0 : s.to === 'sample' ? 1 : 2);
  const useA = rank(a) < rank(b) || (rank(a) === rank(b) && Math.abs(a.t - startS) <= Math.abs(b.t - endS));
  let s = useA ? a.t : b.t - len;
  if (o.minS !== undefined && s < o.minS) s = o.minS;
  if (o.maxS !== undefined && s + len > o.maxS) s = o.maxS - len;
  return { startS: s, endS: s + len };
}
