import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { AppError } from '../lib/errors.js';
import { resolveRange } from '../lib/byte-range.js';
import { contentDispositionAttachment } from '../domain/names.js';
import { locals } from './middleware/request-context.js';

/** A stored file the API sends as it is: its size and SHA-256 are known without reading it. */
export interface Download {
  size: number;
  /** SHA-256 of the whole file, hex: the strong ETag and the digest headers. */
  sha256: string;
  filename: string;
  /** When the file was stored (it never changes afterwards): `Last-Modified`. */
  modifiedAt?: Date;
  /** The bytes, or the inclusive byte range of them, streamed from storage; `length` is what the store sends. */
  open(range?: { start: number; end: number }): Promise<{ body: Readable; length: number }>;
}

/** What a request gets, from its method and conditional headers, before any byte is read. */
export type DownloadDecision =
  | { status: 200 }
  | { status: 206; start: number; end: number }
  | { status: 304 }
  | { status: 416 };

export interface DownloadRequest {
  method: string;
  range?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifRange?: string | undefined;
}

/** The strong entity tag of a file named by its SHA-256 (the same bytes always have the same tag). */
export function etagOf(sha256: string): string {
  return `"sha256:${sha256}"`;
}

/** IMF-fixdate (RFC 9110 §5.6.7), the only HTTP-date form the server parses. */
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** The entity tags of an If-None-Match list, compared weakly (RFC 9110 §8.8.3.2): `W/"x"` matches `"x"`. */
function anyTagMatches(list: string, etag: string): boolean {
  if (list.trim() === '*') return true;
  for (const m of list.matchAll(/(?:W\/)?("[^"]*")/g)) if (m[1] === etag) return true;
  return false;
}

/**
 * RFC 9110 §13.2.2's order: If-None-Match (304 on a match), else If-Modified-Since; then If-Range, whose
 * ETag must match strongly (or whose date must be the Last-Modified exactly) for Range to apply; then Range,
 * which only GET reads. HEAD gets what GET would, without Range.
 */
export function decideDownload(req: DownloadRequest, file: { size: number; etag: string; lastModified?: string | undefined }): DownloadDecision {
  if (req.ifNoneMatch !== undefined) {
    if (anyTagMatches(req.ifNoneMatch, file.etag)) return { status: 304 };
  } else if (req.ifModifiedSince !== undefined && file.lastModified !== undefined && IMF_FIXDATE.test(req.ifModifiedSince.trim())) {
    if (Date.parse(file.lastModified) <= Date.parse(req.ifModifiedSince)) return { status: 304 };
  }
  if (req.method !== 'GET' || req.range === undefined) return { status: 200 };
  if (req.ifRange !== undefined) {
    const v = req.ifRange.trim();
    const holds = v.startsWith('"') ? v === file.etag : file.lastModified !== undefined && v === file.lastModified;
    if (!holds) return { status: 200 };
  }
  const r = resolveRange(req.range, file.size);
  switch (r.kind) {
    case 'whole': return { status: 200 };
    case 'partial': return { status: 206, start: r.start, end: r.end };
    case 'unsatisfiable': return { status: 416 };
  }
}

function isPrematureClose(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * Answers GET or HEAD for a stored file: 200, 206 (one range), 304 or 416, with `Accept-Ranges`, a strong
 * `ETag`, `Last-Modified`, and the digest of the whole file (`Digest`, `Repr-Digest`) even on a 206. The body
 * is piped from storage with backpressure, so memory stays bounded whatever the size; HEAD and 304 never
 * open it. A client that goes away mid-body destroys the storage stream. `load` runs the access rules.
 */
export async function sendDownload(req: Request, res: Response, load: () => Promise<Download>): Promise<void> {
  res.setHeader('Accept-Ranges', 'bytes');
  const file = await load();
  const etag = etagOf(file.sha256);
  const lastModified = file.modifiedAt?.toUTCString();
  const decision = decideDownload({
    method: req.method, range: req.header('range'), ifNoneMatch: req.header('if-none-match'),
    ifModifiedSince: req.header('if-modified-since'), ifRange: req.header('if-range'),
  }, { size: file.size, etag, lastModified });
  if (decision.status === 416) {
    // The error translator writes the body; the header says what the client can ask for.
    res.setHeader('Content-Range', `bytes */${file.size}`);
    throw new AppError('range_not_satisfiable', `The range asked for is not in this file, which has ${file.size} bytes (0 to ${file.size - 1}).`, { size: file.size });
  }
  const range = decision.status === 206 ? { start: decision.start, end: decision.end } : undefined;
  const length = range ? range.end - range.start + 1 : file.size;
  // Opened before any header is set, so that a storage failure answers as a plain error.
  const body = req.method === 'GET' && decision.status !== 304 ? await file.open(range) : undefined;
  if (body && body.length !== length) {
    body.body.destroy();
    throw new Error(`storage sent ${body.length} bytes where the file's row says ${length}`);
  }
  res.setHeader('ETag', etag);
  if (lastModified) res.setHeader('Last-Modified', lastModified);
  if (decision.status === 304) {
    res.status(304).end();
    return;
  }
  const digest = Buffer.from(file.sha256, 'hex').toString('base64');
  res.status(decision.status);
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(length));
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
  res.setHeader('Content-Disposition', contentDispositionAttachment(file.filename));
  res.setHeader('Digest', `sha-256=${digest}`);
  res.setHeader('Repr-Digest', `sha-256=:${digest}:`);
  if (!body) {
    res.end();
    return;
  }
  try {
    await pipeline(body.body, res);
  } catch (err) {
    // The client hung up (a paused or cancelled download): the storage stream is destroyed, nothing to report.
    if (res.destroyed && isPrematureClose(err)) {
      locals(res).log.debug('download closed by the client');
      return;
    }
    throw err;
  }
}
