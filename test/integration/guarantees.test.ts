import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STEPS, type Step } from '../../src/jobs/catalogue.js';
import { OutboxRelay } from '../../src/jobs/outbox-relay.js';
import { createProducerRedis, RecordingFlows, workerConnection } from '../../src/jobs/queues.js';
import { createLogger } from '../../src/lib/logger.js';
import { newId } from '../../src/lib/ids.js';
import { OutboxRepository } from '../../src/repositories/outbox.repository.js';
import { RecordingsRepository } from '../../src/repositories/recordings.repository.js';
import { UploadsRepository } from '../../src/repositories/uploads.repository.js';
import { ProcessRecordingService } from '../../src/services/process-recording.service.js';
import { keys } from '../../src/storage/keys.js';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

/**
 * The idempotency guarantees of the pipeline, each held by a test that fails when its mechanism is removed:
 * deterministic job ids, the completed-stage guard, replace-before-insert writes, the run check of a stale
 * job, the outbox's one delivery per row, and what a failed `align` leaves.
 */

const silent = createLogger('silent', 'guarantees-test');
/** Still and moving bouts of 30 s: several segments and proposed annotations. */
const motion = (i: number): [number, number, number] => (Math.floor(i / 3000) % 2 === 0
  ? [0.003 * Math.sin(i), 0.003 * Math.cos(i), 9.81]
  : [2 * Math.sin(i / 8), 1.5 * Math.cos(i / 8), 9.81 + 2 * Math.sin(i / 8)]);
let nextStart = 1_760_000_000_000_000_000n;
/** A 5-minute accelerometer CSV that no other upload of the file shares (its own start time). */
function motionCsv(rows = 30_000): Uint8Array {
  nextStart += 86_400_000_000_000n;
  return new TextEncoder().encode(sensorLoggerCsv({ rows, rateHz: 100, startNs: nextStart, value: motion }));
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The step queues of a harness, read as BullMQ sees them. */
function stepQueues(h: Harness): Record<Step, Queue> {
  return Object.fromEntries(STEPS.map((s) => [s, new Queue(s, { connection: workerConnection(h.env.REDIS_URL!), prefix: h.env.QUEUE_PREFIX! })])) as Record<Step, Queue>;
}
const ALL_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
async function jobsOf(q: Queue, recordingId: string): Promise<{ id: string; state: string; returnvalue: unknown; attemptsMade: number }[]> {
  const jobs = await q.getJobs([...ALL_STATES]);
  const mine = jobs.filter((j) => (j.data as { recordingId?: string }).recordingId === recordingId);
  return Promise.all(mine.map(async (j) => ({ id: j.id!, state: await j.getState(), returnvalue: j.returnvalue, attemptsMade: j.attemptsMade })));
}

/** What a recording's results are, by row id: equal only when nothing was rewritten. */
async function rowIds(h: Harness, recordingId: string): Promise<{ streams: string[]; segments: string[]; annotations: string[] }> {
  const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id).sort();
  return {
    streams: ids(await h.db.stream.findMany({ where: { recordingId }, select: { id: true } })),
    segments: ids(await h.db.segment.findMany({ where: { recordingId }, select: { id: true } })),
    annotations: ids(await h.db.annotation.findMany({ where: { recordingId }, select: { id: true } })),
  };
}

/** What a recording's results say, without ids: one line per row, sorted (duplicates show twice). */
async function results(h: Harness, recordingId: string): Promise<{ streams: string[]; segments: string[]; annotations: string[] }> {
  const lines = (rows: object[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? Number(v.toFixed(3)) : v))).sort();
  return {
    streams: lines(await h.db.stream.findMany({ where: { recordingId }, select: { name: true, samples: true, pipelineVersion: true, objectKey: true } })),
    segments: lines(await h.db.segment.findMany({ where: { recordingId }, select: { kind: true, stream: true, startS: true, endS: true, pipelineVersion: true } })),
    annotations: lines(await h.db.annotation.findMany({ where: { recordingId }, select: { label: true, source: true, startS: true, endS: true, detector: true } })),
  };
}

function expectNoDuplicates(r: { streams: string[]; segments: string[]; annotations: string[] }): void {
  for (const rows of [r.streams, r.segments, r.annotations]) expect(new Set(rows).size).toBe(rows.length);
}

