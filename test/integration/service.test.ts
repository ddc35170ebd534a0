import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, type Harness } from '../helpers/harness.js';

describe('service endpoints and the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('/healthz and /readyz answer without a token', async () => {
    expect((await call(h, '', 'GET', '/healthz')).json).toEqual({ status: 'ok' });
    const ready = await call(h, '', 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok', objectStorage: 'ok' } });
  });

  it('/metrics speaks Prometheus text, with request durations and the outbox gauge', async () => {
    await call(h, h.adminToken, 'GET', '/v1/studies');
    const res = await fetch(`${h.baseUrl}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^# HELP fieldsense_http_request_duration_seconds/m);
    expect(text).toMatch(/fieldsense_http_request_duration_seconds_count\{method="GET",route="\/v1\/studies",status="200"\} \d+/);
    expect(text).toMatch(/^fieldsense_outbox_pending \d+$/m);
  });

  it('/v1/openapi.json documents every contract path, generated from the validating schemas', async () => {
    const doc = (await call(h, '', 'GET', '/v1/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    const want: [string, string][] = [
      ['post', '/v1/studies'], ['get', '/v1/studies'], ['get', '/v1/studies/{studyId}'],
      ['post', '/v1/studies/{studyId}/participants'], ['post', '/v1/studies/{studyId}/annotators'],
      ['post', '/v1/participants/{participantId}/revoke'], ['post', '/v1/uploads'], ['get', '/v1/uploads/{uploadId}'],
      ['get', '/v1/recordings'], ['get', '/v1/recordings/{recordingId}'], ['get', '/v1/recordings/{recordingId}/streams/{name}/samples'],
      ['get', '/v1/recordings/{recordingId}/raw'], ['get', '/v1/recordings/{recordingId}/segments'], ['post', '/v1/recordings/{recordingId}/reprocess'],
      ['get', '/v1/recordings/{recordingId}/annotations'], ['post', '/v1/recordings/{recordingId}/annotations'],
      ['patch', '/v1/annotations/{annotationId}'], ['delete', '/v1/annotations/{annotationId}'],
      ['get', '/v1/recordings/{recordingId}/streams/{name}/audio'], ['get', '/v1/studies/{studyId}/overview'],
      ['get', '/healthz'], ['get', '/readyz'], ['get', '/metrics'], ['get', '/v1/openapi.json'],
    ];
    for (const [m, p] of want) expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
    // The study schema's slug rule is the one that validates requests.
    const body = doc.paths['/v1/studies'].post.requestBody.content['application/json'].schema;
    expect(body.properties.slug.pattern).toBe('^[a-z0-9][a-z0-9-]*[a-z0-9]$');
    const bad = await call(h, h.adminToken, 'POST', '/v1/studies', { slug: 'Not A Slug', name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.problems[0].path).toBe('body.slug');
    const maxPoints = doc.paths['/v1/recordings/{recordingId}/streams/{name}/samples'].get.parameters.find((x: { name: string }) => x.name === 'maxPoints');
    expect(maxPoints.required).toBe(false);
  });

  it('errors are the contract\'s JSON, never HTML: unknown routes, bad JSON', async () => {
    const nf = await call(h, h.adminToken, 'GET', '/v1/nothing-here');
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe('route_not_found');
    const res = await fetch(`${h.baseUrl}/v1/studies`, { method: 'POST', headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' }, body: '{"slug":' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as any).error.code).toBe('invalid_json');
  });

  it('lists page with an opaque cursor', async () => {
    for (let i = 0; i < 3; i++) await call(h, h.adminToken, 'POST', '/v1/studies', { slug: `page-${i}-${Date.now()}`, name: 'p' });
    const first = await call(h, h.adminToken, 'GET', '/v1/studies?limit=2');
    expect(first.json.items).toHaveLength(2);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await call(h, h.adminToken, 'GET', `/v1/studies?limit=2&cursor=${first.json.nextCursor}`);
    const ids = [...first.json.items, ...second.json.items].map((s: { id: string }) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
