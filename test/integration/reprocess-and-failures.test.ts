import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

describe('reprocessing and failures that retrying cannot fix', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    h = await startHarness({ env: { JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '100' } });
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('reprocess runs the pipeline again: same results, human annotations untouched', async () => {
    const csv = sensorLoggerCsv({ rows: 6000, rateHz: 100, startNs: 1_730_000_000_000_000_000n, value: (i) => (i < 3000 ? [0, 0, 9.81] : [3 * Math.sin(i / 4), 0, 9.81]) });
    const up = await upload(h, study.participantToken, new TextEncoder().encode(csv), 'Accelerometer.csv');
    const rec = await waitForRecording(h, h.adminToken, up.json.recording.id);
    expect(rec.status).toBe('ready');
    const human = await call(h, study.annotatorToken, 'POST', `/v1/recordings/${rec.id}/annotations`, { startS: 10, endS: 20, label: 'walking' });
    const before = await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/segments`);

    const again = await call(h, h.adminToken, 'POST', `/v1/recordings/${rec.id}/reprocess`);
    expect(again.status).toBe(202);
    expect(again.json.status).toBe('queued');
    const done = await waitForRecording(h, h.adminToken, rec.id);
    expect(done.status).toBe('ready');
    expect(await h.db.recording.findUniqueOrThrow({ where: { id: rec.id }, select: { processRun: true } })).toEqual({ processRun: 1 });

    const after = await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/segments`);
    const shape = (items: { kind: string; startS: number; endS: number }[]): string[] => items.map((s) => `${s.kind}:${s.startS}-${s.endS}`).sort();
    expect(shape(after.json.items)).toEqual(shape(before.json.items));
    const anns = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items;
    expect(anns.filter((a: { id: string }) => a.id === human.json.id)).toHaveLength(1);
    expect(anns.filter((a: { source: string }) => a.source === 'auto').length).toBe(after.json.items.filter((s: { kind: string }) => s.kind === 'still' || s.kind === 'moving').length);
  });

  it('a step that keeps failing ends `failed` after its retries, with a message in the API; reprocess recovers it', async () => {
    await h.stopWorkers();
    const up = await upload(h, study.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 100, rateHz: 50, startNs: 1_731_000_000_000_000_000n })), 'Gravity.csv');
    expect(up.status).toBe(201);
    // Make every read of the raw object fail, as a storage outage would, then let the pipeline try.
    const key = `raw/${study.studyId}/${study.participantId}/${up.json.upload.id}`;
    const saved = await h.store.getBytes(key);
    await h.store.delete(key);
    await h.startWorkers();
    const rec = await waitForRecording(h, h.adminToken, up.json.recording.id);
    expect(rec.status).toBe('failed');
    expect(rec.error.code).toBe('processing_failed');
    expect(rec.error.message).toMatch(/validate/);
    expect(rec.error.message).toMatch(/reprocess/);

    // Once storage has the bytes again, an admin reprocess succeeds.
    await h.store.putBytes(key, saved);
    expect((await call(h, h.adminToken, 'POST', `/v1/recordings/${rec.id}/reprocess`)).status).toBe(202);
    expect((await waitForRecording(h, h.adminToken, rec.id)).status).toBe('ready');
  });
});
