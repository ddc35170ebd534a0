import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import { locals, noteSubject } from '../../middleware/request-context.js';
import { receivedFiles, uploadMiddleware } from '../../middleware/upload.js';
import { AppError } from '../../../lib/errors.js';
import { cleanText } from '../../../domain/names.js';
import type { Principal } from '../../../domain/principal.js';
import type { IngestUploadService, KeyClaim, UploadMetadata } from '../../../services/ingest-upload.service.js';
import type { RecordingsService } from '../../../services/recordings.service.js';
import { Id, Upload } from '../schemas.js';
import { presentUpload } from '../presenters.js';
import { isTimeZone } from '../../../domain/time-zone.js';

/** A device's name for itself, kept for people: one line, NFC, without control or bidi-control characters (domain/names.ts). */
const Text = (max: number): z.ZodType<string, string> => z.string().max(max).transform(cleanText);
const Metadata = z.object({
  device: z.object({
    kind: z.enum(['watch', 'phone', 'wearable', 'other']),
    model: Text(200).optional(),
    platform: Text(200).optional(),
    app: Text(200).optional(),
  }).optional(),
  timezone: z.string().max(64).refine((tz) => isTimeZone(tz), 'an IANA time zone such as Europe/Zurich, or an offset such as +02:00').optional(),
  note: z.string().max(2000).optional(),
}).meta({ id: 'UploadMetadata', description: 'What the uploading device declares about the recording' });
const IdempotencyKey = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const UploadAnswer = z.object({ upload: Upload, recording: z.object({ id: z.string(), status: z.string() }) });

function asParticipant(p: Principal): { studyId: string; participantId: string } {
  if (p.kind !== 'participant') throw new AppError('forbidden', 'Only participant tokens upload recordings.');
  return p;
}

/** The Idempotency-Key claim of each upload request that sent a key. */
const claims = new WeakMap<Response, KeyClaim>();

/** A failed upload gives its key up before the error is answered (the 'close' listener is the safety net). */
async function releaseClaimOnError(err: unknown, _req: Request, res: Response, next: NextFunction): Promise<void> {
  await claims.get(res)?.release();
  next(err);
}

