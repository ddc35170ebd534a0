import { AppError } from '../lib/errors.js';
import {
  DEFAULT_EVENT_TOLERANCE,
  bestF1,
  eventLabelMetrics,
  matchEvents,
  operatingPoints,
  recallAtFalseAlarmRate,
  type EventLabelMetrics,
  type EventTolerance,
  type Matching,
  type OperatingPoint,
} from './event-metrics.js';
import {
  DEFAULT_FRAME_S,
  cohenKappa,
  frameConfusion,
  frameGrid,
  frameLabelMetrics,
  prf,
  type FrameConfusion,
  type FrameGrid,
  type FrameLabelMetrics,
  type Prf,
} from './frame-metrics.js';
import { clipIntervals, labelsIn, normalizeIntervals, type LabeledInterval } from './intervals.js';
import { classAgreement, DEFAULT_BOUNDARY_WINDOW_S, mapLabels, type ClassAgreement, type LabelMap } from './class-agreement.js';

export { renderReport, type RenderOptions, type RenderedReport } from './report-render.js';

/** Defaults of {@link evaluate}; a study or the CLI overrides any of them. */
export const EVALUATION_DEFAULTS = {
  frameS: DEFAULT_FRAME_S,
  toleranceS: DEFAULT_EVENT_TOLERANCE.onsetS,
  offsetFraction: DEFAULT_EVENT_TOLERANCE.offsetFraction,
  matching: 'optimal' as Matching,
  /** False-alarm budgets (per hour) at which recall is reported, e.g. "recall at ≤ 1 false trigger/h". */
  falseAlarmTargetsPerHour: [1, 5, 10] as readonly number[],
  /** Confidence thresholds swept per label at most. */
  maxOperatingPoints: 50,
  /** The report keeps the intervals of the first this-many seconds for the timeline plot. */
  timelineS: 600,
  /** …and at most this many intervals per side, so a report stays small whatever the recording. */
  timelineMaxIntervals: 2000,
};

export interface EvaluateInput {
  /** The labels taken as truth (human or imported). */
  reference: readonly LabeledInterval[];
  /** The labels under test (a detector's output, with confidences where it gives them). */
  prediction: readonly LabeledInterval[];
  /** Length of the evaluated recording, seconds; the span is `[spanStartS, spanStartS + durationS]`. */
  durationS: number;
  spanStartS?: number;
  /** Onset tolerance for event matching, seconds (default 0.5). */
  tolerance?: number;
  /** Offset tolerance as a fraction of the reference event's duration; `null` (default) compares onsets only. */
  offsetFraction?: number | null;
  matching?: Matching;
  /** Frame length, seconds (default 0.01). */
  frameS?: number;
  /** Labels to evaluate; intervals of other labels are dropped (their time counts as `none`). Default: all. */
  labels?: readonly string[];
  falseAlarmTargetsPerHour?: readonly number[];
  maxOperatingPoints?: number;
  timelineS?: number;
  /** Labels of both sides renamed before scoring (`walking → moving`); `labels` names the mapped ones. */
  map?: LabelMap;
  /** Boundary matching window, seconds (default 10). */
  boundaryWindowS?: number;
  /** Times where recordings were laid end to end: no boundary is scored across them. */
  breaksS?: readonly number[];
}

export interface EvaluationParams {
  spanStartS: number;
  spanEndS: number;
  durationS: number;
  hours: number;
  frameS: number;
  frames: number;
  tolerance: EventTolerance;
  matching: Matching;
  labels: string[];
  falseAlarmTargetsPerHour: number[];
  /** The label mapping applied to both sides (empty: none). */
  map: Record<string, string>;
}

export interface LabelSupport {
  referenceEvents: number;
  predictionEvents: number;
  /** Labelled time inside the span, seconds. */
  referenceS: number;
  predictionS: number;
}

export interface LabelReport {
  label: string;
  support: LabelSupport;
  frame: FrameLabelMetrics;
  event: EventLabelMetrics;
  /** Threshold sweep over prediction confidences, highest threshold first (one point when all are equal). */
  operatingPoints: OperatingPoint[];
  bestF1: OperatingPoint | null;
  recallAtFalseAlarms: { maxPerHour: number; point: OperatingPoint | null }[];
}

