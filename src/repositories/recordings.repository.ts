import type { Db } from './db.js';
import { Prisma } from './db.js';
import type { StepPayload } from '../jobs/catalogue.js';
import { jobId } from '../jobs/catalogue.js';
import type { QualityReport, SegmentDraft, AnnotationDraft } from '../pipeline/types.js';
import { newId } from '../lib/ids.js';
import type { StudySettings } from '../domain/study.js';
import { annotatorCountsQuery, labelledSecondsQuery, labellingCountsQuery, recordingPageQuery, type Labelling, type RecordingListFilter } from './recording-list.sql.js';

export type { Labelling, RecordingListFilter } from './recording-list.sql.js';

export type RecordingStatus = 'queued' | 'processing' | 'ready' | 'rejected' | 'failed';
export type Stage = 'validate' | 'segment' | 'annotate';

export interface StreamRow {
  name: string; kind: string; sensor: string; channels: string[]; unit: string;
  sampleRateHz: number | null; measuredRateHz: number | null; samples: bigint; startS: number; durationS: number;
  firstNs: bigint | null; objectKey: string; summaryKey: string; lodKey: string | null;
  originalUnit: string | null; frame: string | null; range: number | null; sourceFile: string | null;
}

export interface RecordingView {
  id: string; studyId: string; participantId: string; uploadId: string;
  status: RecordingStatus; stage: Stage | null; format: string | null; device: unknown; timezone: string | null;
  startTimeNs: bigint | null; originNs: bigint | null; durationS: number | null; quality: unknown;
  errorCode: string | null; errorMessage: string | null; pipelineVersion: string | null; warnings: unknown; fileMetadata: unknown;
  clock: string | null; clockZone: string | null; clockZoneSource: string | null;
  createdAt: Date; updatedAt: Date; streams: StreamRow[];
  /** The participant's code in its study (P001). */
  participantCode: string;
}

const streamSelect = {
  name: true, kind: true, sensor: true, channels: true, unit: true, sampleRateHz: true, measuredRateHz: true,
  samples: true, startS: true, durationS: true, firstNs: true, objectKey: true, summaryKey: true, pipelineVersion: true,
  lodKey: true, originalUnit: true, frame: true, range: true, sourceFile: true,
} as const;

const recordingSelect = {
  id: true, studyId: true, participantId: true, uploadId: true, status: true, stage: true, format: true, device: true,
  timezone: true, startTimeNs: true, originNs: true, durationS: true, quality: true, errorCode: true, errorMessage: true,
  pipelineVersion: true, warnings: true, fileMetadata: true, clock: true, clockZone: true, clockZoneSource: true,
  createdAt: true, updatedAt: true,
  streams: { select: streamSelect, orderBy: { name: 'asc' } },
  participant: { select: { code: true } },
} as const;

type RawRecording = Prisma.RecordingGetPayload<{ select: typeof recordingSelect }>;

function toView({ participant, ...r }: RawRecording): RecordingView {
  // Only the streams of the pipeline version the recording shows.
  const streams = r.streams.filter((s) => s.pipelineVersion === r.pipelineVersion).map(({ pipelineVersion: _v, ...s }) => s);
  return { ...r, streams, participantCode: participant.code };
}

export interface ProcessingContext {
  id: string; run: number; status: RecordingStatus; objectKey: string; filename: string; pipelineVersion: string | null;
  originNs: bigint | null; studyId: string; completedStage: Stage | null;
  /** The study's processing settings (thresholds, detector options, signing keys). */
  studySettings: StudySettings;
  /** IANA zone the uploading app declared, if any. */
  timezone: string | null;
  /** The device the uploading app declared, if any. */
  uploadDevice: Record<string, unknown> | null;
  /** What `validate` found the times to be (utc, device-local, relative, …) and the zone it used; null before. */
  clock: string | null;
  clockZone: string | null;
}

export interface StreamResult extends Omit<StreamRow, 'samples'> { samples: number }

export class RecordingsRepository {
  constructor(private readonly db: Db) {}

  async findById(id: string): Promise<RecordingView | null> {
    const r = await this.db.recording.findUnique({ where: { id }, select: recordingSelect });
    return r ? toView(r) : null;
  }

  /** How many recordings are in each status (every status named, 0 included): a gauge for the dashboards. */
  async countByStatus(): Promise<Record<RecordingStatus, number>> {
    const counts: Record<RecordingStatus, number> = { queued: 0, processing: 0, ready: 0, rejected: 0, failed: 0 };
    const rows = await this.db.recording.groupBy({ by: ['status'], _count: { _all: true } });
    for (const r of rows) counts[r.status] = r._count._all;
    return counts;
  }

