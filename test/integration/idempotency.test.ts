import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStudy, sensorLoggerCsv, startHarness, upload, uploadWithPause, type Harness } from '../helpers/harness.js';

/**
 * Idempotency-Key on POST /v1/uploads, as the IETF httpapi Idempotency-Key draft and Stripe have it: the
 * same key with the same bytes is the first upload again (200), with other bytes 422 and nothing stored, and
 * while the first request is still being received 409. The claim lives in PostgreSQL, so it holds across
 * API processes, and a crashed request's claim lapses with its lease.
 */
describe('uploads: Idempotency-Key', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  const csv = (startNs: bigint): Uint8Array => new TextEncoder().encode(sensorLoggerCsv({ rows: 2000, rateHz: 100, startNs }));
  const rawObjects = async (): Promise<string[]> => (await h.store.list(`raw/${study.studyId}/`)).sort();
  const uploadRows = (): Promise<number> => h.db.upload.count({ where: { participantId: study.participantId } });

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('the same key with the same bytes answers 200 with the first upload; nothing is stored twice', async () => {
    const bytes = csv(1_710_000_000_000_000_000n);
    const first = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'same-bytes-1' });
    expect(first.status).toBe(201);
    const objects = await rawObjects();
    const again = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'same-bytes-1' });
    expect(again.status).toBe(200);
    expect(again.json.upload.id).toBe(first.json.upload.id);
    expect(again.json.recording.id).toBe(first.json.recording.id);
    expect(await rawObjects()).toEqual(objects);
    expect(await h.db.upload.count({ where: { idempotencyKey: 'same-bytes-1' } })).toBe(1);
  });

  it('the same key with other bytes answers 422 idempotency_key_reused: no upload row, no new object', async () => {
    const first = await upload(h, study.participantToken, csv(1_720_000_000_000_000_000n), 'Accelerometer.csv', { idempotencyKey: 'reused-1' });
    expect(first.status).toBe(201);
    const [objects, rows] = [await rawObjects(), await uploadRows()];

    const other = await upload(h, study.participantToken, csv(1_730_000_000_000_000_000n), 'Accelerometer.csv', { idempotencyKey: 'reused-1' });
    expect(other.status).toBe(422);
    expect(other.json.error.code).toBe('idempotency_key_reused');
    expect(other.json.error.details.uploadId).toBe(first.json.upload.id);
    expect(await uploadRows()).toBe(rows);
    expect(await rawObjects()).toEqual(objects);
    // The key still names the first upload.
    expect((await h.db.upload.findFirstOrThrow({ where: { idempotencyKey: 'reused-1' } })).id).toBe(first.json.upload.id);
  });

  it('the same key while the first request is still being received answers 409; the first then succeeds', async () => {
    const bytes = csv(1_740_000_000_000_000_000n);
    let during: Awaited<ReturnType<typeof upload>> | undefined;
    const first = await uploadWithPause(h, study.participantToken, bytes, 'Accelerometer.csv', async () => {
      // The client may send more of the body before the server has taken the claim: wait until it holds it.
      for (let i = 0; i < 200 && (await h.db.idempotencyClaim.count({ where: { idempotencyKey: 'in-flight-1' } })) === 0; i++) await new Promise((r) => setTimeout(r, 25));
      during = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'in-flight-1' });
    }, { idempotencyKey: 'in-flight-1' });
    expect(during?.status).toBe(409);
    expect(during?.json.error.code).toBe('idempotency_key_in_flight');
    expect(first.status).toBe(201);
    // Answered: the key is free again at once, and names the first upload.
    const after = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'in-flight-1' });
    expect(after.status).toBe(200);
    expect(after.json.upload.id).toBe(first.json.upload.id);
    expect(await h.db.idempotencyClaim.count()).toBe(0);
  });

  it('a claim held elsewhere (another API process) answers 409; a crashed request\'s lapsed claim does not block the key', async () => {
    const bytes = csv(1_750_000_000_000_000_000n);
    await h.db.idempotencyClaim.create({ data: { participantId: study.participantId, idempotencyKey: 'held-1', token: 'other-process', expiresAt: new Date(Date.now() + 60_000) } });
    const held = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'held-1' });
    expect(held.status).toBe(409);
    expect(held.json.error.code).toBe('idempotency_key_in_flight');

    // The process that held it died: its lease ran out and nobody renewed it.
    await h.db.idempotencyClaim.update({ where: { participantId_idempotencyKey: { participantId: study.participantId, idempotencyKey: 'held-1' } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const taken = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'held-1' });
    expect(taken.status).toBe(201);
    expect(await h.db.idempotencyClaim.count({ where: { idempotencyKey: 'held-1' } })).toBe(0);
  });

  it('a request that fails gives its key up: the same key works right after a 422', async () => {
    const bytes = csv(1_760_000_000_000_000_000n);
    const empty = await upload(h, study.participantToken, new Uint8Array(0), 'Accelerometer.csv', { idempotencyKey: 'after-error-1' });
    expect(empty.status).toBe(422);
    expect(empty.json.error.code).toBe('file_empty');
    const ok = await upload(h, study.participantToken, bytes, 'Accelerometer.csv', { idempotencyKey: 'after-error-1' });
    expect(ok.status).toBe(201);
  });
});