describe('guarantees: a flow delivered twice runs once, a finished step runs never again', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let queues: Record<Step, Queue>;
  let redis: Redis;
  let flows: RecordingFlows;
  let recId: string;

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    study = await seedStudy(h);
    queues = stepQueues(h);
    redis = createProducerRedis(h.env.REDIS_URL!);
    flows = new RecordingFlows(redis, h.env.QUEUE_PREFIX!, { attempts: 3, backoffMs: 200 });
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await flows.close();
    redis.disconnect();
    await h.close();
  });

  it('deterministic job ids: the same run\'s flow added again (outbox redelivery, a second add) is one set of jobs, each step run once', async () => {
    const up = await upload(h, study.participantToken, motionCsv(), 'Accelerometer.csv');
    expect(up.status).toBe(201);
    recId = up.json.recording.id;
    const row = await until('the outbox row to be published', async () => {
      const r = await h.db.outboxEvent.findFirst({ where: { payload: { path: ['recordingId'], equals: recId } } });
      return r?.publishedAt ? r : undefined;
    });
    // The relay delivers the row again (as after a mark that did not commit), and the flow is added twice more.
    await h.db.outboxEvent.update({ where: { id: row.id }, data: { publishedAt: null } });
    await until('the outbox row to be published again', async () => (await h.db.outboxEvent.findUniqueOrThrow({ where: { id: row.id } })).publishedAt !== null);
    expect((await h.db.outboxEvent.findUniqueOrThrow({ where: { id: row.id } })).attempts).toBe(2);
    await flows.addProcessFlow({ recordingId: recId, run: 0 });
    await flows.addProcessFlow({ recordingId: recId, run: 0 });
    for (const step of STEPS) expect((await jobsOf(queues[step], recId)).map((j) => j.id), step).toEqual([`${recId}-0-${step}`]);

    await h.startWorkers();
    expect((await waitForRecording(h, h.adminToken, recId)).status).toBe('ready');
    await until('align to finish', async () => (await jobsOf(queues.align, recId)).every((j) => j.state === 'completed'));
    for (const step of STEPS) {
      expect((await jobsOf(queues[step], recId)).map((j) => [j.state, j.returnvalue]), step).toEqual([['completed', 'done']]);
    }
    const r = await results(h, recId);
    expect(r.streams).toHaveLength(1);
    expect(r.segments.length).toBeGreaterThan(4);
    expect(r.annotations.length).toBeGreaterThan(2);
    expectNoDuplicates(r);
  });

  it('the completed-stage guard: a step job run again for a finished run (a fresh job id) is skipped and writes nothing', async () => {
    const before = await rowIds(h, recId);
    const updatedAt = (await h.db.recording.findUniqueOrThrow({ where: { id: recId } })).updatedAt;
    for (const step of ['validate', 'segment', 'annotate'] as const) {
      await queues[step].add(step, { recordingId: recId, run: 0 }, { jobId: `again-${recId}-${step}` });
    }
    for (const step of ['validate', 'segment', 'annotate'] as const) {
      const job = await until(`the ${step} job run again`, async () => {
        const j = await queues[step].getJob(`again-${recId}-${step}`);
        return j?.finishedOn ? j : undefined;
      });
      expect([job.failedReason, job.returnvalue], step).toEqual([undefined, 'skipped']);
    }
    expect(await rowIds(h, recId)).toEqual(before);
    const after = await h.db.recording.findUniqueOrThrow({ where: { id: recId } });
    expect([after.status, after.updatedAt]).toEqual(['ready', updatedAt]);
  });
});

/**
 * The steps called as a worker calls them (the real service, database and object store), in orders that a
 * crash, a retry or a reprocess can give: deterministic, and independent of how fast a worker is.
 */
