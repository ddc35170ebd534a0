import type { z } from 'zod';
import type { RecordingsService } from '../../services/recordings.service.js';
import type { AnnotationsService } from '../../services/annotations.service.js';
import type { StudiesService } from '../../services/studies.service.js';
import type { StudyEvaluation } from '../../services/evaluate-study.service.js';
import type { UploadOutcome } from '../../services/ingest-upload/types.js';
import type { Alignment, Annotation, Evaluation, FileMetadata, Participant, Recording, Segment, Study, Upload, UploadAnswer } from './schemas.js';
import { cursor } from '../validate.js';

/**
 * Presenters: rows → the contract's JSON (ISO times, numbers instead of int64, no internal keys). Each returns
 * the output type of the response schema it answers, so a presenter that drifts from its schema does not compile
 * (the integration tests check the answers against the served OpenAPI document as well).
 */
type Json<S extends z.ZodType> = z.output<S>;
/** What the services answer (routes see rows through the services, never the repositories). */
type RecordingView = Awaited<ReturnType<RecordingsService['detail']>>;
type AnnotationRow = Awaited<ReturnType<AnnotationsService['create']>>;
type SegmentRow = Awaited<ReturnType<RecordingsService['segments']>>[number];
type AlignmentRow = Awaited<ReturnType<RecordingsService['alignments']>>[number];
type ParticipantRow = Awaited<ReturnType<StudiesService['listParticipants']>>[number];
type StudyRow = Awaited<ReturnType<StudiesService['create']>>;
type UploadRow = UploadOutcome['upload'];
type RecordingJson = Json<typeof Recording>;

export function presentStudy(s: StudyRow): Json<typeof Study> {
  const { edgeImpulseHmacKey, ...settings } = s.settings;
  return {
    id: s.id, slug: s.slug, name: s.name, labels: s.labels,
    settings: { ...settings, edgeImpulseHmacKeySet: edgeImpulseHmacKey !== undefined },
    createdAt: s.createdAt.toISOString(),
  };
}

function nsToIso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

/**
 * The JSON columns (device, file metadata, quality, warnings) and the text columns of closed sets (clock,
 * zone source, stream kind and frame) hold what the pipeline wrote from these same shapes: they are typed
 * here, where the row meets the contract.
 */
export function presentRecording(r: RecordingView): RecordingJson {
  const file = (r.fileMetadata ?? {}) as Json<typeof FileMetadata>;
  // The recording's device and timezone columns are what the uploading app declared. What the file itself
  // says about the device wins; both are shown whole (fileMetadata, uploadMetadata), and a metadata_mismatch
  // warning names any disagreement.
  const declared = r.device as Record<string, unknown> | null;
  const device = declared || file.device ? { ...declared, ...file.device } : undefined;
  const timezone = r.clockZone ?? file.timezone ?? r.timezone;
  const uploadMetadata = declared || r.timezone ? { ...(declared ? { device: declared } : {}), ...(r.timezone ? { timezone: r.timezone } : {}) } : undefined;
  const clock = r.clock as RecordingJson['clock'] | null;
  return {
    id: r.id, studyId: r.studyId, participantId: r.participantId, participantCode: r.participantCode, uploadId: r.uploadId, status: r.status,
    ...(r.stage ? { stage: r.stage } : {}),
    format: r.format,
    ...(device ? { device } : {}),
    startTime: r.startTimeNs === null ? null : nsToIso(r.startTimeNs),
    ...(timezone ? { timezone } : {}),
    ...(r.clockZoneSource ? { timezoneSource: r.clockZoneSource as NonNullable<RecordingJson['timezoneSource']> } : {}),
    ...(clock ? { clock } : {}),
    ...(file.session ? { session: file.session } : {}),
    ...(r.fileMetadata && Object.keys(r.fileMetadata).length > 0 ? { fileMetadata: file } : {}),
    ...(uploadMetadata ? { uploadMetadata } : {}),
    durationS: r.durationS,
    streams: r.streams.map((s) => ({
      name: s.name, kind: s.kind as RecordingJson['streams'][number]['kind'], sensor: s.sensor, channels: s.channels, unit: s.unit,
      sampleRateHz: s.sampleRateHz, measuredRateHz: s.measuredRateHz, samples: Number(s.samples), startS: s.startS, durationS: s.durationS,
      ...(clock ? { clock } : {}),
      ...(s.originalUnit ? { originalUnit: s.originalUnit } : {}),
      ...(s.frame ? { frame: s.frame as NonNullable<RecordingJson['streams'][number]['frame']> } : {}),
      ...(s.range !== null ? { range: s.range } : {}),
      ...(s.sourceFile ? { sourceFile: s.sourceFile } : {}),
    })),
    quality: (r.quality ?? null) as RecordingJson['quality'],
    ...(r.errorCode ? { error: { code: r.errorCode, message: r.errorMessage ?? '' } } : {}),
    warnings: (r.warnings ?? []) as RecordingJson['warnings'],
    pipelineVersion: r.pipelineVersion,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    labelling: { ...r.labelling, annotators: r.labelling.annotators.map((a) => ({ ...a })) },
  };
}

