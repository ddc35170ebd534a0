import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import type { AnnotationsService } from '../../../services/annotations.service.js';
import type { AnnotationAgreementService } from '../../../services/annotation-agreement.service.js';
import { Agreement, Annotation, Id } from '../schemas.js';
import { presentAnnotation } from '../presenters.js';
import { ETAG, IfMatchHeaders, STALE, ifMatchRevision, setETag, withRevisionCheck } from './revisions.js';

const Range = { startS: z.number().min(0).finite(), endS: z.number().min(0).finite() };
const AnnParams = z.object({ annotationId: Id('anr') });
const RecParams = z.object({ recordingId: Id('rec') });

/** Annotations: the study's annotators and admins read and write them. */
export function annotationsRouter(annotations: AnnotationsService, agreement: AnnotationAgreementService, registry: OpenApiRegistry): Router {
  const r = Router();
  const tags = ['annotations'];

  route(r, registry, { operationId: 'listAnnotations', method: 'get', path: '/v1/recordings/:recordingId/annotations', summary: 'Annotations of a recording', tags, auth: 'any',
    params: RecParams, responses: { 200: { description: 'Annotations', schema: z.object({ items: z.array(Annotation) }) } } },
  async ({ params }, _req, res, send) => {
    send(200, { items: (await annotations.list(principal(res), params.recordingId)).map(presentAnnotation) });
  });

  route(r, registry, { operationId: 'createAnnotation', method: 'post', path: '/v1/recordings/:recordingId/annotations', summary: 'Add a human annotation (endS = startS: a point event)', tags, auth: 'any',
    params: RecParams,
    body: z.object({ ...Range, label: z.string().min(1).max(64), adjudicated: z.boolean().optional().describe('true: part of the reviewer\'s resolved layer') }),
    responses: {
      201: { description: 'Created', schema: Annotation, headers: ETAG },
      422: { description: 'The label is not one of the study\'s (label_not_in_study), or the range ends before it starts or is not within the recording (range_outside_recording)' },
    } },
  async ({ params, body }, _req, res, send) => {
    const a = await annotations.create(principal(res), params.recordingId, body);
    setETag(res, a.revision);
    send(201, presentAnnotation(a));
  });

  route(r, registry, { operationId: 'updateAnnotation', method: 'patch', path: '/v1/annotations/:annotationId', summary: 'Change an annotation (accept or reject a proposal, move, relabel); with If-Match only from its current revision', tags, auth: 'any',
    params: AnnParams, headers: IfMatchHeaders,
    body: z.object({ ...Range, label: z.string().min(1).max(64), status: z.enum(['proposed', 'accepted', 'rejected']), adjudicated: z.boolean() }).partial()
      .refine((b) => Object.keys(b).length > 0, 'send at least one of startS, endS, label, status, adjudicated'),
    responses: {
      200: { description: 'Updated: the annotation with its new revision', schema: Annotation, headers: ETAG },
      412: STALE,
      422: { description: 'The label is not one of the study\'s (label_not_in_study), or the range ends before it starts or is not within the recording (range_outside_recording)' },
    } },
  async ({ params, body }, req, res, send) => {
    const expected = ifMatchRevision(req);
    const a = await withRevisionCheck(() => annotations.update(principal(res), params.annotationId, body, expected));
    setETag(res, a.revision);
    send(200, presentAnnotation(a));
  });

  route(r, registry, { operationId: 'deleteAnnotation', method: 'delete', path: '/v1/annotations/:annotationId', summary: 'Delete an annotation; with If-Match only at its current revision', tags, auth: 'any',
    params: AnnParams, headers: IfMatchHeaders,
    responses: { 204: { description: 'Deleted' }, 412: STALE } },
  async ({ params }, req, res) => {
    const expected = ifMatchRevision(req);
    await withRevisionCheck(() => annotations.delete(principal(res), params.annotationId, expected));
    res.status(204).end();
  });

  route(r, registry, { operationId: 'getAgreement', method: 'get', path: '/v1/recordings/:recordingId/agreement', summary: 'Two annotators\' labels on a recording compared: Cohen\'s kappa over frames, event F1 per label, and where they disagree', tags, auth: 'any',
    params: RecParams, query: z.object({ a: Id('ann').describe('the first annotator (the reference of precision and recall)'), b: Id('ann').describe('the second annotator') }),
    responses: {
      200: { description: 'Agreement', schema: Agreement },
      422: { description: 'An annotator is not one of the recording\'s study (annotator_not_in_study)' },
    } },
  async ({ params, query }, _req, res, send) => {
    send(200, await agreement.compare(principal(res), params.recordingId, query.a, query.b));
  });
  return r;
}
