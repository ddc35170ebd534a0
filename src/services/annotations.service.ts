import { AppError } from '../lib/errors.js';
import type { Principal } from '../domain/principal.js';
import type { AnnotationPatch, AnnotationsRepository, AnnotationRow } from '../repositories/annotations.repository.js';
import type { StudiesRepository } from '../repositories/studies.repository.js';
import type { RecordingsService } from './recordings.service.js';

/**
 * A change or delete sent with a revision that is no longer the annotation's: someone else changed it first.
 * `current` is the annotation as it is now, so the client can show both and let the person choose.
 */
export class StaleAnnotationRevision extends AppError {
  constructor(readonly current: AnnotationRow, expected: number) {
    super('annotation_revision_stale', `Someone else changed this annotation (now revision ${current.revision}): reload it, or keep both.`, { expected, revision: current.revision });
  }
}

export interface AnnotationChange {
  startS?: number; endS?: number; label?: string; status?: 'proposed' | 'accepted' | 'rejected'; adjudicated?: boolean;
}

/** Annotations: admins and the study's annotators read and write them; participants do not. */
export class AnnotationsService {
  constructor(
    private readonly annotations: AnnotationsRepository,
    private readonly studies: StudiesRepository,
    private readonly recordings: RecordingsService,
  ) {}

  async list(p: Principal, recordingId: string): Promise<AnnotationRow[]> {
    const r = await this.recordings.get(p, recordingId);
    this.requireLabeller(p);
    return this.annotations.listForRecording(r.id, r.pipelineVersion);
  }

  async create(p: Principal, recordingId: string, input: { startS: number; endS: number; label: string; adjudicated?: boolean }): Promise<AnnotationRow> {
    const r = await this.recordings.get(p, recordingId);
    this.requireLabeller(p);
    await this.checkLabel(r.studyId, input.label);
    this.checkRange(input.startS, input.endS, r.durationS);
    return this.annotations.create({
      recordingId: r.id, startS: input.startS, endS: input.endS, label: input.label,
      annotatorId: p.kind === 'annotator' ? p.annotatorId : null, adjudicated: input.adjudicated ?? false,
    });
  }

  /**
   * Changes an annotation; with `expectedRevision` (the client's If-Match) only while it still has that revision,
   * else `StaleAnnotationRevision`. Deciding a proposal (a new status) records who decided it and when.
   */
  async update(p: Principal, annotationId: string, patch: AnnotationChange, expectedRevision?: number): Promise<AnnotationRow> {
    const a = await this.find(p, annotationId);
    // An early answer for a revision already known to be stale; the conditional write below is what decides.
    if (expectedRevision !== undefined && a.revision !== expectedRevision) throw new StaleAnnotationRevision(a, expectedRevision);
    if (patch.label !== undefined && patch.label !== a.label) await this.checkLabel(a.studyId, patch.label);
    if (patch.startS !== undefined || patch.endS !== undefined) {
      const r = await this.recordings.get(p, a.recordingId);
      this.checkRange(patch.startS ?? a.startS, patch.endS ?? a.endS, r.durationS);
    }
    const write: AnnotationPatch = {
      ...patch,
      ...(patch.status !== undefined && patch.status !== a.status ? review(p, patch.status) : {}),
      changedById: p.kind === 'annotator' ? p.annotatorId : null,
    };
    const done = await this.annotations.update(a.id, write, expectedRevision);
    if (done.ok) return done.value;
    if (done.current && expectedRevision !== undefined) throw new StaleAnnotationRevision(done.current, expectedRevision);
    throw new AppError('not_found', `There is no annotation ${annotationId} that this token may see.`);
  }

  /** Deletes an annotation; with `expectedRevision` only while it still has that revision. */
  async delete(p: Principal, annotationId: string, expectedRevision?: number): Promise<void> {
    const a = await this.find(p, annotationId);
    if (expectedRevision !== undefined && a.revision !== expectedRevision) throw new StaleAnnotationRevision(a, expectedRevision);
    const done = await this.annotations.delete(a.id, expectedRevision);
    if (!done.ok && done.current && expectedRevision !== undefined) throw new StaleAnnotationRevision(done.current, expectedRevision);
  }

  private async find(p: Principal, annotationId: string): Promise<AnnotationRow & { studyId: string }> {
    const a = await this.annotations.findById(annotationId);
    const visible = a && (p.kind === 'admin' || (p.kind === 'annotator' && p.studyId === a.studyId));
    if (!a || !visible) throw new AppError('not_found', `There is no annotation ${annotationId} that this token may see.`);
    return a;
  }

  private requireLabeller(p: Principal): void {
    if (p.kind === 'participant') throw new AppError('forbidden', 'Participant tokens cannot read or write annotations.');
  }

  private async checkLabel(studyId: string, label: string): Promise<void> {
    const study = await this.studies.findById(studyId);
    const names = (study?.labels ?? []).map((l) => l.name);
    if (!names.includes(label)) {
      throw new AppError('label_not_in_study', `"${label}" is not one of this study's labels (${names.join(', ') || 'none defined'}).`, { label, labels: names });
    }
  }

  /** A range may be a point event (end = start), never reversed, and lies within the recording. */
  private checkRange(startS: number, endS: number, durationS: number | null): void {
    if (!(endS >= startS) || startS < 0 || (durationS !== null && endS > durationS + 1e-6)) {
      throw new AppError('range_outside_recording', `The range ${startS}–${endS} s must not end before it starts and must lie within the recording (0–${durationS ?? '?'} s).`, { startS, endS, durationS });
    }
  }
}

/**
 * Who decided a proposal and when: an annotator's decision names the annotator; the admin's has a time and no
 * reviewer; back to `proposed` (an undo) clears both.
 */
function review(p: Principal, status: 'proposed' | 'accepted' | 'rejected'): Pick<AnnotationPatch, 'reviewerId' | 'reviewedAt'> {
  if (status === 'proposed') return { reviewerId: null, reviewedAt: null };
  return { reviewerId: p.kind === 'annotator' ? p.annotatorId : null, reviewedAt: new Date() };
}