describe('guarantees: steps run again, retried and outrun by a reprocess', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let processing: ProcessRecordingService;
  let recordings: RecordingsRepository;

  beforeAll(async () => {
    // No workers: the flows the API enqueues wait in Redis, and the test runs each step itself.
    h = await startHarness({ workers: false });
    study = await seedStudy(h);
    recordings = new RecordingsRepository(h.db);
    processing = new ProcessRecordingService(recordings, h.store, silent);
  });
  afterAll(async () => {
    await h.close();
  });

  it('the completed-stage guard mid-run: validate or segment run again before the run is ready is skipped, its rows kept', async () => {
    const up = await upload(h, study.participantToken, motionCsv(), 'Accelerometer.csv');
    const id: string = up.json.recording.id;
    expect(await processing.validate(id, 0)).toBe('done');
    const validated = await rowIds(h, id);
    expect(await processing.validate(id, 0)).toBe('skipped');
    expect(await rowIds(h, id)).toEqual(validated);

    expect(await processing.segment(id, 0)).toBe('done');
    const segmented = await rowIds(h, id);
    expect(segmented.segments.length).toBeGreaterThan(4);
    expect(await processing.validate(id, 0)).toBe('skipped');
    expect(await processing.segment(id, 0)).toBe('skipped');
    expect(await rowIds(h, id)).toEqual(segmented);
    const rec = await h.db.recording.findUniqueOrThrow({ where: { id } });
    expect([rec.status, rec.stage, rec.completedStage]).toEqual(['processing', 'segment', 'segment']);

    expect(await processing.annotate(id, 0)).toBe('done');
    expect(await processing.annotate(id, 0)).toBe('skipped');
    expectNoDuplicates(await results(h, id));
  });

  it('replace-before-insert: a run that writes over an earlier one (reprocess, a retried step) leaves one set of rows, and one set of objects', async () => {
    const up = await upload(h, study.participantToken, motionCsv(), 'Accelerometer.csv');
    const id: string = up.json.recording.id;
    for (const step of ['validate', 'segment', 'annotate'] as const) expect(await processing[step](id, 0)).toBe('done');
    const first = await results(h, id);
    // The stages' handoff (the detectors' findings) is keyed by run; only the current run's is kept.
    const objects = (await h.store.list(`derived/${id}/`)).sort();
    expect(objects.length).toBeGreaterThanOrEqual(4);
    expect(objects.filter((k) => k.includes('/runs/'))).toEqual([`derived/${id}/v1_0_0/runs/0/detections.json`]);

    expect((await call(h, h.adminToken, 'POST', `/v1/recordings/${id}/reprocess`)).status).toBe(202);
    for (const step of ['validate', 'segment', 'annotate'] as const) expect(await processing[step](id, 1)).toBe('done');
    const second = await results(h, id);
    expect(second).toEqual(first);
    expectNoDuplicates(second);
    expect((await h.store.list(`derived/${id}/`)).sort()).toEqual(objects.map((k) => k.replace('/runs/0/', '/runs/1/')).sort());
    expect((await h.db.recording.findUniqueOrThrow({ where: { id } })).status).toBe('ready');
  });

  it('a stale run: run N\'s steps after a reprocess are skipped, and run N\'s late writes change none of run N+1\'s rows', async () => {
    const up = await upload(h, study.participantToken, motionCsv(), 'Accelerometer.csv');
    const id: string = up.json.recording.id;
    expect(await processing.validate(id, 0)).toBe('done');
    expect(await processing.segment(id, 0)).toBe('done');
    const run0Segments = await recordings.segmentsOf(id, (await h.db.recording.findUniqueOrThrow({ where: { id } })).pipelineVersion);
    const version = (await h.db.recording.findUniqueOrThrow({ where: { id } })).pipelineVersion!;

    // Run 1 starts while run 0 still has its annotate step queued.
    expect((await call(h, h.adminToken, 'POST', `/v1/recordings/${id}/reprocess`)).status).toBe(202);
    const beforeLate = await rowIds(h, id);
    expect(await processing.annotate(id, 0)).toBe('skipped');
    expect(await processing.segment(id, 0)).toBe('skipped');
    // Nor does a stale validate read the file and write its objects again: the overview it would rewrite stays gone.
    const lodKey = (await h.db.stream.findFirstOrThrow({ where: { recordingId: id } })).lodKey!;
    const lod = await h.store.getBytes(lodKey);
    await h.store.delete(lodKey);
    expect(await processing.validate(id, 0)).toBe('skipped');
    expect(await h.store.size(lodKey)).toBeNull();
    await h.store.putBytes(lodKey, lod);
    expect(await rowIds(h, id)).toEqual(beforeLate);
    expect((await h.db.recording.findUniqueOrThrow({ where: { id } })).status).toBe('queued');

    expect(await processing.validate(id, 1)).toBe('done');
    expect(await processing.segment(id, 1)).toBe('done');
    const run1 = await rowIds(h, id);
    // Run 0's segment and annotate began before the reprocess and write only now: they change nothing.
    const drafts = run0Segments.map((s) => ({ kind: s.kind, stream: s.stream ?? '', startS: s.startS, endS: s.endS + 1, attributes: s.attributes as Record<string, number | string | boolean> }));
    expect(await recordings.replaceSegments(id, version, 0, drafts, { status: 'ok', checks: [] })).toBe(false);
    expect(await recordings.finishWithAnnotations(id, 0, version, [{ startS: 1, endS: 2, label: 'moving', confidence: 0.5, detector: 'late-run', detectorVersion: '0' }])).toBe(false);
    expect(await recordings.saveValidation(id, 0, {
      pipelineVersion: version, format: 'late-run', startTimeNs: null, originNs: 0n, durationS: 1, quality: { status: 'ok', checks: [] } as never,
      warnings: [], streams: [], imports: [{ label: 'late-run', startS: 0, endS: 1, origin: 'late-run' }], fileMetadata: {}, clock: 'relative', clockZone: null, clockZoneSource: null,
    })).toBe(false);
    expect(await rowIds(h, id)).toEqual(run1);
    const mid = await h.db.recording.findUniqueOrThrow({ where: { id } });
    expect([mid.processRun, mid.status, mid.completedStage]).toEqual([1, 'processing', 'segment']);

    expect(await processing.annotate(id, 1)).toBe('done');
    const done = await h.db.recording.findUniqueOrThrow({ where: { id } });
    expect([done.processRun, done.status]).toEqual([1, 'ready']);
    expect(await h.db.annotation.count({ where: { recordingId: id, detector: 'late-run' } })).toBe(0);
    expect(done.format).not.toBe('late-run');
    expectNoDuplicates(await results(h, id));
  });

  it('the Idempotency-Key answer: a key reused with other bytes is 422 even when those bytes are another upload\'s, and enqueues nothing', async () => {
    const a = motionCsv(2000);
    const b = motionCsv(2000);
    const first = await upload(h, study.participantToken, a, 'Accelerometer.csv', { idempotencyKey: 'guarantee-key-a' });
    const other = await upload(h, study.participantToken, b, 'Accelerometer.csv', { idempotencyKey: 'guarantee-key-b' });
    expect([first.status, other.status]).toEqual([201, 201]);
    const counts = async (): Promise<number[]> => [await h.db.upload.count(), await h.db.recording.count(), await h.db.outboxEvent.count()];
    const before = await counts();
    const objects = (await h.store.list(`raw/${study.studyId}/`)).sort();

    // Key a with b's bytes: not b's upload (a duplicate of its bytes), not a's: the key was used for other bytes.
    const reused = await upload(h, study.participantToken, b, 'Accelerometer.csv', { idempotencyKey: 'guarantee-key-a' });
    expect(reused.status).toBe(422);
    expect(reused.json.error.code).toBe('idempotency_key_reused');
    expect(reused.json.error.details.uploadId).toBe(first.json.upload.id);
    // Key a with new bytes.
    const fresh = await upload(h, study.participantToken, motionCsv(2000), 'Accelerometer.csv', { idempotencyKey: 'guarantee-key-a' });
    expect(fresh.status).toBe(422);
    expect(await counts()).toEqual(before);
    expect((await h.store.list(`raw/${study.studyId}/`)).sort()).toEqual(objects);
    // The same key with its own bytes is still the first upload.
    const same = await upload(h, study.participantToken, a, 'Accelerometer.csv', { idempotencyKey: 'guarantee-key-a' });
    expect([same.status, same.json.recording.id]).toEqual([200, first.json.recording.id]);
  });
});

