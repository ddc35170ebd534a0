import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import type { AnnotationsService } from '../../../services/annotations.service.js';
import { Annotation, Id } from '../schemas.js';
import { presentAnnotation } from '../presenters.js';

const Range = { startS: z.number().min(0).finite(), endS: z.number().min(0).finite() };
const AnnParams = z.object({ annotationId: Id('anr') });

/** Annotations: the study's annotators and admins read and write them. */
export function annotationsRouter(annotations: AnnotationsService, registry: OpenApiRegistry): Router {
  const r = Router();
  const tags = ['annotations'];

  route(r, registry, { operationId: 'listAnnotations', method: 'get', path: '/v1/recordings/:recordingId/annotations', summary: 'Annotations of a recording', tags, auth: 'any',
    params: z.object({ recordingId: Id('rec') }), responses: { 200: { description: 'Annotations', schema: z.object({ items: z.array(Annotation) }) } } },
  async ({ params }, _req, res, send) => {
    send(200, { items: (await annotations.list(principal(res), params.recordingId)).map(presentAnnotation) });
  });

  route(r, registry, { operationId: 'createAnnotation', method: 'post', path: '/v1/recordings/:recordingId/annotations', summary: 'Add a human annotation', tags, auth: 'any',
    params: z.object({ recordingId: Id('rec') }), body: z.object({ ...Range, label: z.string().min(1).max(64) }),
    responses: { 201: { description: 'Created', schema: Annotation }, 422: { description: 'The label is not one of the study\'s (label_not_in_study), or the range is not within the recording (range_outside_recording)' } } },
  async ({ params, body }, _req, res, send) => {
    send(201, presentAnnotation(await annotations.create(principal(res), params.recordingId, body)));
  });

  route(r, registry, { operationId: 'updateAnnotation', method: 'patch', path: '/v1/annotations/:annotationId', summary: 'Change an annotation (accept or reject a proposal, move, relabel)', tags, auth: 'any',
    params: AnnParams,
    body: z.object({ ...Range, label: z.string().min(1).max(64), status: z.enum(['proposed', 'accepted', 'rejected']) }).partial()
      .refine((b) => Object.keys(b).length > 0, 'send at least one of startS, endS, label, status'),
    responses: { 200: { description: 'Updated', schema: Annotation } } },
  async ({ params, body }, _req, res, send) => {
    send(200, presentAnnotation(await annotations.update(principal(res), params.annotationId, body)));
  });

  route(r, registry, { operationId: 'deleteAnnotation', method: 'delete', path: '/v1/annotations/:annotationId', summary: 'Delete an annotation', tags, auth: 'any', params: AnnParams,
    responses: { 204: { description: 'Deleted' } } },
  async ({ params }, _req, res) => {
    await annotations.delete(principal(res), params.annotationId);
    res.status(204).end();
  });
  return r;
}
