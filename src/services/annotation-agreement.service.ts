import { AppError } from '../lib/errors.js';
import type { Principal } from '../domain/principal.js';
import { agreement, EVALUATION_DEFAULTS } from '../evaluation/report.js';
import { classRuns } from '../evaluation/class-agreement.js';
import { frameGrid, frameRange, prf, type FrameGrid } from '../evaluation/frame-metrics.js';
import { clipIntervals, normalizeIntervals, type LabeledInterval } from '../evaluation/intervals.js';
import type { AnnotationsRepository } from '../repositories/annotations.repository.js';
import type { RecordingsService } from './recordings.service.js';

/** At most this many disagreements are listed (in time order); `truncated` says when there were more. */
export const MAX_DISAGREEMENTS = 500;

export interface Disagreement {
  startS: number;
  endS: number;
  /** What each annotator's frames say there: a label, or null for unlabelled time. */
  a: string | null;
  b: string | null;
}

export interface RecordingAgreement {
  a: { id: string; name: string };
  b: { id: string; name: string };
  /** Cohen's kappa over frames, every label and unlabelled time as classes; null when undefined. */
  kappa: number | null;
  frameS: number;
  /** Onset tolerance of the event matching, seconds. */
  toleranceS: number;
  labels: { label: string; eventF1: number | null; precision: number | null; recall: number | null; aCount: number; bCount: number }[];
  disagreements: Disagreement[];
  truncated: boolean;
}

/**
 * Two annotators' own labels on one recording compared, for a reviewer: the evaluation module's agreement
 * (frame kappa, event F1 of b against a with onset-only matching) and where their frames disagree. Only their
 * human annotations count, not rejected ones nor those of the adjudicated layer (that is the resolution).
 */
export class AnnotationAgreementService {
  constructor(private readonly annotations: AnnotationsRepository, private readonly recordings: RecordingsService) {}

  async compare(p: Principal, recordingId: string, aId: string, bId: string): Promise<RecordingAgreement> {
    const r = await this.recordings.get(p, recordingId);
    if (p.kind === 'participant') throw new AppError('forbidden', 'Participant tokens cannot read annotations.');
    const member = async (id: string): Promise<{ id: string; name: string }> => {
      const who = await this.annotations.annotator(id);
      if (!who || who.studyId !== r.studyId) throw new AppError('annotator_not_in_study', `There is no annotator ${id} in this recording's study.`, { annotatorId: id });
      return { id: who.id, name: who.name };
    };
    const labelsOf = async (id: string): Promise<LabeledInterval[]> =>
      (await this.annotations.humanOf(r.id, id)).map(({ label, startS, endS }) => ({ label, startS, endS }));
    const a = await member(aId);
    const b = await member(bId);
    const [la, lb] = await Promise.all([labelsOf(a.id), labelsOf(b.id)]);
    // A recording not measured yet (no duration) is compared over the span its labels reach.
    const durationS = r.durationS ?? Math.max(0, ...[...la, ...lb].map((iv) => iv.endS));
    const report = agreement({ a: la, b: lb, durationS, frameS: EVALUATION_DEFAULTS.frameS });
    const grid = frameGrid({ startS: 0, endS: durationS }, report.params.frameS);
    const cut = (list: LabeledInterval[]): LabeledInterval[] => clipIntervals(normalizeIntervals(list), { startS: 0, endS: durationS });
    const { items, truncated } = disagreements(grid, durationS, report.params.labels, cut(la), cut(lb));
    return {
      a: { id: a.id, name: a.name }, b: { id: b.id, name: b.name },
      kappa: report.frameKappa, frameS: report.params.frameS, toleranceS: report.params.toleranceS,
      labels: report.labels.map((l) => {
        const s = prf(l.matchedEvents, l.bEvents - l.matchedEvents, l.aEvents - l.matchedEvents);
        return { label: l.label, eventF1: l.eventF1, precision: s.precision, recall: s.recall, aCount: l.aEvents, bCount: l.bEvents };
      }),
      disagreements: items, truncated,
    };
  }
}

/** A side's class per frame, as runs of frames `[k0, k1)`: the class its intervals give the frames' centres. */
function frameRuns(grid: FrameGrid, spanEndS: number, labels: readonly string[], list: readonly LabeledInterval[]): { k0: number; k1: number; cls: string | null }[] {
  return classRuns(list, labels, grid.startS, spanEndS)
    .map((run) => {
      const [k0, k1] = frameRange(grid, run.startS, run.endS);
      return { k0, k1, cls: run.cls };
    })
    .filter((run) => run.k1 > run.k0);
}

/**
 * The stretches where the two frame sequences differ, in time order: consecutive differing frames with the same
 * pair of classes form one stretch, so each names what a and b say there. Ends are frame edges, the last cut
 * to the recording's end.
 */
export function disagreements(grid: FrameGrid, spanEndS: number, labels: readonly string[], a: readonly LabeledInterval[], b: readonly LabeledInterval[]): { items: Disagreement[]; truncated: boolean } {
  const ra = frameRuns(grid, spanEndS, labels, a);
  const rb = frameRuns(grid, spanEndS, labels, b);
  const items: Disagreement[] = [];
  const at = (k: number): number => Math.min(spanEndS, grid.startS + k * grid.frameS);
  let i = 0;
  let j = 0;
  let k = 0;
  while (k < grid.n) {
    while (i < ra.length && ra[i]!.k1 <= k) i++;
    while (j < rb.length && rb[j]!.k1 <= k) j++;
    const runA = ra[i];
    const runB = rb[j];
    const ca = runA && runA.k0 <= k ? runA.cls : null;
    const cb = runB && runB.k0 <= k ? runB.cls : null;
    // The next frame where either side's class may change.
    const next = Math.min(grid.n, runA ? (runA.k0 > k ? runA.k0 : runA.k1) : grid.n, runB ? (runB.k0 > k ? runB.k0 : runB.k1) : grid.n);
    if (ca !== cb) {
      const last = items[items.length - 1];
      if (last && last.a === ca && last.b === cb && last.endS === at(k)) last.endS = at(next);
      else {
        if (items.length === MAX_DISAGREEMENTS) return { items, truncated: true };
        items.push({ startS: at(k), endS: at(next), a: ca, b: cb });
      }
    }
    k = next;
  }
  return { items, truncated: false };
}