describe('guarantees: the outbox delivers each row once, and a row delivered twice is one processing run', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let queues: Record<Step, Queue>;
  const relays: { relay: OutboxRelay; flows: RecordingFlows; redis: Redis }[] = [];

  /** A relay of its own (another API process): the real OutboxRelay on the harness's database and queues. */
  function ownRelay(): OutboxRelay {
    const redis = createProducerRedis(h.env.REDIS_URL!);
    const flows = new RecordingFlows(redis, h.env.QUEUE_PREFIX!, { attempts: 3, backoffMs: 200 });
    const relay = new OutboxRelay(new OutboxRepository(h.db), flows, silent, 3_600_000);
    relays.push({ relay, flows, redis });
    return relay;
  }

  /** Commits uploads as the ingest use case does (object, then upload + recording + outbox row), without waking a relay. */
  async function commitUploads(n: number): Promise<string[]> {
    const uploads = new UploadsRepository(h.db);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const uploadId = newId('upl');
      const bytes = motionCsv(3000);
      const objectKey = keys.rawUpload(study.studyId, study.participantId, uploadId);
      await h.store.putBytes(objectKey, bytes, 'text/csv');
      const recordingId = newId('rec');
      const created = await uploads.createWithRecording({
        id: uploadId, recordingId, studyId: study.studyId, participantId: study.participantId, filename: 'Accelerometer.csv',
        bytes: bytes.length, sha256: randomBytes(32).toString('hex'), contentType: 'text/csv', objectKey, idempotencyKey: null,
        metadata: null, device: null, timezone: null,
      });
      expect(created).not.toBeNull();
      ids.push(recordingId);
    }
    return ids;
  }

  beforeAll(async () => {
    // The API's own relay polls once an hour here: the test's relays are the ones that deliver.
    h = await startHarness({ workers: false, env: { OUTBOX_POLL_MS: '3600000' } });
    study = await seedStudy(h);
    queues = stepQueues(h);
  });
  afterAll(async () => {
    for (const r of relays) {
      await r.relay.stop();
      await r.flows.close();
      r.redis.disconnect();
    }
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await h.close();
  });

  it('two relays draining at once publish each row once (one attempt per row), and every recording is processed once', async () => {
    const ids = await commitUploads(12);
    const [a, b] = [ownRelay(), ownRelay()];
    a.wake();
    b.wake();
    await until('every row published', async () => (await h.db.outboxEvent.count({ where: { publishedAt: null } })) === 0);
    await a.stop();
    await b.stop();
    const rows = await h.db.outboxEvent.findMany({ select: { attempts: true, lastError: true } });
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => [r.attempts, r.lastError])).toEqual(rows.map(() => [1, null]));
    // Redis saw each flow added once: a second add would be a `duplicated` event on the step's stream.
    const events = new Redis(h.env.REDIS_URL!);
    for (const step of STEPS) {
      const stream = await events.xrange(`${h.env.QUEUE_PREFIX}:${step}:events`, '-', '+');
      expect(stream.filter(([, fields]) => fields.includes('duplicated')), step).toEqual([]);
    }
    events.disconnect();

    await h.startWorkers();
    for (const id of ids) expect((await waitForRecording(h, h.adminToken, id)).status).toBe('ready');
    for (const id of ids) {
      expect((await jobsOf(queues.validate, id)).map((j) => [j.id, j.returnvalue])).toEqual([[`${id}-0-validate`, 'done']]);
      const r = await results(h, id);
      expect(r.streams).toHaveLength(1);
      expectNoDuplicates(r);
    }
    await h.stopWorkers();
  });

  it('a publish that reached Redis but was never marked (its answer lost) is delivered again, and is still one processing run', async () => {
    const [id] = await commitUploads(1);
    const outbox = new OutboxRepository(h.db);
    const redis = createProducerRedis(h.env.REDIS_URL!);
    const flows = new RecordingFlows(redis, h.env.QUEUE_PREFIX!, { attempts: 3, backoffMs: 200 });
    relays.push({ relay: new OutboxRelay(outbox, flows, silent, 3_600_000), flows, redis });
    // The flow is added, then the relay loses the answer: the row stays unpublished, with its error noted.
    const lost = await outbox.drain(10, async (row) => {
      await flows.addProcessFlow(row.payload as { recordingId: string; run: number });
      throw new Error('connection reset after the flow was added');
    });
    expect([lost.published, lost.failed]).toEqual([0, 1]);
    expect(await h.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(1);

    const relay = ownRelay();
    relay.wake();
    await until('the row published on its second delivery', async () => (await h.db.outboxEvent.count({ where: { publishedAt: null } })) === 0);
    await relay.stop();
    for (const step of STEPS) expect((await jobsOf(queues[step], id!)).map((j) => j.id), step).toEqual([`${id}-0-${step}`]);

    await h.startWorkers();
    expect((await waitForRecording(h, h.adminToken, id!)).status).toBe('ready');
    await until('align to finish', async () => (await jobsOf(queues.align, id!)).every((j) => j.state === 'completed'));
    for (const step of STEPS) expect((await jobsOf(queues[step], id!)).map((j) => j.returnvalue), step).toEqual(['done']);
    const r = await results(h, id!);
    expect(r.streams).toHaveLength(1);
    expectNoDuplicates(r);
  });
});

