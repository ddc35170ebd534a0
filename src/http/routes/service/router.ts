import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import type { HealthService } from '../../../services/health.service.js';
import type { Metrics } from '../../../lib/metrics.js';

/** Liveness, readiness, metrics and the OpenAPI document: no token needed. */
export function serviceRouter(health: HealthService, metrics: Metrics, registry: OpenApiRegistry): Router {
  const r = Router();
  const tags = ['service'];
  route(r, registry, { method: 'get', path: '/healthz', summary: 'The process is up', tags, auth: 'none', responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } } },
    async (_in, _req, res) => { res.json({ status: 'ok' }); return Promise.resolve(); });

  route(r, registry, { method: 'get', path: '/readyz', summary: 'Database, Redis and object storage reachable', tags, auth: 'none',
    responses: { 200: { description: 'Ready' }, 503: { description: 'A backing service is down (which one is named)' } } },
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

  route(r, registry, { method: 'get', path: '/metrics', summary: 'Prometheus metrics', tags, auth: 'none', responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } } },
    async (_in, _req, res) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send(await metrics.registry.metrics());
    });

  route(r, registry, { method: 'get', path: '/v1/openapi.json', summary: 'This document', tags, auth: 'none', responses: { 200: { description: 'OpenAPI 3.1' } } },
    async (_in, _req, res) => { res.json(registry.document()); return Promise.resolve(); });
  return r;
}
