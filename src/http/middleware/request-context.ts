import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../lib/logger.js';
import type { Principal } from '../../domain/principal.js';

export interface Locals {
  requestId: string;
  log: Logger;
  principal?: Principal;
}

export function locals(res: Response): Locals {
  return res.locals as Locals;
}

/** Gives each request an id (echoed in X-Request-Id) and a child logger bound to it. */
export function requestContext(log: Logger, observe: (method: string, route: string, status: number, seconds: number) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const l = locals(res);
    l.requestId = requestId;
    l.log = log.child({ requestId });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      observe(req.method, `${req.baseUrl}${route}`, res.statusCode, seconds);
      l.log.debug({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
