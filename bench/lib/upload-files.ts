import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { sendStreamed } from './http.js';

/**
 * `POST /v1/uploads` of several files on disk as `file` parts of one multipart form (one recording: the API
 * puts them into one archive), streamed with an exact Content-Length. Loopback only.
 */
export async function uploadFiles(baseUrl: string, token: string, files: { path: string; filename: string }[]): Promise<{ status: number; json: any; seconds: number; bytes: number }> {
  const u = new URL('/v1/uploads', baseUrl);
  if (u.hostname !== '127.0.0.1') throw new Error(`benchmarks only call 127.0.0.1, not ${u.hostname}`);
  const boundary = `----fieldsense-bench-${randomBytes(12).toString('hex')}`;
  const parts = await Promise.all(files.map(async (f) => ({
    ...f,
    size: (await stat(f.path)).size,
    head: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.filename.replace(/["\r\n]/g, '_')}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
  })));
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const bytes = parts.reduce((a, p) => a + p.size, 0);
  const length = parts.reduce((a, p) => a + p.head.length + p.size + 2, 0) + tail.length;
  const t0 = performance.now();
  const req = http.request({
    host: '127.0.0.1', port: u.port, path: u.pathname, method: 'POST', agent: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
  });
  req.setTimeout(300_000, () => req.destroy(new Error('POST /v1/uploads: no progress for 300 s')));
  async function* body(): AsyncGenerator<Buffer> {
    for (const p of parts) {
      yield p.head;
      yield* createReadStream(p.path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
      yield Buffer.from('\r\n');
    }
    yield tail;
  }
  return { ...(await sendStreamed(req, body(), t0)), bytes };
}
