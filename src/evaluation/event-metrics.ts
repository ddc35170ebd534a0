import { AppError } from '../lib/errors.js';
import { prf, type Prf } from './frame-metrics.js';
import type { LabeledInterval } from './intervals.js';

/**
 * When a predicted event counts as finding a reference event of the same label, as in sed_eval / DCASE
 * event-based metrics: the onsets differ by at most `onsetS`; and, when `offsetFraction` is set, the offsets
 * differ by at most max(`onsetS`, `offsetFraction` × the reference event's duration) (sed_eval's
 * `percentage_of_length`, 0.5 in DCASE). With `offsetFraction: null` only onsets are compared, which suits
 * detectors whose job is to fire (a gesture, the start of speech) rather than to trace an end.
 */
export interface EventTolerance {
  onsetS: number;
  offsetFraction: number | null;
}

/**
 * How predicted and reference events are paired, one to one:
 * - `optimal`: a maximum matching — as many pairs as the tolerance allows (sed_eval's default `optimal`,
 *   which also maximises the count). It starts from the greedy pairs and adds augmenting paths, so among
 *   maximal matchings it keeps close pairs where it can.
 * - `greedy`: candidate pairs in order of onset distance (ties: lower reference index, then prediction index),
 *   each taken when both events are still free. Can miss a pair the optimal matching finds.
 */
export type Matching = 'optimal' | 'greedy';

export const DEFAULT_EVENT_TOLERANCE: EventTolerance = { onsetS: 0.5, offsetFraction: null };

/** Floating-point slack on tolerance comparisons, so a 0.5 s shift computed as 0.49999… or 0.50000…1 counts. */
const EPS = 1e-9;

/** One matched pair: indices into the reference and prediction arrays given, and the onset latency. */
export interface EventMatch {
  ref: number;
  pred: number;
  /** Prediction onset − reference onset, seconds (positive: the detector fired late). */
  latencyS: number;
}

/** Summary of the signed onset latencies of matched events, seconds; p90 by linear interpolation. */
export interface LatencyStats {
  n: number;
  meanS: number;
  medianS: number;
  p90S: number;
  minS: number;
  maxS: number;
}

/** Event counts and scores of one label. */
export interface EventLabelMetrics extends Prf {
  tp: number;
  /** Predictions that found no reference event: false alarms. */
  fp: number;
  /** Reference events no prediction found: misses. */
  fn: number;
  /** Unmatched predictions per hour of evaluated recording; `null` for a span of zero length. */
  falseAlarmsPerHour: number | null;
  latency: LatencyStats | null;
}

/** The scores at one confidence threshold (predictions with confidence ≥ threshold kept). */
export interface OperatingPoint extends Prf {
  threshold: number;
  predictions: number;
  tp: number;
  fp: number;
  fn: number;
  falseAlarmsPerHour: number | null;
}

function validateTolerance(t: EventTolerance): void {
  if (!(t.onsetS >= 0) || !Number.isFinite(t.onsetS)) {
    throw new AppError('validation_failed', `The onset tolerance must be a number of seconds ≥ 0, not ${t.onsetS}.`);
  }
  if (t.offsetFraction !== null && !(t.offsetFraction >= 0 && t.offsetFraction <= 1)) {
    throw new AppError('validation_failed', `The offset tolerance fraction must be in [0, 1], not ${t.offsetFraction}.`);
  }
}

/** First index in the ascending array whose value is ≥ x. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Candidate pairs, compressed: the predictions within tolerance of reference j are
 * `pred[start[j] .. start[j + 1])`, and `order` lists the edge ids by onset distance, then reference, then
 * prediction index. Predictions are found by binary search over their sorted onsets, so the work grows with
 * the events near each onset; typed arrays keep a 24 h labelling free of per-pair objects.
 */
interface CandidateGraph {
  nRef: number;
  nPred: number;
  start: Int32Array;
  pred: Int32Array;
  order: Uint32Array;
}

