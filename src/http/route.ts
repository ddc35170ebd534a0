import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { OpenApiRegistry, RouteDoc } from './openapi.js';
import { parseRequest } from './validate.js';
import { noteSubject } from './middleware/request-context.js';

export type Parsed<D extends RouteDoc> = ReturnType<typeof parseRequest<D>>;

/** The statuses a route declares a JSON schema for. */
type JsonStatus<D extends RouteDoc> = { [S in keyof D['responses']]: D['responses'][S] extends { schema: z.ZodType; contentType: string } ? never
  : D['responses'][S] extends { schema: z.ZodType } ? S : never }[keyof D['responses']] & number;

/** The body a route declares for `status`: the output type of that response's schema. */
export type Answer<D extends RouteDoc, S extends keyof D['responses']> = D['responses'][S] extends { schema: infer Z extends z.ZodType } ? z.output<Z> : never;

/** Answers JSON with one of the route's declared statuses, typed by that status's schema. */
export type Send<D extends RouteDoc> = <S extends JsonStatus<D>>(status: S, body: Answer<D, S>) => void;

/**
 * Registers a route's documentation and mounts its handler, which receives the parsed request. A handler that
 * answers through `send` is held by the compiler to the schemas its documentation declares.
 */
export function route<D extends RouteDoc>(
  router: Router,
  registry: OpenApiRegistry,
  doc: D,
  handler: (input: Parsed<D>, req: Request, res: Response, send: Send<D>) => Promise<void>,
): void {
  registry.add(doc);
  router[doc.method](doc.path, async (req: Request, res: Response) => {
    noteSubject(res, req.params);
    await handler(parseRequest(doc, req), req, res, (status, body) => void res.status(status).json(body));
  });
}
