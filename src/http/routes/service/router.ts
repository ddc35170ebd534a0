import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { optionalPrincipal } from '../../middleware/auth.js';
import type { AuthService } from '../../../services/auth.service.js';
import type { Check, HealthService } from '../../../services/health.service.js';
import type { ProcessMetrics } from '../../../lib/metrics.js';

const Checks = z.object({ database: z.enum(['ok', 'down']), redis: z.enum(['ok', 'down']), objectStorage: z.enum(['ok', 'down']) });
const Readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: Checks,
  details: z.record(z.string(), z.object({ error: z.string().optional() })).optional()
    .describe('only with the admin token: why each service that is down is unreachable'),
});
const NotReady = Readiness.extend({ error: z.object({ code: z.literal('service_unavailable'), message: z.string() }) });

/** Liveness, readiness, metrics and the OpenAPI document: no token needed. */
export function serviceRouter(health: HealthService, metrics: ProcessMetrics, registry: OpenApiRegistry, auth: AuthService): Router {
  const r = Router();
  const tags = ['service'];
  route(r, registry, { operationId: 'getHealth', method: 'get', path: '/healthz', summary: 'The process is up', tags, auth: 'none', responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } } },
    async (_in, _req, _res, send) => { send(200, { status: 'ok' }); return Promise.resolve(); });

  route(r, registry, { operationId: 'getReadiness', method: 'get', path: '/readyz', summary: 'Database, Redis and object storage reachable', tags, auth: 'none',
    backing: true,
    responses: {
      200: { description: 'Ready: every check is ok', schema: Readiness },
      503: { description: 'A backing service is down: checks says which (ok or down, nothing more without the admin token); service_unavailable, with Retry-After', schema: NotReady },
    } },
  async (_in, req, res, send) => {
    const [r2, who] = await Promise.all([health.readiness(), optionalPrincipal(auth, req)]);
    const state = (c: Check): 'ok' | 'down' => (c.ok ? 'ok' : 'down');
    const checks = { database: state(r2.checks.database), redis: state(r2.checks.redis), objectStorage: state(r2.checks.objectStorage) };
    const down = Object.entries(r2.checks).filter(([, c]) => !c.ok);
    // Error text names hosts, ports and drivers: only the admin sees it (and the log, see HealthService).
    const details = who?.kind === 'admin' && down.length > 0 ? { details: Object.fromEntries(down.map(([n, c]) => [n, { error: c.error }])) } : {};
    if (r2.ready) {
      send(200, { status: 'ready', checks, ...details });
      return;
    }
    const names = down.map(([n]) => n);
    res.setHeader('Retry-After', '5');
    send(503, {
      status: 'unavailable', checks, ...details,
      error: { code: 'service_unavailable', message: `Not ready: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} unreachable.` },
    });
  });

  route(r, registry, { operationId: 'getMetrics', method: 'get', path: '/metrics', summary: 'Prometheus metrics', tags, auth: 'none', responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } } },
    async (_in, _req, res) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send(await metrics.registry.metrics());
    });

  route(r, registry, { operationId: 'getOpenApi', method: 'get', path: '/v1/openapi.json', summary: 'This document', tags, auth: 'none', responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } } },
    async (_in, req, _res, send) => { send(200, registry.document({ serverUrl: `${req.protocol}://${req.get('host')}` })); return Promise.resolve(); });
  return r;
}
