import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { callApi } from '../../src/lib/api-client.js';
import { createLogger } from '../../src/lib/logger.js';
import { startApi, type RunningApi } from '../../src/main/api.js';
import { dropDatabase } from '../../src/repositories/bootstrap.js';
import { sensorLoggerCsv } from '../helpers/harness.js';
import { freshDatabase } from '../helpers/launcher.js';

/** The API's graceful stop (what SIGTERM to its process runs): a deadline for requests in flight, 503 for new ones. */
interface Answer { status?: number; headers?: http.IncomingHttpHeaders; json?: any; error?: Error }

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function api(): Promise<{ api: RunningApi; port: number; participantToken: string }> {
  const id = randomBytes(4).toString('hex');
  const databaseUrl = await freshDatabase();
  cleanup.push(() => dropDatabase(databaseUrl));
  const adminToken = `fsa_test_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: `fsstop-${id}`,
    S3_ENDPOINT: inject('s3Endpoint'), S3_BUCKET: `fs-stop-${id}`, PORT: '0', LOG_LEVEL: 'silent',
  });
  const running = await startApi(config, createLogger('silent'), adminToken);
  cleanup.push(() => running.close({ deadlineMs: 0 }));
  const base = `http://127.0.0.1:${running.port}`;
  const study = await callApi(base, adminToken, 'POST', '/v1/studies', { slug: `stop-${id}`, name: 'Stop' });
  const p = await callApi(base, adminToken, 'POST', `/v1/studies/${(study.json as { id: string }).id}/participants`, { code: 'P001' });
  return { api: running, port: running.port, participantToken: (p.json as { token: string }).token };
}

/** A request on a connection of its own (no pooled socket the server may have closed). */
function request(port: number, opts: http.RequestOptions, body: 'none' | 'streamed' = 'none'): { req: http.ClientRequest; answer: Promise<Answer> } {
  const req = http.request({ host: '127.0.0.1', port, agent: false, ...opts });
  if (body === 'none') req.end();
  const answer = new Promise<Answer>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : null }));
      res.on('error', (error) => resolve({ error }));
    });
    req.on('error', (error) => resolve({ error }));
  });
  return { req, answer };
}

/** An upload whose body is sent in two halves: the test decides when the second goes. */
function slowUpload(port: number, token: string): { answer: Promise<Answer>; finish: () => void } {
  const boundary = `b${randomBytes(8).toString('hex')}`;
  const csv = sensorLoggerCsv({ rows: 2000, rateHz: 100 });
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Accelerometer.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const half = Math.floor(csv.length / 2);
  const { req, answer } = request(port, {
    method: 'POST', path: '/v1/uploads',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': Buffer.byteLength(head + csv + tail) },
  }, 'streamed');
  req.write(head + csv.slice(0, half));
  return { answer, finish: () => req.end(csv.slice(half) + tail) };
}

describe('the API stopping', () => {
  it('answers new requests 503 server_shutdown while an upload in flight completes, then stops listening', async () => {
    const { api: running, port, participantToken } = await api();
    const arrived = once(running.server, 'request');
    const upload = slowUpload(port, participantToken);
    await arrived;
    const closing = running.close({ deadlineMs: 60_000 });

    const refused = await request(port, { method: 'GET', path: '/v1/uploads/upl_nothing', headers: { authorization: `Bearer ${participantToken}` } }).answer;
    expect(refused.status).toBe(503);
    expect(refused.json).toEqual({ error: { code: 'server_shutdown', message: expect.stringContaining('shutting down') } });
    expect(refused.headers?.['retry-after']).toBe('5');
    expect(refused.headers?.connection).toBe('close');
    expect((await request(port, { method: 'GET', path: '/readyz' }).answer).status).toBe(503);

    upload.finish();
    const done = await upload.answer;
    expect(done.status, JSON.stringify(done.json ?? done.error?.message)).toBe(201);
    expect(done.json.recording.id).toMatch(/^rec_/);
    await closing;
    expect((await request(port, { method: 'GET', path: '/healthz' }).answer).error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('past the deadline, a request still in flight has its connection closed and the API stops', async () => {
    const { api: running, port, participantToken } = await api();
    const arrived = once(running.server, 'request');
    const upload = slowUpload(port, participantToken);
    await arrived;
    await running.close({ deadlineMs: 300 });
    const answer = await upload.answer;
    // Never finished: the client sees its connection closed (or an answer that the upload was cut), never a 201.
    expect(answer.status === undefined ? answer.error : answer.status).not.toBe(201);
    expect(answer.error ?? answer.json?.error?.code).toBeTruthy();
    expect((await request(port, { method: 'GET', path: '/healthz' }).answer).error).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
