import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ErrorBody, type OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import { locals } from '../../middleware/request-context.js';
import type { RecordingsService } from '../../../services/recordings.service.js';
import { Alignment, Id, ListQuery, Recording, Segment, page } from '../schemas.js';
import { presentAlignment, presentPage, presentRecording, presentSegment } from '../presenters.js';
import { cursor } from '../../validate.js';
import { sendDownload } from '../../download.js';

const RecParams = z.object({ recordingId: Id('rec') });
const Bytes = z.string().meta({ format: 'binary' });
const RawHeaders = z.object({
  Range: z.string().optional().describe('One byte range (RFC 9110): bytes=a-b, bytes=a- or bytes=-n (the last n bytes); a malformed one is ignored'),
  'If-None-Match': z.string().optional().describe('An ETag from an earlier answer: 304 without a body while it matches'),
  'If-Range': z.string().optional().describe('The ETag (or Last-Modified) of the partial copy: Range applies only while it matches, else the whole file'),
});
const FileHeaders = {
  'Accept-Ranges': { description: 'bytes: Range is understood', schema: z.literal('bytes') },
  ETag: { description: 'Strong entity tag, the file\'s SHA-256: "sha256:<hex>"', schema: z.string() },
  'Last-Modified': { description: 'When the upload was received', schema: z.string() },
  'Content-Disposition': { description: 'attachment, with the upload\'s file name (RFC 6266)', schema: z.string() },
  Digest: { description: 'sha-256=<base64> of the whole file (RFC 3230), on 206 too', schema: z.string() },
  'Repr-Digest': { description: 'sha-256=:<base64>: of the whole file (RFC 9530), on 206 too', schema: z.string() },
};
const Samples = z.object({
  stream: z.string(), fromS: z.number(), toS: z.number(), t: z.array(z.number()),
  channels: z.record(z.string(), z.array(z.number().nullable())), reduced: z.boolean(),
}).meta({ id: 'Samples' });

