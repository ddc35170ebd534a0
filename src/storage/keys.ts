/**
 * Every object key FieldSense writes is built here, from ids and stream names only — never from user text
 * (file names, labels, archive entry names). Derived outputs are keyed by recording and pipeline version,
 * so a retried or duplicated job overwrites the same objects instead of adding new ones. They are not keyed
 * by run: a step of an earlier run that was already writing when a reprocess began can still rewrite them
 * (the database rows are guarded by run; run-scoped keys would guard the objects too).
 *
 * Every segment is at most {@link KEY_PART_MAX} characters of `[A-Za-z0-9_-]`: stream names are bounded to
 * 64 (domain/names.ts), ids are shorter still, and a file-system object store (the embedded one, MinIO on
 * disk) keeps a key segment as a file name, which must stay well under 255 bytes with its suffixes.
 */
const SAFE = /^[A-Za-z0-9_-]+$/;
/** Longest segment of a key (characters, all ASCII). */
export const KEY_PART_MAX = 64;

function part(value: string, what: string): string {
  if (!SAFE.test(value) || value.length > KEY_PART_MAX) {
    throw new Error(`unsafe ${what} in object key: ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} (${value.length} characters; at most ${KEY_PART_MAX} of [A-Za-z0-9_-])`);
  }
  return value;
}

export const keys = {
  /** The bytes as uploaded. */
  rawUpload(studyId: string, participantId: string, uploadId: string): string {
    return `raw/${part(studyId, 'study id')}/${part(participantId, 'participant id')}/${part(uploadId, 'upload id')}`;
  },
  /** Every upload of one participant (what a consent withdrawal deletes). */
  participantRawPrefix(studyId: string, participantId: string): string {
    return `raw/${part(studyId, 'study id')}/${part(participantId, 'participant id')}/`;
  },
  /** Everything derived from one recording, of every pipeline version. */
  recordingDerivedPrefix(recordingId: string): string {
    return `derived/${part(recordingId, 'recording id')}/`;
  },
  /**
   * A file of an exported dataset under the prefix the operator chose (`--out s3://bucket/<prefix>`): the one key
   * not built from ids alone, so the prefix is held to safe path segments.
   */
  exportObject(prefix: string, file: string): string {
    const segs = `${prefix}/${file}`.split('/').filter((x) => x.length > 0);
    for (const s of segs) if (!/^[A-Za-z0-9_.-]+$/.test(s) || s === '.' || s === '..' || s.length > 128) throw new Error(`unsafe segment in export key: ${JSON.stringify(s)}`);
    return segs.join('/');
  },
  /** Normalized samples of one stream (Parquet). */
  streamParquet(recordingId: string, pipelineVersion: string, streamName: string): string {
    return `derived/${part(recordingId, 'recording id')}/v${part(pipelineVersion.replaceAll('.', '_'), 'version')}/streams/${part(streamName, 'stream name')}.parquet`;
  },
  /** Per-stream summary (quality checks, window features) that later steps read instead of the samples. */
  streamSummary(recordingId: string, pipelineVersion: string, streamName: string): string {
    return `derived/${part(recordingId, 'recording id')}/v${part(pipelineVersion.replaceAll('.', '_'), 'version')}/streams/${part(streamName, 'stream name')}.summary.json`;
  },
  /** Min/max overview of one stream at a few zoom levels (see columnar/lod.ts). */
  streamLod(recordingId: string, pipelineVersion: string, streamName: string): string {
    return `derived/${part(recordingId, 'recording id')}/v${part(pipelineVersion.replaceAll('.', '_'), 'version')}/streams/${part(streamName, 'stream name')}.lod`;
  },
  /** Where the detections of every run of one pipeline version are (`annotate` keeps only its own run's). */
  detectionsPrefix(recordingId: string, pipelineVersion: string): string {
    return `derived/${part(recordingId, 'recording id')}/v${part(pipelineVersion.replaceAll('.', '_'), 'version')}/runs/`;
  },
  /** What the `segment` stage's detectors found (segments, proposals, checks), read by `annotate` of the same run. */
  detections(recordingId: string, pipelineVersion: string, run: number): string {
    if (!Number.isSafeInteger(run) || run < 0) throw new Error(`unsafe run in object key: ${run}`);
    return `${keys.detectionsPrefix(recordingId, pipelineVersion)}${run}/detections.json`;
  },
} as const;
