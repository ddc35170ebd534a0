import { AppError } from '../lib/errors.js';
import type { Principal } from '../domain/principal.js';
import type { AnnotationsRepository, AnnotationRow } from '../repositories/annotations.repository.js';
import type { StudiesRepository } from '../repositories/studies.repository.js';
import type { RecordingsService } from './recordings.service.js';

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

  async create(p: Principal, recordingId: string, input: { startS: number; endS: number; label: string }): Promise<AnnotationRow> {
    const r = await this.recordings.get(p, recordingId);
    this.requireLabeller(p);
    await this.checkLabel(r.studyId, input.label);
    this.checkRange(input.startS, input.endS, r.durationS);
    return this.annotations.create({ recordingId: r.id, ...input, annotatorId: p.kind === 'annotator' ? p.annotatorId : null });
  }

  async update(p: Principal, annotationId: string, patch: { startS?: number; endS?: number; label?: string; status?: 'proposed' | 'accepted' | 'rejected' }): Promise<AnnotationRow> {
    const a = await this.find(p, annotationId);
    if (patch.label !== undefined && patch.label !== a.label) await this.checkLabel(a.studyId, patch.label);
    if (patch.startS !== undefined || patch.endS !== undefined) {
      const r = await this.recordings.get(p, a.recordingId);
      this.checkRange(patch.startS ?? a.startS, patch.endS ?? a.endS, r.durationS);
    }
    return this.annotations.update(a.id, patch);
  }

  async delete(p: Principal, annotationId: string): Promise<void> {
    const a = await this.find(p, annotationId);
    await this.annotations.delete(a.id);
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

  private checkRange(startS: number, endS: number, durationS: number | null): void {
    if (!(endS > startS) || startS < 0 || (durationS !== null && endS > durationS + 1e-6)) {
      throw new AppError('range_outside_recording', `The range ${startS}–${endS} s must have end > start and lie within the recording (0–${durationS ?? '?'} s).`, { startS, endS, durationS });
    }
  }
}
