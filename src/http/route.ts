import type { Request, Response, Router } from 'express';
import type { OpenApiRegistry, RouteDoc } from './openapi.js';
import { parseRequest } from './validate.js';
import { noteSubject } from './middleware/request-context.js';

export type Parsed<D extends RouteDoc> = ReturnType<typeof parseRequest<D>>;

/** Registers a route's documentation and mounts its handler, which receives the parsed request. */
export function route<D extends RouteDoc>(
  router: Router,
  registry: OpenApiRegistry,
  doc: D,
  handler: (input: Parsed<D>, req: Request, res: Response) => Promise<void>,
): void {
  registry.add(doc);
  router[doc.method](doc.path, async (req: Request, res: Response) => {
    noteSubject(res, req.params);
    await handler(parseRequest(doc, req), req, res);
  });
}
