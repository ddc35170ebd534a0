import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import { locals, noteSubject } from '../../middleware/request-context.js';
import { uploadFormReader, type UploadLimits } from '../../middleware/upload.js';
import { AppError } from '../../../lib/errors.js';
import { cleanText } from '../../../domain/names.js';
import type { Principal } from '../../../domain/principal.js';
import type { IngestUpload } from '../../../services/ingest-upload/ingest-upload.service.js';
import type { UploadMetadata } from '../../../services/ingest-upload/types.js';
import type { RecordingsService } from '../../../services/recordings.service.js';
import { Id, UploadAnswer } from '../schemas.js';
import { presentUploadAnswer } from '../presenters.js';
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

function asParticipant(p: Principal): { studyId: string; participantId: string } {
  if (p.kind !== 'participant') throw new AppError('forbidden', 'Only participant tokens upload recordings.');
  return p;
}

/** The form's `metadata` part: absent, or one JSON string that the schema accepts. */
function parseMetadata(raw: unknown): UploadMetadata | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw new AppError('validation_failed', 'Send "metadata" once, as a JSON string part.');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError('invalid_json', 'The "metadata" part is not valid JSON.');
  }
  const m = Metadata.safeParse(json);
  if (!m.success) throw new AppError('validation_failed', `The "metadata" part is not valid: ${m.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  return m.data;
}

/** Aborted when the client goes away before its answer was sent. */
function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => { if (!res.writableFinished) gone.abort(); });
  return gone.signal;
}

/** Uploads: a participant's device sends a recording; it streams to object storage before 201. */
export function uploadsRouter(ingest: IngestUpload, recordings: RecordingsService, registry: OpenApiRegistry, limits: UploadLimits): Router {
  const r = Router();
  const tags = ['uploads'];
  const readForm = uploadFormReader(limits);
  route(r, registry, {
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
  }, async (_input, req: Request, res: Response, send) => {
    const who = asParticipant(principal(res));
    if (!req.is('multipart/form-data')) throw new AppError('unsupported_media_type', 'Send the recording as multipart/form-data with the file in a part named "file".');
    const idempotencyKey = req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IdempotencyKey.safeParse(idempotencyKey).success) throw new AppError('validation_failed', 'The Idempotency-Key header must be 1–200 printable ASCII characters.');
    const out = await ingest.execute(who, {
      idempotencyKey, requestId: locals(res).requestId, signal: clientGone(res),
      readParts: async (sink) => {
        const form = await readForm(req, res, sink);
        return { files: form.files, metadata: parseMetadata(form.fields.metadata) };
      },
    });
    noteSubject(res, { uploadId: out.upload.id, recordingId: out.upload.recording?.id });
    send(out.created ? 201 : 200, presentUploadAnswer(out.upload));
  });

  route(r, registry, { operationId: 'getUpload', method: 'get', path: '/v1/uploads/:uploadId', summary: 'An upload and its recording\'s status', tags, auth: 'any', params: z.object({ uploadId: Id('upl') }),
    responses: { 200: { description: 'Upload', schema: UploadAnswer } } },
  async ({ params }, _req, res, send) => {
    const u = await recordings.getUpload(principal(res), params.uploadId);
    noteSubject(res, { recordingId: u.recording?.id });
    send(200, presentUploadAnswer(u));
  });
  return r;
}
