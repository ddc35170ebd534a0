import type { Readable } from 'node:stream';
import type { UploadRow } from '../../repositories/uploads.repository.js';

/** Whose upload it is: the study and participant its objects and rows belong to. */
export type ParticipantRef = { studyId: string; participantId: string };

/**
 * Bytes that are in object storage but not yet an upload. `objectKey` is `keys.rawUpload(studyId,
 * participantId, uploadId)` of the participant it was received for; `sha256` and `bytes` are of the whole object.
 * Whoever hands one to the ingest use case hands it over: it is removed unless it becomes the upload.
 */
export interface ReceivedFile {
  uploadId: string;
  objectKey: string;
  sha256: string;
  bytes: number;
}

/** One received file of an upload, with what its sender called it. */
export interface ReceivedPart {
  received: ReceivedFile;
  /** The sender's file name, kept for people only (made clean again before it is stored). */
  filename: string;
  contentType: string | null;
}

/** What the uploading device declares about the recording (validated by whoever parsed it). */
export interface UploadMetadata {
  device?: { kind: 'watch' | 'phone' | 'wearable' | 'other'; model?: string; platform?: string; app?: string };
  timezone?: string;
  note?: string;
  /** Set by the use case for a multi-file upload: the files the archive holds. */
  files?: { name: string; bytes: number; sha256: string }[];
}

/** An upload that was stored (`created`), or the earlier one that the same bytes or Idempotency-Key name. */
export interface UploadOutcome {
  created: boolean;
  upload: UploadRow;
}

/** What an upload carries beside its bytes. */
export interface UploadMeta {
  /** The client's Idempotency-Key, already checked for form. */
  idempotencyKey?: string | undefined;
  /** The request's id, carried into the recording's jobs so that their log lines name it. */
  requestId?: string | undefined;
  metadata: UploadMetadata | null;
}

/**
 * Where a caller that reads a request body puts each file part: `receive` streams it into object storage,
 * hashing as it goes (never whole in memory, never on local disk); an abort or failure leaves no object.
 * `discard` gives back a part that will not be used. Parts received here belong to the use case that handed
 * out the sink, which removes them if the request fails.
 */
export interface PartSink {
  receive(body: Readable, signal: AbortSignal): Promise<ReceivedFile>;
  discard(file: ReceivedFile): Promise<void>;
}

/** The parts of a request once its body has been read: the files in the order sent, and the metadata. */
export interface ReadParts {
  files: ReceivedPart[];
  metadata: UploadMetadata | null;
}