  /**
   * Lists by id order (ids are random, so this is a stable, not chronological, cursor order). The page's ids
   * come from one query that applies every filter (see `recording-list.sql.ts`), its rows from a second.
   */
  async list(filter: RecordingListFilter, opts: { limit: number; after?: string }): Promise<RecordingView[]> {
    const ids = (await this.db.$queryRaw<{ id: string }[]>(recordingPageQuery(filter, opts))).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await this.db.recording.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' }, select: recordingSelect });
    return rows.map(toView);
  }

  /** How far each recording is labelled and reviewed: grouped queries over the whole page at once. */
  async labellingOf(ids: readonly string[]): Promise<Map<string, Labelling>> {
    const out = new Map<string, Labelling>(ids.map((id) => [id, { humanCount: 0, labelledS: 0, proposedCount: 0, reviewedCount: 0, annotators: [] }]));
    if (ids.length === 0) return out;
    const [counts, covered, annotators] = await Promise.all([
      this.db.$queryRaw<{ id: string; human: number; proposed: number; reviewed: number }[]>(labellingCountsQuery(ids)),
      this.db.$queryRaw<{ id: string; seconds: number }[]>(labelledSecondsQuery(ids)),
      this.db.$queryRaw<{ id: string; annotatorId: string; name: string; count: number }[]>(annotatorCountsQuery(ids)),
    ]);
    for (const c of counts) Object.assign(out.get(c.id) ?? {}, { humanCount: Number(c.human), proposedCount: Number(c.proposed), reviewedCount: Number(c.reviewed) });
    for (const c of covered) {
      const l = out.get(c.id);
      if (l) l.labelledS = Number(c.seconds);
    }
    for (const a of annotators) out.get(a.id)?.annotators.push({ id: a.annotatorId, name: a.name, count: Number(a.count) });
    return out;
  }

  async processingContext(id: string): Promise<ProcessingContext | null> {
    const r = await this.db.recording.findUnique({
      where: { id },
      select: { id: true, processRun: true, status: true, pipelineVersion: true, originNs: true, studyId: true, completedStage: true, timezone: true, device: true, clock: true, clockZone: true, upload: { select: { objectKey: true, filename: true } }, study: { select: { settings: true } } },
    });
    if (!r) return null;
    return { id: r.id, run: r.processRun, status: r.status, objectKey: r.upload.objectKey, filename: r.upload.filename, pipelineVersion: r.pipelineVersion, originNs: r.originNs, studyId: r.studyId, completedStage: r.completedStage, studySettings: (r.study.settings ?? {}) as StudySettings, timezone: r.timezone, uploadDevice: (r.device ?? null) as Record<string, unknown> | null, clock: r.clock, clockZone: r.clockZone };
  }

  /** Moves a recording to `processing` at a stage, only for the current run (a stale job changes nothing). */
  async markStage(id: string, run: number, stage: Stage): Promise<boolean> {
    const r = await this.db.recording.updateMany({
      where: { id, processRun: run, status: { in: ['queued', 'processing'] } },
      data: { status: 'processing', stage },
    });
    return r.count === 1;
  }

