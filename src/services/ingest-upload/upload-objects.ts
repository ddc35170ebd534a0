import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../lib/errors.js';
import { STORED_ZIP_MAX_BYTES, storedZip } from '../../lib/stored-zip.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { keys } from '../../storage/keys.js';
import { cleanFilename } from '../../domain/names.js';
import type { ParticipantRef, ReceivedFile, ReceivedPart } from './types.js';

/**
 * The objects of uploads not yet committed: streaming bytes in (hashed on the way, never held whole, never on
 * local disk), putting several into one archive, and removing those that will not become an upload. Any way
 * bytes arrive (a multipart form, a resumable upload, a push) stores them through here.
 */
export class UploadObjects {
  constructor(private readonly store: ObjectStore, private readonly log: Logger) {}

  /** Streams one file into object storage under a new upload id, hashing as it goes. Aborts leave no object behind. */
  async receive(who: ParticipantRef, body: Readable, signal: AbortSignal): Promise<ReceivedFile> {
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
   * Puts the files of a multi-file upload into one archive object (a ZIP of stored entries, in the order given,
   * names cleaned and made unique) and removes the parts, whatever happens. The archive is what is kept and
   * processed: one recording.
   */
  async combine(who: ParticipantRef, parts: readonly ReceivedPart[]): Promise<ReceivedFile> {
    const seen = new Map<string, number>();
    const entries = parts.map((p) => {
      const base = cleanFilename(p.filename);
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const name = n === 1 ? base : base.replace(/(\.[^.]*)?$/, (ext) => `-${n}${ext}`);
      return { name, open: async () => (await this.store.getStream(p.received.objectKey)).body };
    });
    try {
      const archive = await this.receive(who, Readable.from(storedZip(entries)), new AbortController().signal);
      if (archive.bytes > STORED_ZIP_MAX_BYTES) {
        await this.discard(archive.objectKey);
        throw new AppError('file_too_large', 'Together the files are larger than one upload can hold (4 GiB); send them in several uploads.');
      }
      return archive;
    } finally {
      await Promise.all(parts.map((p) => this.discard(p.received.objectKey)));
    }
  }

  /** Removes an object that was received but will not be committed (duplicate, aborted, rejected). Never throws. */
  async discard(objectKey: string): Promise<void> {
    try {
      await this.store.delete(objectKey);
    } catch (err) {
      this.log.warn({ err, objectKey }, 'could not remove an uncommitted upload object');
    }
  }
}
