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

/** A stored clock offset between two recordings: `other`'s times + offsetS are on `recordingId`'s clock. */
export interface ExportAlignment {
  recordingId: string; offsetS: number; confidence: number; method: string; version: string;
  other: { id: string; device: Record<string, unknown> | null; originNs: bigint; startTimeNs: bigint | null; durationS: number; streams: ExportStream[] };
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

  /**
   * The stored clock alignments of the recordings with other ready recordings (of participants who did not
   * withdraw), each with the other recording's clock and streams of the version it shows; best first.
   */
  async alignmentsOf(recordingIds: readonly string[]): Promise<ExportAlignment[]> {
    if (recordingIds.length === 0) return [];
    const rows = await this.db.recordingAlignment.findMany({
      where: { recordingId: { in: [...recordingIds] }, other: { status: 'ready', durationS: { not: null }, pipelineVersion: { not: null }, participant: { withdrawnAt: null } } },
      orderBy: [{ recordingId: 'asc' }, { confidence: 'desc' }, { otherRecordingId: 'asc' }, { version: 'desc' }],
      select: {
        recordingId: true, offsetS: true, confidence: true, method: true, version: true,
        other: {
          select: {
            id: true, device: true, originNs: true, startTimeNs: true, durationS: true, pipelineVersion: true,
            streams: { select: { name: true, kind: true, sensor: true, channels: true, unit: true, sampleRateHz: true, measuredRateHz: true, startS: true, durationS: true, objectKey: true, pipelineVersion: true }, orderBy: { name: 'asc' } },
          },
        },
      },
    });
    return rows.map((a) => ({
      recordingId: a.recordingId, offsetS: a.offsetS, confidence: a.confidence, method: a.method, version: a.version,
      other: {
        id: a.other.id, device: (a.other.device ?? null) as Record<string, unknown> | null, originNs: a.other.originNs ?? 0n, startTimeNs: a.other.startTimeNs,
        durationS: a.other.durationS!, streams: a.other.streams.filter((st) => st.pipelineVersion === a.other.pipelineVersion).map(({ pipelineVersion: _v, ...st }) => st),
      },
    }));
  }

  async studyById(id: string): Promise<{ id: string; slug: string; name: string } | null> {
    return this.db.study.findUnique({ where: { id }, select: { id: true, slug: true, name: true } });
  }

  /**
   * An export asked for through the API: its row (queued), one progress row per shard, and the outbox event that
   * starts its jobs, in one transaction (the export runs once it is committed, and is never lost).
   */
  async createJob(e: {
    id: string; studyId: string; location: string; params: object; shards: { index: number; recordings: number; seconds: number }[]; requestId?: string;
  }): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.datasetExport.create({
        data: {
          id: e.id, studyId: e.studyId, location: e.location, participantIds: [], recordings: 0, windows: 0, status: 'queued', params: e.params,
          shards: e.shards.length, plannedRecordings: e.shards.reduce((n, s) => n + s.recordings, 0), plannedSeconds: e.shards.reduce((n, s) => n + s.seconds, 0),
        },
      });
      await tx.datasetExportShard.createMany({ data: e.shards.map((s) => ({ exportId: e.id, index: s.index, recordings: s.recordings, seconds: s.seconds })) });
      await tx.outboxEvent.create({ data: { jobName: 'export.run', jobId: `${e.id}-finalize`, payload: { exportId: e.id, shards: e.shards.length, ...(e.requestId ? { requestId: e.requestId } : {}) } } });
    });
  }

  async job(id: string): Promise<ExportJobRow | null> {
    const row = await this.db.datasetExport.findUnique({
      where: { id },
      include: { study: { select: { slug: true } }, shardRows: { select: { index: true, recordings: true, seconds: true, recordingsDone: true, secondsDone: true, windows: true, done: true, attempts: true, updatedAt: true }, orderBy: { index: 'asc' } } },
    });
    if (!row) return null;
    return { ...row, studySlug: row.study.slug, shardRows: row.shardRows };
  }

  /** A shard began (another attempt): the export is running. */
  async shardStarted(exportId: string, index: number): Promise<void> {
    await this.db.$transaction([
      this.db.datasetExportShard.update({ where: { exportId_index: { exportId, index } }, data: { attempts: { increment: 1 }, recordingsDone: 0, secondsDone: 0, windows: 0, done: false, updatedAt: new Date() } }),
      this.db.datasetExport.updateMany({ where: { id: exportId, status: 'queued' }, data: { status: 'running', startedAt: new Date() } }),
    ]);
  }

  async shardProgress(exportId: string, index: number, p: { recordingsDone: number; secondsDone: number; windows: number; done?: boolean }): Promise<void> {
    await this.db.datasetExportShard.update({ where: { exportId_index: { exportId, index } }, data: { ...p, updatedAt: new Date() } });
  }

  async finishJob(id: string, r: { version: string; participantIds: string[]; recordings: number; windows: number }): Promise<void> {
    await this.db.datasetExport.update({ where: { id }, data: { ...r, status: 'finished', error: null, finishedAt: new Date() } });
  }

  async failJob(id: string, error: string): Promise<void> {
    await this.db.datasetExport.updateMany({ where: { id, status: { in: ['queued', 'running'] } }, data: { status: 'failed', error: error.slice(0, 2000), finishedAt: new Date() } });
  }
}

export interface ExportJobRow {
  id: string; studyId: string; studySlug: string; status: string; params: unknown; location: string; version: string | null;
  shards: number; plannedRecordings: number; plannedSeconds: number; recordings: number; windows: number; error: string | null;
  createdAt: Date; startedAt: Date | null; finishedAt: Date | null;
  shardRows: { index: number; recordings: number; seconds: number; recordingsDone: number; secondsDone: number; windows: number; done: boolean; attempts: number; updatedAt: Date }[];
}
