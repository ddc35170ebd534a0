import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, fixture, seedStudy, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';
import { createDb } from '../../src/repositories/db.js';
import { ObjectStore } from '../../src/storage/object-store.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** The samples of a Prometheus text exposition (enough of the format for prom-client's output). */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseExposition(await res.text());
}

/** The value of the one sample with this name and (at least) these labels; undefined when there is none. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(found.length, `${name}${JSON.stringify(labels)} matches ${found.length} samples`).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

/** Polls until `check` passes (it throws while it does not), or throws its last failure at the deadline. */
async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

type LogLine = Record<string, any>;
function jsonLines(chunks: string[]): LogLine[] {
  return chunks.join('').split('\n').flatMap((l) => {
    try {
      return l.startsWith('{') ? [JSON.parse(l) as LogLine] : [];
    } catch {
      return [];
    }
  });
}

describe('metrics of the whole pipeline, and logs that follow an upload from the request to the workers', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  const apiLog: string[] = [];
  const bytes = fixture('fsdd-free-spoken-digit/0_jackson_0.wav');
  const requestId = `metrics-upload-${randomBytes(4).toString('hex')}`;
  let recordingId: string;
  let uploadId: string;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    h = await startHarness({ workers: false, env: { LOG_LEVEL: 'info' }, apiLog: { write: (line: string) => { apiLog.push(line); } } });
    await h.startWorkers({}, { captureStdout: true });
    const port = h.workersReady?.metricsPort;
    expect(port, 'the workers name their metrics port in their ready message').toBeGreaterThan(0);
    workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    study = await seedStudy(h);

    const up = await upload(h, study.participantToken, bytes, '0_jackson_0.wav', { requestId });
    expect(up.status, JSON.stringify(up.json)).toBe(201);
    recordingId = up.json.recording.id;
    uploadId = up.json.upload.id;
    const rec = await waitForRecording(h, study.participantToken, recordingId);
    expect(rec.status).toBe('ready');
  });
  afterAll(async () => {
    await h.close();
  });

  it('the API counts uploads by outcome (created, duplicate, rejected) and the bytes of the committed one', async () => {
    const again = await upload(h, study.participantToken, bytes, 'again.wav');
    expect(again.status).toBe(200);
    const empty = await upload(h, study.participantToken, new Uint8Array(0), 'empty.wav');
    expect(empty.status).toBe(422);
    const notMultipart = await fetch(`${h.baseUrl}/v1/uploads`, {
      method: 'POST', headers: { authorization: `Bearer ${study.participantToken}`, 'content-type': 'application/octet-stream' }, body: bytes,
    });
    expect(notMultipart.status).toBe(415);

    await eventually(async () => {
      const api = await scrape(`${h.baseUrl}/metrics`);
      expect(value(api, 'fieldsense_uploads_total', { outcome: 'created' })).toBe(1);
      expect(value(api, 'fieldsense_uploads_total', { outcome: 'duplicate' })).toBe(1);
      expect(value(api, 'fieldsense_uploads_total', { outcome: 'rejected' })).toBe(2);
      expect(value(api, 'fieldsense_upload_bytes_total')).toBe(bytes.length);
      expect(value(api, 'fieldsense_http_request_duration_seconds_count', { method: 'POST', route: '/v1/uploads', status: '201' })).toBe(1);
      // Every row was published by now; the age of the oldest waiting one is 0 when none waits.
      expect(value(api, 'fieldsense_outbox_pending')).toBe(0);
      expect(value(api, 'fieldsense_outbox_oldest_age_seconds')).toBe(0);
    });
  });

  it('the workers serve step durations, attempts, queue depths and recordings by status', async () => {
    const worker = await eventually(async () => {
      const s = await scrape(workerMetricsUrl);
      for (const step of ['validate', 'segment', 'annotate']) {
        expect(value(s, 'fieldsense_step_duration_seconds_count', { step, outcome: 'done' }), step).toBeGreaterThanOrEqual(1);
        expect(value(s, 'fieldsense_step_attempts_total', { step }), step).toBeGreaterThanOrEqual(1);
      }
      return s;
    });
    for (const queue of ['validate', 'segment', 'annotate', 'align']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
        expect(value(worker, 'fieldsense_queue_jobs', { queue, state }), `${queue} ${state}`).toBeGreaterThanOrEqual(0);
      }
    }
    expect(value(worker, 'fieldsense_queue_jobs', { queue: 'validate', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(value(worker, 'fieldsense_recordings', { status: 'ready' })).toBeGreaterThanOrEqual(1);
    expect(value(worker, 'fieldsense_recordings', { status: 'failed' })).toBe(0);
    // The default Node metrics carry the project's prefix too.
    expect(value(worker, 'fieldsense_process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('a file that cannot be read counts as a rejected validate step, by its code', async () => {
    const up = await upload(h, study.participantToken, new TextEncoder().encode(`not a recording ${randomBytes(8).toString('hex')}\n`), 'junk.bin');
    expect(up.status).toBe(201);
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
    expect(rec.status).toBe('rejected');
    await eventually(async () => {
      const s = await scrape(workerMetricsUrl);
      expect(value(s, 'fieldsense_step_failures_total', { step: 'validate', code: rec.error.code })).toBe(1);
      expect(value(s, 'fieldsense_step_duration_seconds_count', { step: 'validate', outcome: 'rejected' })).toBe(1);
      expect(value(s, 'fieldsense_recordings', { status: 'rejected' })).toBe(1);
      // The steps after it fail for its failure (BullMQ fails them unrun): the one failure is counted once.
      expect(value(s, 'fieldsense_step_failures_total', { step: 'segment' })).toBeUndefined();
    });
    const lines = await eventually(() => {
      const found = jsonLines(h.workerStdout).filter((l) => l.recordingId === up.json.recording.id && l.msg === 'step ended without retry');
      expect(found.map((l) => l.step).sort()).toEqual(['align', 'annotate', 'segment', 'validate']);
      return found;
    });
    expect(lines.find((l) => l.step === 'validate')).toMatchObject({ code: rec.error.code, outcome: 'rejected', ms: expect.any(Number) });
    expect(lines.find((l) => l.step === 'segment')).toMatchObject({ code: 'child_failed', outcome: 'rejected' });
  });

  it('the API logs one line per request at info, naming the upload and recording; the workers name the request on every line of that recording', async () => {
    const apiLines = jsonLines(apiLog).filter((l) => l.requestId === requestId);
    expect(apiLines.filter((l) => l.msg === 'request')).toEqual([
      expect.objectContaining({ level: 30, method: 'POST', route: '/v1/uploads', status: 201, uploadId, recordingId, ms: expect.any(Number) }),
    ]);
    // A read of that recording names it too (from the route's parameters).
    const read = jsonLines(apiLog).find((l) => l.msg === 'request' && l.route === '/v1/recordings/:recordingId' && l.recordingId === recordingId);
    expect(read).toMatchObject({ method: 'GET', status: 200 });

    const steps = await eventually(() => {
      const lines = jsonLines(h.workerStdout).filter((l) => l.recordingId === recordingId);
      const finished = lines.filter((l) => l.msg === 'step finished');
      expect(finished.map((l) => l.step).sort()).toEqual(['align', 'annotate', 'segment', 'validate']);
      return { lines, finished };
    });
    for (const l of steps.finished) {
      expect(l).toMatchObject({ level: 30, requestId, run: 0, outcome: 'done', jobId: `${recordingId}-0-${l.step}`, attempt: 1 });
      expect(l.ms).toEqual(expect.any(Number));
    }
    expect(steps.lines.every((l) => l.requestId === requestId), 'every worker line of the recording names the request').toBe(true);
  });

  it('a reprocess request carries its own request id into the new run\'s jobs', async () => {
    const reprocessId = `metrics-reprocess-${randomBytes(4).toString('hex')}`;
    const res = await fetch(`${h.baseUrl}/v1/recordings/${recordingId}/reprocess`, { method: 'POST', headers: { authorization: `Bearer ${h.adminToken}`, 'x-request-id': reprocessId } });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe(reprocessId);
    await eventually(() => {
      const finished = jsonLines(h.workerStdout).filter((l) => l.recordingId === recordingId && l.run === 1 && l.msg === 'step finished');
      expect(finished.map((l) => l.step).sort()).toEqual(['align', 'annotate', 'segment', 'validate']);
      for (const l of finished) expect(l).toMatchObject({ requestId: reprocessId, ms: expect.any(Number) });
    }, 60_000);
    const line = jsonLines(apiLog).find((l) => l.requestId === reprocessId && l.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', route: '/v1/recordings/:recordingId/reprocess', status: 202, recordingId });
    // The new run's row and jobs were counted: both runs' steps are in the histogram now.
    const s = await scrape(workerMetricsUrl);
    expect(value(s, 'fieldsense_step_duration_seconds_count', { step: 'annotate', outcome: 'done' })).toBeGreaterThanOrEqual(2);
  });

  it('failed calls to the object store and the database are counted by operation and kind; answers are not', async () => {
    const failures: string[] = [];
    const down = new ObjectStore({ ...h.config.s3, endpoint: 'http://127.0.0.1:9', onFailure: (op, kind) => failures.push(`${op} ${kind}`) });
    await expect(down.ping()).rejects.toThrow();
    down.destroy();
    expect(failures).toEqual(['HeadBucket ECONNREFUSED']);

    failures.length = 0;
    const store = new ObjectStore({ ...h.config.s3, onFailure: (op, kind) => failures.push(`${op} ${kind}`) });
    expect(await store.size('no/such/object')).toBeNull();
    expect(failures, 'a HEAD that finds nothing is an answer').toEqual([]);
    await expect(store.getBytes('no/such/object')).rejects.toThrow();
    expect(failures).toEqual(['GetObject NoSuchKey']);
    store.destroy();

    failures.length = 0;
    const db = createDb(h.config.databaseUrl, { poolMax: 1, onFailure: (op, kind) => failures.push(`${op} ${kind}`) });
    try {
      const up = await db.upload.findFirstOrThrow({ select: { id: true, studyId: true, participantId: true, sha256: true, objectKey: true } });
      // A unique violation is an answer ("it exists already") that the repositories act on.
      await expect(db.upload.create({ data: { id: `upl_${randomBytes(6).toString('hex')}`, studyId: up.studyId, participantId: up.participantId, filename: 'x', bytes: 1n, sha256: up.sha256, objectKey: up.objectKey } })).rejects.toThrow();
      expect(failures).toEqual([]);
      await expect(db.$queryRawUnsafe('SELECT * FROM "NoSuchTable"')).rejects.toThrow();
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatch(/^\$queryRawUnsafe \S+$/);
    } finally {
      await db.$disconnect();
    }

    // The processes count theirs into fieldsense_dependency_errors_total: the series is declared on both.
    const api = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const worker = await (await fetch(workerMetricsUrl)).text();
    expect(api).toContain('# TYPE fieldsense_dependency_errors_total counter');
    expect(worker).toContain('# TYPE fieldsense_dependency_errors_total counter');
  });

  // The row it leaves behind blocks the outbox for the rest of this file: no upload after this one.
  it('the outbox gauges show a row the relay cannot publish, and how long it has waited', async () => {
    await h.db.outboxEvent.create({ data: { jobName: 'test.unpublishable', jobId: 'metrics-test', payload: {}, createdAt: new Date(Date.now() - 90_000) } });
    await eventually(async () => {
      const api = await scrape(`${h.baseUrl}/metrics`);
      expect(value(api, 'fieldsense_outbox_pending')).toBe(1);
      expect(value(api, 'fieldsense_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(90);
      expect(value(api, 'fieldsense_outbox_oldest_age_seconds')).toBeLessThan(200);
    });
    // The relay did try it (and keeps it, as it would while Redis is down).
    await eventually(async () => expect((await h.db.outboxEvent.findFirstOrThrow({ where: { jobId: 'metrics-test' } })).lastError).toMatch(/unknown outbox event/));
  });

  it('the workers\' endpoint serves only /metrics', async () => {
    const res = await fetch(workerMetricsUrl.replace('/metrics', '/other'));
    expect(res.status).toBe(404);
    await res.arrayBuffer();
    const probe = await call(h, h.adminToken, 'GET', '/healthz');
    expect(probe.status).toBe(200);
  });
});
