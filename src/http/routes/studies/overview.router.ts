import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import { requireAdmin } from '../../../services/auth.service.js';
import { OVERVIEW_QUALITY_LIMIT, OVERVIEW_REJECTED_LIMIT, type StudyOverview, type StudyOverviewService } from '../../../services/study-overview.service.js';
import { Id } from '../schemas.js';

const ByStatus = z.object({ queued: z.int(), processing: z.int(), ready: z.int(), rejected: z.int(), failed: z.int() }).meta({ id: 'RecordingsByStatus' });
const Overview = z.object({
  study: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  recordingsByStatus: ByStatus,
  participants: z.array(z.object({
    id: z.string(), code: z.string(), revoked: z.boolean().describe('its tokens were revoked'),
    lastUploadAt: z.string().nullable().describe('when its newest upload was received (ISO 8601); null when it never uploaded'),
    daysSinceLastUpload: z.number().nullable().describe('days since then, rounded down to a tenth; null when it never uploaded'),
    freshness: z.enum(['fresh', 'stale', 'never']).describe('stale: the last upload is older than staleDays days; never: no upload at all'),
    uploads: z.int(), bytes: z.int().describe('bytes of all its uploads, as received'),
    devices: z.array(z.string()).describe('the distinct device models (else kinds) of its recordings, from the files or the uploading app'),
    recordingsByStatus: ByStatus,
  })).describe('by code'),
  rejected: z.array(z.object({
    recordingId: z.string(), participantCode: z.string(), filename: z.string(), receivedAt: z.string(),
    code: z.string().describe('the error code (a rejection code, or processing_failed for a recording that failed on the server\'s side)'),
    message: z.string().describe('why, in plain language: a sentence for the code, then what the pipeline found'),
  })).describe(`rejected and failed recordings, newest upload first, at most ${OVERVIEW_REJECTED_LIMIT}`),
  qualityProblems: z.array(z.object({
    recordingId: z.string(), participantCode: z.string(), check: z.string().describe('the quality check\'s name (gaps, clipping, sample_rate, …)'),
    status: z.enum(['warn', 'bad']), message: z.string(),
  })).describe(`checks of ready recordings that warn or fail, bad first, then newest upload first, at most ${OVERVIEW_QUALITY_LIMIT}`),
  annotators: z.array(z.object({ id: z.string(), name: z.string(), revoked: z.boolean(), annotations: z.int().describe('annotations it made') })),
}).meta({ id: 'StudyOverview' });

function present(o: StudyOverview): z.output<typeof Overview> {
  return {
    ...o,
    participants: o.participants.map((p) => ({ ...p, lastUploadAt: p.lastUploadAt?.toISOString() ?? null })),
    rejected: o.rejected.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })),
  };
}

/** The study coordinator's morning read: who is uploading, what was refused and why, what looks wrong (admin). */
export function studyOverviewRouter(overview: StudyOverviewService, registry: OpenApiRegistry): Router {
  const r = Router();
  route(r, registry, {
    operationId: 'getStudyOverview', method: 'get', path: '/v1/studies/:studyId/overview', tags: ['studies'], auth: 'admin',
    summary: 'A study at a glance: recordings by status, each participant\'s last upload and freshness, rejected recordings with the reason, quality problems, annotators',
    params: z.object({ studyId: Id('std') }),
    query: z.object({ staleDays: z.coerce.number().positive().max(3650).default(2).describe('a participant whose last upload is older than this many days is stale (default 2)') }),
    responses: { 200: { description: 'Overview', schema: Overview } },
  }, async ({ params, query }, _req, res, send) => {
    requireAdmin(principal(res));
    send(200, present(await overview.get(params.studyId, query.staleDays)));
  });
  return r;
}
