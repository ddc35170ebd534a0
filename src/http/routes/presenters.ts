import type { RecordingView } from '../../repositories/recordings.repository.js';
import type { AnnotationRow } from '../../repositories/annotations.repository.js';
import type { UploadRow } from '../../repositories/uploads.repository.js';
import type { StudyRow } from '../../repositories/studies.repository.js';
import { cursor } from '../validate.js';

/** Presenters: rows → the contract's JSON (ISO times, numbers instead of int64, no internal keys). */
export function presentStudy(s: StudyRow): Record<string, unknown> {
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

export function presentRecording(r: RecordingView): Record<string, unknown> {
  const file = (r.fileMetadata ?? {}) as { device?: Record<string, unknown>; timezone?: string; session?: Record<string, unknown> };
  // The recording's device and timezone columns are what the uploading app declared. What the file itself
  // says about the device wins; both are shown whole (fileMetadata, uploadMetadata), and a metadata_mismatch
  // warning names any disagreement.
  const declared = r.device as Record<string, unknown> | null;
  const device = declared || file.device ? { ...declared, ...file.device } : undefined;
  const timezone = r.clockZone ?? file.timezone ?? r.timezone;
  const uploadMetadata = declared || r.timezone ? { ...(declared ? { device: declared } : {}), ...(r.timezone ? { timezone: r.timezone } : {}) } : undefined;
  return {
    id: r.id, studyId: r.studyId, participantId: r.participantId, uploadId: r.uploadId, status: r.status,
    ...(r.stage ? { stage: r.stage } : {}),
    format: r.format,
    ...(device ? { device } : {}),
    startTime: r.startTimeNs === null ? null : nsToIso(r.startTimeNs),
    ...(timezone ? { timezone } : {}),
    ...(r.clockZoneSource ? { timezoneSource: r.clockZoneSource } : {}),
    ...(r.clock ? { clock: r.clock } : {}),
    ...(file.session ? { session: file.session } : {}),
    ...(r.fileMetadata && Object.keys(r.fileMetadata).length > 0 ? { fileMetadata: r.fileMetadata } : {}),
    ...(uploadMetadata ? { uploadMetadata } : {}),
    durationS: r.durationS,
    streams: r.streams.map((s) => ({
      name: s.name, kind: s.kind, sensor: s.sensor, channels: s.channels, unit: s.unit, sampleRateHz: s.sampleRateHz,
      measuredRateHz: s.measuredRateHz, samples: Number(s.samples), startS: s.startS, durationS: s.durationS,
      ...(r.clock ? { clock: r.clock } : {}),
      ...(s.originalUnit ? { originalUnit: s.originalUnit } : {}),
      ...(s.frame ? { frame: s.frame } : {}),
      ...(s.range !== null ? { range: s.range } : {}),
      ...(s.sourceFile ? { sourceFile: s.sourceFile } : {}),
    })),
    quality: r.quality ?? null,
    ...(r.errorCode ? { error: { code: r.errorCode, message: r.errorMessage ?? '' } } : {}),
    warnings: r.warnings ?? [],
    pipelineVersion: r.pipelineVersion,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function presentAnnotation(a: AnnotationRow): Record<string, unknown> {
  return {
    id: a.id, recordingId: a.recordingId, startS: a.startS, endS: a.endS, label: a.label, source: a.source, status: a.status,
    ...(a.confidence !== null ? { confidence: a.confidence } : {}),
    ...(a.detector ? { detector: a.detector, detectorVersion: a.detectorVersion } : {}),
    ...(a.annotatorId ? { annotatorId: a.annotatorId } : {}),
    createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(),
  };
}

export function presentUpload(u: UploadRow): Record<string, unknown> {
  return { id: u.id, filename: u.filename, bytes: Number(u.bytes), sha256: u.sha256, receivedAt: u.receivedAt.toISOString() };
}

export function presentPage<T extends { id: string }>(rows: T[], limit: number, present: (r: T) => Record<string, unknown>): { items: Record<string, unknown>[]; nextCursor: string | null } {
  return { items: rows.map(present), nextCursor: rows.length === limit ? cursor.encode(rows.at(-1)?.id) : null };
}
