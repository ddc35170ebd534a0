import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { expect, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { callApi, type ApiAnswer } from '../../src/lib/api-client.js';
import { createLogger, type DestinationStream } from '../../src/lib/logger.js';
import { startApi } from '../../src/main/api.js';
import { TSX_NODE_ARGS } from '../../src/main/child-process-args.js';
import { createDb, disconnectDb, type Db } from '../../src/repositories/db.js';
import { createDatabaseFromTemplate, dropDatabase } from '../../src/repositories/bootstrap.js';
import { ObjectStore } from '../../src/storage/object-store.js';
import { expectMatchesContract } from './contract.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SHARED_FIXTURES = path.resolve(ROOT, '../shared/fixtures/real');

export interface Harness {
  config: Config;
  env: Record<string, string>;
  baseUrl: string;
  adminToken: string;
  db: Db;
  store: ObjectStore;
  /**
   * Starts the workers (a child process). With `captureStdout`, their stdout (pino JSON lines) is kept in
   * `workerStdout` instead of shown.
   */
  startWorkers(extraEnv?: Record<string, string>, opts?: { captureStdout?: boolean }): Promise<ChildProcess>;
  /** The first IPC message of the running workers: `{ type: 'ready', metricsPort }`. */
  workersReady: { type?: string; metricsPort?: number | null } | undefined;
  /** What the workers wrote to stdout, when started with `captureStdout`. */
  workerStdout: string[];
  stopWorkers(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real FieldSense for one test file: the API in this process on a spare port, workers as a child
 * process (as `npm start` runs them), the run's PostgreSQL schema, the run's S3 server with a bucket of
 * this file's own, and a queue prefix of its own on Redis.
 */
export async function startHarness(opts: {
  redisUrl?: string; workers?: boolean; env?: Record<string, string>; apiLog?: DestinationStream;
  /** The API and the workers reach PostgreSQL through this address (a TcpProxy a fault test can cut); `h.db` does not. */
  databaseVia?: { host: string; port: number };
} = {}): Promise<Harness> {
  const id = randomBytes(4).toString('hex');
  const adminToken = `fsa_test_${randomBytes(16).toString('hex')}`;
  const template = inject('databaseUrl');
  const databaseUrl = await createDatabaseFromTemplate(template, `${new URL(template).pathname.slice(1)}_${id}`);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: opts.databaseVia ? viaAddress(databaseUrl, opts.databaseVia) : databaseUrl,
    REDIS_URL: opts.redisUrl ?? inject('redisUrl'),
    QUEUE_PREFIX: `fstest-${id}`,
    S3_ENDPOINT: inject('s3Endpoint'),
    S3_BUCKET: `fs-test-${id}`,
    ADMIN_TOKEN: adminToken,
    PORT: '0',
    JOB_BACKOFF_MS: '200',
    OUTBOX_POLL_MS: '200',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WORKER_METRICS_PORT: '0',
    ...opts.env,
  };
  const config = loadConfig(env);
  const log = createLogger(config.logLevel, 'test-api', opts.apiLog ? { destination: opts.apiLog } : {});
  const api = await startApi(config, log, adminToken);
  const db = createDb(databaseUrl, { poolMax: 3 });
  const store = new ObjectStore({ ...config.s3 });
  let workers: ChildProcess | undefined;

  const h: Harness = {
    config,
    env,
    baseUrl: `http://127.0.0.1:${api.port}`,
    adminToken,
    db,
    store,
    workersReady: undefined,
    workerStdout: [],
    async startWorkers(extraEnv = {}, startOpts = {}) {
      const child = fork(path.join(ROOT, 'workers/main.ts'), [], {
        cwd: ROOT,
        execArgv: [...TSX_NODE_ARGS],
        env: { ...process.env, ...env, ...extraEnv },
        stdio: ['ignore', startOpts.captureStdout ? 'pipe' : 'inherit', 'inherit', 'ipc'],
      });
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => h.workerStdout.push(chunk));
      h.workersReady = await new Promise<Harness['workersReady']>((resolve, reject) => {
        child.once('message', (m) => resolve(m as Harness['workersReady']));
        child.once('exit', (code) => reject(new Error(`workers exited with ${code} while starting`)));
      });
      workers = child;
      return child;
    },
    async stopWorkers(signal = 'SIGTERM') {
      const w = workers;
      workers = undefined;
      if (!w || w.exitCode !== null || w.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.kill(signal);
      // A graceful close waits for running jobs; past 15 s the test has no use for it.
      const t = setTimeout(() => w.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
    async close() {
      await h.stopWorkers();
      await api.close();
      await disconnectDb(db);
      store.destroy();
      await dropDatabase(databaseUrl);
    },
  };
  if (opts.workers !== false) await h.startWorkers();
  return h;
}

/** Calls the API with a token; JSON in and out. The answer must match what /v1/openapi.json declares for it. */
export async function call(h: Harness, token: string, method: string, p: string, body?: unknown): Promise<ApiAnswer & { json: any }> {
  const answer = await callApi(h.baseUrl, token, method, p, body);
  await expectMatchesContract(h, method, p, answer.status, answer.json, answer.headers.get('content-type'));
  return answer;
}

/** Uploads bytes as the `file` part of a multipart form; the answer must match what /v1/openapi.json declares. */
export async function upload(h: Harness, token: string, bytes: Uint8Array, filename: string, opts: { idempotencyKey?: string; metadata?: unknown; requestId?: string } = {}): Promise<{ status: number; json: any }> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), filename);
  if (opts.metadata !== undefined) form.append('metadata', JSON.stringify(opts.metadata));
  const res = await fetch(`${h.baseUrl}/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}), ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}) },
    body: form,
  });
  const json = (await res.json()) as any;
  await expectMatchesContract(h, 'POST', '/v1/uploads', res.status, json, res.headers.get('content-type'));
  return { status: res.status, json };
}

function viaAddress(url: string, via: { host: string; port: number }): string {
  const u = new URL(url);
  u.hostname = via.host;
  u.port = String(via.port);
  return u.toString();
}

/**
 * Streams a multipart upload whose body pauses halfway until `midway()` has run: a request that is still in
 * flight while the test acts (stops a service, sends a second request). The answer must match the contract.
 */
export async function uploadWithPause(h: Harness, token: string, bytes: Uint8Array, filename: string, midway: () => Promise<void>, opts: { idempotencyKey?: string } = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const boundary = '----fieldsense-fault-test';
  const enc = new TextEncoder();
  const head = enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`);
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(bytes.length / 2);
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step === 0) controller.enqueue(head);
      else if (step === 1) controller.enqueue(bytes.subarray(0, half));
      else if (step === 2) {
        await midway();
        controller.enqueue(bytes.subarray(half));
      } else if (step === 3) controller.enqueue(tail);
      else controller.close();
      step++;
    },
  });
  const res = await fetch(`${h.baseUrl}/v1/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
    },
    body,
    duplex: 'half',
  });
  const json = (await res.json()) as any;
  await expectMatchesContract(h, 'POST', '/v1/uploads', res.status, json, res.headers.get('content-type'));
  return { status: res.status, json, headers: res.headers };
}

/** A study with one participant and one annotator. */
export async function seedStudy(h: Harness, labels: { name: string }[] = [{ name: 'handwashing' }, { name: 'walking' }]): Promise<{
  studyId: string; participantId: string; participantToken: string; annotatorId: string; annotatorToken: string;
}> {
  const slug = `s-${randomBytes(5).toString('hex')}`;
  const s = await call(h, h.adminToken, 'POST', '/v1/studies', { slug, name: `Study ${slug}`, labels });
  if (s.status !== 201) throw new Error(`study: ${s.status} ${JSON.stringify(s.json)}`);
  const p = await call(h, h.adminToken, 'POST', `/v1/studies/${s.json.id}/participants`, { code: 'P001' });
  const a = await call(h, h.adminToken, 'POST', `/v1/studies/${s.json.id}/annotators`, { name: 'Ana' });
  return { studyId: s.json.id, participantId: p.json.participant.id, participantToken: p.json.token, annotatorId: a.json.annotator.id, annotatorToken: a.json.token };
}

/** Polls a recording until it leaves queued/processing (or the deadline passes; the test then fails on status). */
export async function waitForRecording(h: Harness, token: string, recordingId: string, opts: { timeoutMs?: number; until?: (r: any) => boolean } = {}): Promise<any> {
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  const until = opts.until ?? ((r: any) => !['queued', 'processing'].includes(r.status));
  let last: any;
  while (Date.now() < deadline) {
    const r = await call(h, token, 'GET', `/v1/recordings/${recordingId}`);
    last = r.json;
    if (r.status === 200 && until(r.json)) return r.json;
    await new Promise((res) => setTimeout(res, 200));
  }
  return last;
}

/** A Sensor Logger-style CSV: `time,seconds_elapsed,z,y,x`, nanosecond epoch times. */
export function sensorLoggerCsv(opts: { rows: number; rateHz: number; startNs?: bigint; value?: (i: number) => [number, number, number] }): string {
  const start = opts.startNs ?? 1_700_000_000_123_456_789n;
  const step = BigInt(Math.round(1e9 / opts.rateHz));
  const lines = ['time,seconds_elapsed,z,y,x'];
  for (let i = 0; i < opts.rows; i++) {
    const [x, y, z] = opts.value ? opts.value(i) : [0.01 * Math.sin(i), 0.02 * Math.cos(i), 9.81];
    lines.push(`${start + BigInt(i) * step},${(i / opts.rateHz).toFixed(6)},${z.toFixed(6)},${y.toFixed(6)},${x.toFixed(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A file from test/fixtures (real recordings copied with their licences). */
export function fixture(p: string): Buffer {
  return readFileSync(path.join(ROOT, 'test/fixtures', p));
}

/** Uploads, waits, and gives the finished recording, which must be `ready`. */
export async function ingestReady(h: Harness, token: string, bytes: Uint8Array, filename: string): Promise<any> {
  const up = await upload(h, token, bytes, filename);
  expect(up.status, JSON.stringify(up.json)).toBe(201);
  const rec = await waitForRecording(h, token, up.json.recording.id, { timeoutMs: 120_000 });
  expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
  return rec;
}
