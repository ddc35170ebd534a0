import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../lib/errors.js';
import { STORED_ZIP_MAX_BYTES, storedZip } from '../lib/stored-zip.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { UploadsRepository, UploadRow } from '../repositories/uploads.repository.js';
import type { ObjectStore } from '../storage/object-store.js';
import { keys } from '../storage/keys.js';
import { cleanFilename } from '../domain/names.js';

export type ParticipantRef = { studyId: string; participantId: string };

/** A file part that is in object storage but not yet committed. */
export interface ReceivedFile {
  uploadId: string;
  objectKey: string;
  sha256: string;
  bytes: number;
}

export interface UploadMetadata {
  device?: { kind: 'watch' | 'phone' | 'wearable' | 'other'; model?: string; platform?: string; app?: string };
  timezone?: string;
  note?: string;
  /** Set by the API for a multi-file upload: the files the archive holds. */
  files?: { name: string; bytes: number; sha256: string }[];
}

export interface UploadOutcome {
  created: boolean;
  upload: UploadRow;
}

/**
 * Receiving an upload: the file part streams to object storage while its SHA-256 is computed (never held
 * whole in memory, never written to a local temporary file); only then are the upload, its recording and
 * the outbox row committed in one transaction. The same bytes or the same Idempotency-Key from the same
 * participant give back the first upload, and the duplicate object is removed.
 */
export class IngestUploadService {
  constructor(
    private readonly uploads: UploadsRepository,
    private readonly store: ObjectStore,
    private readonly onCommitted: () => void,
    private readonly log: Logger,
  ) {}

  /** A retry with an Idempotency-Key already used by this participant: the first upload, else null. */
  async findReplay(who: ParticipantRef, idempotencyKey: string | undefined): Promise<UploadRow | null> {
    if (!idempotencyKey) return null;
    return this.uploads.findByIdempotencyKey(who.participantId, idempotencyKey);
  }

  /** Streams one file part into object storage, hashing as it goes. Aborts leave no object behind. */
  async receiveFile(who: ParticipantRef, body: Readable, signal: AbortSignal): Promise<ReceivedFile> {
    const uploadId = newId('upl');
    const objectKey = keys.rawUpload(who.studyId, who.participantId, uploadId);
    const hash = createHash('sha256');
    let bytes = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    const put = this.store.putStream(objectKey, hasher, { signal });
    try {
      await Promise.all([pipeline(body, hasher, { signal }), put]);
    } catch (err) {
      hasher.destroy();
      await put.catch(() => undefined);
      await this.discard(objectKey);
      throw err;
    }
    return { uploadId, objectKey, sha256: hash.digest('hex'), bytes };
  }

  /**
   * Puts the parts of a multi-file upload into one archive object (a ZIP of stored entries, in the order sent,
   * names cleaned and made unique) and removes the parts. The archive is what is kept and processed: one recording.
   */
  async combine(who: ParticipantRef, parts: { name: string; received: ReceivedFile }[]): Promise<ReceivedFile> {
    const seen = new Map<string, number>();
    const entries = parts.map((p) => {
      const base = cleanFilename(p.name);
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const name = n === 1 ? base : base.replace(/(\.[^.]*)?$/, (ext) => `-${n}${ext}`);
      return { name, open: async () => (await this.store.getStream(p.received.objectKey)).body };
    });
    try {
      const archive = await this.receiveFile(who, Readable.from(storedZip(entries)), new AbortController().signal);
      if (archive.bytes > STORED_ZIP_MAX_BYTES) {
        await this.discard(archive.objectKey);
        throw new AppError('file_too_large', 'Together the files are larger than one upload can hold (4 GiB); send them in several uploads.');
      }
      return archive;
    } finally {
      await Promise.all(parts.map((p) => this.discard(p.received.objectKey)));
    }
  }

  /** Removes an object that was received but will not be committed (duplicate, aborted, rejected request). */
  async discard(objectKey: string): Promise<void> {
    try {
      await this.store.delete(objectKey);
    } catch (err) {
      this.log.warn({ err, objectKey }, 'could not remove an uncommitted upload object');
    }
  }

  /** Commits a received file, or answers with the existing upload when it is a duplicate. */
  async commit(who: ParticipantRef, file: ReceivedFile, meta: {
    filename: string; contentType: string | null; idempotencyKey: string | undefined; metadata: UploadMetadata | null;
  }): Promise<UploadOutcome> {
    const existing = await this.findDuplicate(who, file.sha256, meta.idempotencyKey).catch(async (err: unknown) => {
      await this.discard(file.objectKey);
      throw err;
    });
    if (existing) {
      await this.discard(file.objectKey);
      return { created: false, upload: existing };
    }
    if (file.bytes === 0) {
      await this.discard(file.objectKey);
      throw new AppError('file_empty', 'The file is empty (0 bytes): nothing was stored. Check that the recording finished writing before uploading.');
    }
    const created = await this.uploads.createWithRecording({
      id: file.uploadId,
      recordingId: newId('rec'),
      studyId: who.studyId,
      participantId: who.participantId,
      // The name is kept for people only (never a path or a key): bounded and clean whoever calls.
      filename: cleanFilename(meta.filename),
      bytes: file.bytes,
      sha256: file.sha256,
      contentType: meta.contentType,
      objectKey: file.objectKey,
      idempotencyKey: meta.idempotencyKey ?? null,
      metadata: meta.metadata ? { ...meta.metadata } : null,
      device: meta.metadata?.device ? { ...meta.metadata.device } : null,
      timezone: meta.metadata?.timezone ?? null,
    });
    if (!created) {
      // Lost a race with a concurrent identical upload: answer with the winner.
      await this.discard(file.objectKey);
      const winner = await this.findDuplicate(who, file.sha256, meta.idempotencyKey);
      if (!winner) throw new AppError('conflict', 'A concurrent upload conflicted with this one; send it again.');
      return { created: false, upload: winner };
    }
    this.onCommitted();
    return { created: true, upload: created };
  }

  private async findDuplicate(who: ParticipantRef, sha256: string, idempotencyKey: string | undefined): Promise<UploadRow | null> {
    if (idempotencyKey) {
      const byKey = await this.uploads.findByIdempotencyKey(who.participantId, idempotencyKey);
      if (byKey) {
        if (byKey.sha256 !== sha256) {
          throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used for a different file; use a new key for a new file.', { uploadId: byKey.id });
        }
        return byKey;
      }
    }
    return this.uploads.findBySha256(who.participantId, sha256);
  }

  async get(uploadId: string): Promise<UploadRow | null> {
    return this.uploads.findById(uploadId);
  }
}
