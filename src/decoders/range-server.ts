/**
 * A loopback HTTP server that answers range requests from `file.readAt` (the upload, through the reader's
 * context), so ffmpeg/ffprobe can seek in an
 * upload (an MP4 whose index is at the end, a CAF, an Ogg whose duration is on its last page) without the
 * file being held in memory or written to disk. It listens on 127.0.0.1 on a random port, serves one
 * random unguessable path, and streams each answer in pieces with backpressure.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveRange } from '../lib/byte-range.js';
import type { RandomAccess } from '../formats/audio/decoder.js';

/** Bytes asked of `file.readAt` per call (each may be a storage round trip). */
const PIECE_BYTES = 1 << 20;

export interface RangeServer {
  /** The URL ffmpeg reads. */
  url: string;
  /** Requests answered (for tests and benchmarks). */
  readonly stats: { requests: number; bytes: number };
  close(): Promise<void>;
}

function waitDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

async function answer(req: IncomingMessage, res: ServerResponse, file: RandomAccess, stats: RangeServer['stats']): Promise<void> {
  stats.requests++;
  const size = file.size;
  const r = resolveRange(req.method === 'GET' ? req.headers.range : undefined, size);
  if (r.kind === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const start = r.kind === 'partial' ? r.start : 0;
  const end = r.kind === 'partial' ? r.end : size - 1;
  const headers = { 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', 'Content-Length': String(end - start + 1) };
  if (r.kind === 'partial') res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}` });
  else res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  let pos = start;
  while (pos <= end && !closed) {
    const piece = await file.readAt(pos, Math.min(PIECE_BYTES, end + 1 - pos));
    if (piece.length === 0) break;
    pos += piece.length;
    stats.bytes += piece.length;
    if (!res.write(piece)) await waitDrainOrClose(res);
  }
  // A short read means the file shrank under us: end the connection so the client sees the error.
  if (pos <= end) res.destroy();
  else res.end();
}

/** Starts the server; `close()` stops it and drops open connections (call it in a finally). */
export async function startRangeServer(file: RandomAccess): Promise<RangeServer> {
  const path = `/${randomBytes(16).toString('hex')}`;
  const stats = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    if (req.url !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    answer(req, res, file, stats).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