/** Uploads: a participant's device sends a recording; it streams to object storage before 201. */
export function uploadsRouter(ingest: IngestUploadService, recordings: RecordingsService, registry: OpenApiRegistry, limits: { maxBytes: number; maxFieldBytes: number; maxFiles: number }): Router {
  const r = Router();
  const tags = ['uploads'];
  const doc = {
    operationId: 'createUpload', method: 'post', path: '/v1/uploads', summary: 'Upload a recording (multipart: part "file" — repeated for several files of one session, which become one recording — optional JSON part "metadata", optional Idempotency-Key header)', tags, auth: 'any',
    body: z.object({ file: z.array(z.string().meta({ format: 'binary' })).min(1).describe('the recording; several parts for the files of one session'), metadata: Metadata.optional() }),
    bodyContentType: 'multipart/form-data', bodyEncoding: { metadata: { contentType: 'application/json' } },
    headers: z.object({ 'Idempotency-Key': IdempotencyKey.optional().describe('the same key with the same bytes again answers the first upload (200) instead of storing it twice; with other bytes 422; while the first request is still being received 409') }),
    responses: {
      201: { description: 'Stored and queued for processing', schema: UploadAnswer },
      200: { description: 'The same bytes or Idempotency-Key again: the first upload', schema: UploadAnswer },
      400: { description: 'No "file" part (missing_file), another file part (unexpected_field), a malformed or interrupted form (bad_request, upload_aborted), or metadata or Idempotency-Key not valid (invalid_json, validation_failed)' },
      409: { description: 'The Idempotency-Key\'s first request is still being received (idempotency_key_in_flight): send it again once that one is answered' },
      413: { description: 'A file, the metadata part or the number of files or parts beyond this server\'s limits (file_too_large, field_too_large, too_many_files, too_many_parts)' },
      415: { description: 'Not multipart/form-data (unsupported_media_type)' },
      422: { description: 'An empty file (file_empty), or an Idempotency-Key used before for other bytes (idempotency_key_reused): nothing stored' },
      503: { description: 'Object storage or the database is down (storage_unavailable, database_unavailable), also when it failed mid-body: nothing stored; Retry-After says when to try again' },
    },
  } as const;
  registry.add(doc);
  r.post('/v1/uploads',
    async (req: Request, res: Response, next: NextFunction) => {
      const who = asParticipant(principal(res));
      if (!req.is('multipart/form-data')) throw new AppError('unsupported_media_type', 'Send the recording as multipart/form-data with the file in a part named "file".');
      const key = req.header('idempotency-key');
      if (key !== undefined && !IdempotencyKey.safeParse(key).success) throw new AppError('validation_failed', 'The Idempotency-Key header must be 1–200 printable ASCII characters.');
      // The key is held while the body is read: whether it is a replay is known only once the bytes are hashed.
      if (key !== undefined) {
        const claim = await ingest.claimKey(who, key);
        claims.set(res, claim);
        res.once('close', () => void claim.release());
      }
      next();
    },
    uploadMiddleware(ingest, (req) => asParticipant(principal(req.res!)), limits),
    async (req: Request, res: Response) => {
      const who = asParticipant(principal(res));
      const files = receivedFiles(req);
      if (files.length === 0) throw new AppError('missing_file', 'The form has no "file" part: send the recording in a part named "file".');
      let metadata: UploadMetadata | null = null;
      const raw = (req.body as Record<string, unknown> | undefined)?.metadata;
      try {
        if (raw !== undefined) {
          if (typeof raw !== 'string') throw new AppError('validation_failed', 'Send "metadata" once, as a JSON string part.');
          let json: unknown;
          try {
            json = JSON.parse(raw);
          } catch {
            throw new AppError('invalid_json', 'The "metadata" part is not valid JSON.');
          }
          const m = Metadata.safeParse(json);
          if (!m.success) throw new AppError('validation_failed', `The "metadata" part is not valid: ${m.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
          metadata = m.data;
        }
      } catch (err) {
        await Promise.all(files.map((f) => ingest.discard(f.received.objectKey)));
        throw err;
      }
      // Several files of one session are kept together as one archive (a ZIP of stored entries).
      const single = files.length === 1 ? files[0]! : null;
      const received = single ? single.received : await ingest.combine(who, files.map((f) => ({ name: f.filename, received: f.received })));
      const out = await ingest.commit(who, received, {
        filename: single ? single.filename : `${files.length} files.zip`,
        contentType: single ? single.mimetype || null : 'application/zip',
        idempotencyKey: req.header('idempotency-key'),
        requestId: locals(res).requestId,
        metadata: single ? metadata : { ...metadata, files: files.map((f) => ({ name: f.filename, bytes: f.received.bytes, sha256: f.received.sha256 })) },
      });
      noteSubject(res, { uploadId: out.upload.id, recordingId: out.upload.recording?.id });
      // Released before answering, so that a client retrying right after the answer never meets its own claim.
      await claims.get(res)?.release();
      res.status(out.created ? 201 : 200).json({ upload: presentUpload(out.upload), recording: out.upload.recording });
    },
    releaseClaimOnError);

  route(r, registry, { operationId: 'getUpload', method: 'get', path: '/v1/uploads/:uploadId', summary: 'An upload and its recording\'s status', tags, auth: 'any', params: z.object({ uploadId: Id('upl') }),
    responses: { 200: { description: 'Upload', schema: UploadAnswer } } },
  async ({ params }, _req, res) => {
    const u = await recordings.getUpload(principal(res), params.uploadId);
    noteSubject(res, { recordingId: u.recording?.id });
    res.json({ upload: presentUpload(u), recording: u.recording });
  });
  return r;
}
