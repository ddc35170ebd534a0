import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import type { HealthService } from '../../../services/health.service.js';
import type { Metrics } from '../../../lib/metrics.js';

const Check = z.object({ ok: z.boolean(), error: z.string().optional().describe('why it is not reachable') });
const Readiness = z.object({ status: z.literal('ready'), checks: z.record(z.string(), Check) });

/** Liveness, readiness, metrics and the OpenAPI document: no token needed. */
export function serviceRouter(health: HealthService, metrics: Metrics, registry: OpenApiRegistry): Router {
  const r = Router();
  const tags = ['service'];
  route(r, registry, { operationId: 'getHealth', method: 'get', path: '/healthz', summary: 'The process is up', tags, auth: 'none', responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } } },
    async (_in, _req, res) => { res.json({ status: 'ok' }); return Promise.resolve(); });

  route(r, registry, { operationId: 'getReadiness', method: 'get', path: '/readyz', summary: 'Database, Redis and object storage reachable', tags, auth: 'none',
    backing: true,
    responses: {
      200: { description: 'Ready', schema: Readiness },
      503: { description: 'A backing service is down: the message names it, details.checks says each one (service_unavailable)' },
    } },
  async (_in, _req, res) => {
    const r2 = await health.readiness();
    if (r2.ready) {
      res.json({ status: 'ready', checks: r2.checks });
      return;
    }
    const down = Object.entries(r2.checks).filter(([, c]) => !c.ok).map(([n]) => n);
    res.setHeader('Retry-After', '5');
    res.status(503).json({ error: { code: 'service_unavailable', message: `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} unreachable.`, details: { checks: r2.checks } } });
  });

  route(r, registry, { operationId: 'getMetrics', method: 'get', path: '/metrics', summary: 'Prometheus metrics', tags, auth: 'none', responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } } },
    async (_in, _req, res) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send(await metrics.registry.metrics());
    });

  route(r, registry, { operationId: 'getOpenApi', method: 'get', path: '/v1/openapi.json', summary: 'This document', tags, auth: 'none', responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } } },
    async (_in, req, res) => { res.json(registry.document({ serverUrl: `${req.protocol}://${req.get('host')}` })); return Promise.resolve(); });
  return r;
}