export interface Averages {
  /** Pooled counts over labels. */
  micro: Prf & { tp: number; fp: number; fn: number };
  /** Mean of the per-label scores over the labels where each is defined (`null` when none is). */
  macro: Prf;
}

/** Everything the evaluate command and API return; plain JSON (no NaN, Infinity or undefined). */
export interface EvaluationReport {
  schema: 'fieldsense.evaluation/1';
  params: EvaluationParams;
  labels: LabelReport[];
  overall: {
    frame: Averages;
    event: Averages & { falseAlarmsPerHour: number | null };
    /** Cohen's kappa over frames with all labels and `none` as classes. */
    frameKappa: number | null;
  };
  confusion: FrameConfusion;
  /** Class agreement over reference-labelled time, per reference label (activity), and boundary errors (s). */
  classes: ClassAgreement;
  /** The intervals of the first `timelineS` seconds, for the plot. */
  timeline: { startS: number; endS: number; reference: LabeledInterval[]; prediction: LabeledInterval[]; truncated: boolean };
}

interface Prepared {
  grid: FrameGrid;
  hours: number;
  labels: string[];
  a: LabeledInterval[];
  b: LabeledInterval[];
  spanStartS: number;
  spanEndS: number;
}

function prepare(
  a: readonly LabeledInterval[],
  b: readonly LabeledInterval[],
  names: [string, string],
  durationS: number,
  spanStartS: number,
  frameS: number,
  labels: readonly string[] | undefined,
): Prepared {
  if (!(durationS >= 0) || !Number.isFinite(durationS)) {
    throw new AppError('validation_failed', `The evaluated duration must be a number of seconds ≥ 0, not ${durationS}.`);
  }
  const span = { startS: spanStartS, endS: spanStartS + durationS };
  const keep = labels === undefined ? null : new Set(labels);
  const cut = (list: readonly LabeledInterval[], what: string): LabeledInterval[] =>
    clipIntervals(normalizeIntervals(list, what), span).filter((iv) => keep === null || keep.has(iv.label));
  const na = cut(a, names[0]);
  const nb = cut(b, names[1]);
  return {
    grid: frameGrid(span, frameS),
    hours: durationS / 3600,
    labels: labels === undefined ? labelsIn(na, nb) : [...new Set(labels)],
    a: na,
    b: nb,
    spanStartS: span.startS,
    spanEndS: span.endS,
  };
}

function byLabel(list: readonly LabeledInterval[], labels: readonly string[]): Map<string, LabeledInterval[]> {
  const m = new Map<string, LabeledInterval[]>(labels.map((l) => [l, []]));
  for (const iv of list) m.get(iv.label)?.push(iv);
  return m;
}

function mean(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length;
}

function averages(rows: readonly (Prf & { tp: number; fp: number; fn: number })[]): Averages {
  const tp = rows.reduce((s, r) => s + r.tp, 0);
  const fp = rows.reduce((s, r) => s + r.fp, 0);
  const fn = rows.reduce((s, r) => s + r.fn, 0);
  return {
    micro: { tp, fp, fn, ...prf(tp, fp, fn) },
    macro: { precision: mean(rows.map((r) => r.precision)), recall: mean(rows.map((r) => r.recall)), f1: mean(rows.map((r) => r.f1)) },
  };
}

function seconds(list: readonly LabeledInterval[]): number {
  return list.reduce((s, iv) => s + (iv.endS - iv.startS), 0);
}

function excerpt(list: readonly LabeledInterval[], endS: number, max: number): { items: LabeledInterval[]; truncated: boolean } {
  const items: LabeledInterval[] = [];
  for (const iv of list) {
    if (iv.startS >= endS && !(iv.startS === endS && iv.endS === endS)) continue;
    if (items.length >= max) return { items, truncated: true };
    items.push(iv.endS > endS ? { ...iv, endS } : iv);
  }
  return { items, truncated: false };
}

