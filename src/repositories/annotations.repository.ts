import type { Db } from './db.js';
import { newId } from '../lib/ids.js';

export interface AnnotationRow {
  id: string; recordingId: string; startS: number; endS: number; label: string;
  source: 'auto' | 'human' | 'import'; status: 'proposed' | 'accepted' | 'rejected';
  confidence: number | null; detector: string | null; detectorVersion: string | null; annotatorId: string | null;
  createdAt: Date; updatedAt: Date;
}

const select = {
  id: true, recordingId: true, startS: true, endS: true, label: true, source: true, status: true, confidence: true,
  detector: true, detectorVersion: true, annotatorId: true, createdAt: true, updatedAt: true,
} as const;

/** Which annotations an evaluation compares: by source, by detector, or one annotator's. */
export type AnnotationPick =
  | { kind: 'source'; source: 'auto' | 'human' | 'import' }
  | { kind: 'detector'; detector: string }
  | { kind: 'annotator'; annotatorId: string };

export class AnnotationsRepository {
  constructor(private readonly db: Db) {}

  /** Human and imported annotations, plus the auto ones of the pipeline version the recording shows. */
  async listForRecording(recordingId: string, pipelineVersion: string | null): Promise<AnnotationRow[]> {
    return this.db.annotation.findMany({
      where: { recordingId, OR: [{ source: { not: 'auto' } }, { pipelineVersion }] },
      orderBy: [{ startS: 'asc' }, { id: 'asc' }],
      select,
    });
  }

  /**
   * The annotations of a study's ready recordings that match a selector (for evaluation), with each
   * recording's duration. Rejected proposals are left out.
   */
  async forEvaluation(studyId: string, pick: AnnotationPick): Promise<{ recordings: { id: string; filename: string; durationS: number }[]; annotations: (AnnotationRow & { confidence: number | null })[] }> {
    const recordings = await this.db.recording.findMany({
      where: { studyId, status: 'ready', durationS: { not: null } },
      orderBy: { id: 'asc' },
      select: { id: true, durationS: true, pipelineVersion: true, upload: { select: { filename: true } } },
    });
    const annotations: AnnotationRow[] = [];
    for (const r of recordings) {
      annotations.push(...await this.db.annotation.findMany({
        where: {
          recordingId: r.id,
          status: { not: 'rejected' },
          ...(pick.kind === 'source' ? { source: pick.source, ...(pick.source === 'auto' ? { pipelineVersion: r.pipelineVersion } : {}) } : {}),
          ...(pick.kind === 'detector' ? { source: 'auto', detector: pick.detector, pipelineVersion: r.pipelineVersion } : {}),
          ...(pick.kind === 'annotator' ? { source: 'human', annotatorId: pick.annotatorId } : {}),
        },
        orderBy: [{ startS: 'asc' }, { id: 'asc' }],
        select,
      }));
    }
    return { recordings: recordings.map((r) => ({ id: r.id, filename: r.upload.filename, durationS: r.durationS ?? 0 })), annotations };
  }

  async findById(id: string): Promise<(AnnotationRow & { studyId: string }) | null> {
    const a = await this.db.annotation.findUnique({ where: { id }, select: { ...select, recording: { select: { studyId: true } } } });
    if (!a) return null;
    const { recording, ...rest } = a;
    return { ...rest, studyId: recording.studyId };
  }

  async create(input: { recordingId: string; startS: number; endS: number; label: string; annotatorId: string | null }): Promise<AnnotationRow> {
    return this.db.annotation.create({
      data: { id: newId('anr'), ...input, source: 'human', status: 'accepted' },
      select,
    });
  }

  async update(id: string, patch: Partial<Pick<AnnotationRow, 'startS' | 'endS' | 'label' | 'status'>>): Promise<AnnotationRow> {
    return this.db.annotation.update({ where: { id }, data: patch, select });
  }

  async delete(id: string): Promise<void> {
    await this.db.annotation.delete({ where: { id } });
  }
}
