import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStudy, sensorLoggerCsv, startHarness, type Harness } from '../helpers/harness.js';
import { createLogger } from '../../src/lib/logger.js';
import { UploadsRepository } from '../../src/repositories/uploads.repository.js';
import { IdempotencyClaimsRepository } from '../../src/repositories/idempotency-claims.repository.js';
import { IngestUpload } from '../../src/services/ingest-upload/ingest-upload.service.js';
import { IdempotencyKeyClaims } from '../../src/services/ingest-upload/key-claims.js';
import { UploadObjects } from '../../src/services/ingest-upload/upload-objects.js';

/**
 * The ingest use case's shared tail, `commitReceived`, called the way a resumable upload or a push would call
 * it: with bytes that are already in object storage. Real PostgreSQL and object store; no HTTP.
 */
describe('IngestUpload.commitReceived: bytes already in object storage become one upload', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let objects: UploadObjects;
  let ingest: IngestUpload;
  const committed: number[] = [];
  const who = (): { studyId: string; participantId: string } => ({ studyId: study.studyId, participantId: study.participantId });
  const raw = async (): Promise<string[]> => (await h.store.list(`raw/${study.studyId}/`)).sort();
  const put = (bytes: Uint8Array) => objects.receive(who(), Readable.from([Buffer.from(bytes)]), new AbortController().signal);
  const csv = (startNs: bigint): Uint8Array => new TextEncoder().encode(sensorLoggerCsv({ rows: 300, rateHz: 100, startNs }));

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    study = await seedStudy(h);
    const log = createLogger('silent', 'test-ingest');
    objects = new UploadObjects(h.store, log);
    ingest = new IngestUpload(new UploadsRepository(h.db), new IdempotencyKeyClaims(new IdempotencyClaimsRepository(h.db), log), objects, (b) => committed.push(b), log);
  });
  afterAll(async () => {
    await h.close();
  });

  it('one stored file is committed as it is; the same bytes again answer the first upload and their object is removed', async () => {
    const bytes = csv(1_760_000_000_000_000_000n);
    const before = await raw();
    const file = await put(bytes);
    expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const out = await ingest.commitReceived(who(), [{ received: file, filename: 'Accelerometer.csv', contentType: 'text/csv' }], { requestId: 'req-tail-1', metadata: { timezone: 'Europe/Zurich' } });
    expect(out.created).toBe(true);
    expect(out.upload.id).toBe(file.uploadId);
    expect(out.upload.objectKey).toBe(file.objectKey);
    expect(committed.at(-1)).toBe(bytes.length);
    const row = await h.db.upload.findUniqueOrThrow({ where: { id: file.uploadId }, include: { recording: true } });
    expect(row.recording?.timezone).toBe('Europe/Zurich');
    expect(await raw()).toEqual([...before, file.objectKey].sort());

    const again = await put(bytes);
    const dup = await ingest.commitReceived(who(), [{ received: again, filename: 'other name.csv', contentType: null }], { metadata: null });
    expect(dup.created).toBe(false);
    expect(dup.upload.id).toBe(file.uploadId);
    expect(await raw()).toEqual([...before, file.objectKey].sort());
  });

  it('several stored files become one archive upload; the parts are removed', async () => {
    const before = await raw();
    const a = await put(csv(1_761_000_000_000_000_000n));
    const b = await put(csv(1_762_000_000_000_000_000n));
    const out = await ingest.commitReceived(who(), [
      { received: a, filename: 'Accelerometer.csv', contentType: 'text/csv' },
      { received: b, filename: 'Accelerometer.csv', contentType: 'text/csv' },
    ], { idempotencyKey: 'tail-archive-1', metadata: null });
    expect(out.created).toBe(true);
    expect(out.upload.filename).toBe('2 files.zip');
    expect(await raw()).toEqual([...before, out.upload.objectKey].sort());
    const row = await h.db.upload.findUniqueOrThrow({ where: { id: out.upload.id } });
    expect(row.metadata).toEqual({ files: [
      { name: 'Accelerometer.csv', bytes: a.bytes, sha256: a.sha256 },
      { name: 'Accelerometer.csv', bytes: b.bytes, sha256: b.sha256 },
    ] });
  });

  it('a file that cannot become an upload is removed (empty; a key used before for other bytes)', async () => {
    const before = await raw();
    const empty = await put(new Uint8Array(0));
    await expect(ingest.commitReceived(who(), [{ received: empty, filename: 'x.csv', contentType: null }], { metadata: null })).rejects.toMatchObject({ code: 'file_empty' });
    const other = await put(csv(1_763_000_000_000_000_000n));
    await expect(ingest.commitReceived(who(), [{ received: other, filename: 'x.csv', contentType: null }], { idempotencyKey: 'tail-archive-1', metadata: null }))
      .rejects.toMatchObject({ code: 'idempotency_key_reused' });
    expect(await raw()).toEqual(before);
  });
});
