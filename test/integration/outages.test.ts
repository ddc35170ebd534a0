import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, uploadWithPause, waitForRecording, type Harness } from '../helpers/harness.js';
import { OwnObjectStore } from '../helpers/object-store-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** Nothing a stranger should learn from an error: driver names, addresses, ports, stack frames. */
function expectNoInternals(body: unknown, ports: number[]): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/prisma|ECONN|127\.0\.0\.1|localhost|\bat \S+ \(|\.ts:\d+/i);
  for (const p of ports) expect(text).not.toContain(String(p));
}

describe('outages: object storage down', () => {
  let store: OwnObjectStore;
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let recId: string;
  const rawObjects = async (): Promise<string[]> => (await h.store.list(`raw/${study.studyId}/`)).sort();

  beforeAll(async () => {
    store = await OwnObjectStore.start();
    // 5 MiB parts: the mid-upload test's first half has a part in the store before it is killed.
    h = await startHarness({ env: { S3_ENDPOINT: store.endpoint, UPLOAD_PART_BYTES: String(5 * 1024 * 1024) } });
    study = await seedStudy(h);
    const up = await upload(h, study.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 3000, rateHz: 100 })), 'Accelerometer.csv');
    expect(up.status).toBe(201);
    recId = up.json.recording.id;
    expect((await waitForRecording(h, h.adminToken, recId)).status).toBe('ready');
  });
  afterAll(async () => {
    await h.close();
    await store.close();
  });

  it('stopped: upload, /raw and /samples answer 503 storage_unavailable with Retry-After; /readyz names it, details only for the admin', async () => {
    await store.down();
    const up = await uploadWithPause(h, study.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 500, rateHz: 100, startNs: 1_711_000_000_000_000_000n })), 'Accelerometer.csv', () => Promise.resolve());
    const raw = await fetch(`${h.baseUrl}/v1/recordings/${recId}/raw`, { headers: { authorization: `Bearer ${h.adminToken}` } });
    const rawJson = await raw.json();
    const samples = await call(h, h.adminToken, 'GET', `/v1/recordings/${recId}/streams/accelerometer/samples?maxPoints=100`);
    for (const [what, status, json, retryAfter] of [
      ['upload', up.status, up.json, up.headers.get('retry-after')],
      ['raw', raw.status, rawJson, raw.headers.get('retry-after')],
      ['samples', samples.status, samples.json, samples.headers.get('retry-after')],
    ] as const) {
      expect({ what, status, code: json.error?.code }).toEqual({ what, status: 503, code: 'storage_unavailable' });
      expect(retryAfter, what).toBeTruthy();
      expectNoInternals(json, [store.port]);
    }
    expect(await h.db.upload.count({ where: { participantId: study.participantId } })).toBe(1);

    const anonymous = await call(h, '', 'GET', '/readyz');
    expect(anonymous.status).toBe(503);
    expect(anonymous.headers.get('retry-after')).toBeTruthy();
    expect(anonymous.json.checks).toEqual({ database: 'ok', redis: 'ok', objectStorage: 'down' });
    expect(anonymous.json.details).toBeUndefined();
    expectNoInternals(anonymous.json, [store.port]);
    const admin = await call(h, h.adminToken, 'GET', '/readyz');
    expect(admin.json.checks.objectStorage).toBe('down');
    expect(admin.json.details.objectStorage.error).toMatch(/ECONNREFUSED|connect/);

    await store.up();
    expect((await call(h, '', 'GET', '/readyz')).status).toBe(200);
  });

  it('killed after half the upload: 503 storage_unavailable once the body is in, and nothing is committed', async () => {
    const objects = await rawObjects();
    const rows = await h.db.upload.count();
    // ~12 MB: the first half fills a 5 MiB part, which is in the store before it dies.
    const bytes = new TextEncoder().encode(sensorLoggerCsv({ rows: 200_000, rateHz: 100, startNs: 1_712_000_000_000_000_000n }));
    const up = await uploadWithPause(h, study.participantToken, bytes, 'Accelerometer.csv', async () => {
      await new Promise((r) => setTimeout(r, 500));
      await store.down();
    }, { idempotencyKey: 'killed-store-1' });
    expect(up.status).toBe(503);
    expect(up.json.error.code).toBe('storage_unavailable');
    expect(up.headers.get('retry-after')).toBeTruthy();
    expect(await h.db.upload.count()).toBe(rows);

    await store.up();
    expect(await rawObjects()).toEqual(objects);
    // The key was given up with the failed request: sending it again works.
    const again = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'killed-store-1' });
    expect(again.status).toBe(201);
  });
});

