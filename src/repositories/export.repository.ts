import type { Db } from './db.js';
import { newId } from '../lib/ids.js';

/** A stored stream as the dataset export reads it. */
export interface ExportStream {
  name: string; kind: string; sensor: string; channels: string[]; unit: string;
  sampleRateHz: number | null; measuredRateHz: number | null; startS: number; durationS: number; objectKey: string;
}

/** A ready recording of the study, with what the manifest records of it. */
export interface ExportRecording {
  id: string;
  participantId: string;
  participantCode: string;
  device: Record<string, unknown> | null;
  durationS: number;
  originNs: bigint;
  startTimeNs: bigint | null;
  pipelineVersion: string;
  /** SHA-256 of the uploaded file: what the recording's samples were made from. */
  sha256: string;
  qualityStatus: string | null;
  streams: ExportStream[];
}

/** An annotation as the export labels windows with it. */
export interface ExportAnnotation {
  id: string; recordingId: string; startS: number; endS: number; label: string;
  source: 'auto' | 'human' | 'import'; status: 'proposed' | 'accepted' | 'rejected'; adjudicated: boolean; revision: number;
  annotatorId: string | null;
  /** The pipeline version that proposed it (auto annotations); null for people's and imported ones. */
  pipelineVersion: string | null;
}

/** Reads what a dataset export selects: a study's ready recordings, their streams and annotations. */
export class ExportRepository {
  constructor(private readonly db: Db) {}

  async studyBySlug(slug: string): Promise<{ id: string; slug: string; name: string; labels: unknown } | null> {
    return this.db.study.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, labels: true } });
  }

  /** The study's ready recordings, in id order; never those of a participant who withdrew (even mid-withdrawal). */
  async readyRecordings(studyId: string): Promise<ExportRecording[]> {
    const rows = await this.db.recording.findMany({
      where: { studyId, status: 'ready', durationS: { not: null }, pipelineVersion: { not: null }, participant: { withdrawnAt: null } },
      orderBy: { id: 'asc' },
      select: {
        id: true, participantId: true, device: true, durationS: true, originNs: true, startTimeNs: true, pipelineVersion: true, quality: true,
        participant: { select: { code: true } },
        upload: { select: { sha256: true } },
        streams: {
          select: { name: true, kind: true, sensor: true, channels: true, unit: true, sampleRateHz: true, measuredRateHz: true, startS: true, durationS: true, objectKey: true, pipelineVersion: true },
          orderBy: { name: 'asc' },
        },
      },
    });
    return rows.map((r) => ({
      id: r.id,
      participantId: r.participantId,
      participantCode: r.participant.code,
      device: (r.device ?? null) as Record<string, unknown> | null,
      durationS: r.durationS!,
      originNs: r.originNs ?? 0n,
      startTimeNs: r.startTimeNs,
      pipelineVersion: r.pipelineVersion!,
      sha256: r.upload.sha256,
      qualityStatus: typeof (r.quality as { status?: unknown } | null)?.status === 'string' ? (r.quality as { status: string }).status : null,
      streams: r.streams.filter((s) => s.pipelineVersion === r.pipelineVersion).map(({ pipelineVersion: _v, ...s }) => s),
    }));
  }

  /** Accepted human and imported annotations of the recordings (the auto ones only once a person accepted them), in order. */
  async acceptedAnnotations(recordingIds: readonly string[]): Promise<ExportAnnotation[]> {
    if (recordingIds.length === 0) return [];
    return this.db.annotation.findMany({
      where: { recordingId: { in: [...recordingIds] }, status: 'accepted' },
      orderBy: [{ recordingId: 'asc' }, { startS: 'asc' }, { id: 'asc' }],
      select: { id: true, recordingId: true, startS: true, endS: true, label: true, source: true, status: true, adjudicated: true, revision: true, annotatorId: true, pipelineVersion: true },
    });
  }

  /** Records a written dataset and the participants it holds. */
  async recordExport(e: { studyId: string; version: string; location: string; participantIds: string[]; recordings: number; windows: number }): Promise<string> {
    const id = newId('dsx');
    await this.db.datasetExport.create({ data: { id, ...e } });
    return id;
  }
}
