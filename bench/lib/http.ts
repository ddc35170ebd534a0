import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { callApi, type ApiAnswer } from '../../src/lib/api-client.js';

/** Calls the API with a bearer token; JSON in and out. Loopback only. */
export function call(baseUrl: string, token: string, method: string, p: string, body?: unknown): Promise<ApiAnswer & { json: any }> {
  return callApi(loopback(baseUrl), token, method, p, body);
}

/** Like `call`, but throws unless the answer has the expected status. */
export async function expectCall(baseUrl: string, token: string, method: string, p: string, body: unknown, status: number): Promise<any> {
  const r = await call(baseUrl, token, method, p, body);
  if (r.status !== status) throw new Error(`${method} ${p}: expected ${status}, got ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A study and `n` participants (each with its own token, so the same bytes are never a duplicate). */
export async function seedStudy(baseUrl: string, adminToken: string, n: number): Promise<{ studyId: string; participants: { id: string; token: string }[] }> {
  const slug = `bench-${randomBytes(5).toString('hex')}`;
  const study = await expectCall(baseUrl, adminToken, 'POST', '/v1/studies', { slug, name: `Benchmark ${slug}`, labels: [{ name: 'walking' }] }, 201);
  const participants: { id: string; token: string }[] = [];
  for (let i = 0; i < n; i++) {
    const p = await expectCall(baseUrl, adminToken, 'POST', `/v1/studies/${study.id}/participants`, { code: `P${String(i + 1).padStart(3, '0')}` }, 201);
    participants.push({ id: p.participant.id, token: p.token });
  }
  return { studyId: study.id, participants };
}

/**
 * `POST /v1/uploads` of a file on disk as the multipart part `file`, streamed: the body is the part header,
 * the file's ReadStream and the closing boundary, with an exact Content-Length (no chunked encoding).
 * Nothing is buffered beyond the stream's own 64 KiB pieces. Resolves when the answer has been read.
 */
export async function uploadFile(baseUrl: string, token: string, file: string, filename: string): Promise<{ status: number; json: any; seconds: number; bytes: number }> {
  const { size } = await stat(file);
  const boundary = `----fieldsense-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename.replace(/["\r\n]/g, '_')}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL('/v1/uploads', loopback(baseUrl));
  const t0 = performance.now();
  const req = http.request({
    host: '127.0.0.1',
    port: url.port,
    path: url.pathname,
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + size + tail.length),
    },
  });
  // A stalled server fails the benchmark instead of hanging it (idle socket time, not total time).
  req.setTimeout(120_000, () => req.destroy(new Error('POST /v1/uploads: no progress for 120 s')));
  async function* body(): AsyncGenerator<Buffer> {
    yield head;
    yield* createReadStream(file) as AsyncIterable<Buffer>;
    yield tail;
  }
  return { ...(await sendStreamed(req, body(), t0)), bytes: size };
}

/**
 * Streams `body` into `req` with backpressure and reads the answer: its status, its JSON (or text) and the
 * seconds from `t0`. The server may answer (e.g. 413) before the body is sent: then the send error is not the story.
 */
export async function sendStreamed(req: ClientRequest, body: AsyncIterable<Buffer>, t0: number): Promise<{ status: number; json: any; seconds: number }> {
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  const sent = pipeline(Readable.from(body), req).then(
    () => null,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  const res = await answered;
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const seconds = (performance.now() - t0) / 1000;
  const sendError = await sent;
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // keep the text
  }
  const status = res.statusCode ?? 0;
  if (sendError && status < 400) throw sendError;
  return { status, json, seconds };
}

/** Every request of the benchmarks goes to 127.0.0.1. */
function loopback(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (u.hostname !== '127.0.0.1') throw new Error(`benchmarks only call 127.0.0.1, not ${u.hostname}`);
  return u.origin;
}
