import { AppError } from '../lib/errors.js';
import { frameConfusion, type FrameConfusion, type FrameGrid } from './frame-metrics.js';
import type { LabeledInterval } from './intervals.js';

/**
 * Label mapping and the scores of a segmentation into classes (still vs moving, speech vs not): how much of
 * the reference's time the prediction puts in the same class, per reference label (per activity), and how far
 * the predicted boundaries between classes lie from the reference's, in seconds.
 */

/** Reference and prediction labels renamed before scoring: `{ walking: 'moving', jogging: 'moving' }`. */
export type LabelMap = Readonly<Record<string, string>>;

const LABEL = /^[^\s=,]{1,64}$/;

/**
 * Reads `walking=moving,running=moving` (the CLI's `--map`).
 * @throws AppError `validation_failed` for an entry that is not `from=to` or names a label twice.
 */
export function parseLabelMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from = '', to = '', ...rest] = part.split('=').map((s) => s.trim());
    if (rest.length > 0 || !LABEL.test(from) || !LABEL.test(to)) throw new AppError('validation_failed', `The label mapping "${part}" is not "from=to" (labels without spaces, commas or "=").`);
    if (from in out) throw new AppError('validation_failed', `The label mapping names "${from}" twice.`);
    out[from] = to;
  }
  return out;
}

/** The intervals with their labels renamed by the map (labels it does not name stay as they are). */
export function mapLabels(list: readonly LabeledInterval[], map: LabelMap | undefined): LabeledInterval[] {
  if (map === undefined) return [...list];
  return list.map((iv) => (Object.hasOwn(map, iv.label) ? { ...iv, label: map[iv.label]! } : iv));
}

export interface ActivityAgreement {
  /** The reference's own label (before mapping): `walking`, `downstairs`, `still`. */
  activity: string;
  /** The class it is scored as (after mapping). */
  scoredAs: string;
  referenceS: number;
  /** Fraction of its time the prediction gives the class `scoredAs`. */
  agreement: number | null;
  /** Seconds of its time per predicted class (`none`: nothing predicted). */
  predictedS: Record<string, number>;
}

export interface BoundaryErrors {
  /** A predicted boundary counts when it lies within this many seconds of the reference boundary. */
  windowS: number;
  /** Changes of class in the reference (from one scored class to another, across ≤ windowS of unlabelled time). */
  reference: number;
  matched: number;
  missed: number;
  /** Predicted changes of class inside reference-labelled time that match no reference boundary. */
  spurious: number;
  /** |predicted − reference| over matched boundaries (0 when the predicted one lies in the reference's unlabelled gap). */
  meanAbsS: number | null;
  medianAbsS: number | null;
  p90AbsS: number | null;
  maxAbsS: number | null;
  /** Mean of predicted − reference (positive: the prediction changes late). */
  meanSignedS: number | null;
}

export interface ClassAgreement {
  /** Fraction of the reference-labelled frames whose predicted class is the reference's class. */
  frameAgreement: number | null;
  referenceS: number;
  byActivity: ActivityAgreement[];
  boundaries: BoundaryErrors;
}

/** Default search window for boundary matching, seconds. */
export const DEFAULT_BOUNDARY_WINDOW_S = 10;

interface Run {
  cls: string | null;
  startS: number;
  endS: number;
}

/**
 * The class timeline of one side: at each moment the first label of `labels` that an interval covers (as the
 * confusion matrix counts it), else null; consecutive equal stretches merged.
 */
export function classRuns(intervals: readonly LabeledInterval[], labels: readonly string[], startS: number, endS: number): Run[] {
  const index = new Map(labels.map((l, i) => [l, i]));
  const edges: { t: number; cls: number; d: number }[] = [];
  for (const iv of intervals) {
    const cls = index.get(iv.label);
    if (cls === undefined || iv.endS <= iv.startS) continue;
    edges.push({ t: iv.startS, cls, d: 1 }, { t: iv.endS, cls, d: -1 });
  }
  edges.sort((a, b) => a.t - b.t);
  const active = new Int32Array(labels.length);
  const runs: Run[] = [];
  const current = (): string | null => {
    for (let i = 0; i < active.length; i++) if (active[i]! > 0) return labels[i]!;
    return null;
  };
  let t = startS;
  let i = 0;
  const push = (cls: string | null, a: number, b: number): void => {
    if (b <= a) return;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.cls === cls) last.endS = b;
    else runs.push({ cls, startS: a, endS: b });
  };
  while (i < edges.length) {
    const at = Math.min(Math.max(edges[i]!.t, startS), endS);
    push(current(), t, at);
    t = Math.max(t, at);
    for (const e0 = edges[i]!.t; i < edges.length && edges[i]!.t === e0; i++) active[edges[i]!.cls]! += edges[i]!.d;
  }
  push(current(), t, endS);
  return runs;
}

interface Change {
  from: string;
  to: string;
  /** The unlabelled stretch between the two classes (startS = endS when they touch). */
  startS: number;
  endS: number;
}

/** Changes between two classes, across at most `maxGapS` of unlabelled time and not across a break. */
function changes(runs: readonly Run[], maxGapS: number, breaksS: readonly number[]): Change[] {
  const out: Change[] = [];
  let prev: Run | null = null;
  for (const r of runs) {
    if (r.cls === null) continue;
    if (prev !== null && prev.cls !== r.cls && r.startS - prev.endS <= maxGapS) {
      // Where the two sides' intervals overlap by a rounding error, the change is that overlap.
      const a = Math.min(prev.endS, r.startS);
      const b = Math.max(prev.endS, r.startS);
      if (!breaksS.some((x) => x >= a - 1e-9 && x <= b + 1e-9)) out.push({ from: prev.cls!, to: r.cls, startS: a, endS: b });
    }
    prev = r;
  }
  return out;
}

