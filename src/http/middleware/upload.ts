import type { Request, Response } from 'express';
import multer, { type Options, type StorageEngine } from 'multer';
import type { PartSink, ReceivedFile, ReceivedPart } from '../../services/ingest-upload/types.js';
import { AppError } from '../../lib/errors.js';
import { cleanFilename } from '../../domain/names.js';

type FileInfo = Partial<Express.Multer.File> & { received?: ReceivedFile };

/**
 * multer storage engine that streams each `file` part into the sink it was given (object storage, hashed on the
 * way). Nothing touches local disk; an aborted or over-size part leaves no object. It turns the HTTP events into
 * the part's abort signal: busboy's size limit, and the client leaving before the body ended.
 */
class PartSinkEngine implements StorageEngine {
  constructor(private readonly sink: PartSink) {}

  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: FileInfo) => void): void {
    const abort = new AbortController();
    const stream = file.stream;
    stream.once('limit', () => abort.abort(new AppError('file_too_large', 'The file is larger than this server accepts.')));
    req.once('close', () => {
      if (!req.readableEnded) abort.abort(new AppError('upload_aborted', 'The upload was interrupted before it finished; nothing was stored. Send it again.'));
    });
    this.sink.receive(stream, abort.signal).then(
      (received) => cb(null, { size: received.bytes, received }),
      (err: unknown) => {
        stream.resume();
        cb(err);
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File & { received?: ReceivedFile }, cb: (error: Error | null) => void): void {
    if (!file.received) return cb(null);
    this.sink.discard(file.received).then(() => cb(null), (e: unknown) => cb(e as Error));
  }
}

/** A multipart upload form once its body has been read. */
export interface UploadForm {
  /** The file parts, in the order sent; `filename` is the client's name made clean (domain/names.ts). */
  files: ReceivedPart[];
  /** The text fields (`metadata`), as multer gives them: a string, or an array when sent more than once. */
  fields: Record<string, unknown>;
}

export type UploadLimits = { maxBytes: number; maxFieldBytes: number; maxFiles: number };

/**
 * Reads multipart upload forms with limits on every dimension: bounded file sizes, file and part counts, one
 * small metadata field. File names are decoded as UTF-8 (what browsers and curl send as raw bytes; busboy's
 * default would read them as Latin-1, `über.csv` → `Ã¼ber.csv`). The form must have at least one `file` part.
 */
export function uploadFormReader(limits: UploadLimits): (req: Request, res: Response, sink: PartSink) => Promise<UploadForm> {
  const options: Omit<Options, 'storage'> = {
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
  };
  return async (req, res, sink) => {
    // One multer per request: its storage engine writes to this request's sink.
    const read = multer({ ...options, storage: new PartSinkEngine(sink) }).array('file', limits.maxFiles);
    await new Promise<void>((resolve, reject) => {
      read(req, res, (err?: unknown) => {
        if (err === undefined || err === null) resolve();
        else reject(err instanceof Error ? err : new Error('the multipart form could not be read'));
      });
    });
    const raw = (Array.isArray(req.files) ? req.files : []) as (Express.Multer.File & { received?: ReceivedFile })[];
    const files = raw.flatMap((f) => (f.received ? [{ received: f.received, filename: cleanFilename(f.originalname), contentType: f.mimetype || null }] : []));
    if (files.length === 0) throw new AppError('missing_file', 'The form has no "file" part: send the recording in a part named "file".');
    return { files, fields: { ...(req.body as Record<string, unknown> | undefined) } };
  };
}