function candidateGraph(reference: readonly LabeledInterval[], prediction: readonly LabeledInterval[], tol: EventTolerance): CandidateGraph {
  const byOnset = Uint32Array.from(prediction, (_, i) => i).sort((a, b) => (prediction[a]?.startS ?? 0) - (prediction[b]?.startS ?? 0));
  const onsets = Float64Array.from(byOnset, (i) => prediction[i]?.startS ?? 0);
  const start = new Int32Array(reference.length + 1);
  const preds: number[] = [];
  const dist: number[] = [];
  const refOf: number[] = [];
  reference.forEach((r, j) => {
    const maxOff = tol.offsetFraction === null ? Infinity : Math.max(tol.onsetS, tol.offsetFraction * (r.endS - r.startS));
    for (let k = lowerBound(onsets, r.startS - tol.onsetS - EPS); k < onsets.length && (onsets[k] ?? 0) <= r.startS + tol.onsetS + EPS; k++) {
      const i = byOnset[k] ?? 0;
      const p = prediction[i];
      if (p === undefined || Math.abs(p.endS - r.endS) > maxOff + EPS) continue;
      preds.push(i);
      dist.push(Math.abs(p.startS - r.startS));
      refOf.push(j);
    }
    start[j + 1] = preds.length;
  });
  const pred = Int32Array.from(preds);
  const d = Float64Array.from(dist);
  const order = Uint32Array.from(preds, (_, e) => e).sort((a, b) => (d[a] ?? 0) - (d[b] ?? 0) || (refOf[a] ?? 0) - (refOf[b] ?? 0) || (pred[a] ?? 0) - (pred[b] ?? 0));
  return { nRef: reference.length, nPred: prediction.length, start, pred, order };
}

/** The reference each edge leaves from (edges are stored grouped by reference). */
function edgeRefs(g: CandidateGraph): Int32Array {
  const out = new Int32Array(g.pred.length);
  for (let j = 0; j < g.nRef; j++) out.fill(j, g.start[j] ?? 0, g.start[j + 1] ?? 0);
  return out;
}

/**
 * Matches over the graph, only among predictions with `keep[i] === 1` (all when `keep` is null); returns
 * for each reference its prediction or −1.
 */
function solve(g: CandidateGraph, matching: Matching, keep: Uint8Array | null, refOfEdge: Int32Array): Int32Array {
  const refMatch = new Int32Array(g.nRef).fill(-1);
  const predMatch = new Int32Array(g.nPred).fill(-1);
  for (const e of g.order) {
    const i = g.pred[e] ?? 0;
    const j = refOfEdge[e] ?? 0;
    if (keep !== null && keep[i] !== 1) continue;
    if (refMatch[j] === -1 && predMatch[i] === -1) {
      refMatch[j] = i;
      predMatch[i] = j;
    }
  }
  if (matching === 'optimal') augment(g, keep, refMatch, predMatch);
  return refMatch;
}

/**
 * Pairs reference and predicted events of one label one to one (see {@link Matching}). Pass the events of
 * a single label; the indices returned refer to the arrays given. Sorted by reference index.
 * @throws AppError `validation_failed` for a negative tolerance or an offset fraction outside [0, 1].
 */
export function matchEvents(
  reference: readonly LabeledInterval[],
  prediction: readonly LabeledInterval[],
  tolerance: EventTolerance = DEFAULT_EVENT_TOLERANCE,
  matching: Matching = 'optimal',
): EventMatch[] {
  validateTolerance(tolerance);
  const g = candidateGraph(reference, prediction, tolerance);
  const refMatch = solve(g, matching, null, edgeRefs(g));
  const out: EventMatch[] = [];
  for (let j = 0; j < reference.length; j++) {
    const i = refMatch[j] ?? -1;
    if (i >= 0) out.push({ ref: j, pred: i, latencyS: (prediction[i]?.startS ?? 0) - (reference[j]?.startS ?? 0) });
  }
  return out;
}

/**
 * Kuhn's algorithm from the given matching: one breadth-first search for an augmenting path per free
 * reference event. Searches stay inside clusters of events within tolerance of each other, so they are short.
 */
function augment(g: CandidateGraph, keep: Uint8Array | null, refMatch: Int32Array, predMatch: Int32Array): void {
  const seen = new Int32Array(g.nPred).fill(-1);
  const via = new Int32Array(g.nPred).fill(-1);
  const queue = new Int32Array(g.nRef);
  for (let u = 0; u < g.nRef; u++) {
    if (refMatch[u] !== -1 || g.start[u] === g.start[u + 1]) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = u;
    let found = -1;
    while (head < tail && found < 0) {
      const r = queue[head++] ?? 0;
      for (let e = g.start[r] ?? 0; e < (g.start[r + 1] ?? 0); e++) {
        const i = g.pred[e] ?? 0;
        if (seen[i] === u || (keep !== null && keep[i] !== 1)) continue;
        seen[i] = u;
        via[i] = r;
        const owner = predMatch[i] ?? -1;
        if (owner === -1) {
          found = i;
          break;
        }
        queue[tail++] = owner;
      }
    }
    // Flip the path: each prediction on it moves to the reference that reached it.
    let i = found;
    while (i >= 0) {
      const r = via[i] ?? 0;
      const prev = refMatch[r] ?? -1;
      refMatch[r] = i;
      predMatch[i] = r;
      i = prev;
    }
  }
}

