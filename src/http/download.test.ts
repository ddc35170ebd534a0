import { get as httpGet, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { decideDownload, etagOf, sendDownload, type DownloadRequest } from './download.js';

const etag = etagOf('ab'.repeat(32));
const lastModified = 'Wed, 02 Dec 2026 14:26:16 GMT';
const file = { size: 1000, etag, lastModified };
const get = (h: Omit<DownloadRequest, 'method'> = {}): DownloadRequest => ({ method: 'GET', ...h });

describe('decideDownload: conditional and range requests in RFC 9110 §13.2.2 order', () => {
  it('the ETag is strong and names the SHA-256', () => {
    expect(etag).toBe(`"sha256:${'ab'.repeat(32)}"`);
  });

  it('If-None-Match: 304 when any listed tag matches weakly, or on *; for GET and HEAD alike', () => {
    expect(decideDownload(get({ ifNoneMatch: etag }), file)).toEqual({ status: 304 });
    expect(decideDownload({ method: 'HEAD', ifNoneMatch: etag }, file)).toEqual({ status: 304 });
    expect(decideDownload(get({ ifNoneMatch: `"other", W/${etag}` }), file)).toEqual({ status: 304 });
    expect(decideDownload(get({ ifNoneMatch: '*' }), file)).toEqual({ status: 304 });
    expect(decideDownload(get({ ifNoneMatch: '"other"' }), file)).toEqual({ status: 200 });
    // A match wins over a range.
    expect(decideDownload(get({ ifNoneMatch: etag, range: 'bytes=0-9' }), file)).toEqual({ status: 304 });
  });

  it('If-Modified-Since counts only without If-None-Match, and only as an IMF-fixdate', () => {
    expect(decideDownload(get({ ifModifiedSince: lastModified }), file)).toEqual({ status: 304 });
    expect(decideDownload(get({ ifModifiedSince: 'Thu, 03 Dec 2026 00:00:00 GMT' }), file)).toEqual({ status: 304 });
    expect(decideDownload(get({ ifModifiedSince: 'Tue, 01 Dec 2026 00:00:00 GMT' }), file)).toEqual({ status: 200 });
    expect(decideDownload(get({ ifModifiedSince: '1' }), file)).toEqual({ status: 200 });
    expect(decideDownload(get({ ifModifiedSince: lastModified, ifNoneMatch: '"other"' }), file)).toEqual({ status: 200 });
  });

  it('Range on GET; HEAD ignores it', () => {
    expect(decideDownload(get({ range: 'bytes=0-99' }), file)).toEqual({ status: 206, start: 0, end: 99 });
    expect(decideDownload(get({ range: 'bytes=1000-' }), file)).toEqual({ status: 416 });
    expect(decideDownload(get({ range: 'bytes=abc' }), file)).toEqual({ status: 200 });
    expect(decideDownload({ method: 'HEAD', range: 'bytes=0-99' }, file)).toEqual({ status: 200 });
  });

  it('If-Range: the range only while the ETag matches strongly or the date is the Last-Modified exactly', () => {
    expect(decideDownload(get({ range: 'bytes=10-19', ifRange: etag }), file)).toEqual({ status: 206, start: 10, end: 19 });
    expect(decideDownload(get({ range: 'bytes=10-19', ifRange: '"sha256:other"' }), file)).toEqual({ status: 200 });
    expect(decideDownload(get({ range: 'bytes=10-19', ifRange: `W/${etag}` }), file)).toEqual({ status: 200 });
    expect(decideDownload(get({ range: 'bytes=10-19', ifRange: lastModified }), file)).toEqual({ status: 206, start: 10, end: 19 });
    expect(decideDownload(get({ range: 'bytes=10-19', ifRange: 'Tue, 01 Dec 2026 00:00:00 GMT' }), file)).toEqual({ status: 200 });
    expect(decideDownload(get({ range: 'bytes=10-19', ifRange: lastModified }), { size: 1000, etag })).toEqual({ status: 200 });
    // A stale If-Range sends the whole file, never a 416.
    expect(decideDownload(get({ range: 'bytes=5000-', ifRange: '"old"' }), file)).toEqual({ status: 200 });
  });
});

/** A file of `size` bytes that exists only as it is read: counts what was pulled, and whether it was destroyed. */
function virtualFile(size: number): { opened: { start: number; end: number }[]; pulled: number; destroyed: boolean; open: (range?: { start: number; end: number }) => Promise<{ body: Readable; length: number }> } {
  const state = {
    opened: [] as { start: number; end: number }[],
    pulled: 0,
    destroyed: false,
    open: (range?: { start: number; end: number }): Promise<{ body: Readable; length: number }> => {
      const r = range ?? { start: 0, end: size - 1 };
      state.opened.push(r);
      let left = r.end - r.start + 1;
      const body = new Readable({
        read() {
          const n = Math.min(64 * 1024, left);
          left -= n;
          state.pulled += n;
          this.push(n > 0 ? Buffer.alloc(n, 0x61) : null);
        },
        destroy(err, cb) {
          state.destroyed = true;
          cb(err);
        },
      });
      return Promise.resolve({ body, length: r.end - r.start + 1 });
    },
  };
  return state;
}

async function serve(file: ReturnType<typeof virtualFile>, size: number, errors: unknown[]): Promise<{ port: number; close: () => Promise<void> }> {
  const app = express();
  const log = createLogger('silent');
  app.get('/f', (req, res) => {
    res.locals.log = log;
    sendDownload(req, res, () => Promise.resolve({ size, sha256: 'ab'.repeat(32), filename: 'big.bin', open: file.open })).catch((e: unknown) => errors.push(e));
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('sendDownload streams with backpressure', () => {
  const GiB = 1024 ** 3;

  it('a 10 GiB file read by a client that stops reading: the server pulls a bounded amount; hanging up destroys the source', async () => {
    const size = 10 * GiB;
    const file = virtualFile(size);
    const errors: unknown[] = [];
    const s = await serve(file, size, errors);
    try {
      const res = await new Promise<IncomingMessage>((resolve) => httpGet({ port: s.port, path: '/f', host: '127.0.0.1' }, resolve));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe(String(size));
      await new Promise((resolve) => res.once('data', resolve));
      res.pause();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const pulled = file.pulled;
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Stalled: only what fits in the stream and socket buffers was read, and reading stopped.
      expect(pulled).toBeLessThan(32 * 1024 * 1024);
      expect(file.pulled).toBe(pulled);
      expect(file.destroyed).toBe(false);
      res.destroy();
      for (let i = 0; i < 50 && !file.destroyed; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(file.destroyed).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('a range opens only that range; HEAD and 304 never open the file', async () => {
    const size = 5 * GiB;
    const file = virtualFile(size);
    const errors: unknown[] = [];
    const s = await serve(file, size, errors);
    const ask = (method: string, headers: Record<string, string>): Promise<IncomingMessage> => new Promise((resolve, reject) => {
      const req = httpRequest({ port: s.port, path: '/f', host: '127.0.0.1', method, headers }, resolve);
      req.on('error', reject);
      req.end();
    });
    try {
      const part = await ask('GET', { range: `bytes=${4 * GiB}-${4 * GiB + 9}` });
      expect(part.statusCode).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes ${4 * GiB}-${4 * GiB + 9}/${size}`);
      let n = 0;
      for await (const c of part) n += (c as Buffer).length;
      expect(n).toBe(10);
      expect(file.opened).toEqual([{ start: 4 * GiB, end: 4 * GiB + 9 }]);
      const head = await ask('HEAD', {});
      expect(head.statusCode).toBe(200);
      expect(head.headers['content-length']).toBe(String(size));
      head.resume();
      const notModified = await ask('GET', { 'if-none-match': etagOf('ab'.repeat(32)) });
      expect(notModified.statusCode).toBe(304);
      notModified.resume();
      expect(file.opened).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