/**
 * Scores a prediction against a reference over one recording: per label frame-level and event-level
 * precision / recall / F1, false alarms per hour, onset latency, support and a confidence-threshold sweep;
 * micro and macro averages; the frame confusion matrix and kappa; and a timeline excerpt for the plot.
 * Work grows with the number of intervals (and thresholds), not with the number of frames.
 * @throws AppError `validation_failed` for malformed intervals, a negative duration or tolerance, or a
 *   frame length ≤ 0.
 */
export function evaluate(input: EvaluateInput): EvaluationReport {
  const frameS = input.frameS ?? EVALUATION_DEFAULTS.frameS;
  const tolerance: EventTolerance = {
    onsetS: input.tolerance ?? EVALUATION_DEFAULTS.toleranceS,
    offsetFraction: input.offsetFraction === undefined ? EVALUATION_DEFAULTS.offsetFraction : input.offsetFraction,
  };
  const matching = input.matching ?? EVALUATION_DEFAULTS.matching;
  const targets = [...(input.falseAlarmTargetsPerHour ?? EVALUATION_DEFAULTS.falseAlarmTargetsPerHour)];
  const p = prepare(mapLabels(input.reference, input.map), mapLabels(input.prediction, input.map), ['reference', 'prediction'], input.durationS, input.spanStartS ?? 0, frameS, input.labels);
  const refBy = byLabel(p.a, p.labels);
  const predBy = byLabel(p.b, p.labels);
  const rows: LabelReport[] = p.labels.map((label) => {
    const ref = refBy.get(label) ?? [];
    const pred = predBy.get(label) ?? [];
    const points = operatingPoints(ref, pred, p.hours, tolerance, matching, input.maxOperatingPoints ?? EVALUATION_DEFAULTS.maxOperatingPoints);
    return {
      label,
      support: { referenceEvents: ref.length, predictionEvents: pred.length, referenceS: seconds(ref), predictionS: seconds(pred) },
      frame: frameLabelMetrics(p.grid, ref, pred),
      event: eventLabelMetrics(ref, pred, p.hours, tolerance, matching),
      operatingPoints: points,
      bestF1: bestF1(points),
      recallAtFalseAlarms: targets.map((maxPerHour) => ({ maxPerHour, point: recallAtFalseAlarmRate(points, maxPerHour) })),
    };
  });
  const confusion = frameConfusion(p.grid, p.a, p.b, p.labels);
  const classes = classesOf(p, input, confusion);
  const event = averages(rows.map((r) => r.event));
  const timelineEnd = Math.min(p.spanEndS, p.spanStartS + (input.timelineS ?? EVALUATION_DEFAULTS.timelineS));
  const tr = excerpt(p.a, timelineEnd, EVALUATION_DEFAULTS.timelineMaxIntervals);
  const tp = excerpt(p.b, timelineEnd, EVALUATION_DEFAULTS.timelineMaxIntervals);
  return {
    schema: 'fieldsense.evaluation/1',
    params: {
      spanStartS: p.spanStartS,
      spanEndS: p.spanEndS,
      durationS: input.durationS,
      hours: p.hours,
      frameS,
      frames: p.grid.n,
      tolerance,
      matching,
      labels: p.labels,
      falseAlarmTargetsPerHour: targets,
      map: { ...input.map },
    },
    labels: rows,
    overall: {
      frame: averages(rows.map((r) => r.frame)),
      event: { ...event, falseAlarmsPerHour: p.hours > 0 ? event.micro.fp / p.hours : null },
      frameKappa: cohenKappa(confusion.counts),
    },
    confusion,
    classes,
    timeline: { startS: p.spanStartS, endS: timelineEnd, reference: tr.items, prediction: tp.items, truncated: tr.truncated || tp.truncated },
  };
}

