import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../lib/logger.js';
import { REQUEST_ID_PATTERN } from '../../lib/ids.js';
import type { Principal } from '../../domain/principal.js';

export interface Locals {
  requestId: string;
  log: Logger;
  principal?: Principal;
  /** The upload the request is about, named on its log line (see `noteSubject`). */
  uploadId?: string;
  /** The recording the request is about, named on its log line: ties the request to the workers' lines. */
  recordingId?: string;
}

export function locals(res: Response): Locals {
  return res.locals as Locals;
}

/** Routes polled by probes and Prometheus: their successes are logged at debug, not once per scrape at info. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const SUBJECT_IDS = { uploadId: /^upl_[A-Za-z0-9_-]{1,64}$/, recordingId: /^rec_[A-Za-z0-9_-]{1,64}$/ } as const;

/**
 * Names the upload and recording a request is about on its log line. Handlers call it with what they
 * answer; the route helper calls it with the path's parameters (only well-formed ids are kept).
 */
export function noteSubject(res: Response, ids: { uploadId?: unknown; recordingId?: unknown }): void {
  const l = locals(res);
  for (const k of ['uploadId', 'recordingId'] as const) {
    const v = ids[k];
    if (typeof v === 'string' && SUBJECT_IDS[k].test(v)) l[k] = v;
  }
}

/** What the request-context hook reports when a request ends (after its answer is sent, or when the client left). */
export interface RequestSummary {
  method: string;
  /** The route template (`/v1/recordings/:recordingId`), `unmatched` when no route matched. */
  route: string;
  status: number;
  seconds: number;
}

/**
 * Gives each request an id (echoed in X-Request-Id) and a child logger bound to it, and writes one log
 * line per request at info: method, route template, status, ms and the upload/recording it is about.
 * `observe` gets the answered requests (not those whose client went away first).
 */
export function requestContext(log: Logger, observe: (r: RequestSummary) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const l = locals(res);
    l.requestId = requestId;
    l.log = log.child({ requestId });
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = `${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? 'unmatched'}`;
      const answered = res.writableFinished;
      if (answered) observe({ method: req.method, route, status: res.statusCode, seconds });
      const line = {
        method: req.method, route, ...(answered ? { status: res.statusCode } : { aborted: true }), ms: Math.round(seconds * 1000),
        ...(l.uploadId ? { uploadId: l.uploadId } : {}), ...(l.recordingId ? { recordingId: l.recordingId } : {}),
      };
      const quiet = answered && res.statusCode < 400 && PROBE_ROUTES.has(route);
      l.log[quiet ? 'debug' : 'info'](line, answered ? 'request' : 'request aborted by the client');
    });
    next();
  };
}
