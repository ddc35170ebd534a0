import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import type { WithdrawParticipantService } from '../../../services/withdraw-participant.service.js';
import { Id } from '../schemas.js';

const Params = z.object({ participantId: Id('par') });
const Withdrawal = z.object({
  participantId: z.string(),
  withdrawnAt: z.string().describe('when consent was withdrawn (the first call; a repeat keeps it)'),
  withdrawnBy: z.string().describe('who withdrew it: "admin" (the admin token)'),
  deleted: z.object({
    recordings: z.int().describe('recordings deleted by this call (their streams, segments and annotations with them)'),
    uploads: z.int(),
    objects: z.int().describe('objects deleted from storage: raw uploads and everything derived'),
  }),
}).meta({ id: 'Withdrawal' });
const DatasetExport = z.object({
  id: z.string(), version: z.string().describe('the dataset version hash of its manifest'), location: z.string().describe('where it was written'),
  recordings: z.int(), windows: z.int(), createdAt: z.string(),
}).meta({ id: 'DatasetExport' });

/** Consent withdrawal and which exported datasets held a participant (admin). */
export function withdrawalRouter(withdrawals: WithdrawParticipantService, registry: OpenApiRegistry): Router {
  const r = Router();
  route(r, registry, {
    operationId: 'withdrawParticipant', method: 'post', path: '/v1/participants/:participantId/withdraw', tags: ['studies'], auth: 'admin',
    summary: 'Withdraw a participant\'s consent: delete their uploads, recordings, derived data and annotations (storage and database), revoke their tokens, keep a tombstone',
    params: Params,
    responses: { 200: { description: 'Withdrawn (again: what was left is deleted now)', schema: Withdrawal } },
  }, async ({ params }, _req, res, send) => {
    const w = await withdrawals.withdraw(principal(res), params.participantId);
    send(200, { ...w, withdrawnAt: w.withdrawnAt.toISOString() });
  });
  route(r, registry, {
    operationId: 'listParticipantExports', method: 'get', path: '/v1/participants/:participantId/exports', tags: ['studies'], auth: 'admin',
    summary: 'The exported datasets that held this participant\'s recordings, newest first',
    params: Params,
    responses: { 200: { description: 'Datasets', schema: z.object({ items: z.array(DatasetExport) }) } },
  }, async ({ params }, _req, res, send) => {
    const items = await withdrawals.exports(principal(res), params.participantId);
    send(200, { items: items.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })) });
  });
  return r;
}
