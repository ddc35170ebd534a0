import { AppError } from '../lib/errors.js';
import { agreement, classScores, evaluate, renderReport, type AgreementReport, type EvaluationReport } from '../evaluation/report.js';
import { mapLabels } from '../evaluation/class-agreement.js';
import { renderRecordings, type RecordingRow } from '../evaluation/report-render.js';
import type { LabeledInterval } from '../evaluation/intervals.js';
import type { AnnotationPick, AnnotationsRepository } from '../repositories/annotations.repository.js';
import type { StudiesRepository } from '../repositories/studies.repository.js';

export interface EvaluationRequest {
  /** `human`, `import`, `auto`, a detector name (`webrtc-vad`), or `annotator:<id>`. */
  prediction: string;
  reference: string;
  toleranceS?: number;
  frameS?: number;
  /** Labels of both sides renamed before scoring: `{ walking: 'moving', running: 'moving' }`. */
  map?: Record<string, string>;
  /** Boundary matching window, seconds (default 10). */
  boundaryWindowS?: number;
  labels?: string[];
}

export interface StudyEvaluation {
  study: { id: string; slug: string };
  recordings: number;
  durationS: number;
  report: EvaluationReport;
  /** Per recording (in the order laid end to end): class agreement and boundary errors. */
  perRecording: RecordingRow[];
  /** Two annotators compared (both sides `annotator:…`): Cohen's kappa on frames and event F1. */
  agreement?: AgreementReport;
  markdown: string;
  svg: string;
}

/**
 * Measures one set of a study's annotations against another over all its ready recordings, laid end to
 * end on one time axis: frame- and event-level scores, false alarms per hour, latency, confusion.
 */
export class EvaluateStudyService {
  constructor(private readonly studies: StudiesRepository, private readonly annotations: AnnotationsRepository) {}

  async evaluate(studyRef: string, req: EvaluationRequest): Promise<StudyEvaluation> {
    const study = (await this.studies.findById(studyRef)) ?? (await this.studies.findBySlug(studyRef));
    if (!study) throw new AppError('not_found', `There is no study "${studyRef}".`);
    const ref = await this.collect(study.id, parsePick(req.reference, 'reference'));
    const pred = await this.collect(study.id, parsePick(req.prediction, 'prediction'));
    if (ref.durationS === 0) throw new AppError('validation_failed', `Study ${study.slug} has no ready recordings to evaluate.`);
    const common = { durationS: ref.durationS, ...(req.frameS !== undefined ? { frameS: req.frameS } : {}) };
    const labels = req.labels ?? [...new Set(mapLabels(ref.intervals, req.map).map((i) => i.label))];
    if (labels.length === 0) throw new AppError('validation_failed', `The reference "${req.reference}" has no annotations in study ${study.slug}.`);
    const scoring = {
      labels, breaksS: ref.spans.slice(1).map((r) => r.startS),
      ...(req.map !== undefined ? { map: req.map } : {}),
      ...(req.boundaryWindowS !== undefined ? { boundaryWindowS: req.boundaryWindowS } : {}),
    };
    const report = evaluate({ reference: ref.intervals, prediction: pred.intervals, ...scoring, ...common, ...(req.toleranceS !== undefined ? { tolerance: req.toleranceS } : {}) });
    const perRecording = ref.spans.map((r): RecordingRow => ({
      recording: r.name, durationS: r.durationS,
      classes: classScores({ reference: ref.intervals, prediction: pred.intervals, ...scoring, ...common, spanStartS: r.startS, durationS: r.durationS }),
    }));
    const both = req.reference.startsWith('annotator:') && req.prediction.startsWith('annotator:');
    const agree = both ? agreement({ a: ref.intervals, b: pred.intervals, labels, ...common, ...(req.toleranceS !== undefined ? { tolerance: req.toleranceS } : {}) }) : undefined;
    const rendered = renderReport(report, { title: `${study.slug}: ${req.prediction} vs ${req.reference}` });
    const markdown = perRecording.length > 1 ? `${rendered.markdown}\n${renderRecordings(perRecording)}\n` : rendered.markdown;
    return { study: { id: study.id, slug: study.slug }, recordings: ref.count, durationS: ref.durationS, report, perRecording, ...(agree ? { agreement: agree } : {}), markdown, svg: rendered.svg };
  }

  /** The picked annotations of every ready recording, each recording shifted to follow the previous one. */
  private async collect(studyId: string, pick: AnnotationPick): Promise<{ intervals: LabeledInterval[]; durationS: number; count: number; spans: { name: string; startS: number; durationS: number }[] }> {
    const { recordings, annotations } = await this.annotations.forEvaluation(studyId, pick);
    const offsets = new Map<string, number>();
    const spans: { name: string; startS: number; durationS: number }[] = [];
    let t = 0;
    for (const r of recordings) {
      offsets.set(r.id, t);
      spans.push({ name: `${r.filename} (${r.id})`, startS: t, durationS: r.durationS });
      t += r.durationS;
    }
    const durations = new Map(recordings.map((r) => [r.id, r.durationS]));
    // Each recording's annotations are cut to its own length, so none reaches into the next recording.
    const intervals = annotations.flatMap((a) => {
      const o = offsets.get(a.recordingId) ?? 0;
      const d = durations.get(a.recordingId) ?? Number.POSITIVE_INFINITY;
      const startS = Math.min(Math.max(a.startS, 0), d);
      const endS = Math.min(Math.max(a.endS, 0), d);
      if (endS < startS || (endS === startS && a.endS > a.startS)) return [];
      return [{ label: a.label, startS: o + startS, endS: o + endS, ...(a.confidence !== null ? { confidence: a.confidence } : {}) }];
    });
    return { intervals, durationS: t, count: recordings.length, spans };
  }
}

function parsePick(value: string, side: string): AnnotationPick {
  if (value === 'auto' || value === 'human' || value === 'import') return { kind: 'source', source: value };
  if (value.startsWith('annotator:') && value.length > 10) return { kind: 'annotator', annotatorId: value.slice(10) };
  if (/^[a-z0-9][a-z0-9._-]{1,63}$/.test(value)) return { kind: 'detector', detector: value };
  throw new AppError('validation_failed', `The ${side} "${value}" is not one of: human, import, auto, a detector name, annotator:<id>.`);
}
