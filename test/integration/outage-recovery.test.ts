import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';
import { OwnObjectStore } from '../helpers/object-store-process.js';

const OUTAGE_MS = 120_000;

/**
 * Workers wait out a backing-service outage instead of failing the recording after their few attempts: with
 * 2 attempts 100 ms apart, a step that counted the outage against them would fail within a second.
 */
describe('outages: the object store down for 2 minutes while a recording is processed', () => {
  let store: OwnObjectStore;
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    store = await OwnObjectStore.start();
    h = await startHarness({ env: { S3_ENDPOINT: store.endpoint, JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '100', OUTAGE_RETRY_MAX_MS: '2000' } });
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
    await store.close();
  });

  it('ends ready once the store is back, not failed', async () => {
    const rows = 600_000;
    const up = await upload(h, study.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows, rateHz: 100, startNs: 1_714_000_000_000_000_000n })), 'Accelerometer.csv');
    expect(up.status).toBe(201);
    const recId: string = up.json.recording.id;

    // Kill the store while the worker reads the file and writes its Parquet.
    let seen = false;
    for (let i = 0; i < 3000 && !seen; i++) {
      const r = await h.db.recording.findUniqueOrThrow({ where: { id: recId }, select: { status: true, stage: true } });
      seen = r.status === 'processing' && r.stage === 'validate';
      if (!seen) await new Promise((res) => setTimeout(res, 10));
    }
    expect(seen).toBe(true);
    await store.down();

    const until = Date.now() + OUTAGE_MS;
    while (Date.now() < until) {
      const r = await h.db.recording.findUniqueOrThrow({ where: { id: recId }, select: { status: true } });
      expect(r.status).toBe('processing');
      await new Promise((res) => setTimeout(res, 5000));
    }
    await store.up();

    const rec = await waitForRecording(h, h.adminToken, recId, { timeoutMs: 60_000 });
    expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    expect(rec.streams[0].samples).toBe(rows);
  }, OUTAGE_MS + 150_000);
});
