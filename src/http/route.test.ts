import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { OpenApiRegistry, type RouteDoc } from './openapi.js';
import { route, type Send } from './route.js';

const Point = z.object({ id: z.string(), x: z.number(), createdAt: z.string() });
const PointDoc = {
  operationId: 'createPoint', method: 'post', path: '/points/:x', summary: 'A point', tags: ['points'], auth: 'none',
  params: z.object({ x: z.coerce.number() }),
  responses: {
    201: { description: 'Created', schema: Point },
    200: { description: 'Points', schema: z.object({ items: z.array(Point) }) },
    202: { description: 'Text', schema: z.string(), contentType: 'text/plain' },
    422: { description: 'Refused' },
  },
} satisfies RouteDoc;

function pointsRouter(registry: OpenApiRegistry): Router {
  const r = Router();
  route(r, registry, PointDoc, async ({ params }, _req, _res, send) => {
    send(201, { id: `p${params.x}`, x: params.x, createdAt: new Date(0).toISOString() });
    return Promise.resolve();
  });
  return r;
}

describe('route: send', () => {
  const registry = new OpenApiRegistry();
  const app = express().use(pointsRouter(registry));
  let base = '';
  let close: () => Promise<void> = () => Promise.resolve();
  beforeAll(async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it('answers the status and the JSON body the handler sends, and registers the route\'s documentation', async () => {
    const res = await fetch(`${base}/points/3`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ id: 'p3', x: 3, createdAt: '1970-01-01T00:00:00.000Z' });
    const doc = registry.document() as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.paths['/points/{x}']?.post?.operationId).toBe('createPoint');
  });

  it('takes only the declared JSON statuses, each with its schema\'s output (each refused line fails typecheck without its @ts-expect-error)', () => {
    const answers = (send: Send<typeof PointDoc>): void => {
      send(201, { id: 'p', x: 1, createdAt: '' });
      send(200, { items: [] });
      // @ts-expect-error 404 is not one of the route's answers
      send(404, { id: 'p', x: 1, createdAt: '' });
      // @ts-expect-error 422 declares no JSON schema of its own
      send(422, { error: { code: 'refused', message: 'Refused.' } });
      // @ts-expect-error 202 answers text, not JSON
      send(202, 'text');
      // @ts-expect-error createdAt is a string in the schema, not a Date
      send(201, { id: 'p', x: 1, createdAt: new Date() });
      // @ts-expect-error a field the schema does not declare
      send(201, { id: 'p', x: 1, createdAt: '', y: 1 });
      // @ts-expect-error the 200 answer is a list, not one point
      send(200, { id: 'p', x: 1, createdAt: '' });
    };
    expectTypeOf(answers).toBeFunction();
  });
});