describe('outages: database down', () => {
  let proxy: TcpProxy;
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    const db = new URL(process.env.TEST_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432');
    proxy = await TcpProxy.start({ host: db.hostname, port: Number(db.port || 5432) });
    h = await startHarness({ workers: false, databaseVia: { host: '127.0.0.1', port: proxy.port } });
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await proxy.restore();
    await h.close();
    await proxy.close();
  });

  it('a client that aborts mid-upload: nothing stored, its key given up, and no 5xx in the metrics', async () => {
    const before = await h.store.list(`raw/${study.studyId}/`);
    const bytes = new TextEncoder().encode(sensorLoggerCsv({ rows: 4000, rateHz: 100, startNs: 1_715_000_000_000_000_000n }));
    const boundary = '----fieldsense-abort-test';
    const abort = new AbortController();
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (step++ === 0) controller.enqueue(new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n`));
        else if (step === 2) controller.enqueue(bytes.subarray(0, bytes.length / 2));
        else setTimeout(() => abort.abort(), 300);
      },
    });
    await expect(fetch(`${h.baseUrl}/v1/uploads`, {
      method: 'POST', body, duplex: 'half', signal: abort.signal,
      headers: { authorization: `Bearer ${study.participantToken}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'idempotency-key': 'aborted-1' },
    })).rejects.toThrow();
    for (let i = 0; i < 100 && (await h.db.idempotencyClaim.count()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await h.db.idempotencyClaim.count()).toBe(0);
    expect(await h.db.upload.count()).toBe(0);
    expect(await h.store.list(`raw/${study.studyId}/`)).toEqual(before);
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/route="\/v1\/uploads",status="5\d\d"/);
    const again = await upload(h, study.participantToken, bytes, 'a.csv', { idempotencyKey: 'aborted-1' });
    expect(again.status).toBe(201);
  });

  it('cut mid-upload: 503 database_unavailable with Retry-After, no upload row and no object', async () => {
    const before = await h.store.list(`raw/${study.studyId}/`);
    const rows = await h.db.upload.count();
    const bytes = new TextEncoder().encode(sensorLoggerCsv({ rows: 4000, rateHz: 100, startNs: 1_713_000_000_000_000_000n }));
    const up = await uploadWithPause(h, study.participantToken, bytes, 'Accelerometer.csv', () => proxy.cut());
    expect(up.status).toBe(503);
    expect(up.json.error.code).toBe('database_unavailable');
    expect(up.headers.get('retry-after')).toBeTruthy();
    expectNoInternals(up.json, [proxy.port]);
    expect(await h.db.upload.count()).toBe(rows);
    expect(await h.store.list(`raw/${study.studyId}/`)).toEqual(before);
  });

  it('/readyz while it is down: ok/down per service for anyone, the error text only with the admin token', async () => {
    await proxy.cut();
    const anonymous = await call(h, '', 'GET', '/readyz');
    expect(anonymous.status).toBe(503);
    expect(anonymous.headers.get('retry-after')).toBeTruthy();
    expect(anonymous.json.status).toBe('unavailable');
    expect(anonymous.json.checks).toEqual({ database: 'down', redis: 'ok', objectStorage: 'ok' });
    expect(anonymous.json.error.code).toBe('service_unavailable');
    expect(anonymous.json.details).toBeUndefined();
    expectNoInternals(anonymous.json, [proxy.port]);
    // A participant's token is checked against the database, which is down: it sees what anyone sees.
    const participant = await call(h, study.participantToken, 'GET', '/readyz');
    expect(participant.json).toEqual(anonymous.json);

    const admin = await call(h, h.adminToken, 'GET', '/readyz');
    expect(admin.status).toBe(503);
    expect(admin.json.checks.database).toBe('down');
    expect(admin.json.details.database.error).toMatch(/reach database server|closed the connection|Prisma|ECONNREFUSED/i);
    expect(admin.json.details.redis).toBeUndefined();

    await proxy.restore();
    const back = await call(h, '', 'GET', '/readyz');
    expect(back.status).toBe(200);
    expect(back.json).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok', objectStorage: 'ok' } });
  });
});
