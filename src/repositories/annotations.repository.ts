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