function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * Matches the reference's changes of class with the prediction's, one to one, nearest first, same direction
 * only (still→moving with still→moving), within `windowS`.
 */
export function boundaryErrors(refRuns: readonly Run[], predRuns: readonly Run[], windowS: number, breaksS: readonly number[] = []): BoundaryErrors {
  const ref = changes(refRuns, windowS, breaksS);
  const pred = changes(predRuns, 0, breaksS);
  const pairs: { r: number; p: number; signed: number }[] = [];
  ref.forEach((r, ri) => {
    pred.forEach((p, pi) => {
      if (p.from !== r.from || p.to !== r.to) return;
      const at = (p.startS + p.endS) / 2;
      const signed = at < r.startS ? at - r.startS : at > r.endS ? at - r.endS : 0;
      if (Math.abs(signed) <= windowS) pairs.push({ r: ri, p: pi, signed });
    });
  });
  pairs.sort((a, b) => Math.abs(a.signed) - Math.abs(b.signed));
  const usedR = new Set<number>();
  const usedP = new Set<number>();
  const errors: number[] = [];
  for (const x of pairs) {
    if (usedR.has(x.r) || usedP.has(x.p)) continue;
    usedR.add(x.r);
    usedP.add(x.p);
    errors.push(x.signed);
  }
  const labelled = refRuns.filter((r) => r.cls !== null);
  const insideReference = (c: Change): boolean => labelled.some((r) => c.startS >= r.startS && c.endS <= r.endS);
  const spurious = pred.filter((c, i) => !usedP.has(i) && insideReference(c)).length;
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const mean = (xs: readonly number[]): number | null => (xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return {
    windowS,
    reference: ref.length,
    matched: errors.length,
    missed: ref.length - errors.length,
    spurious,
    meanAbsS: mean(abs),
    medianAbsS: quantile(abs, 0.5),
    p90AbsS: quantile(abs, 0.9),
    maxAbsS: abs.length > 0 ? abs[abs.length - 1]! : null,
    meanSignedS: mean(errors),
  };
}

/** Fraction of reference-labelled frames on the diagonal of a confusion matrix (the last class is `none`). */
export function agreementOf(c: FrameConfusion): { agreement: number | null; frames: number } {
  let agree = 0;
  let frames = 0;
  for (let r = 0; r < c.classes.length - 1; r++) {
    const row = c.counts[r] ?? [];
    for (const v of row) frames += v;
    agree += row[r] ?? 0;
  }
  return { agreement: frames > 0 ? agree / frames : null, frames };
}

/**
 * The class agreement of a prediction with a reference, both already mapped to the scored `labels` and clipped
 * to the grid's span. `original` is the reference before mapping (the same intervals, their own labels), for
 * the per-activity rows; `confusion` is the frame confusion of mapped reference × prediction over `labels`.
 */
export function classAgreement(input: {
  grid: FrameGrid;
  labels: readonly string[];
  original: readonly LabeledInterval[];
  map: LabelMap | undefined;
  reference: readonly LabeledInterval[];
  prediction: readonly LabeledInterval[];
  confusion: FrameConfusion;
  windowS?: number;
  breaksS?: readonly number[];
}): ClassAgreement {
  const { grid, labels, map } = input;
  const scoredAs = (l: string): string => (map !== undefined && Object.hasOwn(map, l) ? map[l]! : l);
  const keep = new Set(labels);
  const original = input.original.filter((iv) => keep.has(scoredAs(iv.label)));
  const activities = [...new Set(original.map((iv) => iv.label))].sort();
  const classes = [...labels, ...activities.filter((a) => !keep.has(a))];
  const byActivityConfusion = frameConfusion(grid, original, input.prediction, classes);
  const byActivity = activities.map((activity): ActivityAgreement => {
    const row = byActivityConfusion.counts[byActivityConfusion.classes.indexOf(activity)] ?? [];
    const total = row.reduce((s, v) => s + v, 0);
    const predictedS: Record<string, number> = {};
    byActivityConfusion.classes.forEach((cls, i) => {
      if ((keep.has(cls) || i === byActivityConfusion.classes.length - 1) && (row[i] ?? 0) > 0) predictedS[cls] = (row[i] ?? 0) * grid.frameS;
    });
    const target = byActivityConfusion.classes.indexOf(scoredAs(activity));
    return { activity, scoredAs: scoredAs(activity), referenceS: total * grid.frameS, agreement: total > 0 ? (row[target] ?? 0) / total : null, predictedS };
  });
  const spanEnd = grid.startS + grid.n * grid.frameS;
  const windowS = input.windowS ?? DEFAULT_BOUNDARY_WINDOW_S;
  const a = agreementOf(input.confusion);
  return {
    frameAgreement: a.agreement,
    referenceS: a.frames * grid.frameS,
    byActivity,
    boundaries: boundaryErrors(classRuns(input.reference, labels, grid.startS, spanEnd), classRuns(input.prediction, labels, grid.startS, spanEnd), windowS, input.breaksS ?? []),
  };
}
