import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import { requireAdmin } from '../../../services/auth.service.js';
import type { StudiesService } from '../../../services/studies.service.js';
import type { EvaluateStudyService } from '../../../services/evaluate-study.service.js';
import { Evaluation, Id, Label, ListQuery, Participant, Study, page } from '../schemas.js';
import { presentEvaluation, presentPage, presentParticipant, presentStudy } from '../presenters.js';
import { cursor } from '../../validate.js';
import { isTimeZone } from '../../../domain/time-zone.js';

const Settings = z.object({
  quality: z.record(z.string(), z.number()).optional().describe('quality thresholds by name (see the defaults in the pipeline)'),
  detectors: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional().describe('detector options, one flat map'),
  edgeImpulseHmacKey: z.string().min(8).max(512).optional().describe('verifies signed Edge Impulse uploads; never shown back'),
  timezone: z.string().max(64).refine((tz) => isTimeZone(tz), 'an IANA time zone such as Europe/Zurich, or an offset such as +02:00').optional()
    .describe("the participants' time zone: places device-local clocks (Axivity, GENEActiv, omconvert) on UTC when neither the file nor the upload names one"),
}).strict();
const CreateStudy = z.object({
  slug: z.string().min(2).max(64).regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'lowercase letters, digits and dashes'),
  name: z.string().min(1).max(200),
  labels: z.array(Label).max(200).default([]),
  settings: Settings.optional(),
});
const Annotator = z.object({ id: z.string(), name: z.string(), studyId: z.string() }).meta({ id: 'Annotator' });
const StudyParams = z.object({ studyId: Id('std') });

