import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../lib/errors.js';
import { STORED_ZIP_MAX_BYTES, storedZip } from '../lib/stored-zip.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { UploadsRepository, UploadRow } from '../repositories/uploads.repository.js';
import type { IdempotencyClaimsRepository } from '../repositories/idempotency-claims.repository.js';
import { outageOf } from '../lib/outages.js';
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

/** An Idempotency-Key held by one request while it is received; released once it has been answered. */
export interface KeyClaim {
  release(): Promise<void>;
}

type CommitMeta = {
  filename: string; contentType: string | null; idempotencyKey: string | undefined; metadata: UploadMetadata | null;
  /** The request's id, carried into the recording's jobs so that their log lines name it. */
  requestId?: string;
};

/**
 * Receiving an upload: the file part streams to object storage while its SHA-256 is computed (never held
 * whole in memory, never written to a local temporary file); only then are the upload, its recording and
 * the outbox row committed in one transaction. Idempotency follows the IETF httpapi Idempotency-Key draft
 * (and Stripe): the same bytes, or the same key with the same bytes, give back the first upload; the same
 * key with other bytes is refused (422); the same key while its first request is still being received is
 * refused (409). An object that does not become an upload is removed.
 */
export class IngestUploadService {
  constructor(
    private readonly uploads: UploadsRepository,
    private readonly claims: IdempotencyClaimsRepository,
    private readonly store: ObjectStore,
    /** Told of each committed upload (its size in bytes): wakes the outbox relay, counts the bytes. */
    private readonly onCommitted: (bytes: number) => void,
    private readonly log: Logger,
    /** How long a claim on an Idempotency-Key outlives a request that stopped renewing it (it crashed). */
    private readonly claimLeaseMs = 30_000,
  ) {}

  /**
   * Holds the participant's Idempotency-Key for one request, across every API process: a row in PostgreSQL
   * with a lease that the request renews while it reads the body (Redis is not needed to accept uploads).
   * Throws `idempotency_key_in_flight` while another request holds it.
   */
  async claimKey(who: ParticipantRef, idempotencyKey: string): Promise<KeyClaim> {
    const token = randomBytes(16).toString('hex');
    const { participantId } = who;
    if (!(await this.claims.claim(participantId, idempotencyKey, token, this.claimLeaseMs))) {
      throw new AppError('idempotency_key_in_flight', 'An upload with this Idempotency-Key is still being received; send it again once that one has been answered.');
    }
    const renew = setInterval(() => {
      this.claims.renew(participantId, idempotencyKey, token, this.claimLeaseMs).then(
        (held) => { if (!held) this.log.warn({ participantId }, 'an Idempotency-Key claim lapsed while its upload was still being received'); },
        (err: unknown) => this.log.warn({ err, participantId }, 'could not renew an Idempotency-Key claim'),
      );
    }, Math.max(100, Math.floor(this.claimLeaseMs / 3)));
    renew.unref();
    let released: Promise<void> | undefined;
    return {
      release: () => {
        clearInterval(renew);
        released ??= this.claims.release(participantId, idempotencyKey, token)
          .catch((err: unknown) => this.log.warn({ err, participantId }, 'could not release an Idempotency-Key claim; its lease will lapse'));
        return released;
      },
    };
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
      // A client that went away is the reason, whatever broke after it (the pipeline's AbortError, the put).
      throw signal.aborted ? signal.reason : err;
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

  /**
   * Commits a received file, or answers with the existing upload when it is a duplicate. The object is
   * removed unless it became an upload — except when the database went away during the commit itself,
   * whose outcome is then unknown: an orphan object is kept rather than a committed upload lost.
   */
  async commit(who: ParticipantRef, file: ReceivedFile, meta: CommitMeta): Promise<UploadOutcome> {
    let keep = false;
    try {
      return await this.commitOrFind(who, file, meta, () => { keep = true; });
    } catch (err) {
      if (keep) this.log.warn({ err, objectKey: file.objectKey }, 'the database went away while committing an upload; its object is kept');
      throw err;
    } finally {
      if (!keep) await this.discard(file.objectKey);
    }
  }

  private async commitOrFind(who: ParticipantRef, file: ReceivedFile, meta: CommitMeta, keep: () => void): Promise<UploadOutcome> {
    const existing = await this.findDuplicate(who, file.sha256, meta.idempotencyKey);
    if (existing) return { created: false, upload: existing };
    if (file.bytes === 0) {
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
      ...(meta.requestId ? { requestId: meta.requestId } : {}),
      metadata: meta.metadata ? { ...meta.metadata } : null,
      device: meta.metadata?.device ? { ...meta.metadata.device } : null,
      timezone: meta.metadata?.timezone ?? null,
    }).catch((err: unknown) => {
      if (outageOf(err) === 'database') keep();
      throw err;
    });
    if (!created) {
      // Lost a race with a concurrent identical upload: answer with the winner.
      const winner = await this.findDuplicate(who, file.sha256, meta.idempotencyKey);
      if (!winner) throw new AppError('conflict', 'A concurrent upload conflicted with this one; send it again.');
      return { created: false, upload: winner };
    }
    keep();
    this.onCommitted(file.bytes);
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