describe('guarantees: a failed align leaves the recording ready', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let queues: Record<Step, Queue>;

  beforeAll(async () => {
    h = await startHarness({ env: { JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '100' } });
    study = await seedStudy(h);
    queues = stepQueues(h);
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await h.close();
  });

  it('align that cannot read an overlapping recording\'s summary is retried, then fails alone: ready, no error, no alignment', async () => {
    const start = 1_790_000_000_000_000_000n;
    const csv = (startNs: bigint): Uint8Array => new TextEncoder().encode(sensorLoggerCsv({ rows: 30_000, rateHz: 100, startNs, value: motion }));
    const a = await upload(h, study.participantToken, csv(start), 'Accelerometer.csv');
    const aId: string = a.json.recording.id;
    expect((await waitForRecording(h, h.adminToken, aId)).status).toBe('ready');
    await until('a\'s align to finish', async () => (await jobsOf(queues.align, aId)).every((j) => j.state === 'completed'));
    // The overlapping recording's stored summary is broken: the alignment input of the next upload.
    const summaryKey = (await h.db.stream.findFirstOrThrow({ where: { recordingId: aId } })).summaryKey;
    await h.store.putBytes(summaryKey, new TextEncoder().encode('{"broken": '), 'application/json');

    const b = await upload(h, study.participantToken, csv(start + 60_000_000_000n), 'Accelerometer.csv');
    const bId: string = b.json.recording.id;
    const rec = await waitForRecording(h, h.adminToken, bId);
    expect(rec.status).toBe('ready');
    const job = await until('b\'s align to fail', async () => (await jobsOf(queues.align, bId)).find((j) => j.state === 'failed'));
    expect(job.attemptsMade).toBe(3);
    // The worker handles a failure after BullMQ records it: a recording processed after that, from upload to
    // align, is past any write that the failure's handling made.
    const c = await upload(h, study.participantToken, csv(start + 30n * 86_400_000_000_000n), 'Accelerometer.csv');
    expect((await waitForRecording(h, h.adminToken, c.json.recording.id)).status).toBe('ready');
    await until('c\'s align to finish', async () => (await jobsOf(queues.align, c.json.recording.id)).every((j) => j.state === 'completed'));
    const after = await call(h, h.adminToken, 'GET', `/v1/recordings/${bId}`);
    expect([after.json.status, after.json.error]).toEqual(['ready', undefined]);
    expect((await call(h, h.adminToken, 'GET', `/v1/recordings/${bId}/alignments`)).json.items).toEqual([]);
    expect(await h.db.recordingAlignment.count()).toBe(0);
  });
});

