import { AppError } from '../lib/errors.js';

/**
 * One labelled stretch of time, in seconds from the recording's start. `endS === startS` is a point event
 * (a tap, a trigger). `confidence` in [0, 1] is what a detector gave; a human label has none (read as 1).
 */
export interface LabeledInterval {
  label: string;
  startS: number;
  endS: number;
  confidence?: number;
}

/** The stretch of recording that is evaluated: frames and false alarms per hour count only inside it. */
export interface Span {
  startS: number;
  endS: number;
}

/**
 * The class name of frames that no interval covers (confusion matrix, kappa); no label may use it.
 */
export const NONE_LABEL = 'none';

function check(iv: LabeledInterval, index: number, what: string): void {
  if (!Number.isFinite(iv.startS) || !Number.isFinite(iv.endS)) {
    throw new AppError('validation_failed', `${what} interval ${index} (${iv.label}) has a start or end that is not a number.`, { index });
  }
  if (iv.endS < iv.startS) {
    throw new AppError('validation_failed', `${what} interval ${index} (${iv.label}) ends at ${iv.endS} s, before it starts at ${iv.startS} s.`, { index });
  }
  if (iv.label === NONE_LABEL) {
    throw new AppError('validation_failed', `${what} interval ${index} uses the label "${NONE_LABEL}", which names unlabelled time; drop it or rename it.`, { index });
  }
  if (iv.confidence !== undefined && !(iv.confidence >= 0 && iv.confidence <= 1)) {
    throw new AppError('validation_failed', `${what} interval ${index} (${iv.label}) has confidence ${iv.confidence}, outside [0, 1].`, { index });
  }
}

function byTime(a: LabeledInterval, b: LabeledInterval): number {
  return a.startS - b.startS || a.endS - b.endS || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

/**
 * Normalises a labelling: validates it, sorts by start (then end, then label), and per label merges intervals
 * that overlap (`next.startS < current.endS`) into one whose confidence is the larger of the two. Intervals that
 * only touch stay apart, since they are separate events to an annotator. Point events (`endS === startS`) stay
 * events of their own (also inside an interval of their label); exact duplicates of a point event are kept once.
 * @param what names the labelling in error messages ("reference", "prediction").
 * @throws AppError `validation_failed` for non-numbers, an end before its start, the reserved label `none`
 *   or a confidence outside [0, 1].
 */
export function normalizeIntervals(intervals: readonly LabeledInterval[], what = 'an'): LabeledInterval[] {
  intervals.forEach((iv, i) => check(iv, i, what));
  const sorted = intervals.map((iv) => ({ ...iv })).sort(byTime);
  const out: LabeledInterval[] = [];
  /** Per label, the last interval of positive length and the last point event written. */
  const open = new Map<string, LabeledInterval>();
  const lastPoint = new Map<string, LabeledInterval>();
  for (const iv of sorted) {
    if (iv.endS === iv.startS) {
      const prev = lastPoint.get(iv.label);
      if (prev !== undefined && prev.startS === iv.startS) {
        prev.confidence = maxConfidence(prev.confidence, iv.confidence);
        continue;
      }
      lastPoint.set(iv.label, iv);
      out.push(iv);
      continue;
    }
    const cur = open.get(iv.label);
    if (cur !== undefined && iv.startS < cur.endS) {
      cur.endS = Math.max(cur.endS, iv.endS);
      cur.confidence = maxConfidence(cur.confidence, iv.confidence);
      continue;
    }
    open.set(iv.label, iv);
    out.push(iv);
  }
  // Merging only extends ends, so the order by start still holds; ends may have moved, so re-sort for ties.
  return out.sort(byTime).map(strip);
}

function maxConfidence(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/** Drops an undefined confidence so the object stays JSON-clean. */
function strip(iv: LabeledInterval): LabeledInterval {
  return iv.confidence === undefined ? { label: iv.label, startS: iv.startS, endS: iv.endS } : iv;
}

/**
 * Cuts intervals to a span: parts outside it go, intervals that straddle an edge are shortened to it, and
 * point events count when they lie inside `[startS, endS]`. Input order is kept.
 */
export function clipIntervals(intervals: readonly LabeledInterval[], span: Span): LabeledInterval[] {
  const out: LabeledInterval[] = [];
  for (const iv of intervals) {
    if (iv.endS === iv.startS) {
      if (iv.startS >= span.startS && iv.startS <= span.endS) out.push(iv);
      continue;
    }
    const s = Math.max(iv.startS, span.startS);
    const e = Math.min(iv.endS, span.endS);
    if (e > s) out.push(s === iv.startS && e === iv.endS ? iv : { ...iv, startS: s, endS: e });
  }
  return out;
}

/** The labels that occur in the given labellings, sorted, each once. */
export function labelsIn(...labellings: (readonly LabeledInterval[])[]): string[] {
  const set = new Set<string>();
  for (const l of labellings) for (const iv of l) set.add(iv.label);
  return [...set].sort();
}
