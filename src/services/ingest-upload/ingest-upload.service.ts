import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { outageOf } from '../../lib/outages.js';
import type { UploadsRepository, UploadRow } from '../../repositories/uploads.repository.js';
import { cleanFilename } from '../../domain/names.js';
import type { IdempotencyKeyClaims } from './key-claims.js';
import type { UploadObjects } from './upload-objects.js';
import type { ParticipantRef, PartSink, ReadParts, ReceivedFile, ReceivedPart, UploadMeta, UploadMetadata, UploadOutcome } from './types.js';

/** A request whose body is still to be read (a multipart form): the use case reads it through `readParts`. */
export interface StreamedUpload {
  idempotencyKey?: string | undefined;
  requestId?: string | undefined;
  /**
   * Reads the body, streaming each file part into storage through `sink` in the order sent, and resolves once
   * the body has ended with the parts and the parsed metadata. It may throw (a malformed form, metadata not
   * valid, the client gone): every part received through `sink` is then removed.
   */
  readParts: (sink: PartSink) => Promise<ReadParts>;
  /** Aborted when the client has gone: nobody waits for the answer, so its Idempotency-Key is given up at once. */
  signal?: AbortSignal;
}

type CommitMeta = UploadMeta & { filename: string; contentType: string | null };

/**
 * Ingesting an upload, in one place: claim the Idempotency-Key, receive the bytes into object storage, put the
 * files of a session into one archive, then commit the upload, its recording and the outbox row in one
 * transaction — or answer with the upload that the same bytes or key already made. Idempotency follows the IETF
 * httpapi Idempotency-Key draft (and Stripe): the same bytes, or the same key with the same bytes, give back the
 * first upload; the same key with other bytes is refused (422); the same key while its first request is still
 * being received is refused (409). An object that does not become an upload is removed, and the claim is given
 * up before the outcome is returned (so a client retrying right after its answer never meets its own claim).
 */
export class IngestUpload {
  constructor(
    private readonly uploads: UploadsRepository,
    private readonly claims: IdempotencyKeyClaims,
    private readonly objects: UploadObjects,
    /** Told of each committed upload (its size in bytes): wakes the outbox relay, counts the bytes. */
    private readonly onCommitted: (bytes: number) => void,
    private readonly log: Logger,
  ) {}

  /** An upload whose bytes arrive with the request (multipart): claim → receive → {@link commitReceived} → release. */
  async execute(who: ParticipantRef, input: StreamedUpload): Promise<UploadOutcome> {
    // The key is held while the body is read: whether it is a replay is known only once the bytes are hashed.
    const claim = input.idempotencyKey !== undefined ? await this.claims.claim(who, input.idempotencyKey) : undefined;
    const abandoned = (): void => void claim?.release();
    input.signal?.addEventListener('abort', abandoned, { once: true });
    try {
      const { files, metadata } = await this.receiveParts(who, input.readParts);
      return await this.commitReceived(who, files, { idempotencyKey: input.idempotencyKey, requestId: input.requestId, metadata });
    } finally {
      input.signal?.removeEventListener('abort', abandoned);
      await claim?.release();
    }
  }

  /**
   * The shared tail of every way bytes arrive (this API's form, a resumable upload, a push): files already in
   * object storage become one upload — several are first put into one archive — or the earlier upload they
   * repeat is answered. The files are handed over: each is removed unless it became the upload.
   */
  async commitReceived(who: ParticipantRef, files: readonly ReceivedPart[], meta: UploadMeta): Promise<UploadOutcome> {
    if (files.length === 0) throw new AppError('missing_file', 'The upload has no file: nothing was stored.');
    const single = files.length === 1 ? files[0]! : null;
    const received = single ? single.received : await this.objects.combine(who, files);
    const metadata: UploadMetadata | null = single ? meta.metadata
      : { ...meta.metadata, files: files.map((f) => ({ name: f.filename, bytes: f.received.bytes, sha256: f.received.sha256 })) };
    return this.commit(who, received, {
      ...meta, metadata,
      filename: single ? single.filename : `${files.length} files.zip`,
      contentType: single ? single.contentType : 'application/zip',
    });
  }

  /** Reads the parts through a sink that keeps count of what it stored, so that a failed read leaves no object. */
  private async receiveParts(who: ParticipantRef, read: StreamedUpload['readParts']): Promise<ReadParts> {
    const held = new Set<string>();
    let settled = false;
    const sink: PartSink = {
      receive: async (body, signal) => {
        const file = await this.objects.receive(who, body, signal);
        // A part finished after the read failed is nobody's: remove it now.
        if (settled) await this.objects.discard(file.objectKey);
        else held.add(file.objectKey);
        return file;
      },
      discard: async (file: ReceivedFile) => {
        held.delete(file.objectKey);
        await this.objects.discard(file.objectKey);
      },
    };
    let parts: ReadParts;
    try {
      parts = await read(sink);
    } catch (err) {
      settled = true;
      await Promise.all([...held].map((k) => this.objects.discard(k)));
      throw err;
    }
    settled = true;
    for (const f of parts.files) held.delete(f.received.objectKey);
    await Promise.all([...held].map((k) => this.objects.discard(k)));
    return parts;
  }

  /**
   * Commits a received file, or answers with the existing upload when it is a duplicate. The object is
   * removed unless it became an upload — except when the database went away during the commit itself,
   * whose outcome is then unknown: an orphan object is kept rather than a committed upload lost.
   */
  private async commit(who: ParticipantRef, file: ReceivedFile, meta: CommitMeta): Promise<UploadOutcome> {
    let keep = false;
    try {
      return await this.commitOrFind(who, file, meta, () => { keep = true; });
    } catch (err) {
      if (keep) this.log.warn({ err, objectKey: file.objectKey }, 'the database went away while committing an upload; its object is kept');
      throw err;
    } finally {
      if (!keep) await this.objects.discard(file.objectKey);
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
}