  /** Stores what validation found, replacing any earlier result of the same run and version. */
  async saveValidation(id: string, run: number, v: {
    pipelineVersion: string; format: string; startTimeNs: bigint | null; originNs: bigint; durationS: number;
    quality: QualityReport; warnings: { code: string; message: string; count?: number }[]; streams: StreamResult[];
    /** Labels that came with the file: they replace the earlier imports of this recording. */
    imports: { label: string; startS: number; endS: number; origin: string }[];
    /** What the file says about its device and session, verbatim (bounded). */
    fileMetadata: object;
    clock: string; clockZone: string | null; clockZoneSource: string | null;
  }): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      // Only the current run writes: the recording row is updated (and locked) first, so a step of an earlier
      // run that finishes after a reprocess replaces none of the new run's rows.
      const current = await tx.recording.updateMany({
        where: { id, processRun: run },
        data: {
          format: v.format, startTimeNs: v.startTimeNs, originNs: v.originNs, durationS: v.durationS,
          quality: v.quality as unknown as Prisma.InputJsonValue, warnings: v.warnings,
          fileMetadata: v.fileMetadata, clock: v.clock, clockZone: v.clockZone, clockZoneSource: v.clockZoneSource,
          pipelineVersion: v.pipelineVersion, completedStage: 'validate',
        },
      });
      if (current.count === 0) return false;
      await tx.annotation.deleteMany({ where: { recordingId: id, source: 'import' } });
      if (v.imports.length > 0) {
        await tx.annotation.createMany({
          data: v.imports.map((a) => ({
            id: newId('anr'), recordingId: id, startS: a.startS, endS: a.endS, label: a.label, source: 'import' as const,
            status: 'accepted' as const, detector: a.origin,
          })),
        });
      }
      await tx.stream.deleteMany({ where: { recordingId: id, pipelineVersion: v.pipelineVersion } });
      await tx.stream.createMany({
        data: v.streams.map((s) => ({ id: newId('str'), recordingId: id, pipelineVersion: v.pipelineVersion, ...s, samples: BigInt(s.samples) })),
      });
      return true;
    });
  }

  async streamsOf(id: string, pipelineVersion: string): Promise<StreamRow[]> {
    return this.db.stream.findMany({ where: { recordingId: id, pipelineVersion }, select: streamSelect, orderBy: { name: 'asc' } });
  }

  /**
   * Replaces the segments of one pipeline version and stores the recording's quality with the detectors'
   * checks, for the current run only (false: the run is stale, nothing written).
   */
  async replaceSegments(id: string, pipelineVersion: string, run: number, segments: SegmentDraft[], quality: QualityReport): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const current = await tx.recording.updateMany({ where: { id, processRun: run }, data: { completedStage: 'segment', quality: quality as unknown as Prisma.InputJsonValue } });
      if (current.count === 0) return false;
      await tx.segment.deleteMany({ where: { recordingId: id, pipelineVersion } });
      await tx.segment.createMany({
        data: segments.map((s) => ({
          id: newId('seg'), recordingId: id, pipelineVersion, kind: s.kind, stream: s.stream, startS: s.startS, endS: s.endS,
          attributes: s.attributes,
        })),
      });
      return true;
    }, { timeout: 60_000 });
  }

  async segmentsOf(id: string, pipelineVersion: string | null): Promise<{ id: string; kind: string; stream: string | null; startS: number; endS: number; attributes: unknown }[]> {
    if (!pipelineVersion) return [];
    return this.db.segment.findMany({
      where: { recordingId: id, pipelineVersion },
      orderBy: [{ startS: 'asc' }, { kind: 'asc' }],
      select: { id: true, kind: true, stream: true, startS: true, endS: true, attributes: true },
    });
  }

  /**
   * Replaces the auto-proposed annotations of one pipeline version and marks the recording ready, in one
   * transaction. Human and imported annotations are never touched. Only the current run writes (false: the run
   * is stale, nothing written).
   */
  async finishWithAnnotations(id: string, run: number, pipelineVersion: string, annotations: AnnotationDraft[]): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const current = await tx.recording.updateMany({ where: { id, processRun: run }, data: { status: 'ready', stage: null, completedStage: 'annotate', errorCode: null, errorMessage: null } });
      if (current.count === 0) return false;
      await tx.annotation.deleteMany({ where: { recordingId: id, source: 'auto', pipelineVersion } });
      await tx.annotation.createMany({
        data: annotations.map((a) => ({
          id: newId('anr'), recordingId: id, startS: a.startS, endS: a.endS, label: a.label, source: 'auto' as const,
          status: 'proposed' as const, confidence: a.confidence, detector: a.detector, detectorVersion: a.detectorVersion, pipelineVersion,
        })),
      });
      return true;
    }, { timeout: 60_000 });
  }

  /** Ends a recording that cannot be read: the raw object stays, the reason is kept. */
  async markRejected(id: string, run: number, code: string, message: string, stage: Stage): Promise<void> {
    await this.db.recording.updateMany({ where: { id, processRun: run }, data: { status: 'rejected', stage, errorCode: code, errorMessage: message } });
  }

  async markFailed(id: string, run: number, message: string, stage: Stage): Promise<void> {
    await this.db.recording.updateMany({
      where: { id, processRun: run, status: { notIn: ['ready', 'rejected'] } },
      data: { status: 'failed', stage, errorCode: 'processing_failed', errorMessage: message },
    });
  }

  /**
   * Starts a new processing run: status back to queued and an outbox row, in one transaction. `requestId`
   * (the request that asked for it) is carried in the jobs, for their log lines.
   */
  async startReprocess(id: string, requestId?: string): Promise<number | null> {
    return this.db.$transaction(async (tx) => {
      const r = await tx.recording.update({ where: { id }, data: { processRun: { increment: 1 }, status: 'queued', stage: null, completedStage: null, errorCode: null, errorMessage: null }, select: { processRun: true } }).catch(() => null);
      if (!r) return null;
      const payload: StepPayload = { recordingId: id, run: r.processRun, ...(requestId ? { requestId } : {}) };
      await tx.outboxEvent.create({ data: { jobName: 'recording.process', jobId: jobId(id, r.processRun, 'align'), payload } });
      return r.processRun;
    });
  }
}
