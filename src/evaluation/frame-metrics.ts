import { AppError } from '../lib/errors.js';
import { NONE_LABEL, type LabeledInterval, type Span } from './intervals.js';

/** Default frame length: 10 ms, the resolution speech and sound-event work usually scores at. */
export const DEFAULT_FRAME_S = 0.01;

/**
 * A grid of equal frames over the evaluated span. Frame k covers `[startS + k·frameS, startS + (k+1)·frameS)`;
 * only frames whose centre lies inside the span count, so a last partial frame counts when at least half of it
 * is inside.
 */
export interface FrameGrid {
  startS: number;
  frameS: number;
  /** Number of frames. */
  n: number;
}

/** Precision, recall and F1; `null` where the ratio is 0/0 (no predictions, no reference, or neither). */
export interface Prf {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** Frame counts and scores of one label (binary: the label vs everything else). */
export interface FrameLabelMetrics extends Prf {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Cohen's kappa of the binary frame labelling; `null` when undefined (both sides constant and equal). */
  kappa: number | null;
}

/**
 * A multi-class confusion matrix over frames: `counts[r][p]` frames have reference class `classes[r]` and
 * predicted class `classes[p]`. The last class is `none`. A frame covered by several labels on one side
 * counts for the label listed first; `overlapFrames` says how often that happened, so a reader knows when the
 * matrix is a simplification.
 */
export interface FrameConfusion {
  classes: string[];
  counts: number[][];
  overlapFrames: { reference: number; prediction: number };
}

/** Fractions of frames relative to a position in frame units; snaps values within 1e-6 frame to the integer. */
function snap(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-6 ? r : x;
}

/**
 * The frame grid over a span.
 * @throws AppError `validation_failed` when the frame length is not positive or the span is reversed.
 */
export function frameGrid(span: Span, frameS: number = DEFAULT_FRAME_S): FrameGrid {
  if (!(frameS > 0) || !Number.isFinite(frameS)) {
    throw new AppError('validation_failed', `The frame length must be a positive number of seconds, not ${frameS}.`);
  }
  if (!Number.isFinite(span.startS) || !Number.isFinite(span.endS) || span.endS < span.startS) {
    throw new AppError('validation_failed', `The evaluated span ${span.startS}–${span.endS} s is not a forward stretch of time.`);
  }
  const n = Math.max(0, Math.ceil(snap((span.endS - span.startS) / frameS - 0.5)));
  return { startS: span.startS, frameS, n };
}

/** The frames `[k0, k1)` whose centres lie in `[startS, endS)`, clamped to the grid. */
export function frameRange(grid: FrameGrid, startS: number, endS: number): [number, number] {
  const k0 = Math.ceil(snap((startS - grid.startS) / grid.frameS - 0.5));
  const k1 = Math.ceil(snap((endS - grid.startS) / grid.frameS - 0.5));
  const a = Math.min(Math.max(k0, 0), grid.n);
  const b = Math.min(Math.max(k1, 0), grid.n);
  return [a, Math.max(a, b)];
}

/**
 * The union of the frame ranges the intervals cover, as a flat sorted list `[k0, k1, k0', k1', …]` of
 * disjoint, non-touching ranges. Work is per interval, not per frame.
 */
export function frameRanges(grid: FrameGrid, intervals: readonly LabeledInterval[]): number[] {
  let sorted = true;
  for (let i = 1; i < intervals.length && sorted; i++) sorted = (intervals[i]?.startS ?? 0) >= (intervals[i - 1]?.startS ?? 0);
  const list = sorted ? intervals : [...intervals].sort((x, y) => x.startS - y.startS);
  const out: number[] = [];
  for (const iv of list) {
    const [a, b] = frameRange(grid, iv.startS, iv.endS);
    if (b <= a) continue;
    const last = out.length - 1;
    if (last > 0 && a <= (out[last] ?? -1)) out[last] = Math.max(out[last] ?? 0, b);
    else out.push(a, b);
  }
  return out;
}

/** Frames in a flat range list. */
export function rangeFrames(ranges: readonly number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ranges.length; i += 2) s += (ranges[i + 1] ?? 0) - (ranges[i] ?? 0);
  return s;
}

/** Frames in both flat range lists (two-pointer sweep over their boundaries). */
export function intersectFrames(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i + 1 < a.length && j + 1 < b.length) {
    const a0 = a[i] ?? 0;
    const a1 = a[i + 1] ?? 0;
    const b0 = b[j] ?? 0;
    const b1 = b[j + 1] ?? 0;
    const lo = Math.max(a0, b0);
    const hi = Math.min(a1, b1);
    if (hi > lo) s += hi - lo;
    if (a1 <= b1) i += 2;
    else j += 2;
  }
  return s;
}

/** Precision, recall and F1 from counts; 0/0 gives `null`. */
export function prf(tp: number, fp: number, fn: number): Prf {
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : null,
    recall: tp + fn > 0 ? tp / (tp + fn) : null,
    f1: 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : null,
  };
}

/**
 * Cohen's kappa of a square agreement matrix: (po − pe) / (1 − pe). `null` when there is nothing to compare
 * or pe = 1 (both sides used one and the same class throughout: agreement beyond chance is undefined, as in
 * scikit-learn, which gives NaN there).
 */
