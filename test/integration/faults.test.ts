import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, uploadWithPause, waitForRecording, type Harness } from '../helpers/harness.js';
import { OwnRedis } from '../helpers/redis-server.js';

describe('faults: Redis down during an upload', () => {
  let redis: OwnRedis;
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    h = await startHarness({ redisUrl: redis.url });
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
    await redis.close();
  });

  it('answers 201 while Redis is stopped, and processes the recording once Redis is back', async () => {
    const bytes = new TextEncoder().encode(sensorLoggerCsv({ rows: 4000, rateHz: 100, startNs: 1_710_000_000_000_000_000n }));
    const up = await uploadWithPause(h, study.participantToken, bytes, 'Accelerometer.csv', () => redis.down());
    expect(up.status).toBe(201);
    const recId: string = up.json.recording.id;

    // Redis is away: readiness says so (ok or down, no error text for a participant), the upload waits in
    // the outbox, nothing is lost.
    const ready = await call(h, study.participantToken, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBeTruthy();
    expect(ready.json.checks).toEqual({ database: 'ok', redis: 'down', objectStorage: 'ok' });
    expect(ready.json.details).toBeUndefined();
    expect(JSON.stringify(ready.json)).not.toContain(String(redis.port));
    const detailed = await call(h, h.adminToken, 'GET', '/readyz');
    expect(Object.keys(detailed.json.details)).toEqual(['redis']);
    expect(detailed.json.details.redis.error).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1000));
    const pending = await h.db.outboxEvent.findMany({ where: { publishedAt: null }, select: { payload: true } });
    expect(pending.map((p) => (p.payload as { recordingId: string }).recordingId)).toContain(recId);
    expect((await call(h, study.participantToken, 'GET', `/v1/recordings/${recId}`)).json.status).toBe('queued');

    await redis.up();
    const rec = await waitForRecording(h, study.participantToken, recId);
    expect(rec.status).toBe('ready');
    expect(rec.streams[0].samples).toBe(4000);
    expect(await h.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
    expect((await call(h, study.participantToken, 'GET', '/readyz')).status).toBe(200);
  });
});

describe('faults: a worker killed mid-job', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    // Short locks so that the restarted worker takes over the dead worker's job within seconds.
    h = await startHarness({ env: { JOB_LOCK_MS: '3000', JOB_STALLED_INTERVAL_MS: '1000', WORKER_CONCURRENCY: '1' } });
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const motion = (i: number): [number, number, number] => (Math.floor(i / 3000) % 2 === 0
    ? [0.003 * Math.sin(i), 0.003 * Math.cos(i), 9.81]
    : [2 * Math.sin(i / 8), 1.5 * Math.cos(i / 8), 9.81 + 2 * Math.sin(i / 8)]);

  it('SIGKILL during validate: after a restart the job finishes, with no duplicate streams, segments or annotations', async () => {
    const rows = 1_200_000;
    const bytes = new TextEncoder().encode(sensorLoggerCsv({ rows, rateHz: 100, startNs: 1_720_000_000_000_000_000n, value: motion }));
    const up = await upload(h, study.participantToken, bytes, 'Accelerometer.csv');
    expect(up.status).toBe(201);
    const recId: string = up.json.recording.id;

    // Wait until the worker is inside the validate step, then kill it without warning.
    let seen = false;
    for (let i = 0; i < 3000 && !seen; i++) {
      const r = await h.db.recording.findUnique({ where: { id: recId }, select: { status: true, stage: true } });
      seen = r?.status === 'processing' && r.stage === 'validate';
      if (!seen) await new Promise((res) => setTimeout(res, 10));
    }
    expect(seen).toBe(true);
    await h.stopWorkers('SIGKILL');
    const mid = await h.db.recording.findUniqueOrThrow({ where: { id: recId }, select: { status: true } });
    expect(mid.status).toBe('processing');

    await h.startWorkers();
    const rec = await waitForRecording(h, h.adminToken, recId, { timeoutMs: 120_000 });
    expect(rec.status).toBe('ready');
    expect(rec.streams).toHaveLength(1);
    expect(rec.streams[0].samples).toBe(rows);

    expect(await h.db.stream.count({ where: { recordingId: recId } })).toBe(1);
    const segs = await h.db.segment.findMany({ where: { recordingId: recId }, select: { kind: true, startS: true, endS: true } });
    const anns = await h.db.annotation.findMany({ where: { recordingId: recId }, select: { label: true, startS: true, endS: true } });
    const unique = (xs: object[]): number => new Set(xs.map((x) => JSON.stringify(x))).size;
    expect(segs.length).toBeGreaterThan(2);
    expect(unique(segs)).toBe(segs.length);
    expect(unique(anns)).toBe(anns.length);
    // The same signal processed without a kill gives exactly the same segments and proposals.
    const control = await upload(h, study.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows, rateHz: 100, startNs: 1_720_086_400_000_000_000n, value: motion })), 'Accelerometer.csv');
    expect((await waitForRecording(h, h.adminToken, control.json.recording.id, { timeoutMs: 120_000 })).status).toBe('ready');
    const shape = (xs: { startS: number; endS: number }[]): string[] => xs.map((x) => JSON.stringify({ ...x, startS: x.startS.toFixed(3), endS: x.endS.toFixed(3) })).sort();
    const controlSegs = await h.db.segment.findMany({ where: { recordingId: control.json.recording.id }, select: { kind: true, startS: true, endS: true } });
    const controlAnns = await h.db.annotation.findMany({ where: { recordingId: control.json.recording.id }, select: { label: true, startS: true, endS: true } });
    expect(shape(segs)).toEqual(shape(controlSegs));
    expect(shape(anns)).toEqual(shape(controlAnns));
  });
});