/**
 * A loopback proxy in front of the object store that forwards everything until it sees the k-th request
 * matching a pattern, then holds that connection (nothing more passes either way): the worker that sent it
 * waits inside its step, at a point the test chose, until it is killed.
 */
class HoldingProxy {
  private held = false;
  private seen = 0;
  private readonly sockets = new Set<net.Socket>();
  private onHold: (() => void) | undefined;
  readonly reached: Promise<void>;

  private constructor(private readonly server: net.Server, readonly url: string, pattern: RegExp, nth: number) {
    this.reached = new Promise((resolve) => { this.onHold = resolve; });
    server.on('connection', (client) => {
      const target = new URL(inject('s3Endpoint'));
      const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
      this.sockets.add(client).add(upstream);
      const drop = (): void => { client.destroy(); upstream.destroy(); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.on('data', (chunk: Buffer) => {
        if (this.held) return;
        if (pattern.test(chunk.toString('latin1')) && ++this.seen === nth) {
          this.held = true;
          this.onHold?.();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => { if (!this.held) client.write(chunk); });
    });
  }

  static async start(pattern: RegExp, nth: number): Promise<HoldingProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new HoldingProxy(server, `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, pattern, nth);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('guarantees: a worker killed inside segment, annotate or align', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let queues: Record<Step, Queue>;
  let control: Awaited<ReturnType<typeof results>>;
  const csv = (startNs: bigint): Uint8Array => new TextEncoder().encode(sensorLoggerCsv({ rows: 60_000, rateHz: 100, startNs, value: motion }));
  /** Without the ids, the keys and the stream rows' objects: what two recordings of the same signal share. */
  const shape = (r: Awaited<ReturnType<typeof results>>): object => ({ streams: r.streams.length, segments: r.segments, annotations: r.annotations });

  beforeAll(async () => {
    // Short locks: the restarted worker takes over the killed worker's job within seconds.
    h = await startHarness({ workers: false, env: { JOB_LOCK_MS: '3000', JOB_STALLED_INTERVAL_MS: '1000', WORKER_CONCURRENCY: '1' } });
    study = await seedStudy(h);
    queues = stepQueues(h);
    // The control: the same signal processed without a kill (another day, so it overlaps none of the others).
    await h.startWorkers();
    const up = await upload(h, study.participantToken, csv(1_800_000_000_000_000_000n), 'Accelerometer.csv');
    expect((await waitForRecording(h, h.adminToken, up.json.recording.id)).status).toBe('ready');
    control = await results(h, up.json.recording.id);
    await h.stopWorkers();
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await h.close();
  });

  // Segment begins by reading the stream's summary, annotate by reading the detectors' findings, align by
  // reading the summary again: the k-th of these reads is inside step k.
  const cases = [
    { step: 'segment', nth: 1, stage: 'segment', completed: 'validate', status: 'processing' },
    { step: 'annotate', nth: 2, stage: 'annotate', completed: 'segment', status: 'processing' },
    { step: 'align', nth: 3, stage: null, completed: 'annotate', status: 'ready' },
  ] as const;
  for (const [i, c] of cases.entries()) {
    it(`SIGKILL inside ${c.step}: after a restart the recording ends ready, its results those of a run that was never killed`, async () => {
      const startNs = 1_800_000_000_000_000_000n + BigInt(i + 1) * 86_400_000_000_000n;
      const bytes = csv(startNs);
      // The upload is committed before the workers start: its recording id is known to the proxy's pattern.
      const up = await upload(h, study.participantToken, bytes, 'Accelerometer.csv');
      const recId: string = up.json.recording.id;
      const proxy = await HoldingProxy.start(new RegExp(`^GET [^ ]*/derived/${recId}/[^ ]*(\\.summary|/detections)\\.json`, 'm'), c.nth);
      try {
        await h.startWorkers({ S3_ENDPOINT: proxy.url });
        await proxy.reached;
        const mid = await h.db.recording.findUniqueOrThrow({ where: { id: recId }, select: { status: true, stage: true, completedStage: true } });
        expect(mid).toEqual({ status: c.status, stage: c.stage, completedStage: c.completed });
        expect((await jobsOf(queues[c.step], recId)).map((j) => j.state)).toEqual(['active']);
        await h.stopWorkers('SIGKILL');
      } finally {
        await proxy.close();
      }

      await h.startWorkers();
      expect((await waitForRecording(h, h.adminToken, recId, { timeoutMs: 60_000 })).status).toBe('ready');
      await until('align to finish', async () => (await jobsOf(queues.align, recId)).every((j) => j.state === 'completed'));
      for (const step of STEPS) expect((await jobsOf(queues[step], recId)).map((j) => [j.state, j.returnvalue]), step).toEqual([['completed', 'done']]);
      const r = await results(h, recId);
      expectNoDuplicates(r);
      expect(shape(r)).toEqual(shape(control));
      await h.stopWorkers();
    });
  }
});