function classesOf(p: Prepared, input: EvaluateInput, confusion: FrameConfusion): ClassAgreement {
  const span = { startS: p.spanStartS, endS: p.spanEndS };
  return classAgreement({
    grid: p.grid, labels: p.labels, map: input.map, reference: p.a, prediction: p.b, confusion,
    original: clipIntervals(normalizeIntervals(input.reference, 'reference'), span),
    windowS: input.boundaryWindowS ?? DEFAULT_BOUNDARY_WINDOW_S,
    ...(input.breaksS !== undefined ? { breaksS: input.breaksS } : {}),
  });
}

/**
 * Only the class agreement of {@link evaluate} (no event matching or threshold sweep): cheap enough to give
 * for each recording of a study.
 */
export function classScores(input: EvaluateInput): ClassAgreement {
  const p = prepare(mapLabels(input.reference, input.map), mapLabels(input.prediction, input.map), ['reference', 'prediction'], input.durationS, input.spanStartS ?? 0, input.frameS ?? EVALUATION_DEFAULTS.frameS, input.labels);
  return classesOf(p, input, frameConfusion(p.grid, p.a, p.b, p.labels));
}

export interface AgreementInput {
  a: readonly LabeledInterval[];
  b: readonly LabeledInterval[];
  durationS: number;
  spanStartS?: number;
  frameS?: number;
  /** Onset tolerance, seconds (default 0.5); events are matched one to one with onsets only compared. */
  tolerance?: number;
  labels?: readonly string[];
}

export interface AgreementLabel {
  label: string;
  aEvents: number;
  bEvents: number;
  matchedEvents: number;
  /** Event F1 of b against a (symmetric: onset-only matching treats both sides alike). */
  eventF1: number | null;
  frameF1: number | null;
  /** Cohen's kappa of this label's binary frame labelling. */
  frameKappa: number | null;
}

/** How well two annotators (or two detectors) agree on one recording. */
export interface AgreementReport {
  schema: 'fieldsense.agreement/1';
  params: { spanStartS: number; spanEndS: number; frameS: number; frames: number; toleranceS: number; labels: string[] };
  /** Cohen's kappa over frames with all labels and `none` as classes. */
  frameKappa: number | null;
  /** Event F1 pooled over labels. */
  eventF1: number | null;
  labels: AgreementLabel[];
  confusion: FrameConfusion;
}

/**
 * Agreement between two labellings of one recording: Cohen's kappa on frames (multi-class and per label) and
 * event F1 with an onset tolerance. With onset-only matching, swapping a and b gives the same numbers.
 */
export function agreement(input: AgreementInput): AgreementReport {
  const frameS = input.frameS ?? EVALUATION_DEFAULTS.frameS;
  const tol: EventTolerance = { onsetS: input.tolerance ?? EVALUATION_DEFAULTS.toleranceS, offsetFraction: null };
  const p = prepare(input.a, input.b, ['first annotator', 'second annotator'], input.durationS, input.spanStartS ?? 0, frameS, input.labels);
  const aBy = byLabel(p.a, p.labels);
  const bBy = byLabel(p.b, p.labels);
  let tp = 0;
  let nA = 0;
  let nB = 0;
  const labels = p.labels.map((label): AgreementLabel => {
    const la = aBy.get(label) ?? [];
    const lb = bBy.get(label) ?? [];
    const matched = matchEvents(la, lb, tol, 'optimal').length;
    const frame = frameLabelMetrics(p.grid, la, lb);
    tp += matched;
    nA += la.length;
    nB += lb.length;
    return { label, aEvents: la.length, bEvents: lb.length, matchedEvents: matched, eventF1: prf(matched, lb.length - matched, la.length - matched).f1, frameF1: frame.f1, frameKappa: frame.kappa };
  });
  const confusion = frameConfusion(p.grid, p.a, p.b, p.labels);
  return {
    schema: 'fieldsense.agreement/1',
    params: { spanStartS: p.spanStartS, spanEndS: p.spanEndS, frameS, frames: p.grid.n, toleranceS: tol.onsetS, labels: p.labels },
    frameKappa: cohenKappa(confusion.counts),
    eventF1: prf(tp, nB - tp, nA - tp).f1,
    labels,
    confusion,
  };
}
