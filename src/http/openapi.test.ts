import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenApiRegistry, type RouteDoc } from './openapi.js';

const Tag = z.object({ name: z.string(), colour: z.string().optional() }).meta({ id: 'TestTag' });
const Point = z.object({ x: z.number(), tags: z.array(Tag) }).meta({ id: 'TestPoint' });
const Unit = z.enum(['m', 's']).meta({ id: 'TestUnit' });

const doc = (over: Partial<RouteDoc>): RouteDoc => ({
  operationId: 'createPoint', method: 'post', path: '/v1/points/:pointId', summary: 'A point', tags: ['points'], auth: 'admin',
  params: z.object({ pointId: z.string() }), responses: { 201: { description: 'Created', schema: Point } }, ...over,
});

describe('OpenApiRegistry.document', () => {
  it('puts each named schema once under components.schemas, every $ref pointing there', () => {
    const reg = new OpenApiRegistry();
    reg.add(doc({ body: z.object({ unit: Unit }) }));
    reg.add(doc({ operationId: 'getPoint', method: 'get', body: undefined, responses: { 200: { description: 'Point', schema: z.object({ point: Point, unit: Unit }) } } }));
    const d = reg.document() as any;
    const text = JSON.stringify(d);
    expect(text).not.toContain('$defs');
    expect([...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]).every((r) => /^#\/components\/schemas\/(TestPoint|TestTag|TestUnit|Error)$/.test(r!))).toBe(true);
    expect(Object.keys(d.components.schemas)).toEqual(['Error', 'TestPoint', 'TestTag', 'TestUnit']);
    // Unit reads the same as a request and as a response: one component for both sides.
    expect(d.paths['/v1/points/{pointId}'].post.requestBody.content['application/json'].schema.properties.unit).toEqual({ $ref: '#/components/schemas/TestUnit' });
    expect(d.components.schemas.TestPoint.properties.tags.items).toEqual({ $ref: '#/components/schemas/TestTag' });
    expect(d.servers).toEqual([{ url: '/' }]);
  });

  it('names the request side of a named schema <id>Input when it reads differently from the answer', () => {
    const reg = new OpenApiRegistry();
    reg.add(doc({ body: z.object({ tags: z.array(Tag) }) }));
    const d = reg.document() as any;
    expect(d.paths['/v1/points/{pointId}'].post.requestBody.content['application/json'].schema.properties.tags.items).toEqual({ $ref: '#/components/schemas/TestTagInput' });
    expect(d.components.schemas.TestTag.additionalProperties).toBe(false);
    expect(d.components.schemas.TestTagInput.additionalProperties).toBeUndefined();
  });

  it('adds the usual errors from what the route declares, and refuses two routes of one operationId', () => {
    const reg = new OpenApiRegistry();
    reg.add(doc({ body: z.object({ x: z.number() }), headers: z.object({ 'Idempotency-Key': z.string().optional() }) }));
    const d = reg.document({ serverUrl: 'http://api.example' }) as any;
    const op = d.paths['/v1/points/{pointId}'].post;
    expect(Object.keys(op.responses)).toEqual(['201', '400', '401', '403', '404', '413', '503', 'default']);
    expect(op.responses['503'].headers['Retry-After'].schema.type).toBe('integer');
    expect(op.parameters).toContainEqual({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } });
    expect(d.servers).toEqual([{ url: 'http://api.example' }]);
    reg.add(doc({ method: 'get' }));
    expect(() => reg.document()).toThrow(/Two routes are named createPoint/);
  });
});