/** Value at quantile q of ascending values, linear interpolation between order statistics (NumPy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

/** Mean, median, p90, min and max of signed latencies; `null` when there are none. */
export function latencyStats(latenciesS: readonly number[]): LatencyStats | null {
  if (latenciesS.length === 0) return null;
  const s = [...latenciesS].sort((a, b) => a - b);
  const mean = s.reduce((x, y) => x + y, 0) / s.length;
  return { n: s.length, meanS: mean, medianS: quantile(s, 0.5), p90S: quantile(s, 0.9), minS: s[0] ?? 0, maxS: s[s.length - 1] ?? 0 };
}

/**
 * Event-level scores of one label over an evaluated stretch of `hours` hours (pass the events of that label,
 * already cut to the span).
 */
export function eventLabelMetrics(
  reference: readonly LabeledInterval[],
  prediction: readonly LabeledInterval[],
  hours: number,
  tolerance: EventTolerance = DEFAULT_EVENT_TOLERANCE,
  matching: Matching = 'optimal',
): EventLabelMetrics {
  const m = matchEvents(reference, prediction, tolerance, matching);
  const tp = m.length;
  const fp = prediction.length - tp;
  const fn = reference.length - tp;
  return { tp, fp, fn, ...prf(tp, fp, fn), falseAlarmsPerHour: hours > 0 ? fp / hours : null, latency: latencyStats(m.map((x) => x.latencyS)) };
}

/**
 * Scores at a sweep of confidence thresholds, highest threshold first. A prediction without a confidence
 * counts as 1. When there are more distinct confidences than `maxPoints`, thresholds are picked evenly
 * through them (the lowest, which keeps every prediction, is always among them). The candidate pairs are
 * found once; each point reruns only the matching over the predictions it keeps.
 */
export function operatingPoints(
  reference: readonly LabeledInterval[],
  prediction: readonly LabeledInterval[],
  hours: number,
  tolerance: EventTolerance = DEFAULT_EVENT_TOLERANCE,
  matching: Matching = 'optimal',
  maxPoints = 50,
): OperatingPoint[] {
  if (prediction.length === 0) return [];
  const conf = (p: LabeledInterval): number => p.confidence ?? 1;
  const distinct = [...new Set(prediction.map(conf))].sort((a, b) => b - a);
  const cap = Math.max(1, Math.floor(maxPoints));
  const thresholds =
    distinct.length <= cap
      ? distinct
      : [...new Set(Array.from({ length: cap }, (_, k) => distinct[Math.round(((k + 1) * (distinct.length - 1)) / cap)] ?? 0))];
  validateTolerance(tolerance);
  const g = candidateGraph(reference, prediction, tolerance);
  const refOfEdge = edgeRefs(g);
  const keep = new Uint8Array(prediction.length);
  return thresholds.map((threshold) => {
    let kept = 0;
    prediction.forEach((p, i) => {
      keep[i] = conf(p) >= threshold ? 1 : 0;
      kept += keep[i] ?? 0;
    });
    let tp = 0;
    for (const i of solve(g, matching, keep, refOfEdge)) if (i >= 0) tp++;
    const fp = kept - tp;
    const fn = reference.length - tp;
    return { threshold, predictions: kept, tp, fp, fn, ...prf(tp, fp, fn), falseAlarmsPerHour: hours > 0 ? fp / hours : null };
  });
}

/**
 * The operating point with the highest recall whose false alarms per hour stay at or below `maxPerHour`
 * (ties: the higher threshold); `null` when no threshold is that quiet.
 */
export function recallAtFalseAlarmRate(points: readonly OperatingPoint[], maxPerHour: number): OperatingPoint | null {
  let best: OperatingPoint | null = null;
  for (const p of points) {
    if (p.falseAlarmsPerHour === null || p.falseAlarmsPerHour > maxPerHour + EPS) continue;
    if (best === null || (p.recall ?? 0) > (best.recall ?? 0) || ((p.recall ?? 0) === (best.recall ?? 0) && p.threshold > best.threshold)) best = p;
  }
  return best;
}

/** The operating point with the highest event F1 (ties: the higher threshold); `null` when none has an F1. */
export function bestF1(points: readonly OperatingPoint[]): OperatingPoint | null {
  let best: OperatingPoint | null = null;
  for (const p of points) {
    if (p.f1 === null) continue;
    if (best === null || p.f1 > (best.f1 ?? -1) || (p.f1 === best.f1 && p.threshold > best.threshold)) best = p;
  }
  return best;
}