/** Recordings: admins, the study's annotators and the owning participant may read them. */
export function recordingsRouter(recordings: RecordingsService, registry: OpenApiRegistry): Router {
  const r = Router();
  const tags = ['recordings'];

  route(r, registry, { operationId: 'listRecordings', method: 'get', path: '/v1/recordings', summary: 'List recordings the caller may see (the work queue), filtered; each with how far it is labelled and reviewed', tags, auth: 'any',
    query: ListQuery.extend({
      studyId: Id('std').optional(), participantId: Id('par').optional(),
      status: z.enum(['queued', 'processing', 'ready', 'rejected', 'failed']).optional(),
      quality: z.enum(['ok', 'warn', 'bad']).optional().describe('the quality report\'s overall status'),
      label: z.string().min(1).max(64).optional().describe('has an accepted human annotation with this label'),
      review: z.enum(['pending']).optional().describe('pending: has auto annotations still proposed'),
      labelled: z.enum(['none', 'some']).optional().describe('none: no human annotation (other than rejected ones); some: at least one'),
    }),
    responses: { 200: { description: 'Recordings', schema: page(Recording) } } },
  async ({ query }, _req, res, send) => {
    const { limit, cursor: c, ...filter } = query;
    const rows = await recordings.list(principal(res), filter, limit, cursor.decode(c));
    send(200, presentPage(rows, limit, presentRecording));
  });

  route(r, registry, { operationId: 'getRecording', method: 'get', path: '/v1/recordings/:recordingId', summary: 'One recording: status, streams, quality report', tags, auth: 'any', params: RecParams,
    responses: { 200: { description: 'Recording', schema: Recording } } },
  async ({ params }, _req, res, send) => {
    send(200, presentRecording(await recordings.detail(principal(res), params.recordingId)));
  });

  route(r, registry, { operationId: 'getRecordingSamples', method: 'get', path: '/v1/recordings/:recordingId/streams/:name/samples', summary: 'Samples of one stream between two positions, reduced to a min/max envelope past maxPoints', tags, auth: 'any',
    params: RecParams.extend({ name: z.string().regex(/^[a-z0-9_]{1,64}$/) }),
    query: z.object({
      fromS: z.coerce.number().min(0).optional(), toS: z.coerce.number().min(0).optional(),
      maxPoints: z.coerce.number().int().min(2).max(100_000).default(2000),
    }),
    responses: {
      200: { description: 'Samples', schema: Samples },
      404: { description: 'No such recording that this token may see (not_found), or no such stream in it (stream_not_found): the message lists its streams' },
      409: { description: 'The recording is not ready, so it has no samples yet (recording_not_ready); details.status says what it is' },
    } },
  async ({ params, query }, _req, res, send) => {
    send(200, await recordings.samples(principal(res), params.recordingId, params.name, query));
  });

  // HEAD is registered before GET: Express would otherwise run the GET route for it.
  const raw = { path: '/v1/recordings/:recordingId/raw', tags, auth: 'any', params: RecParams, headers: RawHeaders } as const;
  const sendRaw = async ({ params }: { params: { recordingId: string } }, req: Request, res: Response): Promise<void> =>
    sendDownload(req, res, async () => {
      const file = await recordings.raw(principal(res), params.recordingId);
      return { ...file, modifiedAt: file.receivedAt };
    });
  route(r, registry, { ...raw, operationId: 'headRecordingRaw', method: 'head', summary: 'The headers GET /raw would send (size, ETag, digests), without reading the file',
    responses: {
      200: { description: 'The headers of the whole file (Range is for GET only)', headers: FileHeaders },
      304: { description: 'If-None-Match matched the ETag', headers: { ETag: FileHeaders.ETag } },
    } }, sendRaw);
  route(r, registry, { ...raw, operationId: 'downloadRecordingRaw', method: 'get', summary: 'The original bytes as uploaded; one byte range of them with Range; conditional with If-None-Match and If-Range',
    responses: {
      200: { description: 'The uploaded file (also when Range is malformed, names ranges that do not coalesce, or If-Range does not match)', schema: Bytes, contentType: 'application/octet-stream', headers: FileHeaders },
      206: { description: 'The one range asked for; Digest and Repr-Digest stay those of the whole file', schema: Bytes, contentType: 'application/octet-stream',
        headers: { ...FileHeaders, 'Content-Range': { description: 'bytes a-b/size: the part sent and the whole file\'s size', schema: z.string() } } },
      304: { description: 'If-None-Match matched the ETag: no body', headers: { ETag: FileHeaders.ETag } },
      416: { description: 'No byte of the range is in the file (range_not_satisfiable)', schema: ErrorBody, headers: { 'Content-Range': { description: 'bytes */size', schema: z.string() } } },
    } }, sendRaw);

  route(r, registry, { operationId: 'listSegments', method: 'get', path: '/v1/recordings/:recordingId/segments', summary: 'Sessions and bouts found by the pipeline', tags, auth: 'any', params: RecParams,
    responses: { 200: { description: 'Segments', schema: z.object({ items: z.array(Segment) }) } } },
  async ({ params }, _req, res, send) => {
    const items = await recordings.segments(principal(res), params.recordingId);
    send(200, { items: items.map(presentSegment) });
  });

  route(r, registry, { operationId: 'listAlignments', method: 'get', path: '/v1/recordings/:recordingId/alignments', summary: 'Clock offsets to the participant\'s overlapping recordings, estimated from their motion', tags, auth: 'any', params: RecParams,
    responses: { 200: { description: 'Alignments', schema: z.object({ items: z.array(Alignment) }) } } },
  async ({ params }, _req, res, send) => {
    const items = await recordings.alignments(principal(res), params.recordingId);
    send(200, { items: items.map(presentAlignment) });
  });

  route(r, registry, { operationId: 'reprocessRecording', method: 'post', path: '/v1/recordings/:recordingId/reprocess', summary: 'Run the pipeline again (admin); results replace the old ones', tags, auth: 'admin', params: RecParams,
    responses: { 202: { description: 'Queued', schema: Recording } } },
  async ({ params }, _req, res, send) => {
    send(202, presentRecording(await recordings.reprocess(principal(res), params.recordingId, locals(res).requestId)));
  });
  return r;
}