/** Study administration (admin token only). */
export function studiesRouter(studies: StudiesService, evaluations: EvaluateStudyService, registry: OpenApiRegistry): Router {
  const r = Router();
  const tags = ['studies'];
  // Annotators may read their own study (its labels and hotkeys, for the console); everything else here is the admin's.
  const studyRead = /^\/(?:[^/]+\/?)?$/;
  r.use('/v1/studies', (req, res, next) => {
    const p = principal(res);
    if (!(p.kind === 'annotator' && req.method === 'GET' && studyRead.test(req.path))) requireAdmin(p);
    next();
  });
  r.use(['/v1/participants', '/v1/annotators'], (_req, res, next) => { requireAdmin(principal(res)); next(); });

  route(r, registry, { operationId: 'createStudy', method: 'post', path: '/v1/studies', summary: 'Create a study', tags, auth: 'admin', body: CreateStudy,
    responses: { 201: { description: 'Created', schema: Study }, 409: { description: 'A study has this slug already (slug_taken)' } } },
  async ({ body }, _req, _res, send) => {
    send(201, presentStudy(await studies.create(body)));
  });

  route(r, registry, { operationId: 'updateStudy', method: 'patch', path: '/v1/studies/:studyId', summary: 'Change a study\'s name, labels or settings', tags, auth: 'admin', params: StudyParams,
    body: z.object({ name: z.string().min(1).max(200), labels: z.array(Label).max(200), settings: Settings }).partial()
      .refine((b) => Object.keys(b).length > 0, 'send at least one of name, labels, settings'),
    responses: { 200: { description: 'Updated', schema: Study } } },
  async ({ params, body }, _req, _res, send) => {
    send(200, presentStudy(await studies.update(params.studyId, body)));
  });

  route(r, registry, { operationId: 'listStudies', method: 'get', path: '/v1/studies', summary: 'List studies (an annotator token: its own study)', tags, auth: 'any', query: ListQuery,
    responses: { 200: { description: 'Studies', schema: page(Study) } } },
  async ({ query }, _req, res, send) => {
    send(200, presentPage(await studies.list(principal(res), query.limit, cursor.decode(query.cursor)), query.limit, presentStudy));
  });

  route(r, registry, { operationId: 'getStudy', method: 'get', path: '/v1/studies/:studyId', summary: 'A study with counts of participants and recordings by status (an annotator token: its own study only)', tags, auth: 'any', params: StudyParams,
    responses: { 200: { description: 'Study', schema: Study.extend({ counts: z.object({ participants: z.number(), annotators: z.number(), recordings: z.record(z.string(), z.number()) }) }).meta({ id: 'StudyDetail' }) } } },
  async ({ params }, _req, res, send) => {
    const s = await studies.get(params.studyId, principal(res));
    send(200, { ...presentStudy(s), counts: s.counts });
  });

  route(r, registry, { operationId: 'evaluateStudy', method: 'post', path: '/v1/studies/:studyId/evaluations', summary: 'Measure one set of the study\'s annotations against another (frame and event scores, false alarms per hour, latency, confusion); two annotators give their agreement', tags, auth: 'admin', params: StudyParams,
    body: z.object({
      prediction: z.string().min(1).max(100).describe('human, import, auto, a detector name, or annotator:<id>'),
      reference: z.string().min(1).max(100).describe('human, import, or annotator:<id>'),
      toleranceS: z.number().positive().max(60).optional().describe('event onset tolerance, seconds (default 0.5)'),
      frameS: z.number().positive().max(10).optional().describe('frame length, seconds (default 0.01)'),
      labels: z.array(z.string().min(1).max(64)).max(100).optional().describe('labels scored (after the mapping); default: those of the reference'),
      map: z.record(z.string().min(1).max(64), z.string().min(1).max(64)).optional()
        .describe('labels of both sides renamed before scoring, e.g. {"walking":"moving","running":"moving"}'),
      boundaryWindowS: z.number().positive().max(600).optional().describe('a predicted boundary between labels counts within this many seconds of the reference one (default 10)'),
    }),
    responses: { 200: { description: 'Report (JSON), with a Markdown summary and an SVG plot', schema: Evaluation } } },
  async ({ params, body }, _req, _res, send) => {
    send(200, presentEvaluation(await evaluations.evaluate(params.studyId, body)));
  });

  route(r, registry, { operationId: 'enrollParticipant', method: 'post', path: '/v1/studies/:studyId/participants', summary: 'Enroll a participant; the token is shown once', tags, auth: 'admin', params: StudyParams,
    body: z.object({ code: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only') }),
    responses: { 201: { description: 'Enrolled', schema: z.object({ participant: Participant, token: z.string() }) }, 409: { description: 'A participant of this study has this code already (code_taken)' } } },
  async ({ params, body }, _req, _res, send) => {
    const { participant, token } = await studies.enrollParticipant(params.studyId, body.code);
    send(201, { participant: presentParticipant(participant), token });
  });

  route(r, registry, { operationId: 'listParticipants', method: 'get', path: '/v1/studies/:studyId/participants', summary: 'List a study\'s participants', tags, auth: 'admin', params: StudyParams,
    responses: { 200: { description: 'Participants', schema: z.object({ items: z.array(Participant.extend({ revokedAt: z.string().nullable() })) }) } } },
  async ({ params }, _req, _res, send) => {
    const rows = await studies.listParticipants(params.studyId);
    send(200, { items: rows.map((p) => ({ ...presentParticipant(p), revokedAt: p.revokedAt?.toISOString() ?? null })) });
  });

  route(r, registry, { operationId: 'addAnnotator', method: 'post', path: '/v1/studies/:studyId/annotators', summary: 'Add an annotator; the token is shown once', tags, auth: 'admin', params: StudyParams,
    body: z.object({ name: z.string().min(1).max(200) }),
    responses: { 201: { description: 'Added', schema: z.object({ annotator: Annotator, token: z.string() }) } } },
  async ({ params, body }, _req, _res, send) => {
    const { annotator, token } = await studies.addAnnotator(params.studyId, body.name);
    send(201, { annotator: { id: annotator.id, name: annotator.name, studyId: annotator.studyId }, token });
  });

  route(r, registry, { operationId: 'revokeParticipant', method: 'post', path: '/v1/participants/:participantId/revoke', summary: 'Revoke a participant\'s token', tags, auth: 'admin',
    params: z.object({ participantId: Id('par') }), responses: { 200: { description: 'Revoked', schema: z.object({ revoked: z.literal(true) }) } } },
  async ({ params }, _req, _res, send) => {
    await studies.revokeParticipant(params.participantId);
    send(200, { revoked: true });
  });

  route(r, registry, { operationId: 'revokeAnnotator', method: 'post', path: '/v1/annotators/:annotatorId/revoke', summary: 'Revoke an annotator\'s token', tags, auth: 'admin',
    params: z.object({ annotatorId: Id('ann') }), responses: { 200: { description: 'Revoked', schema: z.object({ revoked: z.literal(true) }) } } },
  async ({ params }, _req, _res, send) => {
    await studies.revokeAnnotator(params.annotatorId);
    send(200, { revoked: true });
  });
  return r;
}
