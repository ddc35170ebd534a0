import type { NextFunction, Request, Response } from 'express';
import { AppError, isAppError } from '../../lib/errors.js';
import { outageOf, type Dependency } from '../../lib/outages.js';
import { locals } from './request-context.js';

/** What a client is told when a backing service is down (lib/outages.ts classifies): 503 with Retry-After. */
const OUTAGES: Record<Dependency, { code: ConstructorParameters<typeof AppError>[0]; message: string }> = {
  storage: { code: 'storage_unavailable', message: 'Object storage is unreachable right now: nothing was stored or read. Try again shortly.' },
  database: { code: 'database_unavailable', message: 'The database is unreachable right now: nothing was changed. Try again shortly.' },
  queue: { code: 'queue_unavailable', message: 'The job queue is unreachable right now: nothing was changed. Try again shortly.' },
};

/** Seconds a client is asked to wait before retrying a 503. */
const RETRY_AFTER_S = '5';

/** Maps multer's limit codes to the contract's statuses. */
const MULTER_CODES: Record<string, { code: ConstructorParameters<typeof AppError>[0]; message: string }> = {
  LIMIT_FILE_SIZE: { code: 'file_too_large', message: 'The file is larger than this server accepts' },
  LIMIT_FILE_COUNT: { code: 'too_many_files', message: 'The upload has more files than this server accepts in one upload; send a ZIP or split it' },
  LIMIT_PART_COUNT: { code: 'too_many_parts', message: 'The form has too many parts: send a "file" part and an optional "metadata" part' },
  LIMIT_FIELD_VALUE: { code: 'field_too_large', message: 'The "metadata" part is too large' },
  LIMIT_FIELD_KEY: { code: 'field_too_large', message: 'A form field name is too long' },
  LIMIT_FIELD_COUNT: { code: 'too_many_parts', message: 'The form has too many fields' },
  LIMIT_UNEXPECTED_FILE: { code: 'unexpected_field', message: 'Unexpected file part: send the recording in a part named "file"' },
  MISSING_FIELD_NAME: { code: 'bad_request', message: 'A form part has no name' },
};

/** The one error translator: AppError → its status and the contract's error body; anything else → a logged 500. */
export function errorHandler(limits: { maxBytes: number }) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const log = locals(res).log;
    const outage = outageOf(err);
    let e: AppError;
    if (isAppError(err)) {
      e = err;
    } else if (outage) {
      log.warn({ err, dependency: outage, url: req.originalUrl }, 'backing service unavailable');
      e = new AppError(OUTAGES[outage].code, OUTAGES[outage].message);
    } else if (isMulterError(err)) {
      const m = MULTER_CODES[err.code] ?? { code: 'bad_request' as const, message: 'The multipart form is not valid' };
      const details: Record<string, unknown> = { multer: err.code };
      if (err.code === 'LIMIT_FILE_SIZE') details.maxBytes = limits.maxBytes;
      e = new AppError(m.code, `${m.message}${err.code === 'LIMIT_FILE_SIZE' ? ` (at most ${limits.maxBytes} bytes)` : ''}.`, details);
    } else if (isBodyParserError(err)) {
      e = err.type === 'entity.too.large'
        ? new AppError('field_too_large', 'The JSON body is too large.')
        : new AppError('invalid_json', 'The body is not valid JSON.');
    } else if (clientWentAway(req)) {
      // Whatever broke (busboy's "Unexpected end of form", a cancelled put), the cause is the client leaving.
      e = new AppError('upload_aborted', 'The upload was interrupted before it finished; nothing was stored. Send it again.');
    } else if (err instanceof Error && /Malformed part header|Unexpected end of form|Multipart: Boundary not found/i.test(err.message)) {
      e = new AppError('bad_request', `The multipart body is malformed (${err.message}).`);
    } else {
      log.error({ err, url: req.originalUrl }, 'unhandled error');
      e = new AppError('internal', 'Something went wrong on our side; it has been logged. Try again later.');
    }
    if (e.code === 'upload_aborted') log.info({ url: req.originalUrl }, 'client aborted the upload; nothing was stored');
    else if (e.status >= 500 && e.code !== 'internal' && !outage) log.error({ err }, 'server error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e.status === 503) res.setHeader('Retry-After', RETRY_AFTER_S);
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
  };
}

export function notFound(req: Request): never {
  throw new AppError('route_not_found', `There is no ${req.method} ${req.path}; see /v1/openapi.json for the API.`);
}

/** The client closed the connection before its request body ended (an upload cancelled or cut off). */
function clientWentAway(req: Request): boolean {
  return !req.complete && (req.destroyed || req.socket.destroyed);
}

function isMulterError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && e.name === 'MulterError';
}

function isBodyParserError(e: unknown): e is Error & { type: string } {
  return e instanceof Error && typeof (e as { type?: unknown }).type === 'string' && 'status' in e;
}