export function presentAnnotation(a: AnnotationRow): Json<typeof Annotation> {
  return {
    id: a.id, recordingId: a.recordingId, startS: a.startS, endS: a.endS, label: a.label, source: a.source, status: a.status,
    ...(a.confidence !== null ? { confidence: a.confidence } : {}),
    ...(a.detector ? { detector: a.detector, detectorVersion: a.detectorVersion } : {}),
    ...(a.annotatorId ? { annotatorId: a.annotatorId } : {}),
    ...(a.annotatorName !== null ? { annotatorName: a.annotatorName } : {}),
    adjudicated: a.adjudicated, revision: a.revision, reviewerId: a.reviewerId, reviewedAt: a.reviewedAt?.toISOString() ?? null,
    changedBy: a.changedById !== null && a.changedByName !== null ? { annotatorId: a.changedById, name: a.changedByName } : null,
    createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(),
  };
}

/** A segment; its attributes column holds the flat map the pipeline wrote (pipeline/types.ts). */
export function presentSegment(s: SegmentRow): Json<typeof Segment> {
  return {
    id: s.id, kind: s.kind, startS: s.startS, endS: s.endS, ...(s.stream ? { stream: s.stream } : {}),
    attributes: s.attributes as Json<typeof Segment>['attributes'],
  };
}

export function presentAlignment(a: AlignmentRow): Json<typeof Alignment> {
  return {
    otherRecordingId: a.otherRecordingId, offsetS: a.offsetS, confidence: a.confidence, peak: a.peak, overlapS: a.overlapS,
    method: a.method, version: a.version, createdAt: a.createdAt.toISOString(),
  };
}

export function presentParticipant(p: Omit<ParticipantRow, 'revokedAt'>): Json<typeof Participant> {
  return { id: p.id, code: p.code, studyId: p.studyId, createdAt: p.createdAt.toISOString() };
}

/**
 * An evaluation. The contract documents the report, the rows per recording and the agreement as open objects:
 * each is answered as a plain copy of what the evaluation computed.
 */
export function presentEvaluation(e: StudyEvaluation): Json<typeof Evaluation> {
  return {
    study: { id: e.study.id, slug: e.study.slug }, recordings: e.recordings, durationS: e.durationS,
    report: { ...e.report }, perRecording: e.perRecording.map((r) => ({ ...r })),
    ...(e.agreement ? { agreement: { ...e.agreement } } : {}),
    markdown: e.markdown, svg: e.svg,
  };
}

export function presentUpload(u: UploadRow): Json<typeof Upload> {
  return { id: u.id, filename: u.filename, bytes: Number(u.bytes), sha256: u.sha256, receivedAt: u.receivedAt.toISOString() };
}

/** An upload with its recording's status. Every upload has its recording: both are created in one transaction. */
export function presentUploadAnswer(u: UploadRow): Json<typeof UploadAnswer> {
  if (!u.recording) throw new Error(`upload ${u.id} has no recording`);
  return { upload: presentUpload(u), recording: { id: u.recording.id, status: u.recording.status } };
}

/** One page of a list (the schema's `page(Item)`): the items presented, and the cursor of the next page. */
export function presentPage<T extends { id: string }, J>(rows: T[], limit: number, present: (r: T) => J): { items: J[]; nextCursor: string | null } {
  return { items: rows.map(present), nextCursor: rows.length === limit ? cursor.encode(rows.at(-1)?.id) : null };
}
