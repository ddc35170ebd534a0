import type { Db } from './db.js';
import { newId } from '../lib/ids.js';

export interface AnnotationRow {
  id: string; recordingId: string; startS: number; endS: number; label: string;
  source: 'auto' | 'human' | 'import'; status: 'proposed' | 'accepted' | 'rejected';
  confidence: number | null; detector: string | null; detectorVersion: string | null; annotatorId: string | null;
  /** The annotator's name (null for annotations an admin made, and for auto and imported ones). */
  annotatorName: string | null;
  revision: number; adjudicated: boolean; reviewerId: string | null; reviewedAt: Date | null;
  /** The annotator whose write made the current revision, and their name (null: the admin token's, or the pipeline's). */
  changedById: string | null; changedByName: string | null;
  createdAt: Date; updatedAt: Date;
}

const select = {
  id: true, recordingId: true, startS: true, endS: true, label: true, source: true, status: true, confidence: true,
  detector: true, detectorVersion: true, annotatorId: true, revision: true, adjudicated: true, reviewerId: true, reviewedAt: true,
  changedById: true, createdAt: true, updatedAt: true, annotator: { select: { name: true } }, changedBy: { select: { name: true } },
} as const;

type Selected = Omit<AnnotationRow, 'annotatorName' | 'changedByName'> & { annotator: { name: string } | null; changedBy: { name: string } | null };

function toRow({ annotator, changedBy, ...a }: Selected): AnnotationRow {
  return { ...a, annotatorName: annotator?.name ?? null, changedByName: changedBy?.name ?? null };
}

/** Which annotations an evaluation compares: by source, by detector, or one annotator's. */
export type AnnotationPick =
  | { kind: 'source'; source: 'auto' | 'human' | 'import' }
  | { kind: 'detector'; detector: string }
  | { kind: 'annotator'; annotatorId: string };

/** What a change may set; `reviewerId`/`reviewedAt` are written by the service when a proposal is decided. */
export type AnnotationPatch = Partial<Pick<AnnotationRow, 'startS' | 'endS' | 'label' | 'status' | 'adjudicated' | 'reviewerId' | 'reviewedAt' | 'changedById'>>;

/** A conditional write's outcome: done, the revision had moved on (with the row as it is now), or the row is gone. */
export type Conditional<T> = { ok: true; value: T } | { ok: false; current: AnnotationRow | null };

export class AnnotationsRepository {
  constructor(private readonly db: Db) {}

  /** Human and imported annotations, plus the auto ones of the pipeline version the recording shows. */
  async listForRecording(recordingId: string, pipelineVersion: string | null): Promise<AnnotationRow[]> {
    const rows = await this.db.annotation.findMany({
      where: { recordingId, OR: [{ source: { not: 'auto' } }, { pipelineVersion }] },
      orderBy: [{ startS: 'asc' }, { id: 'asc' }],
      select,
    });
    return rows.map(toRow);
  }

  /** One annotator's human annotations on a recording (not rejected, not part of the adjudicated layer). */
  async humanOf(recordingId: string, annotatorId: string): Promise<AnnotationRow[]> {
    const rows = await this.db.annotation.findMany({
      where: { recordingId, annotatorId, source: 'human', adjudicated: false, status: { not: 'rejected' } },
      orderBy: [{ startS: 'asc' }, { id: 'asc' }],
      select,
    });
    return rows.map(toRow);
  }

  /** An annotator's id, name and study; null when there is none. */
  async annotator(id: string): Promise<{ id: string; name: string; studyId: string } | null> {
    return this.db.annotator.findUnique({ where: { id }, select: { id: true, name: true, studyId: true } });
  }

  /**
   * The annotations of a study's ready recordings that match a selector (for evaluation), with each
   * recording's duration. Rejected proposals are left out.
   */
  async forEvaluation(studyId: string, pick: AnnotationPick): Promise<{ recordings: { id: string; filename: string; durationS: number }[]; annotations: AnnotationRow[] }> {
    const recordings = await this.db.recording.findMany({
      where: { studyId, status: 'ready', durationS: { not: null } },
      orderBy: { id: 'asc' },
      select: { id: true, durationS: true, pipelineVersion: true, upload: { select: { filename: true } } },
    });
    const annotations: AnnotationRow[] = [];
    for (const r of recordings) {
      const rows = await this.db.annotation.findMany({
        where: {
          recordingId: r.id,
          status: { not: 'rejected' },
          ...(pick.kind === 'source' ? { source: pick.source, ...(pick.source === 'auto' ? { pipelineVersion: r.pipelineVersion } : {}) } : {}),
          ...(pick.kind === 'detector' ? { source: 'auto', detector: pick.detector, pipelineVersion: r.pipelineVersion } : {}),
          ...(pick.kind === 'annotator' ? { source: 'human', annotatorId: pick.annotatorId } : {}),
        },
        orderBy: [{ startS: 'asc' }, { id: 'asc' }],
        select,
      });
      annotations.push(...rows.map(toRow));
    }
    return { recordings: recordings.map((r) => ({ id: r.id, filename: r.upload.filename, durationS: r.durationS ?? 0 })), annotations };
  }

  async findById(id: string): Promise<(AnnotationRow & { studyId: string }) | null> {
    const a = await this.db.annotation.findUnique({ where: { id }, select: { ...select, recording: { select: { studyId: true } } } });
    if (!a) return null;
    const { recording, ...rest } = a;
    return { ...toRow(rest), studyId: recording.studyId };
  }

  async create(input: { recordingId: string; startS: number; endS: number; label: string; annotatorId: string | null; adjudicated: boolean }): Promise<AnnotationRow> {
    return toRow(await this.db.annotation.create({
      data: { id: newId('anr'), ...input, changedById: input.annotatorId, source: 'human', status: 'accepted' },
      select,
    }));
  }

  /**
   * Applies a change and moves the revision on. With `expected`, one conditional UPDATE (`WHERE id = … AND
   * revision = expected`) does the check and the write together: of two changes sent with the same revision,
   * PostgreSQL's row lock lets exactly one match, and the other finds the revision moved on.
   */
  async update(id: string, patch: AnnotationPatch, expected?: number): Promise<Conditional<AnnotationRow>> {
    const [row] = await this.db.annotation.updateManyAndReturn({
      where: { id, ...(expected !== undefined ? { revision: expected } : {}) },
      data: { ...patch, revision: { increment: 1 } },
      select,
    });
    return row ? { ok: true, value: toRow(row) } : { ok: false, current: await this.findById(id) };
  }

  /** Deletes, with `expected` only while the revision is still that one (one conditional DELETE). */
  async delete(id: string, expected?: number): Promise<Conditional<null>> {
    const r = await this.db.annotation.deleteMany({ where: { id, ...(expected !== undefined ? { revision: expected } : {}) } });
    return r.count === 1 ? { ok: true, value: null } : { ok: false, current: await this.findById(id) };
  }
}