export function cohenKappa(counts: readonly (readonly number[])[]): number | null {
  const k = counts.length;
  let n = 0;
  let agree = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let r = 0; r < k; r++) {
    const row = counts[r] ?? [];
    for (let c = 0; c < k; c++) {
      const v = row[c] ?? 0;
      n += v;
      rows[r] = (rows[r] ?? 0) + v;
      cols[c] = (cols[c] ?? 0) + v;
      if (r === c) agree += v;
    }
  }
  if (n === 0) return null;
  let pe = 0;
  for (let i = 0; i < k; i++) pe += ((rows[i] ?? 0) / n) * ((cols[i] ?? 0) / n);
  const po = agree / n;
  if (1 - pe < 1e-12) return null;
  return (po - pe) / (1 - pe);
}

/**
 * Frame-level scores of one label: a frame is positive on a side when one of that side's intervals covers its
 * centre. Pass the intervals of one label. Point events cover no frame: score them with event metrics.
 */
export function frameLabelMetrics(grid: FrameGrid, reference: readonly LabeledInterval[], prediction: readonly LabeledInterval[]): FrameLabelMetrics {
  const ref = frameRanges(grid, reference);
  const pred = frameRanges(grid, prediction);
  const tp = intersectFrames(ref, pred);
  const fp = rangeFrames(pred) - tp;
  const fn = rangeFrames(ref) - tp;
  const tn = grid.n - tp - fp - fn;
  const kappa = cohenKappa([
    [tp, fn],
    [fp, tn],
  ]);
  return { tp, fp, fn, tn, ...prf(tp, fp, fn), kappa };
}

/**
 * Interval boundaries as numbers `k · stride + code`, where `code = (cls · 2 + side) · 2 + opens` and
 * `stride = 4 · classes`: one Float64Array sorted natively, no object per boundary. Exact while
 * k · stride < 2^53 (any realistic grid).
 */
function boundaryKeys(grid: FrameGrid, sides: readonly (readonly LabeledInterval[])[], index: ReadonlyMap<string, number>, stride: number): Float64Array {
  let n = 0;
  for (const side of sides) n += 2 * side.length;
  const keys = new Float64Array(n);
  let w = 0;
  sides.forEach((list, side) => {
    for (const iv of list) {
      const cls = index.get(iv.label);
      if (cls === undefined) continue;
      const [k0, k1] = frameRange(grid, iv.startS, iv.endS);
      if (k1 <= k0) continue;
      keys[w++] = k0 * stride + (cls * 2 + side) * 2 + 1;
      keys[w++] = k1 * stride + (cls * 2 + side) * 2;
    }
  });
  return keys.subarray(0, w).sort();
}

/** The class a side shows given its per-class active counts: the first active label, else `none`. */
function classOf(active: Int32Array, none: number): { cls: number; labels: number } {
  let cls = none;
  let labels = 0;
  for (let i = 0; i < none; i++) {
    if ((active[i] ?? 0) > 0) {
      if (cls === none) cls = i;
      labels++;
    }
  }
  return { cls, labels };
}

/**
 * The multi-class frame confusion matrix over `labels` plus `none`, by sweeping interval boundaries: work
 * grows with the number of intervals times the number of labels, not with the number of frames. Intervals
 * whose label is not in `labels` are ignored (their frames count as `none`).
 */
export function frameConfusion(grid: FrameGrid, reference: readonly LabeledInterval[], prediction: readonly LabeledInterval[], labels: readonly string[]): FrameConfusion {
  const index = new Map(labels.map((l, i) => [l, i]));
  const none = labels.length;
  const classes = [...labels, NONE_LABEL];
  const counts = classes.map(() => new Array<number>(classes.length).fill(0));
  const stride = 4 * classes.length;
  const keys = boundaryKeys(grid, [reference, prediction], index, stride);
  const active = [new Int32Array(none), new Int32Array(none)] as const;
  const overlap = [0, 0];
  let pos = 0;
  const flush = (until: number): void => {
    if (until <= pos) return;
    const r = classOf(active[0], none);
    const p = classOf(active[1], none);
    const row = counts[r.cls];
    if (row !== undefined) row[p.cls] = (row[p.cls] ?? 0) + (until - pos);
    if (r.labels > 1) overlap[0] = (overlap[0] ?? 0) + (until - pos);
    if (p.labels > 1) overlap[1] = (overlap[1] ?? 0) + (until - pos);
    pos = until;
  };
  let i = 0;
  while (i < keys.length) {
    const k = Math.floor((keys[i] ?? 0) / stride);
    flush(k);
    for (; i < keys.length && Math.floor((keys[i] ?? 0) / stride) === k; i++) {
      const code = (keys[i] ?? 0) - k * stride;
      const opens = code % 2;
      const side = (code >> 1) % 2;
      const cls = code >> 2;
      const arr = active[side === 0 ? 0 : 1];
      arr[cls] = (arr[cls] ?? 0) + (opens === 1 ? 1 : -1);
    }
  }
  flush(grid.n);
  return { classes, counts, overlapFrames: { reference: overlap[0] ?? 0, prediction: overlap[1] ?? 0 } };
}
