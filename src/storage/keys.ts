/**
 * Every object key FieldSense writes is built here, from ids only — never from user text (file names,
 * labels, archive entry names). Derived outputs are keyed by recording, run and pipeline version, so a
 * retried or duplicated job overwrites the same objects instead of adding new ones.
 */
const SAFE = /^[A-Za-z0-9_-]+$/;

function part(value: string, what: string): string {
  if (!SAFE.test(value)) throw new Error(`unsafe ${what} in object key: ${JSON.stringify(value)}`);
  return value;
}

export const keys = {
  /** The bytes as uploaded. */
  rawUpload(studyId: string, participantId: string, uploadId: string): string {
    return `raw/${part(studyId, 'study id')}/${part(participantId, 'participant id')}/${part(uploadId, 'upload id')}`;
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
} as const;
