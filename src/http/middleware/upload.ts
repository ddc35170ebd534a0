import type { Request, RequestHandler } from 'express';
import multer, { type StorageEngine } from 'multer';
import type { IngestUploadService, ParticipantRef, ReceivedFile } from '../../services/ingest-upload.service.js';
import { AppError } from '../../lib/errors.js';
import { cleanFilename } from '../../domain/names.js';

type FileInfo = Partial<Express.Multer.File> & { received?: ReceivedFile };

/**
 * multer storage engine that streams the `file` part into object storage through the ingest service,
 * hashing as it goes. Nothing touches local disk; an aborted or over-size upload leaves no object.
 */
class ObjectStoreEngine implements StorageEngine {
  constructor(private readonly ingest: IngestUploadService, private readonly who: (req: Request) => ParticipantRef) {}

  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: FileInfo) => void): void {
    const abort = new AbortController();
    const stream = file.stream;
    stream.once('limit', () => abort.abort(new AppError('file_too_large', 'The file is larger than this server accepts.')));
    req.once('close', () => {
      if (!req.readableEnded) abort.abort(new AppError('upload_aborted', 'The upload was interrupted before it finished; nothing was stored. Send it again.'));
    });
    this.ingest.receiveFile(this.who(req), stream, abort.signal).then(
      (received) => cb(null, { size: received.bytes, received }),
      (err: unknown) => {
        stream.resume();
        cb(err);
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File & { received?: ReceivedFile }, cb: (error: Error | null) => void): void {
    if (!file.received) return cb(null);
    this.ingest.discard(file.received.objectKey).then(() => cb(null), (e: unknown) => cb(e as Error));
  }
}

/**
 * Limits on every multipart dimension: one file, one metadata field, bounded sizes and counts. File names
 * are decoded as UTF-8 (what browsers and curl send as raw bytes; busboy's default would read them as
 * Latin-1, `über.csv` → `Ã¼ber.csv`).
 */
export function uploadMiddleware(ingest: IngestUploadService, who: (req: Request) => ParticipantRef, limits: { maxBytes: number; maxFieldBytes: number; maxFiles: number }): RequestHandler {
  return multer({
    storage: new ObjectStoreEngine(ingest, who),
    defParamCharset: 'utf8',
    limits: {
      fileSize: limits.maxBytes,
      files: limits.maxFiles,
      fields: 4,
      parts: limits.maxFiles + 4,
      fieldSize: limits.maxFieldBytes,
      fieldNameSize: 100,
      headerPairs: 50,
    },
    fileFilter: (_req, file, cb) => {
      if (file.fieldname !== 'file') return cb(new AppError('unexpected_field', `Unexpected file part "${file.fieldname}": send the recording in a part named "file".`));
      cb(null, true);
    },
  }).array('file', limits.maxFiles);
}

/** The file parts received, in the order they were sent; `filename` is the client's name made clean (domain/names.ts). */
export function receivedFiles(req: Request): { received: ReceivedFile; filename: string; mimetype: string }[] {
  const files = (Array.isArray(req.files) ? req.files : []) as (Express.Multer.File & { received?: ReceivedFile })[];
  return files.flatMap((f) => (f.received ? [{ received: f.received, filename: cleanFilename(f.originalname), mimetype: f.mimetype }] : []));
}
